"""Nothing lost, nothing doubled, nothing leaked: load with retries, and faults during load.

`make test` runs each scenario at a small scale; `make reliability` sets
FACILCHAT_RELIABILITY=full (10,000 messages from 500 customers to 20 businesses at 50
concurrent senders, a fifth of them delivered twice) and prints one line per scenario.
Each run's random choices come from a printed seed (FACILCHAT_RELIABILITY_SEED replays
one).
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest

from devstack.postgres import free_port
from devstack.stack import LocalStack, webhook_process
from devstack.twilio_api import TwilioStandIn
from tests.browser import ARTIFACTS_DIR
from tests.factories import Connection
from tests.reliability.harness import (
    FAST,
    FULL,
    Report,
    check_invariants,
    make_businesses,
    make_messages,
    send_all,
    settle,
)

SCALE = FULL if os.environ.get("FACILCHAT_RELIABILITY") == "full" else FAST
SEED = int(os.environ.get("FACILCHAT_RELIABILITY_SEED", str(random.randrange(10**6))))


@dataclass(frozen=True)
class Faults:
    """The stand-in's chances of each fault (see devstack.twilio_api.Chaos)."""

    rest_429: float = 0.0
    rest_500: float = 0.0
    accept_then_500: float = 0.0
    hang: float = 0.0
    lose_callbacks: float = 0.0
    disorder_callbacks: float = 0.0
    lose_answer: float = 0.0


SCENARIOS = {
    "load with retries": Faults(),
    # 30% of REST sends refused, 10% accepted but answered 500, 5% hanging; 10% of the
    # replies' callbacks never arrive; and 60% of the webhook's answers are lost on the
    # way back, so a fifth of the replies are never sent from TwiML (three lost answers
    # in a row) and go through the outbox.
    "Twilio failing": Faults(
        rest_429=0.15,
        rest_500=0.15,
        accept_then_500=0.10,
        hang=0.05,
        lose_callbacks=0.10,
        lose_answer=0.6,
    ),
    "callbacks duplicated and out of order": Faults(disorder_callbacks=1.0),
}


@contextmanager
def app_and_twilio(stack: LocalStack, tmp_dir: str) -> Iterator[tuple[str, TwilioStandIn]]:
    """The app under uvicorn, and a Twilio stand-in of its own reporting statuses to it."""
    twilio = TwilioStandIn(callback_delay=0.05, hang_seconds=3.0)
    twilio.log_path = ARTIFACTS_DIR / f"{tmp_dir}-twilio.log"
    twilio.start()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    # A short Twilio timeout keeps a hanging send from holding a sweep.
    env = {**stack.app_env(twilio, url), "TWILIO_TIMEOUT_SECONDS": "1"}
    server = webhook_process(port, env)
    server.log_path = ARTIFACTS_DIR / f"{tmp_dir}-app.log"
    try:
        server.start()
        yield url, twilio
    finally:
        server.stop()
        twilio.stop()


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_every_message_once_and_every_reply_once(
    scenario: str, stack: LocalStack, db: Connection
) -> None:
    faults = SCENARIOS[scenario]
    rolls = random.Random(f"{SEED}:{scenario}")
    report = Report(scenario)
    started = time.monotonic()
    with app_and_twilio(stack, "reliability-" + scenario.split()[0].lower()) as (url, twilio):
        twilio.set_chaos(seed=rolls.randrange(10**6), **vars(faults))
        businesses = make_businesses(db, SCALE.businesses)
        messages = make_messages(businesses, SCALE, rolls)
        asyncio.run(send_all(twilio, f"{url}/api/twilio/webhook", messages, SCALE, rolls, report))
        # The outbox works through the faults (its clock brought forward), then they end
        # and the system must settle by itself.
        owners = [b.id for b in businesses]
        settle(db, url, owners, report, rounds=6)
        report.faults = dict(twilio.chaos()["injected"])
        twilio.set_chaos()
        settle(db, url, owners, report)
        check_invariants(db, twilio, messages, report)
    report.seconds = time.monotonic() - started
    line = report.line() + f" (seed {SEED})"
    print(line)
    with (ARTIFACTS_DIR / "reliability.txt").open("a") as results:
        results.write(line + "\n")
    assert report.failures == [], line
    if any(vars(faults).values()):
        assert sum(report.faults.values()) > 0, "the scenario injected no fault"
