"""The inbound pipeline end to end: signed webhook -> supabase-py -> PostgREST -> Postgres.

An automatic reply comes back in the webhook's TwiML answer, and its status callbacks
come to the reply's action URL. These tests play Twilio's side by hand: they read the
TwiML and post the callbacks, signed, to the action URL.
"""

from __future__ import annotations

import threading
import uuid

import httpx
import pytest
from fastapi.testclient import TestClient

from devstack.stack import LocalStack
from devstack.twilio_api import TwilioStandIn
from devstack.twilio_inbound import sign
from tests.factories import Connection, create_faq, random_phone
from tests.webhook.conftest import AUTH_TOKEN, PUBLIC_URL, Business, customer_form
from tests.webhook.support import (
    STATUS,
    WEBHOOK,
    action_path,
    client_columns,
    messages_of,
    post,
    reply_text,
    status_form,
    twiml_messages,
)
from webhook.application import create_app
from webhook.config import Settings


def ask(
    client: TestClient, business: Business, customer: str, text: str, **form: str
) -> httpx.Response:
    """A customer's message, posted as Twilio posts it; the webhook's answer."""
    return post(client, WEBHOOK, customer_form(text, sender=customer, to=business.number, **form))


def new_sid() -> str:
    return "SM" + uuid.uuid4().hex


# --------------------------------------------------------------------------------------
# Replies in TwiML
# --------------------------------------------------------------------------------------


def test_faq_question_gets_the_faq_answer_in_the_twiml(
    client: TestClient, business: Business, twilio: TwilioStandIn, db: Connection
) -> None:
    customer = random_phone()
    response = ask(client, business, customer, "a que hora abren?")

    (message,) = twiml_messages(response)
    stored = messages_of(db, customer, business)
    assert [(m["direction"], m["reply_kind"]) for m in stored] == [("in", None), ("out", "faq")]
    reply = stored[1]
    assert message["text"] == business.hours_answer
    assert message["action"] == f"{PUBLIC_URL}{STATUS}?reply={reply['id']}"
    assert message["method"] == "POST"
    # Handed to Twilio in the answer: no REST call, and no sid until a callback names it.
    assert twilio.attempts() == []
    assert (reply["status"], reply["sent_via"], reply["twilio_message_id"]) == (
        "sending",
        "twiml",
        None,
    )
    client_row = client_columns(db, customer, business, "name", "unread_count")
    assert client_row == ("Cliente de prueba", 1)


def test_unmatched_question_gets_one_fallback_per_window(
    client: TestClient, business: Business, db: Connection
) -> None:
    customer = random_phone()
    first = ask(client, business, customer, "¿hacen pasteles de tres leches?")
    second = ask(client, business, customer, "¿y de chocolate?")
    fallback = db.execute(
        "select fallback_message from public.users where id = %s", (business.tenant.id,)
    ).fetchone()
    assert fallback is not None
    assert reply_text(first) == fallback[0]
    assert reply_text(second) is None
    assert second.text.endswith("<Response />")
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
    client: TestClient, business: Business, db: Connection
) -> None:
    db.execute(
        "update public.users set away_message = 'Estamos cerrados, te respondemos mañana.',"
        ' business_hours = \'{"mon": [], "tue": [], "wed": [], "thu": [], "fri": [],'
        ' "sat": [], "sun": []}\' where id = %s',
        (business.tenant.id,),
    )
    response = ask(client, business, random_phone(), "necesito hablar con alguien")
    assert reply_text(response) == "Estamos cerrados, te respondemos mañana."


def test_opt_out_stops_automatic_replies_until_opt_in(
    client: TestClient, business: Business, db: Connection
) -> None:
    customer = random_phone()
    replies = [
        reply_text(ask(client, business, customer, text))
        for text in ("BAJA", "baja", "a que hora abren?", "Alta", "a que hora abren?")
    ]
    assert replies[0] is not None and "ALTA" in replies[0]
    assert replies[1:3] == [None, None]
    assert replies[3] is not None and "de vuelta" in replies[3]
    assert replies[4] == business.hours_answer
    opted = client_columns(db, customer, business, "opted_out")
    assert opted == (False,)


def test_opt_out_outlives_deleting_the_client(
    client: TestClient, business: Business, db: Connection
) -> None:
    customer = random_phone()
    assert reply_text(ask(client, business, customer, "STOP")) is not None  # the confirmation
    # The owner deletes the client (RLS lets them), and the customer writes again.
    db.execute(
        "delete from public.clients where owner_id = %s and phone = %s",
        (business.tenant.id, customer),
    )
    assert reply_text(ask(client, business, customer, "a que hora abren?")) is None
    again = client_columns(db, customer, business, "opted_out")
    assert again == (True,)
    # START still undoes it.
    assert reply_text(ask(client, business, customer, "START")) is not None
    assert reply_text(ask(client, business, customer, "a que hora abren?")) == (
        business.hours_answer
    )


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
    assert ask(client, business, customer, "hola", ProfileName=profile_name).status_code == 200
    row = client_columns(db, customer, business, "name")
    assert row == (expected or customer,)


def test_a_client_named_by_phone_takes_the_profile_name_later(
    client: TestClient, business: Business, db: Connection
) -> None:
    customer = random_phone()
    ask(client, business, customer, "hola", ProfileName="")
    ask(client, business, customer, "hola")
    row = client_columns(db, customer, business, "name")
    assert row == ("Cliente de prueba",)


def test_message_to_an_unknown_number_is_accepted_and_ignored(
    client: TestClient, twilio: TwilioStandIn, db: Connection
) -> None:
    form = customer_form("hola", sender=random_phone(), to="+5215550000000")
    response = post(client, WEBHOOK, form)
    assert twiml_messages(response) == []
    count = db.execute(
        "select count(*) from public.messages where twilio_message_id = %s", (form["MessageSid"],)
    ).fetchone()
    assert count == (0,)
    assert twilio.attempts() == []


def test_media_only_message_is_stored_and_answered(
    client: TestClient, business: Business, db: Connection
) -> None:
    customer = random_phone()
    response = ask(
        client,
        business,
        customer,
        "",
        NumMedia="1",
        MediaUrl0="https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1",
        MediaContentType0="image/jpeg",
    )
    stored = messages_of(db, customer, business)
    assert stored[0]["media"] == [
        {
            "type": "media",
            "content_type": "image/jpeg",
            "url": "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1",
        }
    ]
    assert stored[1]["reply_kind"] == "fallback"
    assert reply_text(response) == stored[1]["content"]


def test_location_message_is_stored(client: TestClient, business: Business, db: Connection) -> None:
    customer = random_phone()
    ask(
        client,
        business,
        customer,
        "",
        Latitude="20.6747",
        Longitude="-103.3705",
        Address="Calle Libertad 1842",
    )
    media = messages_of(db, customer, business)[0]["media"]
    assert media == [
        {
            "type": "location",
            "latitude": 20.6747,
            "longitude": -103.3705,
            "address": "Calle Libertad 1842",
        }
    ]


def test_a_nul_in_the_name_or_address_never_costs_the_message(
    client: TestClient, business: Business, db: Connection
) -> None:
    customer = random_phone()
    response = ask(
        client,
        business,
        customer,
        "hola, les mando la ubicación",
        ProfileName="Ana\x00",
        Latitude="19.4326",
        Longitude="-99.1332",
        Address="Av. Juárez\x00 10",
    )
    assert response.status_code == 200
    stored = messages_of(db, customer, business)
    assert stored[0]["content"] == "hola, les mando la ubicación"
    assert stored[0]["media"][0]["address"] == "Av. Juárez 10"
    row = client_columns(db, customer, business, "name")
    assert row == ("Ana",)


# --------------------------------------------------------------------------------------
# Retried deliveries
# --------------------------------------------------------------------------------------


def test_a_retry_before_any_callback_gets_the_same_twiml_again(
    client: TestClient, business: Business, twilio: TwilioStandIn, db: Connection
) -> None:
    customer = random_phone()
    form = customer_form("a que hora abren?", sender=customer, to=business.number)
    answers = [post(client, WEBHOOK, form) for _ in range(3)]
    # Twilio retries only when it got no usable answer, so the first TwiML was never sent.
    assert len({answer.text for answer in answers}) == 1
    assert reply_text(answers[0]) == business.hours_answer
    assert len(messages_of(db, customer, business)) == 2
    assert twilio.attempts() == []


def test_a_retry_after_a_callback_confirmed_the_reply_gets_an_empty_answer(
    client: TestClient, business: Business, db: Connection
) -> None:
    customer = random_phone()
    form = customer_form("a que hora abren?", sender=customer, to=business.number)
    first = post(client, WEBHOOK, form)
    sid = new_sid()
    assert post(client, action_path(first), status_form(sid, "sent")).status_code == 200

    retried = post(client, WEBHOOK, form)
    assert twiml_messages(retried) == []
    assert len(messages_of(db, customer, business)) == 2


def test_concurrent_deliveries_of_one_message_sid_store_it_once(
    settings: Settings, business: Business, twilio: TwilioStandIn, db: Connection
) -> None:
    customer = random_phone()
    form = customer_form("a que hora abren?", sender=customer, to=business.number)
    answers: list[str] = []
    barrier = threading.Barrier(6)

    def deliver() -> None:
        with TestClient(create_app(settings)) as own_client:
            barrier.wait()
            answers.append(post(own_client, WEBHOOK, form).text)

    threads = [threading.Thread(target=deliver) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(answers) == 6
    # Every answer carries the one reply; Twilio acts on the one it reads.
    assert len(set(answers)) == 1 and business.hours_answer in answers[0]
    assert len(messages_of(db, customer, business)) == 2
    assert twilio.attempts() == []
    unread = client_columns(db, customer, business, "unread_count")
    assert unread == (1,)


# --------------------------------------------------------------------------------------
# Status callbacks
# --------------------------------------------------------------------------------------


def test_the_action_callback_records_the_replys_sid_and_statuses(
    client: TestClient, business: Business, db: Connection
) -> None:
    customer = random_phone()
    action = action_path(ask(client, business, customer, "a que hora abren?"))
    sid = new_sid()

    def reply_now() -> tuple[object, object, object]:
        reply = messages_of(db, customer, business)[1]
        return reply["twilio_message_id"], reply["status"], reply["next_attempt_at"]

    assert post(client, action, status_form(sid, "sent")).status_code == 200
    assert reply_now() == (sid, "sent", None)  # confirmed: nothing left for the sweeper
    assert post(client, action, status_form(sid, "read")).status_code == 200
    assert reply_now() == (sid, "read", None)
    # Late, out-of-order callbacks are ignored.
    post(client, action, status_form(sid, "delivered"))
    post(client, action, status_form(sid, "sent"))
    assert reply_now() == (sid, "read", None)


def test_callbacks_out_of_order_from_the_first_one(
    client: TestClient, business: Business, db: Connection
) -> None:
    customer = random_phone()
    action = action_path(ask(client, business, customer, "a que hora abren?"))
    sid = new_sid()
    for status in ("delivered", "sent", "read", "queued"):
        assert post(client, action, status_form(sid, status)).status_code == 200
    reply = messages_of(db, customer, business)[1]
    assert (reply["twilio_message_id"], reply["status"]) == (sid, "read")


def test_a_callback_never_replaces_a_recorded_sid(
    client: TestClient, business: Business, db: Connection
) -> None:
    customer = random_phone()
    action = action_path(ask(client, business, customer, "a que hora abren?"))
    sid, other_sid = new_sid(), new_sid()
    post(client, action, status_form(sid, "sent"))
    post(client, action, status_form(other_sid, "read"))
    reply = messages_of(db, customer, business)[1]
    assert (reply["twilio_message_id"], reply["status"]) == (sid, "sent")


def test_a_forged_reply_parameter_changes_nothing(
    client: TestClient, business: Business, db: Connection
) -> None:
    customer = random_phone()
    action = action_path(ask(client, business, customer, "a que hora abren?"))
    sid = new_sid()
    form = status_form(sid, "read")
    # Signed for the status URL without the reply, then sent with one: the URL differs.
    signature = sign(PUBLIC_URL + STATUS, form, AUTH_TOKEN)
    response = post(client, action, form, signature=signature)
    assert response.status_code == 403
    reply = messages_of(db, customer, business)[1]
    assert (reply["twilio_message_id"], reply["status"]) == (None, "sending")


def test_a_callback_signed_for_another_reply_changes_nothing(
    client: TestClient, business: Business, db: Connection
) -> None:
    first, second = random_phone(), random_phone()
    first_action = action_path(ask(client, business, first, "a que hora abren?"))
    second_action = action_path(ask(client, business, second, "a que hora abren?"))
    form = status_form(new_sid(), "read")
    signature = sign(PUBLIC_URL + second_action, form, AUTH_TOKEN)
    assert post(client, first_action, form, signature=signature).status_code == 403
    for customer in (first, second):
        reply = messages_of(db, customer, business)[1]
        assert (reply["twilio_message_id"], reply["status"]) == (None, "sending")


def test_a_reply_parameter_that_is_not_an_id_is_refused(
    client: TestClient, business: Business
) -> None:
    path = STATUS + "?reply=not-an-id"
    assert post(client, path, status_form(new_sid(), "sent")).status_code == 400


def test_a_failed_delivery_records_the_error_code(
    client: TestClient, business: Business, db: Connection
) -> None:
    customer = random_phone()
    action = action_path(ask(client, business, customer, "a que hora abren?"))
    post(client, action, status_form(new_sid(), "undelivered", ErrorCode="63024"))
    reply = messages_of(db, customer, business)[1]
    assert (reply["status"], reply["error_code"]) == ("undelivered", "63024")


def test_status_for_an_unknown_message_is_acknowledged(client: TestClient) -> None:
    assert post(client, STATUS, status_form(new_sid(), "delivered")).status_code == 200
    unknown_reply = f"{STATUS}?reply={uuid.uuid4()}"
    assert post(client, unknown_reply, status_form(new_sid(), "delivered")).status_code == 200


# The order a reply's status may take, as the owner sees it.
STATUS_ORDER = ["queued", "sending", "sent", "delivered", "read"]


def test_the_owner_never_sees_a_reply_status_move_backwards(
    client: TestClient, business: Business, db: Connection
) -> None:
    customer = random_phone()
    action = action_path(ask(client, business, customer, "a que hora abren?"))
    sid = new_sid()
    for status in ("queued", "sent", "delivered", "read"):
        post(client, action, status_form(sid, status))
    reply_id = messages_of(db, customer, business)[1]["id"]
    # Every change the dashboard is told about: the broadcasts of this reply, in order (its
    # insert comes inside the inbound message's batch).
    shown = [
        str(row[0])
        for row in db.execute(
            "select c.change -> 'record' ->> 'status' from realtime.messages m"
            " cross join lateral jsonb_array_elements(coalesce(m.payload -> 'changes',"
            " jsonb_build_array(m.payload))) with ordinality as c(change, n)"
            " where m.topic = %s and c.change ->> 'table' = 'messages'"
            " and c.change -> 'record' ->> 'id' = %s order by m.inserted_at, c.n",
            (f"inbox:{business.tenant.id}", str(reply_id)),
        ).fetchall()
    ]
    assert shown[0] == "sending" and shown[-1] == "read", shown
    ranks = [STATUS_ORDER.index(status) for status in shown]
    assert ranks == sorted(ranks), shown


# --------------------------------------------------------------------------------------
# Whatever the owner's settings hold, the customer's message is kept
# --------------------------------------------------------------------------------------


def test_malformed_business_hours_are_refused_by_the_table(
    business: Business, db: Connection
) -> None:
    import psycopg

    with pytest.raises(psycopg.errors.CheckViolation, match="invalid business hours"):
        db.execute(
            "update public.users set business_hours = %s where id = %s",
            ('{"mon": "7-20"}', business.tenant.id),
        )
    # Hours that cross midnight are valid.
    db.execute(
        "update public.users set business_hours = %s where id = %s",
        ('{"fri": [["18:00", "02:00"]], "sat": [["09:00", "24:00"]]}', business.tenant.id),
    )


@pytest.mark.parametrize(
    ("at", "open_"),
    [
        ("2026-12-04 23:30", True),  # Friday night, inside 18:00-02:00
        ("2026-12-05 01:30", True),  # Saturday early morning: still Friday's range
        ("2026-12-05 02:30", False),  # Saturday, Friday's range closed, Saturday's not open
        ("2026-12-05 23:59", True),  # Saturday until midnight
        ("2026-12-04 17:59", False),
    ],
)
def test_business_hours_may_cross_midnight(db: Connection, at: str, open_: bool) -> None:
    row = db.execute(
        "select private.is_open(%s, 'America/Mexico_City', (%s::timestamp"
        " at time zone 'America/Mexico_City'))",
        ('{"fri": [["18:00", "02:00"]], "sat": [["09:00", "24:00"]]}', at),
    ).fetchone()
    assert row == (open_,)


def test_hours_stored_before_the_check_still_let_the_message_in(
    client: TestClient, business: Business, db: Connection
) -> None:
    db.execute(
        "update public.users set away_message = 'Cerrado.' where id = %s", (business.tenant.id,)
    )
    with db.transaction():
        # As rows written before the table checked the shape.
        db.execute("set local session_replication_role = replica")
        db.execute(
            'update public.users set business_hours = \'{"mon": "7-20"}\' where id = %s',
            (business.tenant.id,),
        )
    customer = random_phone()
    response = ask(client, business, customer, "¿hacen envíos?")
    assert response.status_code == 200
    stored = messages_of(db, customer, business)
    assert stored[0]["direction"] == "in"
    # Unreadable hours count as always open: the fallback, not the away message.
    assert stored[1]["reply_kind"] == "fallback"


def test_a_reply_that_cannot_be_stored_still_keeps_the_message(
    client: TestClient, business: Business, db: Connection
) -> None:
    # An FAQ answer padded past the message limit, as the table allowed before checking it.
    db.execute("alter table public.faqs drop constraint faqs_answer_fits_a_message")
    try:
        create_faq(
            db,
            business.tenant.id,
            question="¿Dónde están ubicados?",
            answer="Calle Libertad 1842." + " " * 5000,
        )
    finally:
        db.execute(
            "alter table public.faqs add constraint faqs_answer_fits_a_message"
            " check (char_length(answer) <= 1600) not valid"
        )
    customer = random_phone()
    response = ask(client, business, customer, "¿dónde están ubicados?")
    assert response.status_code == 200
    stored = messages_of(db, customer, business)
    assert [(m["direction"], m["reply_kind"]) for m in stored] == [
        ("in", None),
        ("out", "fallback"),
    ]
    assert reply_text(response) == stored[1]["content"]


# --------------------------------------------------------------------------------------
# Refusals
# --------------------------------------------------------------------------------------


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


def test_database_down_gives_503_and_nothing_stored(
    settings: Settings, business: Business, twilio: TwilioStandIn, db: Connection
) -> None:
    unreachable = settings.model_copy(
        update={"supabase_url": "http://127.0.0.1:9", "inbound_retry_seconds": 0.5}
    )
    form = customer_form("a que hora abren?", sender=random_phone(), to=business.number)
    with TestClient(create_app(unreachable)) as down:
        response = post(down, WEBHOOK, form)
    assert response.status_code == 503
    assert twilio.attempts() == []
    assert db.execute(
        "select count(*) from public.messages where twilio_message_id = %s", (form["MessageSid"],)
    ).fetchone() == (0,)


def test_a_brief_api_outage_is_ridden_out(
    client: TestClient, business: Business, stack: LocalStack, db: Connection
) -> None:
    """PostgREST restarts while a message arrives: the webhook waits, then stores it."""
    assert stack.postgrest is not None
    postgrest = stack.postgrest
    customer = random_phone()
    postgrest.stop()
    restart = threading.Timer(1.5, postgrest.start)
    restart.start()
    try:
        response = ask(client, business, customer, "a que hora abren?")
    finally:
        restart.join()
    assert reply_text(response) == business.hours_answer
    assert len(messages_of(db, customer, business)) == 2


def test_health(client: TestClient) -> None:
    response = client.get("/api/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


# --------------------------------------------------------------------------------------
# Labels and clients
# --------------------------------------------------------------------------------------


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
    ask(client, business, customer, "Quiero un PASTÉL de cumpleaños 🎂")
    assert labels_of(db, business, customer) == {"Pasteles", "Cliente nuevo", "Requiere atención"}
    # Keywords match whole words only: "pastelería" is not "pastel".
    other = random_phone()
    ask(client, business, other, "¿la pastelería abre?")
    assert "Pasteles" not in labels_of(db, business, other)


def test_fallback_window_is_configurable(
    client: TestClient, business: Business, db: Connection
) -> None:
    db.execute(
        "update public.users set fallback_window = interval '0' where id = %s",
        (business.tenant.id,),
    )
    customer = random_phone()
    replies = [
        reply_text(ask(client, business, customer, text))
        for text in ("¿tienen pan de muerto?", "¿y conchas?")
    ]
    assert None not in replies


def test_a_returning_client_is_unarchived_and_keeps_its_name(
    client: TestClient, business: Business, db: Connection
) -> None:
    customer = random_phone()
    db.execute(
        "insert into public.clients (owner_id, phone, name, status) values"
        " (%s, %s, 'Doña Carmen', 'archived')",
        (business.tenant.id, customer),
    )
    ask(client, business, customer, "hola otra vez", ProfileName="carmen123")
    row = client_columns(db, customer, business, "name", "status", "unread_count")
    assert row == ("Doña Carmen", "active", 1)
    assert "Cliente nuevo" not in labels_of(db, business, customer)
