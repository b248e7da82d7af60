"""How much form the webhook reads: the longest WhatsApp text in any script fits, and an
oversized post is refused while it is still arriving, before it is read whole."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from urllib.parse import urlencode

import httpx
import pytest
from fastapi.testclient import TestClient

from devstack.twilio_api import TwilioStandIn
from devstack.twilio_inbound import sign
from tests.factories import Connection, random_phone
from tests.webhook.conftest import ACCOUNT_SID, AUTH_TOKEN, PUBLIC_URL, Business, customer_form
from webhook.application import create_app
from webhook.config import Settings
from webhook.forms import MAX_FORM_BYTES
from webhook.inbound import MAX_BODY_CHARS, MAX_MEDIA

WEBHOOK = "/api/twilio/webhook"
FORM_TYPE = "application/x-www-form-urlencoded"
CHUNK_BYTES = 4096

# The longest Body the webhook accepts, in characters of 3 and 4 UTF-8 bytes (9 and 12
# once percent-encoded).
LONGEST_BODIES = {
    "emoji": "😀" * MAX_BODY_CHARS,
    "cjk": "漢" * MAX_BODY_CHARS,
    "cjk-extension-b": "𠀀" * MAX_BODY_CHARS,
    "emoji-with-modifiers": "👍🏽" * (MAX_BODY_CHARS // 2),
}


def signed_headers(form: dict[str, str]) -> dict[str, str]:
    return {
        "Content-Type": FORM_TYPE,
        "X-Twilio-Signature": sign(PUBLIC_URL + WEBHOOK, form, AUTH_TOKEN),
    }


def post_form(client: TestClient, form: dict[str, str]) -> httpx.Response:
    """The form posted as Twilio does, encoded here so its size is known exactly."""
    response: httpx.Response = client.post(
        WEBHOOK, content=urlencode(form), headers=signed_headers(form)
    )
    return response


def stored_inbound(db: Connection, message_sid: str) -> list[tuple[object, ...]]:
    """(content, number of media items) of each inbound message stored with this SID."""
    return db.execute(
        "select content, jsonb_array_length(media) from public.messages"
        " where twilio_message_id = %s and direction = 'in'",
        (message_sid,),
    ).fetchall()


def stored_count(db: Connection, message_sid: str) -> object:
    row = db.execute(
        "select count(*) from public.messages where twilio_message_id = %s", (message_sid,)
    ).fetchone()
    return row[0] if row else None


def padded_to(form: dict[str, str], size: int) -> dict[str, str]:
    """The form plus a Padding field that makes it exactly `size` bytes encoded."""
    padded = {**form, "Padding": ""}
    padded["Padding"] = "x" * (size - len(urlencode(padded)))
    assert len(urlencode(padded)) == size
    return padded


@pytest.mark.parametrize("script", sorted(LONGEST_BODIES))
def test_longest_body_in_any_script_is_stored_whole(
    script: str, client: TestClient, business: Business, db: Connection
) -> None:
    text = LONGEST_BODIES[script]
    form = customer_form(text, sender=random_phone(), to=business.number)
    response = post_form(client, form)
    assert response.status_code == 200, response.text
    assert stored_inbound(db, form["MessageSid"]) == [(text, 0)]


def test_longest_body_with_every_other_field_at_its_longest_is_stored(
    client: TestClient, business: Business, db: Connection
) -> None:
    text = "😀" * MAX_BODY_CHARS
    form = customer_form(text, sender=random_phone(), to=business.number, profile_name="🥐" * 25)
    form.update(
        NumMedia=str(MAX_MEDIA),
        Latitude="20.6736",
        Longitude="-103.344",
        Address="Av. Juárez 123, Zona Centro, 44100 Guadalajara, Jal., México 🏠" * 3,
        Label="Panadería La Espiga 🥖",
    )
    for index in range(MAX_MEDIA):
        form[f"MediaUrl{index}"] = (
            f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/"
            f"{form['MessageSid']}/Media/ME{index:032x}"
        )
        form[f"MediaContentType{index}"] = (
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        )
    response = post_form(client, form)
    assert response.status_code == 200, response.text
    # Every media item and the location.
    assert stored_inbound(db, form["MessageSid"]) == [(text, MAX_MEDIA + 1)]


def test_form_of_exactly_the_limit_is_accepted(
    client: TestClient, business: Business, db: Connection
) -> None:
    text = "😀" * MAX_BODY_CHARS
    form = customer_form(text, sender=random_phone(), to=business.number)
    response = post_form(client, padded_to(form, MAX_FORM_BYTES))
    assert response.status_code == 200, response.text
    assert stored_inbound(db, form["MessageSid"]) == [(text, 0)]


def test_form_one_byte_over_the_limit_is_refused_and_nothing_stored(
    client: TestClient, business: Business, db: Connection, twilio: TwilioStandIn
) -> None:
    form = customer_form("😀" * MAX_BODY_CHARS, sender=random_phone(), to=business.number)
    response = post_form(client, padded_to(form, MAX_FORM_BYTES + 1))
    assert response.status_code == 400
    assert response.json()["detail"] == f"request body too large (limit {MAX_FORM_BYTES} bytes)"
    assert stored_count(db, form["MessageSid"]) == 0
    assert twilio.attempts() == []


def post_in_chunks(
    settings: Settings, chunks: list[bytes], headers: dict[str, str]
) -> tuple[httpx.Response, int]:
    """Posts the chunks as a streamed request body; also how many the webhook pulled."""
    pulled = 0

    async def body() -> AsyncIterator[bytes]:
        nonlocal pulled
        for chunk in chunks:
            pulled += 1
            yield chunk

    async def post() -> httpx.Response:
        # Unlike TestClient, which reads the whole body first, ASGITransport hands the
        # app each chunk only when the app asks for it.
        transport = httpx.ASGITransport(app=create_app(settings))
        async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as client:
            return await client.post(WEBHOOK, content=body(), headers=headers)

    response = asyncio.run(post())
    return response, pulled


def oversized_form(business: Business) -> dict[str, str]:
    """A signed-looking message carrying a mebibyte of padding."""
    form = customer_form("hola", sender=random_phone(), to=business.number)
    form["Padding"] = "x" * (1024 * 1024)
    return form


def in_chunks(form: dict[str, str]) -> list[bytes]:
    encoded = urlencode(form).encode()
    return [encoded[start : start + CHUNK_BYTES] for start in range(0, len(encoded), CHUNK_BYTES)]


# At most the chunks that fit in the limit, plus the one that crosses it.
MOST_CHUNKS_PULLED = MAX_FORM_BYTES // CHUNK_BYTES + 1


@pytest.mark.parametrize(
    "content_length",
    [None, "1000", str(MAX_FORM_BYTES)],
    ids=["chunked", "understated-1000", "understated-at-the-limit"],
)
def test_oversized_stream_is_refused_once_it_crosses_the_limit(
    content_length: str | None, settings: Settings, business: Business, db: Connection
) -> None:
    form = oversized_form(business)
    chunks = in_chunks(form)
    headers = signed_headers(form)
    if content_length is not None:
        headers["Content-Length"] = content_length
    response, pulled = post_in_chunks(settings, chunks, headers)
    assert response.status_code == 400
    assert "too large" in response.json()["detail"]
    assert pulled <= MOST_CHUNKS_PULLED < len(chunks)
    assert stored_count(db, form["MessageSid"]) == 0


def test_declared_oversized_body_is_refused_before_reading_any_of_it(
    settings: Settings, business: Business, db: Connection
) -> None:
    form = oversized_form(business)
    chunks = in_chunks(form)
    headers = signed_headers(form) | {"Content-Length": str(len(urlencode(form)))}
    response, pulled = post_in_chunks(settings, chunks, headers)
    assert response.status_code == 400
    assert response.json()["detail"] == f"request body too large (limit {MAX_FORM_BYTES} bytes)"
    assert pulled == 0
    assert stored_count(db, form["MessageSid"]) == 0


def test_malformed_content_length_is_refused(settings: Settings, business: Business) -> None:
    form = customer_form("hola", sender=random_phone(), to=business.number)
    headers = signed_headers(form) | {"Content-Length": "-1"}
    response, pulled = post_in_chunks(settings, in_chunks(form), headers)
    assert response.status_code == 400
    assert response.json()["detail"] == "invalid Content-Length header"
    assert pulled == 0
