"""Fixtures for the dashboard's tests: the built site, a stack with the demo bakery,
the app serving the dashboard, and Chromium.

The dashboard tests get a stack of their own (database, PostgREST, gateway with the Auth
and Realtime stand-ins) because they load the seed and restart the Realtime relay; the
session's shared stack stays untouched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser

from devstack import migrations
from devstack.postgres import free_port
from devstack.stack import LocalStack, load_seed
from devstack.twilio_api import TwilioStandIn
from tests.app_server import serving_app
from tests.browser import chromium
from tests.dashboard.helpers import DASHBOARD_DIR, stale_build_reason


@dataclass
class Dashboard:
    """The app serving the dashboard, and the stack behind it."""

    url: str
    stack: LocalStack
    database_url: str
    twilio: TwilioStandIn


@pytest.fixture(scope="session")
def dashboard_build() -> None:
    """The built dashboard must be there and newer than its sources."""
    reason = stale_build_reason()
    if reason:
        pytest.fail(
            f"{reason}: run `make install` (or `npm --prefix {DASHBOARD_DIR.name} run build`).",
            pytrace=False,
        )


@pytest.fixture(scope="package")
def seeded_database(fresh_database: Callable[[], str]) -> str:
    """A migrated database with the demo bakery (supabase/seed.sql)."""
    url = fresh_database()
    migrations.migrate(url, local=True)
    load_seed(url)
    return url


@pytest.fixture(scope="package")
def dashboard(
    dashboard_build: None, seeded_database: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Dashboard]:
    logs = tmp_path_factory.mktemp("dashboard-logs")
    stack = LocalStack(database_url=seeded_database, gateway_port=free_port())
    stack.start(seed=False)
    twilio = TwilioStandIn(log_path=logs / "twilio.log", callback_delay=0.1)
    try:
        with serving_app(stack, twilio, app="devstack.app:app", log_dir=logs) as url:
            yield Dashboard(url, stack, seeded_database, twilio)
    finally:
        stack.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched
