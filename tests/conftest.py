"""Session fixtures: a real Postgres cluster, a migrated database, PostgREST and the gateway.

Each test session migrates its own fresh database, so runs never share data.
Tests create their own tenants through the factories, so they never depend on
each other's rows. Files a session keeps go to .local/test-artifacts/; its
database clusters are deleted, and the session fails if one is left behind.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from devstack import keys, migrations
from devstack.paths import LOCAL_DIR
from devstack.postgres import (
    TEST_CLUSTER_PREFIX,
    LocalPostgres,
    cluster_owner_pid,
    free_port,
    remove_abandoned_clusters,
)
from devstack.stack import LocalStack
from tests.browser import ARTIFACTS_DIR


@dataclass
class DatabaseServer:
    """A server where tests may create and drop databases."""

    admin_url: str
    # The embedded cluster, when the tests run their own (None with DATABASE_URL).
    cluster: LocalPostgres | None = None

    def url(self, dbname: str) -> str:
        return make_conninfo(self.admin_url, dbname=dbname)

    def create_database(self, prefix: str = "facilchat_test") -> str:
        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'create database "{name}"')
        return self.url(name)

    def drop_database(self, url: str) -> None:
        name = conninfo_to_dict(url)["dbname"]
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'drop database if exists "{name}" with (force)')


def clusters_of_this_session() -> set[str]:
    """Throwaway clusters (and their logs) named after this process; other sessions' are theirs."""
    return {
        path.name
        for path in LOCAL_DIR.glob(f"{TEST_CLUSTER_PREFIX}*")
        if cluster_owner_pid(path) == os.getpid()
    }


@pytest.fixture(scope="session", autouse=True)
def local_state() -> Iterator[None]:
    """Creates the artifacts folder; fails the session if it leaves a cluster behind.

    Autouse, so it is set up first and checks after every other session fixture is gone.
    """
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    remove_abandoned_clusters()  # of killed runs
    yield
    left = sorted(clusters_of_this_session())
    if left:
        pytest.fail(f"the test session left clusters behind in {LOCAL_DIR}: {left}", pytrace=False)


@pytest.fixture(scope="session")
def db_server() -> Iterator[DatabaseServer]:
    """The embedded test cluster, or the server named by DATABASE_URL."""
    override = os.environ.get("DATABASE_URL")
    if override:
        yield DatabaseServer(make_conninfo(override, dbname="postgres"))
        return
    # A cluster of its own, so concurrent test sessions never stop each other's server.
    cluster = LocalPostgres.for_tests()
    try:
        cluster.start()
        yield DatabaseServer(cluster.url(), cluster)
    finally:
        cluster.destroy()


@pytest.fixture(scope="session")
def fresh_database(db_server: DatabaseServer) -> Iterator[Callable[[], str]]:
    """Makes empty databases on demand; drops them at the end of the session."""
    created: list[str] = []

    def make() -> str:
        url = db_server.create_database()
        created.append(url)
        return url

    yield make
    for url in created:
        db_server.drop_database(url)


@pytest.fixture(scope="session")
def database_url(fresh_database: Callable[[], str]) -> str:
    """A database with the platform stand-in and every migration applied."""
    url = fresh_database()
    migrations.migrate(url, local=True)
    return url


@pytest.fixture
def db(database_url: str) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    """A superuser connection for arranging and checking data (autocommit)."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        yield conn


@pytest.fixture(scope="session")
def stack(database_url: str) -> Iterator[LocalStack]:
    """Real PostgREST behind the gateway, on free ports, over the session database."""
    local = LocalStack(database_url=database_url, gateway_port=free_port())
    local.start(seed=False)
    try:
        yield local
    finally:
        local.stop()


@pytest.fixture(scope="session")
def jwt_secret(stack: LocalStack) -> str:
    return stack.jwt_secret


@pytest.fixture(scope="session")
def anon_key(stack: LocalStack) -> str:
    return keys.anon_key(stack.jwt_secret)


@pytest.fixture(scope="session")
def service_role_key(stack: LocalStack) -> str:
    return keys.service_role_key(stack.jwt_secret)
