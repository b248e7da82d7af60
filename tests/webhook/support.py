"""Helpers for the webhook's tests: signed posts, Twilio's side of a TwiML answer, rows."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit
from xml.etree import ElementTree

import httpx
from fastapi.testclient import TestClient
from psycopg import sql

from devstack.twilio_api import TwilioStandIn
from devstack.twilio_inbound import sign
from tests.factories import Connection
from tests.webhook.conftest import AUTH_TOKEN, CRON_SECRET, PUBLIC_URL, Business
from webhook.config import Settings
from webhook.sender import Sender
from webhook.sender import connect as connect_sender

WEBHOOK = "/api/twilio/webhook"
STATUS = "/api/twilio/status"


def post(
    client: TestClient, path: str, form: dict[str, str], signature: str | None = None
) -> httpx.Response:
    """POST a form signed as Twilio signs it, over the public URL with its query string."""
    url = PUBLIC_URL + path
    headers = {
        "X-Twilio-Signature": signature if signature is not None else sign(url, form, AUTH_TOKEN)
    }
    response: httpx.Response = client.post(path, data=form, headers=headers)
    return response


def twiml_messages(response: httpx.Response) -> list[dict[str, str | None]]:
    """The <Message>s of the webhook's TwiML answer: their text, action and method."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/xml")
    root = ElementTree.fromstring(response.text)  # noqa: S314 - the app's own answer
    assert root.tag == "Response"
    return [
        {"text": m.text, "action": m.get("action"), "method": m.get("method")}
        for m in root.iter("Message")
    ]


def reply_text(response: httpx.Response) -> str | None:
    """The one reply in a TwiML answer, or None when it answers nothing.

    Every reply must name itself in its action URL, so that its callbacks find it.
    """
    messages = twiml_messages(response)
    assert len(messages) <= 1, messages
    if not messages:
        return None
    assert re.fullmatch(
        re.escape(PUBLIC_URL + STATUS) + r"\?reply=[0-9a-f-]{36}", str(messages[0]["action"])
    ), messages[0]
    assert messages[0]["method"] == "POST"
    return messages[0]["text"]


def action_path(response: httpx.Response) -> str:
    """The path and query of the reply's action URL, to post Twilio's callbacks to."""
    (message,) = twiml_messages(response)
    action = str(message["action"])
    assert action.startswith(PUBLIC_URL + STATUS + "?reply="), action
    parts = urlsplit(action)
    return f"{parts.path}?{parts.query}"


def status_form(sid: str, status: str, **extra: str) -> dict[str, str]:
    """What Twilio posts to a message's status callback URL."""
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


def run_sweeper(client: TestClient) -> httpx.Response:
    """What the scheduler does every minute."""
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


MESSAGE_COLUMNS = (
    "direction",
    "content",
    "status",
    "reply_kind",
    "twilio_message_id",
    "media",
    "error_code",
    "attempts",
    "next_attempt_at",
    "id",
    "sent_via",
    "claim_token",
    "outcome_unknown",
)


def client_columns(
    db: Connection, phone: str, business: Business, *columns: str
) -> tuple[Any, ...] | None:
    """These columns of the business's client with this phone; None when there is none."""
    query = sql.SQL("select {} from public.clients where owner_id = %s and phone = %s").format(
        sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    return db.execute(query, (business.tenant.id, phone)).fetchone()


def messages_of(db: Connection, phone: str, business: Business) -> list[dict[str, Any]]:
    """A conversation's rows, oldest first, each as a dict of MESSAGE_COLUMNS."""
    rows = db.execute(
        "select " + ", ".join(f"m.{column}" for column in MESSAGE_COLUMNS) + " from"
        " public.messages m join public.clients c on c.id = m.client_id"
        " where c.phone = %s and m.owner_id = %s order by m.created_at, m.direction",
        (phone, business.tenant.id),
    ).fetchall()
    return [dict(zip(MESSAGE_COLUMNS, row, strict=True)) for row in rows]


def sent_to(twilio: TwilioStandIn, phone: str) -> list[dict[str, Any]]:
    """What the Twilio stand-in sent to this customer, by REST or from TwiML."""
    return [m for m in twilio.messages() if m["to"] == f"whatsapp:{phone}"]
