"""Nothing lost, nothing doubled, nothing leaked: load with retries, and faults during load.

`make test` runs each scenario at a small scale; `make reliability` sets
FACILCHAT_RELIABILITY=full (10,000 messages from 500 customers to 20 businesses at 50
concurrent senders, a fifth of them delivered twice) and prints one line per scenario.
Each run's random choices come from a printed seed (FACILCHAT_RELIABILITY_SEED replays
one).
"""

from __future__ import annotations

import asyncio
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import psycopg
import pytest

from devstack.stack import LocalStack
from tests.browser import ARTIFACTS_DIR
from tests.conftest import DatabaseServer
from tests.reliability.harness import (
    FAST,
    FULL,
    FULL_RUN,
    REST_FAULTS,
    SEED,
    Report,
    app_and_twilio,
    check_invariants,
    make_businesses,
    make_messages,
    record,
    send_all,
    settle,
)

SCALE = FULL if FULL_RUN else FAST


Disruption = Callable[[LocalStack, DatabaseServer], None]


def restart_postgrest(stack: LocalStack, _: DatabaseServer) -> None:
    assert stack.postgrest is not None
    stack.postgrest.stop()
    time.sleep(2.0)
    stack.postgrest.start()


def restart_postgres(_: LocalStack, server: DatabaseServer) -> None:
    assert server.cluster is not None
    server.cluster.stop()
    time.sleep(1.0)
    server.cluster.start()


@dataclass(frozen=True)
class Faults:
    """What goes wrong during a scenario."""

    # The Twilio stand-in's chance of each fault, by the names of devstack.twilio_api.Chaos.
    chances: dict[str, float] = field(default_factory=dict)
    # Something stopped and started again while the messages arrive.
    disruption: Disruption | None = None


SCENARIOS = {
    "load with retries": Faults(),
    # 30% of REST sends refused, 10% accepted but answered 500, 5% hanging; 10% of the
    # replies' callbacks never arrive; and 60% of the webhook's answers are lost on the
    # way back, so a fifth of the replies are never sent from TwiML (three lost answers
    # in a row) and go through the outbox.
    "Twilio failing": Faults(
        {
            "rest_429": 0.15,
            "rest_500": 0.15,
            "accept_then_500": 0.10,
            "hang": 0.05,
            "lose_callbacks": 0.10,
            "lose_answer": 0.6,
        }
    ),
    "callbacks duplicated and out of order": Faults({"disorder_callbacks": 1.0}),
    "PostgREST restarted": Faults(disruption=restart_postgrest),
    "Postgres restarted": Faults(disruption=restart_postgres),
}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_every_message_once_and_every_reply_once(
    scenario: str, stack: LocalStack, db_server: DatabaseServer, database_url: str
) -> None:
    faults = SCENARIOS[scenario]
    if faults.disruption is restart_postgres and db_server.cluster is None:
        pytest.skip("the Postgres server is DATABASE_URL's, not ours to restart")
    rolls = random.Random(f"{SEED}:{scenario}")
    report = Report(scenario)
    started = time.monotonic()
    chances = faults.chances
    log_name = "reliability-" + scenario.split()[0].lower()
    with app_and_twilio(stack, log_name) as (url, twilio, _):
        twilio.set_chaos(seed=rolls.randrange(10**6), **chances)
        with psycopg.connect(database_url, autocommit=True) as setup:
            businesses = make_businesses(setup, SCALE.businesses)
        messages = make_messages(businesses, SCALE, rolls)
        disruption = None
        if faults.disruption is not None:
            # Early in the run, while messages keep arriving.
            disruption = threading.Timer(1.0, faults.disruption, (stack, db_server))
            disruption.start()
            report.faults[scenario.split()[0]] = 1
        asyncio.run(send_all(twilio, f"{url}/api/twilio/webhook", messages, SCALE, rolls, report))
        if disruption is not None:
            disruption.join()
        # The outbox works through the faults (its clock brought forward) until it has
        # nothing left or stops making progress: so every REST send it makes meets them.
        # Then they end, and what is left must settle by itself.
        with psycopg.connect(database_url, autocommit=True) as db:
            owners = [b.id for b in businesses]
            settle(db, url, owners, report)
            report.faults.update(twilio.chaos()["injected"])
            twilio.set_chaos()
            under_faults = len(twilio.attempts())
            settle(db, url, owners, report)
            report.count_rest_sends(twilio.attempts(), under_faults)
            check_invariants(db, twilio, messages, report)
    # Nothing secret ends up in what the services logged during all this.
    secrets = {
        "the service role key": stack.service_role_key,
        "the JWT secret": stack.jwt_secret,
        "the Twilio auth token": twilio.auth_token,
    }
    for log in (twilio.log_path, ARTIFACTS_DIR / f"{log_name}-app.log"):
        logged = log.read_text(errors="replace")
        for what, secret in secrets.items():
            report.check(secret not in logged, f"{what} appears in {log.name}")
    report.seconds = time.monotonic() - started
    line = report.line() + f" (seed {SEED})"
    record(line)
    assert report.failures == [], line
    if any(chances.values()) or faults.disruption is not None:
        assert sum(report.faults.values()) > 0, "the scenario injected no fault"
    if any(name in REST_FAULTS for name in chances):
        # The REST faults apply to the sends the outbox actually makes, not to a few.
        assert report.rest_sends_under_faults >= 0.9 * report.rest_sends > 0, report.rest_line()
        if SCALE is FULL:
            # Thousands of sends: each fault's share is within 3 points of its chance.
            for name, (logged, label) in REST_FAULTS.items():
                share = report.rest_faults[logged] / report.rest_sends_under_faults
                stated = chances.get(name, 0.0)
                assert abs(share - stated) < 0.03, f"{label}: {share:.1%}, not {stated:.0%}"
