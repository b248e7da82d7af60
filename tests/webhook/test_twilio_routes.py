"""The inbound pipeline end to end: signed webhook -> supabase-py -> PostgREST -> Postgres,
replies through the official Twilio client to the stand-in over real HTTP."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from devstack.twilio_api import TwilioStandIn
from devstack.twilio_inbound import sign
from tests.factories import Connection, random_phone
from tests.webhook.conftest import AUTH_TOKEN, CRON_SECRET, PUBLIC_URL, Business, customer_form
from webhook import outbox
from webhook.application import create_app
from webhook.config import Settings
from webhook.database import connect as connect_database
from webhook.sender import Sender
from webhook.sender import connect as connect_sender

WEBHOOK = "/api/twilio/webhook"
STATUS = "/api/twilio/status"


def post(
    client: TestClient, path: str, form: dict[str, str], signature: str | None = None
) -> httpx.Response:
    url = PUBLIC_URL + path
    headers = {
        "X-Twilio-Signature": signature if signature is not None else sign(url, form, AUTH_TOKEN)
    }
    response: httpx.Response = client.post(path, data=form, headers=headers)
    return response


def run_sweeper(client: TestClient) -> httpx.Response:
    """What Vercel Cron does every minute."""
    response: httpx.Response = client.get(
        "/api/cron/outbox", headers={"Authorization": f"Bearer {CRON_SECRET}"}
    )
    return response


def sender_for(
    settings: Settings, api_url: str | None = None, timeout: float | None = None
) -> Sender:
    """The webhook's Twilio sender, as its settings build it (or aimed elsewhere)."""
    return connect_sender(
        settings.twilio_account_sid,
        settings.twilio_auth_token.get_secret_value(),
        api_url or settings.twilio_api_url,
        timeout or settings.twilio_timeout_seconds,
    )


def messages_of(db: Connection, phone: str, business: Business) -> list[dict[str, Any]]:
    rows = db.execute(
        "select m.direction, m.content, m.status, m.reply_kind, m.twilio_message_id, m.media,"
        " m.error_code, m.attempts, m.next_attempt_at, m.id"
        " from public.messages m join public.clients c on c.id = m.client_id"
        " where c.phone = %s and m.owner_id = %s order by m.created_at, m.direction",
        (phone, business.tenant.id),
    ).fetchall()
    keys = (
        "direction",
        "content",
        "status",
        "reply_kind",
        "sid",
        "media",
        "error_code",
        "attempts",
        "next_attempt_at",
        "id",
    )
    return [dict(zip(keys, row, strict=True)) for row in rows]


def sent_to(twilio: TwilioStandIn, phone: str) -> list[dict[str, Any]]:
    return [m for m in twilio.messages() if m["to"] == f"whatsapp:{phone}"]


def test_faq_question_gets_the_faq_answer(
    client: TestClient, business: Business, twilio: TwilioStandIn, db: Connection
) -> None:
    customer = random_phone()
    response = post(
        client, WEBHOOK, customer_form("a que hora abren?", sender=customer, to=business.number)
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")

    sent = sent_to(twilio, customer)
    assert [m["body"] for m in sent] == [business.hours_answer]
    assert sent[0]["from"] == f"whatsapp:{business.number}"
    assert sent[0]["status_callback"] == PUBLIC_URL + STATUS

    stored = messages_of(db, customer, business)
    assert [(m["direction"], m["reply_kind"]) for m in stored] == [
        ("in", None),
        ("out", "faq"),
    ]
    assert stored[1]["sid"] == sent[0]["sid"]
    assert stored[1]["status"] == "sending"  # accepted by Twilio, awaiting its callbacks
    client_row = db.execute(
        "select name, unread_count from public.clients where owner_id = %s and phone = %s",
        (business.tenant.id, customer),
    ).fetchone()
    assert client_row == ("Cliente de prueba", 1)


def test_unmatched_question_gets_one_fallback_per_window(
    client: TestClient, business: Business, twilio: TwilioStandIn, db: Connection
) -> None:
    customer = random_phone()
    for text in ("¿hacen pasteles de tres leches?", "¿y de chocolate?"):
        assert (
            post(
                client, WEBHOOK, customer_form(text, sender=customer, to=business.number)
            ).status_code
            == 200
        )
    sent = sent_to(twilio, customer)
    fallback = db.execute(
        "select fallback_message from public.users where id = %s", (business.tenant.id,)
    ).fetchone()
    assert fallback is not None
    assert [m["body"] for m in sent] == [fallback[0]]
    kinds = [m["reply_kind"] for m in messages_of(db, customer, business)]
    assert kinds == [None, "fallback", None]
    labels = db.execute(
        "select l.builtin from public.client_labels cl join public.labels l on l.id = cl.label_id"
        " join public.clients c on c.id = cl.client_id where c.phone = %s and c.owner_id = %s"
        " order by 1",
        (customer, business.tenant.id),
    ).fetchall()
    assert labels == [("needs_attention",), ("new_client",)]


def test_outside_business_hours_the_away_message_is_sent(
    client: TestClient, business: Business, twilio: TwilioStandIn, db: Connection
) -> None:
    db.execute(
        "update public.users set away_message = 'Estamos cerrados, te respondemos mañana.',"
        ' business_hours = \'{"mon": [], "tue": [], "wed": [], "thu": [], "fri": [],'
        ' "sat": [], "sun": []}\' where id = %s',
        (business.tenant.id,),
    )
    customer = random_phone()
    post(
        client,
        WEBHOOK,
        customer_form("necesito hablar con alguien", sender=customer, to=business.number),
    )
    assert [m["body"] for m in sent_to(twilio, customer)] == [
        "Estamos cerrados, te respondemos mañana."
    ]


def test_opt_out_stops_automatic_replies_until_opt_in(
    client: TestClient, business: Business, twilio: TwilioStandIn, db: Connection
) -> None:
    customer = random_phone()
    for text in ("BAJA", "baja", "a que hora abren?", "Alta", "a que hora abren?"):
        post(client, WEBHOOK, customer_form(text, sender=customer, to=business.number))
    bodies = [m["body"] for m in sent_to(twilio, customer)]
    assert len(bodies) == 3  # one opt-out confirmation, one opt-in confirmation, one FAQ
    assert "ALTA" in bodies[0]
    assert "de vuelta" in bodies[1]
    assert bodies[2] == business.hours_answer
    opted = db.execute(
        "select opted_out from public.clients where owner_id = %s and phone = %s",
        (business.tenant.id, customer),
    ).fetchone()
    assert opted == (False,)


def test_opt_out_outlives_deleting_the_client(
    client: TestClient, business: Business, twilio: TwilioStandIn, db: Connection
) -> None:
    customer = random_phone()
    post(client, WEBHOOK, customer_form("STOP", sender=customer, to=business.number))
    assert len(sent_to(twilio, customer)) == 1  # the opt-out confirmation
    # The owner deletes the client (RLS lets them), and the customer writes again.
    db.execute(
        "delete from public.clients where owner_id = %s and phone = %s",
        (business.tenant.id, customer),
    )
    post(client, WEBHOOK, customer_form("a que hora abren?", sender=customer, to=business.number))
    assert len(sent_to(twilio, customer)) == 1, "no automatic reply to a number that said STOP"
    again = db.execute(
        "select opted_out from public.clients where owner_id = %s and phone = %s",
        (business.tenant.id, customer),
    ).fetchone()
    assert again == (True,)
    # START still undoes it.
    post(client, WEBHOOK, customer_form("START", sender=customer, to=business.number))
    post(client, WEBHOOK, customer_form("a que hora abren?", sender=customer, to=business.number))
    assert [m["body"] for m in sent_to(twilio, customer)][-1] == business.hours_answer


@pytest.mark.parametrize(
    ("profile_name", "expected"),
    [("María López", "María López"), ("   ", None), ("x" * 300, "x" * 200)],
    ids=["profile", "blank-profile", "long-profile"],
)
def test_a_new_client_is_named_by_profile_or_else_phone(
    client: TestClient,
    business: Business,
    db: Connection,
    profile_name: str,
    expected: str | None,
) -> None:
    customer = random_phone()
    form = customer_form("hola", sender=customer, to=business.number, ProfileName=profile_name)
    assert post(client, WEBHOOK, form).status_code == 200
    row = db.execute(
        "select name from public.clients where owner_id = %s and phone = %s",
        (business.tenant.id, customer),
    ).fetchone()
    assert row == (expected or customer,)


def test_a_client_named_by_phone_takes_the_profile_name_later(
    client: TestClient, business: Business, db: Connection
) -> None:
    customer = random_phone()
    post(
        client, WEBHOOK, customer_form("hola", sender=customer, to=business.number, ProfileName="")
    )
    post(client, WEBHOOK, customer_form("hola", sender=customer, to=business.number))
    row = db.execute(
        "select name from public.clients where owner_id = %s and phone = %s",
        (business.tenant.id, customer),
    ).fetchone()
    assert row == ("Cliente de prueba",)


def test_message_to_an_unknown_number_is_accepted_and_ignored(
    client: TestClient, twilio: TwilioStandIn, db: Connection
) -> None:
    form = customer_form("hola", sender=random_phone(), to="+5215550000000")
    assert post(client, WEBHOOK, form).status_code == 200
    count = db.execute(
        "select count(*) from public.messages where twilio_message_id = %s", (form["MessageSid"],)
    ).fetchone()
    assert count == (0,)
    assert twilio.attempts() == []


def test_media_only_message_is_stored_and_answered(
    client: TestClient, business: Business, twilio: TwilioStandIn, db: Connection
) -> None:
    customer = random_phone()
    form = customer_form(
        "",
        sender=customer,
        to=business.number,
        NumMedia="1",
        MediaUrl0="https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1",
        MediaContentType0="image/jpeg",
    )
    assert post(client, WEBHOOK, form).status_code == 200
    stored = messages_of(db, customer, business)
    assert stored[0]["media"] == [
        {"type": "media", "content_type": "image/jpeg", "url": form["MediaUrl0"]}
    ]
    assert stored[1]["reply_kind"] == "fallback"
    assert len(sent_to(twilio, customer)) == 1


def test_location_message_is_stored(
    client: TestClient, business: Business, twilio: TwilioStandIn, db: Connection
) -> None:
    customer = random_phone()
    form = customer_form(
        "",
        sender=customer,
        to=business.number,
        Latitude="20.6747",
        Longitude="-103.3705",
        Address="Calle Libertad 1842",
    )
    assert post(client, WEBHOOK, form).status_code == 200
    media = messages_of(db, customer, business)[0]["media"]
    assert media == [
        {
            "type": "location",
            "latitude": 20.6747,
            "longitude": -103.3705,
            "address": "Calle Libertad 1842",
        }
    ]


def test_retried_message_sid_is_stored_and_answered_once(
    client: TestClient, business: Business, twilio: TwilioStandIn, db: Connection
) -> None:
    customer = random_phone()
    form = customer_form("a que hora abren?", sender=customer, to=business.number)
    for _ in range(3):
        assert post(client, WEBHOOK, form).status_code == 200
    assert len(messages_of(db, customer, business)) == 2
    assert len(sent_to(twilio, customer)) == 1


def test_concurrent_deliveries_of_one_message_sid_answer_once(
    settings: Settings, business: Business, twilio: TwilioStandIn, db: Connection
) -> None:
    customer = random_phone()
    form = customer_form("a que hora abren?", sender=customer, to=business.number)
    statuses: list[int] = []
    barrier = threading.Barrier(6)

    def deliver() -> None:
        with TestClient(create_app(settings)) as own_client:
            barrier.wait()
            statuses.append(post(own_client, WEBHOOK, form).status_code)

    threads = [threading.Thread(target=deliver) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert statuses == [200] * 6
    assert len(messages_of(db, customer, business)) == 2
    assert len(sent_to(twilio, customer)) == 1
    unread = db.execute(
        "select unread_count from public.clients where owner_id = %s and phone = %s",
        (business.tenant.id, customer),
    ).fetchone()
    assert unread == (1,)


def store_without_sending(
    db: Connection, business: Business, customer: str, form: dict[str, str]
) -> dict[str, Any]:
    """What a first attempt that died right after the RPC leaves behind: a claimed reply."""
    row = db.execute(
        "select public.handle_inbound_message(%s, %s, %s, %s)",
        (business.number, customer, form["MessageSid"], form["Body"]),
    ).fetchone()
    assert row is not None
    reply: dict[str, Any] = row[0]["reply"]
    assert reply["reconcile_since"] is None
    return reply


def expire_lease(db: Connection, reply_id: object) -> None:
    db.execute(
        "update public.messages set next_attempt_at = now() - interval '1 second' where id = %s",
        (reply_id,),
    )


def test_a_crash_before_sending_is_repaired_by_twilios_retry(
    client: TestClient, business: Business, twilio: TwilioStandIn, db: Connection
) -> None:
    customer = random_phone()
    form = customer_form("a que hora abren?", sender=customer, to=business.number)
    reply = store_without_sending(db, business, customer, form)

    # While the dead attempt's lease runs, a retry must not send: it might still be alive.
    assert post(client, WEBHOOK, form).status_code == 200
    assert sent_to(twilio, customer) == []

    expire_lease(db, reply["id"])
    assert post(client, WEBHOOK, form).status_code == 200
    assert [m["body"] for m in sent_to(twilio, customer)] == [business.hours_answer]
    assert post(client, WEBHOOK, form).status_code == 200
    assert len(sent_to(twilio, customer)) == 1
    stored = messages_of(db, customer, business)
    assert len(stored) == 2 and stored[1]["sid"] == sent_to(twilio, customer)[0]["sid"]


def test_a_crash_after_twilio_accepted_never_sends_twice(
    client: TestClient,
    business: Business,
    twilio: TwilioStandIn,
    db: Connection,
    settings: Settings,
) -> None:
    customer = random_phone()
    form = customer_form("a que hora abren?", sender=customer, to=business.number)
    reply = store_without_sending(db, business, customer, form)
    # The dead attempt got its message to Twilio, but never recorded the answer.
    sender = sender_for(settings)
    first = sender.send_whatsapp(customer, business.number, reply["content"])
    assert first.accepted

    expire_lease(db, reply["id"])
    swept = run_sweeper(client)
    assert swept.json()["accepted"] >= 1  # other tests' retries may fall due too
    assert post(client, WEBHOOK, form).status_code == 200
    assert [m["sid"] for m in sent_to(twilio, customer)] == [first.sid]
    assert messages_of(db, customer, business)[1]["sid"] == first.sid


@pytest.mark.parametrize("mode", ["429", "500", "hang"])
def test_twilio_failure_keeps_the_message_and_the_sweeper_sends_later(
    mode: str, client: TestClient, business: Business, twilio: TwilioStandIn, db: Connection
) -> None:
    customer = random_phone()
    twilio.set_mode(mode, count=1)
    assert (
        post(
            client, WEBHOOK, customer_form("a que hora abren?", sender=customer, to=business.number)
        ).status_code
        == 200
    )
    inbound, reply = messages_of(db, customer, business)
    assert inbound["status"] == "received"
    assert reply["status"] == "failed" and reply["sid"] is None and reply["attempts"] == 1
    assert reply["next_attempt_at"] is not None
    assert sent_to(twilio, customer) == []

    # Not yet due: the sweeper leaves it alone.
    swept = run_sweeper(client)
    assert swept.status_code == 200
    assert sent_to(twilio, customer) == []

    assert reply["error_code"] == ("timeout" if mode == "hang" else f"20{mode}")
    db.execute("update public.messages set next_attempt_at = now() where id = %s", (reply["id"],))
    swept = run_sweeper(client)
    assert swept.status_code == 200
    assert swept.json()["accepted"] >= 1
    assert [m["body"] for m in sent_to(twilio, customer)] == [business.hours_answer]
    assert messages_of(db, customer, business)[1]["sid"] is not None


def test_sweeper_gives_up_after_the_attempt_limit(
    client: TestClient,
    business: Business,
    twilio: TwilioStandIn,
    db: Connection,
    settings: Settings,
) -> None:
    customer = random_phone()
    twilio.set_mode("500")
    post(client, WEBHOOK, customer_form("a que hora abren?", sender=customer, to=business.number))
    reply_id = messages_of(db, customer, business)[1]["id"]
    for _ in range(settings.max_send_attempts + 2):
        db.execute(
            "update public.messages set next_attempt_at = now() where id = %s"
            " and next_attempt_at is not null",
            (reply_id,),
        )
        run_sweeper(client)
    reply = messages_of(db, customer, business)[1]
    assert reply["attempts"] == settings.max_send_attempts
    assert reply["status"] == "failed" and reply["next_attempt_at"] is None
    assert reply["error_code"] == "20500"


def test_a_refusal_from_twilio_is_final_and_an_outage_is_retried(
    settings: Settings, twilio: TwilioStandIn
) -> None:
    sender = sender_for(settings)
    refused = sender.send_whatsapp("+1", "+5213312345678", "hola")
    assert (refused.accepted, refused.retry, refused.error_code) == (False, False, "21211")
    twilio.set_mode("429", count=1)
    throttled = sender.send_whatsapp(random_phone(), "+5213312345678", "hola")
    assert (throttled.accepted, throttled.retry, throttled.error_code) == (False, True, "20429")
    accepted = sender.send_whatsapp(random_phone(), "+5213312345678", "hola")
    assert accepted.accepted and accepted.sid is not None and accepted.sid.startswith("SM")


@pytest.mark.parametrize("authorization", [None, "Bearer wrong", CRON_SECRET])
def test_sweeper_requires_the_cron_secret(client: TestClient, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    assert client.get("/api/cron/outbox", headers=headers).status_code == 401


def status_form(sid: str, status: str, **extra: str) -> dict[str, str]:
    return {
        "MessageSid": sid,
        "SmsSid": sid,
        "MessageStatus": status,
        "SmsStatus": status,
        "AccountSid": "AC" + "1" * 32,
        "ApiVersion": "2010-04-01",
        "ChannelPrefix": "whatsapp",
        **extra,
    }


def test_status_callbacks_move_forward_only(
    client: TestClient, business: Business, twilio: TwilioStandIn, db: Connection
) -> None:
    customer = random_phone()
    post(client, WEBHOOK, customer_form("a que hora abren?", sender=customer, to=business.number))
    sid = sent_to(twilio, customer)[0]["sid"]

    def status_now() -> str:
        return str(messages_of(db, customer, business)[1]["status"])

    assert post(client, STATUS, status_form(sid, "sent")).status_code == 200
    assert status_now() == "sent"
    assert post(client, STATUS, status_form(sid, "read")).status_code == 200
    assert status_now() == "read"
    # Late, out-of-order callbacks are ignored.
    post(client, STATUS, status_form(sid, "delivered"))
    post(client, STATUS, status_form(sid, "sent"))
    assert status_now() == "read"


# The order a reply's status may take, as the owner sees it.
STATUS_ORDER = ["queued", "sending", "sent", "delivered", "read"]


def test_the_owner_never_sees_a_reply_status_move_backwards(
    client: TestClient, business: Business, twilio: TwilioStandIn, db: Connection
) -> None:
    customer = random_phone()
    post(client, WEBHOOK, customer_form("a que hora abren?", sender=customer, to=business.number))
    sid = sent_to(twilio, customer)[0]["sid"]
    for status in ("sent", "delivered", "read"):
        post(client, STATUS, status_form(sid, status))
    reply_id = messages_of(db, customer, business)[1]["id"]
    # Every change the dashboard is told about: the broadcasts of this reply, grouped by
    # the transaction that made them (one transaction may insert and claim it).
    by_transaction: dict[Any, list[str]] = {}
    for inserted_at, status in db.execute(
        "select inserted_at, payload -> 'record' ->> 'status' from realtime.messages"
        " where topic = %s and payload ->> 'table' = 'messages'"
        " and payload -> 'record' ->> 'id' = %s order by inserted_at",
        (f"inbox:{business.tenant.id}", str(reply_id)),
    ).fetchall():
        by_transaction.setdefault(inserted_at, []).append(str(status))
    shown = list(by_transaction.values())
    assert "queued" in shown[0] and shown[-1] == ["read"], shown
    # Within a transaction the last status counts; across them, none may move backwards.
    settled = [max(STATUS_ORDER.index(status) for status in statuses) for statuses in shown]
    assert settled == sorted(settled), shown


def test_failed_delivery_records_the_error_code(
    client: TestClient, business: Business, twilio: TwilioStandIn, db: Connection
) -> None:
    customer = random_phone()
    post(client, WEBHOOK, customer_form("a que hora abren?", sender=customer, to=business.number))
    sid = sent_to(twilio, customer)[0]["sid"]
    post(client, STATUS, status_form(sid, "undelivered", ErrorCode="63024"))
    reply = messages_of(db, customer, business)[1]
    assert (reply["status"], reply["error_code"]) == ("undelivered", "63024")


def test_status_for_an_unknown_message_is_acknowledged(client: TestClient) -> None:
    assert (
        post(client, STATUS, status_form("SM" + uuid.uuid4().hex, "delivered")).status_code == 200
    )


@pytest.mark.parametrize("path", [WEBHOOK, STATUS])
@pytest.mark.parametrize("signature", ["", "bm90LXRoZS1zaWduYXR1cmU="])
def test_forged_or_missing_signature_is_refused_and_nothing_stored(
    path: str,
    signature: str,
    client: TestClient,
    business: Business,
    twilio: TwilioStandIn,
    db: Connection,
) -> None:
    form = customer_form("a que hora abren?", sender=random_phone(), to=business.number)
    response = post(client, path, form, signature=signature)
    assert response.status_code == 403
    assert "X-Twilio-Signature" in response.json()["detail"]
    assert db.execute(
        "select count(*) from public.messages where twilio_message_id = %s", (form["MessageSid"],)
    ).fetchone() == (0,)
    assert twilio.attempts() == []


def test_signature_for_another_url_is_refused(client: TestClient, business: Business) -> None:
    form = customer_form("hola", sender=random_phone(), to=business.number)
    signature = sign("https://elsewhere.example/api/twilio/webhook", form, AUTH_TOKEN)
    assert post(client, WEBHOOK, form, signature=signature).status_code == 403


BAD_INPUTS = {
    "from-not-whatsapp": ({"From": "+5213312345678"}, "From must be whatsapp:+E164"),
    "from-malformed": ({"From": "whatsapp:+52-33-1234"}, "From must be whatsapp:+E164"),
    "to-malformed": ({"To": "whatsapp:5213312345678"}, "To must be whatsapp:+E164"),
    "missing-sid": ({"MessageSid": ""}, "MessageSid is missing or malformed"),
    "empty-body": ({"Body": "   "}, "no text, media or location"),
    "long-body": ({"Body": "a" * 5000}, "longer than 4096"),
    "bad-media-count": ({"NumMedia": "many"}, "NumMedia"),
    "media-url-missing": ({"NumMedia": "1", "Body": ""}, "MediaUrl0"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_gets_400_with_a_reason_and_nothing_stored(
    case: str, client: TestClient, business: Business, db: Connection, twilio: TwilioStandIn
) -> None:
    overrides, reason = BAD_INPUTS[case]
    form = customer_form("hola", sender=random_phone(), to=business.number)
    form.update(overrides)
    response = post(client, WEBHOOK, form)
    assert response.status_code == 400, response.text
    assert reason in response.json()["detail"]
    assert db.execute(
        "select count(*) from public.messages where owner_id = %s", (business.tenant.id,)
    ).fetchone() == (0,)
    assert twilio.attempts() == []


def test_oversized_body_is_refused(client: TestClient, business: Business) -> None:
    form = customer_form("hola", sender=random_phone(), to=business.number)
    form["Padding"] = "x" * (64 * 1024)
    response = post(client, WEBHOOK, form)
    assert response.status_code == 400
    assert "too large" in response.json()["detail"]


def test_non_utf8_body_is_refused(client: TestClient) -> None:
    body = b"Body=%FF%FE&From=whatsapp%3A%2B5213312345678"
    response = client.post(
        WEBHOOK,
        content=body,
        headers={"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": "x"},
    )
    assert response.status_code == 400
    assert "UTF-8" in response.json()["detail"]


def test_database_down_gives_503_and_twilio_will_retry(
    settings: Settings, business: Business, twilio: TwilioStandIn, db: Connection
) -> None:
    unreachable = settings.model_copy(update={"supabase_url": "http://127.0.0.1:9"})
    form = customer_form("a que hora abren?", sender=random_phone(), to=business.number)
    with TestClient(create_app(unreachable)) as down:
        response = post(down, WEBHOOK, form)
    assert response.status_code == 503
    assert twilio.attempts() == []
    assert db.execute(
        "select count(*) from public.messages where twilio_message_id = %s", (form["MessageSid"],)
    ).fetchone() == (0,)


def test_health(client: TestClient) -> None:
    response = client.get("/api/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def labels_of(db: Connection, business: Business, phone: str) -> set[str]:
    rows = db.execute(
        "select l.name from public.client_labels cl join public.labels l on l.id = cl.label_id"
        " join public.clients c on c.id = cl.client_id where c.owner_id = %s and c.phone = %s",
        (business.tenant.id, phone),
    ).fetchall()
    return {row[0] for row in rows}


def test_keyword_rules_label_the_client(
    client: TestClient, business: Business, db: Connection
) -> None:
    for name, keywords, active in (
        ("Pasteles", ["pastel", "cumpleaños"], True),
        ("Mayoreo", ["por mayor"], True),
        ("Archivada", ["PASTEL"], False),
    ):
        db.execute(
            "insert into public.labels (owner_id, name, type, keywords, active)"
            " values (%s, %s, 'auto', %s, %s)",
            (business.tenant.id, name, keywords, active),
        )
    customer = random_phone()
    post(
        client,
        WEBHOOK,
        customer_form("Quiero un PASTÉL de cumpleaños 🎂", sender=customer, to=business.number),
    )
    assert labels_of(db, business, customer) == {"Pasteles", "Cliente nuevo", "Requiere atención"}
    # Keywords match whole words only: "pastelería" is not "pastel".
    other = random_phone()
    post(client, WEBHOOK, customer_form("¿la pastelería abre?", sender=other, to=business.number))
    assert "Pasteles" not in labels_of(db, business, other)


def test_fallback_window_is_configurable(
    client: TestClient, business: Business, twilio: TwilioStandIn, db: Connection
) -> None:
    db.execute(
        "update public.users set fallback_window = interval '0' where id = %s",
        (business.tenant.id,),
    )
    customer = random_phone()
    for text in ("¿tienen pan de muerto?", "¿y conchas?"):
        post(client, WEBHOOK, customer_form(text, sender=customer, to=business.number))
    assert len(sent_to(twilio, customer)) == 2


def test_a_returning_client_is_unarchived_and_keeps_its_name(
    client: TestClient, business: Business, db: Connection
) -> None:
    customer = random_phone()
    db.execute(
        "insert into public.clients (owner_id, phone, name, status) values"
        " (%s, %s, 'Doña Carmen', 'archived')",
        (business.tenant.id, customer),
    )
    post(
        client,
        WEBHOOK,
        customer_form(
            "hola otra vez", sender=customer, to=business.number, ProfileName="carmen123"
        ),
    )
    row = db.execute(
        "select name, status, unread_count from public.clients where owner_id = %s and phone = %s",
        (business.tenant.id, customer),
    ).fetchone()
    assert row == ("Doña Carmen", "active", 1)
    assert "Cliente nuevo" not in labels_of(db, business, customer)


def test_a_timeout_that_hid_an_accepted_send_is_not_sent_twice(
    client: TestClient,
    business: Business,
    twilio: TwilioStandIn,
    db: Connection,
    settings: Settings,
) -> None:
    customer = random_phone()
    twilio.set_mode("hang", count=1)
    post(client, WEBHOOK, customer_form("a que hora abren?", sender=customer, to=business.number))
    reply = messages_of(db, customer, business)[1]
    assert (reply["status"], reply["error_code"]) == ("failed", "timeout")
    # Suppose Twilio did accept it after all: the message exists there.
    sender = sender_for(settings)
    accepted = sender.send_whatsapp(customer, business.number, business.hours_answer)
    db.execute("update public.messages set next_attempt_at = now() where id = %s", (reply["id"],))
    swept = run_sweeper(client)
    assert swept.json()["accepted"] >= 1  # other tests' retries may fall due too
    assert [m["sid"] for m in sent_to(twilio, customer)] == [accepted.sid]
    assert messages_of(db, customer, business)[1]["sid"] == accepted.sid


def test_when_twilio_cannot_be_asked_the_next_attempt_asks_again(
    business: Business, twilio: TwilioStandIn, db: Connection, settings: Settings
) -> None:
    customer = random_phone()
    form = customer_form("a que hora abren?", sender=customer, to=business.number)
    reply = store_without_sending(db, business, customer, form)
    twilio_up = sender_for(settings, timeout=1.0)
    twilio_down = sender_for(settings, api_url="http://127.0.0.1:9", timeout=1.0)
    # The vanished sender did get it out.
    accepted = twilio_up.send_whatsapp(customer, business.number, reply["content"])
    database = connect_database(
        settings.supabase_url, settings.supabase_service_role_key.get_secret_value()
    )

    expire_lease(db, reply["id"])
    report = outbox.sweep(database, twilio_down, 200, 5, None)
    assert report.claimed >= 1
    assert messages_of(db, customer, business)[1]["error_code"] == "unreconciled"

    expire_lease(db, reply["id"])
    report = outbox.sweep(database, twilio_up, 200, 5, None)
    assert report.accepted >= 1
    assert [m["sid"] for m in sent_to(twilio, customer)] == [accepted.sid]
    assert messages_of(db, customer, business)[1]["sid"] == accepted.sid
