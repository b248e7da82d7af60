"""Session fixtures: a real Postgres cluster, a migrated database, PostgREST and the gateway.

Each test session migrates its own fresh database, so runs never share data.
Tests create their own tenants through the factories, so they never depend on
each other's rows.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from devstack import keys
from devstack.postgres import LocalPostgres, free_port
from devstack.stack import LocalStack
from facilchat import migrate


@dataclass
class DatabaseServer:
    """A server where tests may create and drop databases."""

    admin_url: str

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


@pytest.fixture(scope="session")
def db_server() -> Iterator[DatabaseServer]:
    """The embedded test cluster, or the server named by DATABASE_URL."""
    override = os.environ.get("DATABASE_URL")
    if override:
        yield DatabaseServer(make_conninfo(override, dbname="postgres"))
        return
    # A cluster of its own, so concurrent test sessions never stop each other's server.
    cluster = LocalPostgres.for_tests(f"test-postgres-{os.getpid()}")
    cluster.start()
    try:
        yield DatabaseServer(cluster.url())
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
    migrate.migrate(url, local=True)
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
