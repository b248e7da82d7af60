"""`facilchat simulate` against the webhook served by uvicorn: the whole loop over real HTTP,
including Twilio's signed status callbacks coming back from the stand-in."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from devstack.stack import LocalStack
from devstack.twilio_api import TwilioStandIn
from tests.app_server import serving_app
from tests.factories import Connection, create_faq, create_tenant, random_phone

ACCOUNT_SID = "AC" + "2" * 32
AUTH_TOKEN = "simulate-test-token-0123456789ab"


@pytest.fixture
def served_webhook(stack: LocalStack) -> Iterator[tuple[str, TwilioStandIn]]:
    twilio = TwilioStandIn(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN, callback_delay=0.05)
    with serving_app(stack, twilio) as base:
        yield base, twilio


def run_simulate(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "facilchat.cli", "simulate", *args],
        cwd="/",
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_simulated_customer_gets_the_faq_answer_and_delivery_is_tracked(
    served_webhook: tuple[str, TwilioStandIn], db: Connection
) -> None:
    base, twilio = served_webhook
    tenant = create_tenant(db)
    create_faq(db, tenant.id, question="¿A qué hora abren?", answer="Abrimos a las 7:00.")
    customer = random_phone()
    env = {
        **os.environ,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_API_URL": twilio.url,
    }

    result = run_simulate(
        "a que hora abren?",
        "--from",
        customer,
        "--to",
        tenant.whatsapp_number,
        "--url",
        f"{base}/api/twilio/webhook",
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("200")
    # The reply came back in the TwiML answer, which the command prints, and went out
    # from there: the webhook made no REST call.
    assert '<Message action="' in result.stdout
    assert f"reply to {customer}: Abrimos a las 7:00." in result.stdout
    assert twilio.attempts() == []
    assert [m["body"] for m in twilio.messages() if m["to"] == f"whatsapp:{customer}"] == [
        "Abrimos a las 7:00."
    ]

    # The stand-in reports sent, delivered, read to our signed status route.
    deadline = time.monotonic() + 10
    status = None
    while time.monotonic() < deadline and status != "read":
        row = db.execute(
            "select status from public.messages where owner_id = %s and direction = 'out'",
            (tenant.id,),
        ).fetchone()
        status = row[0] if row else None
        time.sleep(0.05)
    assert status == "read"


def test_the_dev_app_logs_a_simulated_message_as_it_logs_the_simulators(
    stack: LocalStack, db: Connection, tmp_path: Path
) -> None:
    tenant = create_tenant(db)
    create_faq(db, tenant.id, question="¿A qué hora abren?", answer="Abrimos a las 7:00.")
    customer = random_phone()
    twilio = TwilioStandIn(
        account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN, log_path=tmp_path / "twilio.log"
    )
    with serving_app(stack, twilio, app="devstack.app:app", log_dir=tmp_path) as base:
        env = {**os.environ, **twilio.env(), "PUBLIC_URL": base}
        result = run_simulate(
            "a que hora abren?", "--from", customer, "--to", tenant.whatsapp_number, env=env
        )
        assert result.returncode == 0, result.stdout + result.stderr
        # The simulator page's send, for comparison: both are the same kind of line.
        page_customer = random_phone()
        sent = httpx.post(
            f"{base}/simulator/api/send",
            json={"customer": page_customer, "business": tenant.whatsapp_number, "text": "hola"},
            timeout=30,
        )
        assert sent.status_code == 200, sent.text

    log = (tmp_path / "app.log").read_text()
    for sender in (customer, page_customer):
        line = f"from {sender} to {tenant.whatsapp_number}: webhook answered 200"
        assert line in log, log


def test_simulate_with_the_wrong_token_is_refused(
    served_webhook: tuple[str, TwilioStandIn], db: Connection
) -> None:
    base, _ = served_webhook
    tenant = create_tenant(db)
    env = {**os.environ, "TWILIO_AUTH_TOKEN": "not-the-token"}
    result = run_simulate(
        "hola",
        "--from",
        random_phone(),
        "--to",
        tenant.whatsapp_number,
        "--url",
        f"{base}/api/twilio/webhook",
        env=env,
    )
    assert result.returncode == 1
    assert result.stdout.startswith("403")


def test_simulate_checks_its_arguments() -> None:
    env = {**os.environ, "TWILIO_AUTH_TOKEN": AUTH_TOKEN}
    result = run_simulate("hola", "--from", "5213312345678", "--to", "+5213312345678", env=env)
    assert result.returncode == 2
    assert "--from must be a phone number in E.164" in result.stderr
