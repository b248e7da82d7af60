"""schemathesis against the webhook's own OpenAPI schema, in-process against the real stack.

Production serves no schema (`openapi_url=None`), but FastAPI still builds one from the
routes (`app.openapi()`), and that is what schemathesis reads here. On its own it is thin:
the Twilio routes read and verify their form by hand (bounded, signature first), so the
schema knows no body for them; it knows the cron route's Authorization header. The test
adds what Twilio posts (the form fields the webhook reads, with the shapes it requires, and
the status route's `reply` query) so that schemathesis generates both valid and invalid
Twilio requests (positive and negative modes) for every route.

Each generated request goes through the ASGI app with a valid Twilio signature (computed
over exactly the URL and form sent, as Twilio signs), with a wrong one, or with none. The
invariants: no 5xx (the database is up); no row stored unless the signature is valid; a
valid form (positive mode) with a valid signature is answered 200;
the sweeper never runs without the cron secret. `make test` runs 40 examples per route
and mode, `make reliability` 400.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl

import psycopg
import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from pydantic import SecretStr
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from twilio.request_validator import RequestValidator

from devstack.stack import LocalStack
from devstack.twilio_api import TwilioStandIn
from tests.factories import Connection, create_faq, create_tenant, random_phone
from tests.reliability.harness import FULL_RUN, SEED, record
from tests.webhook.conftest import ACCOUNT_SID, AUTH_TOKEN, CRON_SECRET, PUBLIC_URL
from webhook.application import create_app
from webhook.config import Settings
from webhook.inbound import MAX_BODY_CHARS, TWILIO_STATUS

EXAMPLES = 400 if FULL_RUN else 40
# The business every positive inbound message is addressed to (created by the fixture).
BUSINESS_NUMBER = random_phone()
SIGN_HEADER = "x-test-signing"
WHATSAPP = r"^whatsapp:\+[1-9][0-9]{6,14}$"
SID = r"^(SM|MM)[0-9a-f]{32}$"

STATUS_CODES: Counter[str] = Counter()


def form_body(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "properties": properties,
                    "required": required,
                    # Twilio sends more fields than the webhook reads.
                    "additionalProperties": {"type": "string"},
                }
            }
        },
    }


# What Twilio posts for a WhatsApp message, so that a positive example is one the webhook
# must store: some text without NUL, at most one attachment (its URL always there, read only
# when NumMedia says so). Locations (Latitude and Longitude together, in range) are left to
# tests/webhook/test_fuzz.py: a schema cannot require one field with another.
INBOUND_FORM = form_body(
    {
        "MessageSid": {"type": "string", "pattern": SID},
        "AccountSid": {"type": "string"},
        "From": {"type": "string", "pattern": WHATSAPP},
        "To": {"type": "string", "enum": [f"whatsapp:{BUSINESS_NUMBER}"]},
        "Body": {
            "type": "string",
            "maxLength": MAX_BODY_CHARS,
            "pattern": r"^[^\x00]*\S[^\x00]*$",
        },
        "NumMedia": {"type": "string", "pattern": "^[01]$"},
        "MediaUrl0": {
            "type": "string",
            "pattern": r"^https://[a-z0-9]{1,20}\.[a-z]{2,6}(/[A-Za-z0-9._~-]{1,40}){0,3}$",
        },
        "MediaContentType0": {"type": "string"},
        "Address": {"type": "string"},
        "ProfileName": {"type": "string"},
        "WaId": {"type": "string"},
    },
    ["MessageSid", "From", "To", "Body", "MediaUrl0"],
)
STATUS_FORM = form_body(
    {
        "MessageSid": {"type": "string", "pattern": SID},
        "MessageStatus": {"type": "string", "enum": sorted(TWILIO_STATUS)},
        "ErrorCode": {"type": "string", "pattern": "^[0-9]{0,5}$"},
        "AccountSid": {"type": "string"},
        "From": {"type": "string", "pattern": WHATSAPP},
        "To": {"type": "string", "pattern": WHATSAPP},
    },
    ["MessageSid", "MessageStatus"],
)
REPLY_QUERY = {
    "name": "reply",
    "in": "query",
    "required": False,
    "schema": {"type": "string", "format": "uuid"},
}


def placeholder_settings() -> Settings:
    """Enough settings to build the app; its schema does not depend on them."""
    return Settings(
        supabase_url="http://127.0.0.1:9",
        supabase_service_role_key=SecretStr("unused"),
        twilio_account_sid=ACCOUNT_SID,
        twilio_auth_token=SecretStr(AUTH_TOKEN),
        public_url=PUBLIC_URL,
    )


def openapi_with_twilio_forms() -> dict[str, Any]:
    """The app's own schema, plus the forms Twilio posts to its two routes."""
    raw = copy.deepcopy(create_app(placeholder_settings()).openapi())
    paths = raw["paths"]
    # What the app declares by itself: no body for the routes that read their form by hand.
    assert "requestBody" not in paths["/api/twilio/webhook"]["post"]
    assert "requestBody" not in paths["/api/twilio/status"]["post"]
    paths["/api/twilio/webhook"]["post"]["requestBody"] = INBOUND_FORM
    paths["/api/twilio/status"]["post"]["requestBody"] = STATUS_FORM
    paths["/api/twilio/status"]["post"]["parameters"] = [REPLY_QUERY]
    return raw


SCHEMA = schemathesis.openapi.from_dict(openapi_with_twilio_forms())
POSITIVE, NEGATIVE = GenerationMode.POSITIVE, GenerationMode.NEGATIVE
# Negative cases for the forms only: a header or a route without parameters has no invalid
# value that can be sent.
OPERATIONS = [
    ("POST", "/api/twilio/webhook", POSITIVE),
    ("POST", "/api/twilio/webhook", NEGATIVE),
    ("POST", "/api/twilio/status", POSITIVE),
    ("POST", "/api/twilio/status", NEGATIVE),
    ("GET", "/api/cron/outbox", POSITIVE),
    ("GET", "/api/health", POSITIVE),
]


class SignsAsTwilio:
    """Signs a request as Twilio would, over exactly the URL and form that reach the app,
    when the request asks for it (the test's own header, removed here)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.validator = RequestValidator(AUTH_TOKEN)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = list(scope.get("headers", []))
        if scope["type"] != "http" or (SIGN_HEADER.encode(), b"valid") not in headers:
            await self.app(scope, receive, send)
            return
        body, more = b"", True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        form = dict(parse_qsl(body.decode("latin-1"), keep_blank_values=True))
        query = scope["query_string"].decode("latin-1")
        url = PUBLIC_URL + scope["path"] + (f"?{query}" if query else "")
        signature = self.validator.compute_signature(url, form)
        headers = [(k, v) for k, v in headers if k != SIGN_HEADER.encode()]
        headers.append((b"x-twilio-signature", signature.encode()))
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app({**scope, "headers": headers}, replay, send)


@pytest.fixture(scope="module")
def twilio_stand_in() -> Iterator[TwilioStandIn]:
    stand_in = TwilioStandIn(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN)
    stand_in.start()
    try:
        yield stand_in
    finally:
        stand_in.stop()


@pytest.fixture(scope="module")
def signed_app(stack: LocalStack, twilio_stand_in: TwilioStandIn) -> SignsAsTwilio:
    app_settings = Settings(
        supabase_url=stack.api_url,
        supabase_service_role_key=SecretStr(stack.service_role_key),
        twilio_account_sid=ACCOUNT_SID,
        twilio_auth_token=SecretStr(AUTH_TOKEN),
        twilio_api_url=twilio_stand_in.url,
        public_url=PUBLIC_URL,
        cron_secret=SecretStr(CRON_SECRET),
        twilio_timeout_seconds=1.0,
    )
    return SignsAsTwilio(create_app(app_settings))


@pytest.fixture(scope="module")
def business(database_url: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as db:
        tenant = create_tenant(db, business_name="Panadería del Esquema")
        db.execute(
            "update public.users set whatsapp_number = %s where id = %s",
            (BUSINESS_NUMBER, tenant.id),
        )
        create_faq(db, tenant.id, question="¿Cuál es su horario?", answer="De 8 a 20 h.")


def stored_rows(db: Connection) -> int:
    row = db.execute("select count(*) from public.messages").fetchone()
    assert row is not None
    return int(row[0])


@pytest.mark.parametrize(("method", "path", "mode"), OPERATIONS)
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
@seed(SEED)
@given(data=st.data(), signing=st.sampled_from(["valid", "missing", "garbage"]))
def test_no_server_error_and_no_row_without_a_valid_signature(
    signed_app: SignsAsTwilio,
    business: None,
    db: Connection,
    method: str,
    path: str,
    mode: GenerationMode,
    data: st.DataObject,
    signing: str,
) -> None:
    operation = SCHEMA[path][method]
    case = data.draw(operation.as_strategy(generation_mode=mode))
    headers = {}
    if path.startswith("/api/twilio/"):
        if signing == "valid":
            headers[SIGN_HEADER] = "valid"
        elif signing == "garbage":
            headers["X-Twilio-Signature"] = "bm90LWEtc2lnbmF0dXJl"
    before = stored_rows(db)
    response = case.call(app=signed_app, headers=headers)
    STATUS_CODES[f"{method} {path} {response.status_code}"] += 1
    case.validate_response(response, checks=[not_a_server_error])
    assert response.status_code < 500, response.text
    if path == "/api/twilio/webhook" and mode == POSITIVE and signing == "valid":
        # A message as Twilio sends it, validly signed: stored and answered.
        assert response.status_code == 200, response.text
    if path.startswith("/api/twilio/") and signing != "valid":
        assert response.status_code in (400, 403), response.text
        assert stored_rows(db) == before
    if path == "/api/cron/outbox":
        # schemathesis does not guess the secret: never a sweep.
        assert response.status_code == 401, response.text


def test_the_right_cron_secret_runs_a_sweep(signed_app: SignsAsTwilio) -> None:
    """The anchor of the cron invariant above: with the secret, the sweeper does run."""
    with TestClient(signed_app) as client:
        swept = client.get("/api/cron/outbox", headers={"Authorization": f"Bearer {CRON_SECRET}"})
    assert swept.status_code == 200, swept.text
    assert set(swept.json()) == {"claimed", "accepted", "failed", "errors"}


def test_the_fuzz_got_past_the_signature_and_stored_messages(db: Connection) -> None:
    """Runs after the fuzz (it is later in this file) and sums it up: its validly signed
    requests were stored, and every outcome the routes have was seen."""
    if not STATUS_CODES:
        pytest.skip("sums up the fuzz above, which did not run in this pytest run")
    stored = db.execute(
        "select count(*) from public.messages m join public.users u on u.id = m.owner_id"
        " where u.whatsapp_number = %s and m.direction = 'in'",
        (BUSINESS_NUMBER,),
    ).fetchone()
    assert stored is not None
    record(
        f"schema fuzz (schemathesis {schemathesis.__version__}, the app's OpenAPI plus"
        f" Twilio's forms): {sum(STATUS_CODES.values())} requests, {EXAMPLES} per route and"
        f" mode; answers {dict(sorted(STATUS_CODES.items()))}; {stored[0]} inbound messages"
        f" stored, all validly signed; no 5xx; seed {SEED}"
    )
    codes = {key.rsplit(" ", 1)[1] for key in STATUS_CODES}
    assert {"200", "400", "401", "403"} <= codes, STATUS_CODES
    assert stored[0] > 0, "no generated message was stored: the fuzz never got past the checks"
