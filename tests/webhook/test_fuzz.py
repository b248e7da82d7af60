"""Property-based fuzz of the webhook's Twilio routes, against the real stack.

Whatever the form, its encoding, its size or its signature: never a 5xx (the database is
up), and never a stored row unless the request carries a valid signature.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devstack.twilio_inbound import sign
from tests.factories import Connection, random_phone
from tests.webhook.conftest import AUTH_TOKEN, PUBLIC_URL, Business, customer_form
from tests.webhook.support import STATUS, WEBHOOK

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
TWILIO_FIELDS = (
    "MessageSid",
    "SmsMessageSid",
    "AccountSid",
    "From",
    "To",
    "Body",
    "NumMedia",
    "MediaUrl0",
    "MediaContentType0",
    "ProfileName",
    "WaId",
    "Latitude",
    "Longitude",
    "Address",
    "MessageStatus",
    "ErrorCode",
)
# Text as customers and attackers send it: any Unicode, control characters included.
ANY_TEXT = st.text(max_size=200)
FIELD_VALUES = st.one_of(
    ANY_TEXT,
    st.sampled_from(["", " ", "whatsapp:+5213312345678", "+5213312345678", "0", "-1", "11"]),
    st.text(alphabet="0123456789+whatsp:", max_size=30),
)
OVERRIDES = st.dictionaries(
    keys=st.one_of(st.sampled_from(TWILIO_FIELDS), st.text(min_size=1, max_size=20)),
    values=FIELD_VALUES,
    max_size=8,
)
PATHS = st.sampled_from(
    [WEBHOOK, STATUS, f"{STATUS}?reply=00000000-0000-4000-8000-000000000000", f"{STATUS}?reply=x"]
)


def stored_rows(db: Connection) -> int:
    row = db.execute("select count(*) from public.messages").fetchone()
    assert row is not None
    return int(row[0])


def signature_for(kind: str, path: str, form: dict[str, str]) -> str | None:
    if kind == "valid":
        return sign(PUBLIC_URL + path, form, AUTH_TOKEN)
    if kind == "other-url":
        return sign(PUBLIC_URL + "/elsewhere", form, AUTH_TOKEN)
    if kind == "other-token":
        return sign(PUBLIC_URL + path, form, "another-auth-token")
    return None if kind == "missing" else "bm90LWEtc2lnbmF0dXJl"


@FUZZ
@given(
    overrides=OVERRIDES,
    signing=st.sampled_from(["valid", "missing", "garbage", "other-url", "other-token"]),
    path=PATHS,
)
def test_any_form_is_answered_without_a_server_error(
    client: TestClient,
    business: Business,
    db: Connection,
    overrides: dict[str, str],
    signing: str,
    path: str,
) -> None:
    form = customer_form("a que hora abren?", sender=random_phone(), to=business.number)
    form.update(overrides)
    before = stored_rows(db)
    signature = signature_for(signing, path, form)
    headers = {"X-Twilio-Signature": signature} if signature is not None else {}
    response = client.post(path, data=form, headers=headers)
    assert response.status_code < 500, response.text
    if signing != "valid":
        assert response.status_code in (400, 403), response.text
        assert stored_rows(db) == before
    elif response.status_code != 200:
        assert response.status_code == 400, response.text
        assert stored_rows(db) == before


@FUZZ
@given(
    body=st.one_of(
        st.binary(max_size=2_000),
        st.binary(min_size=60_000, max_size=70_000),
        st.text(max_size=2_000).map(lambda text: text.encode("utf-8", "surrogatepass")),
    ),
    content_type=st.sampled_from(
        [
            "application/x-www-form-urlencoded",
            "application/x-www-form-urlencoded; charset=latin-1",
            "multipart/form-data; boundary=x",
            "application/json",
            "text/plain",
            "",
        ]
    ),
    path=PATHS,
)
def test_any_raw_body_is_refused_cleanly(
    client: TestClient, db: Connection, body: bytes, content_type: str, path: str
) -> None:
    before = stored_rows(db)
    headers: dict[str, Any] = {"X-Twilio-Signature": "bm90LWEtc2lnbmF0dXJl"}
    if content_type:
        headers["Content-Type"] = content_type
    response = client.post(path, content=body, headers=headers)
    assert response.status_code in (400, 403), response.text
    assert stored_rows(db) == before


@pytest.mark.parametrize(("path", "status"), [(WEBHOOK, 200), (STATUS, 400)])
def test_the_fuzzed_base_form_is_what_each_route_expects(
    client: TestClient, business: Business, path: str, status: int
) -> None:
    """The anchor of the fuzz above: its base form is a valid inbound message, which the
    webhook accepts and the status route refuses for lacking a MessageStatus."""
    form = customer_form("a que hora abren?", sender=random_phone(), to=business.number)
    response = client.post(
        path, data=form, headers={"X-Twilio-Signature": sign(PUBLIC_URL + path, form, AUTH_TOKEN)}
    )
    assert response.status_code == status, response.text
