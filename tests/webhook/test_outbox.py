"""The outbox sweeper: what did not go out in TwiML is sent exactly once, or checked first.

Through the real stack: the cron route or `outbox.sweep` -> PostgREST -> Postgres, and
the official Twilio client against the stand-in over HTTP.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from devstack.twilio_api import TwilioStandIn
from tests.factories import Connection, random_phone
from tests.webhook.conftest import CRON_SECRET, PUBLIC_URL, Business, customer_form
from tests.webhook.support import (
    STATUS,
    WEBHOOK,
    action_path,
    messages_of,
    post,
    run_sweeper,
    sender_for,
    sent_to,
    status_form,
)
from webhook import outbox
from webhook.config import Settings
from webhook.database import Database
from webhook.database import connect as connect_database


@pytest.fixture
def database(settings: Settings) -> Database:
    return connect_database(
        settings.supabase_url, settings.supabase_service_role_key.get_secret_value()
    )


def sweep(database: Database, sender: Any, **overrides: Any) -> outbox.SweepReport:
    options: dict[str, Any] = {
        "limit": 200,
        "max_attempts": 5,
        "status_callback": PUBLIC_URL + STATUS,
        "budget_seconds": 12.0,
        "send_timeout": 1.0,
        **overrides,
    }
    return outbox.sweep(database, sender, **options)


def handed_over(client: TestClient, business: Business, customer: str, text: str) -> Any:
    """A reply handed to Twilio in the webhook's TwiML; the webhook's answer."""
    response = post(client, WEBHOOK, customer_form(text, sender=customer, to=business.number))
    assert response.status_code == 200
    return response


def make_due(db: Connection, reply_id: object) -> None:
    """As if its confirmation window, lease or retry time had passed."""
    db.execute(
        "update public.messages set next_attempt_at = now() - interval '1 second' where id = %s",
        (reply_id,),
    )


def only_reply(db: Connection, customer: str, business: Business) -> dict[str, Any]:
    stored = messages_of(db, customer, business)
    assert [m["direction"] for m in stored] == ["in", "out"]
    return stored[1]


# --------------------------------------------------------------------------------------
# Replies handed over in TwiML and never confirmed
# --------------------------------------------------------------------------------------


def test_an_unconfirmed_twiml_reply_is_left_alone_within_its_window(
    client: TestClient, business: Business, twilio: TwilioStandIn, db: Connection
) -> None:
    customer = random_phone()
    handed_over(client, business, customer, "a que hora abren?")
    assert run_sweeper(client).status_code == 200
    assert sent_to(twilio, customer) == []
    assert only_reply(db, customer, business)["status"] == "sending"


def test_an_unconfirmed_reply_twilio_has_is_reconciled_not_resent(
    client: TestClient, business: Business, twilio: TwilioStandIn, db: Connection
) -> None:
    customer = random_phone()
    response = handed_over(client, business, customer, "a que hora abren?")
    # Twilio acted on the TwiML, but none of its callbacks reached us.
    (sent,) = twilio.hand_over_twiml(customer, business.number, response.text)
    reply = only_reply(db, customer, business)
    make_due(db, reply["id"])

    assert run_sweeper(client).json()["accepted"] >= 1
    assert twilio.attempts() == []  # no REST send
    reply = only_reply(db, customer, business)
    assert (reply["twilio_message_id"], reply["next_attempt_at"]) == (sent["sid"], None)


def test_an_unconfirmed_reply_twilio_lacks_is_sent_once_through_the_api(
    client: TestClient, business: Business, twilio: TwilioStandIn, db: Connection
) -> None:
    customer = random_phone()
    handed_over(client, business, customer, "a que hora abren?")
    reply = only_reply(db, customer, business)
    make_due(db, reply["id"])

    run_sweeper(client)
    run_sweeper(client)
    (sent,) = sent_to(twilio, customer)
    assert sent["body"] == business.hours_answer
    # Its callbacks name the reply, as the TwiML action did.
    assert sent["status_callback"] == f"{PUBLIC_URL}{STATUS}?reply={reply['id']}"
    reply = only_reply(db, customer, business)
    assert (reply["twilio_message_id"], reply["sent_via"], reply["attempts"]) == (
        sent["sid"],
        "api",
        2,
    )


def test_two_identical_replies_are_each_matched_to_their_own_message(
    client: TestClient,
    business: Business,
    twilio: TwilioStandIn,
    db: Connection,
    database: Database,
    settings: Settings,
) -> None:
    """Two identical FAQ answers to one customer within seconds, neither confirmed."""
    customer = random_phone()
    answers = [handed_over(client, business, customer, "a que hora abren?") for _ in range(2)]
    for answer in answers:
        twilio.hand_over_twiml(customer, business.number, answer.text)
    replies = [m for m in messages_of(db, customer, business) if m["direction"] == "out"]
    for reply in replies:
        make_due(db, reply["id"])

    report = sweep(database, sender_for(settings))
    assert report.errors == 0
    assert twilio.attempts() == []
    sids = {m["sid"] for m in sent_to(twilio, customer)}
    recorded = {
        m["twilio_message_id"]
        for m in messages_of(db, customer, business)
        if m["direction"] == "out"
    }
    assert recorded == sids and len(sids) == 2


def test_a_late_callback_after_reconciliation_keeps_the_recorded_sid(
    client: TestClient, business: Business, twilio: TwilioStandIn, db: Connection
) -> None:
    customer = random_phone()
    response = handed_over(client, business, customer, "a que hora abren?")
    (sent,) = twilio.hand_over_twiml(customer, business.number, response.text)
    make_due(db, only_reply(db, customer, business)["id"])
    run_sweeper(client)
    assert post(client, action_path(response), status_form(sent["sid"], "read")).status_code == 200
    reply = only_reply(db, customer, business)
    assert (reply["twilio_message_id"], reply["status"]) == (sent["sid"], "read")


# --------------------------------------------------------------------------------------
# REST sends and their failures
# --------------------------------------------------------------------------------------


def due_for_rest(client: TestClient, business: Business, db: Connection) -> tuple[str, Any]:
    """A customer whose reply must go through the REST API (Twilio never had it)."""
    customer = random_phone()
    handed_over(client, business, customer, "a que hora abren?")
    reply = only_reply(db, customer, business)
    make_due(db, reply["id"])
    return customer, reply


@pytest.mark.parametrize(
    ("mode", "error_code", "ask_twilio_first"),
    [("429", "20429", False), ("500", "20500", True), ("hang", "timeout", True)],
)
def test_a_failed_send_is_retried_later_and_asks_twilio_first_when_ambiguous(
    mode: str,
    error_code: str,
    ask_twilio_first: bool,
    client: TestClient,
    business: Business,
    twilio: TwilioStandIn,
    db: Connection,
) -> None:
    customer, reply = due_for_rest(client, business, db)
    twilio.set_mode(mode, count=1)
    run_sweeper(client)
    reply = only_reply(db, customer, business)
    assert (reply["status"], reply["error_code"], reply["outcome_unknown"]) == (
        "failed",
        error_code,
        ask_twilio_first,
    )
    assert reply["next_attempt_at"] is not None
    assert sent_to(twilio, customer) == []

    make_due(db, reply["id"])
    run_sweeper(client)
    (sent,) = sent_to(twilio, customer)
    assert only_reply(db, customer, business)["twilio_message_id"] == sent["sid"]


def test_a_refused_connection_never_reached_twilio(
    client: TestClient,
    business: Business,
    twilio: TwilioStandIn,
    db: Connection,
    database: Database,
    settings: Settings,
) -> None:
    customer, reply = due_for_rest(client, business, db)
    twilio.set_mode("429", count=1)
    sweep(database, sender_for(settings))  # Twilio checked, then a 429: no doubt left
    make_due(db, reply["id"])
    report = sweep(database, sender_for(settings, api_url="http://127.0.0.1:9", timeout=1.0))
    assert report.failed >= 1
    reply = only_reply(db, customer, business)
    assert (reply["status"], reply["error_code"], reply["outcome_unknown"]) == (
        "failed",
        None,
        False,
    )


def test_an_ambiguous_failure_that_did_reach_twilio_is_not_sent_twice(
    client: TestClient,
    business: Business,
    twilio: TwilioStandIn,
    db: Connection,
    settings: Settings,
) -> None:
    customer, reply = due_for_rest(client, business, db)
    twilio.set_mode("hang", count=1)
    run_sweeper(client)
    assert only_reply(db, customer, business)["outcome_unknown"] is True
    # Suppose Twilio did accept it after all: the message exists there.
    accepted = sender_for(settings).send_whatsapp(customer, business.number, reply["content"])
    make_due(db, reply["id"])
    run_sweeper(client)
    assert [m["sid"] for m in sent_to(twilio, customer)] == [accepted.sid]
    assert only_reply(db, customer, business)["twilio_message_id"] == accepted.sid


def test_when_twilio_cannot_be_asked_the_next_attempt_asks_again(
    client: TestClient,
    business: Business,
    twilio: TwilioStandIn,
    db: Connection,
    database: Database,
    settings: Settings,
) -> None:
    customer = random_phone()
    response = handed_over(client, business, customer, "a que hora abren?")
    (sent,) = twilio.hand_over_twiml(customer, business.number, response.text)
    reply_id = only_reply(db, customer, business)["id"]

    make_due(db, reply_id)
    sweep(database, sender_for(settings, api_url="http://127.0.0.1:9", timeout=1.0))
    reply = only_reply(db, customer, business)
    assert (reply["error_code"], reply["outcome_unknown"]) == ("unreconciled", True)
    assert reply["attempts"] == 1  # asking is not an attempt to send

    make_due(db, reply_id)
    sweep(database, sender_for(settings))
    assert [m["sid"] for m in sent_to(twilio, customer)] == [sent["sid"]]
    assert only_reply(db, customer, business)["twilio_message_id"] == sent["sid"]


def test_sweeper_gives_up_after_the_attempt_limit(
    client: TestClient,
    business: Business,
    twilio: TwilioStandIn,
    db: Connection,
    settings: Settings,
) -> None:
    customer, reply = due_for_rest(client, business, db)
    twilio.set_mode("429")
    for _ in range(settings.max_send_attempts + 2):
        db.execute(
            "update public.messages set next_attempt_at = now() where id = %s"
            " and next_attempt_at is not null",
            (reply["id"],),
        )
        run_sweeper(client)
    reply = only_reply(db, customer, business)
    assert reply["attempts"] == settings.max_send_attempts
    assert reply["status"] == "failed" and reply["next_attempt_at"] is None
    assert reply["error_code"] == "20429"


def test_a_refusal_from_twilio_is_final_and_an_outage_is_retried(
    settings: Settings, twilio: TwilioStandIn
) -> None:
    sender = sender_for(settings)
    refused = sender.send_whatsapp("+1", "+5213312345678", "hola")
    assert (refused.accepted, refused.retry, refused.error_code) == (False, False, "21211")
    twilio.set_mode("429", count=1)
    throttled = sender.send_whatsapp(random_phone(), "+5213312345678", "hola")
    assert (throttled.retry, throttled.outcome_unknown) == (True, False)
    twilio.set_mode("500", count=1)
    failed = sender.send_whatsapp(random_phone(), "+5213312345678", "hola")
    assert (failed.retry, failed.outcome_unknown) == (True, True)
    accepted = sender.send_whatsapp(random_phone(), "+5213312345678", "hola")
    assert accepted.accepted and accepted.sid is not None and accepted.sid.startswith("SM")


# --------------------------------------------------------------------------------------
# Claims: attempts, budget and fencing
# --------------------------------------------------------------------------------------


def test_a_slow_twilio_burns_no_attempt_it_did_not_make(
    client: TestClient,
    business: Business,
    twilio: TwilioStandIn,
    db: Connection,
    database: Database,
    settings: Settings,
) -> None:
    customers = [due_for_rest(client, business, db)[0] for _ in range(6)]
    twilio.set_mode("hang")
    # Room for two sends of at most 1 s each: the other replies must not be touched.
    report = sweep(database, sender_for(settings, timeout=1.0), budget_seconds=2.5)
    twilio.set_mode("ok")
    assert report.claimed == 2
    replies = [only_reply(db, customer, business) for customer in customers]
    tried = [r for r in replies if r["status"] == "failed"]
    untouched = [r for r in replies if r["status"] == "sending"]
    assert len(tried) == 2 and all(r["attempts"] == 2 for r in tried)
    assert len(untouched) == 4 and all(r["attempts"] == 1 for r in untouched)
    assert all(r["claim_token"] == 1 for r in untouched)


def claim(database: Database, reply: dict[str, Any]) -> dict[str, Any]:
    """Claim this reply as the sweeper would (other tests' due replies may come too)."""
    (claimed,) = [
        c for c in database.claim_due_outbound_messages(200, 5) if c["id"] == str(reply["id"])
    ]
    return claimed


def test_a_sender_that_outlived_its_lease_cannot_record_over_a_newer_claim(
    client: TestClient, business: Business, db: Connection, database: Database
) -> None:
    customer, reply = due_for_rest(client, business, db)
    stale = claim(database, reply)
    make_due(db, reply["id"])
    current = claim(database, reply)
    assert current["claim_token"] == stale["claim_token"] + 1

    assert (
        database.record_outbound_result(
            str(reply["id"]), stale["claim_token"], error_code="20500", error="x", retry=True
        )
        is None
    )
    assert only_reply(db, customer, business)["status"] == "sending"
    recorded = database.record_outbound_result(
        str(reply["id"]), current["claim_token"], twilio_sid="SM" + "a" * 32, status="queued"
    )
    assert recorded is not None and recorded["status"] == "sending"


def test_a_callback_before_the_send_is_recorded_is_kept(
    client: TestClient, business: Business, db: Connection, database: Database
) -> None:
    customer, reply = due_for_rest(client, business, db)
    claimed = claim(database, reply)
    sid = "SM" + "b" * 32
    # Twilio's "failed" callback overtakes its answer to the send.
    callback_path = f"{STATUS}?reply={reply['id']}"
    assert (
        post(client, callback_path, status_form(sid, "failed", ErrorCode="63016")).status_code
        == 200
    )
    database.record_outbound_result(
        str(reply["id"]), claimed["claim_token"], twilio_sid=sid, status="queued"
    )
    reply = only_reply(db, customer, business)
    assert (reply["twilio_message_id"], reply["status"], reply["error_code"]) == (
        sid,
        "failed",
        "63016",
    )


@pytest.mark.parametrize("authorization", [None, "Bearer wrong", CRON_SECRET])
def test_sweeper_requires_the_cron_secret(client: TestClient, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    assert client.get("/api/cron/outbox", headers=headers).status_code == 401
