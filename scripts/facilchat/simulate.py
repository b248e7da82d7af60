"""`facilchat simulate`: post a correctly signed inbound WhatsApp webhook, as Twilio does."""

from __future__ import annotations

import os
import re
import sys
from urllib.parse import urlsplit
from xml.etree import ElementTree

import httpx

# Shared with the simulator page.
from devstack.twilio_inbound import WEBHOOK_PATH, inbound_form, sign

E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
DEFAULT_PUBLIC_URL = "http://127.0.0.1:3000"


def run(text: str, *, sender: str, to: str, url: str | None) -> int:
    for label, number in (("--from", sender), ("--to", to)):
        if not E164.match(number):
            print(
                f"error: {label} must be a phone number in E.164, e.g. +5213312345678",
                file=sys.stderr,
            )
            return 2
    auth_token = os.environ.get("TWILIO_AUTH_TOKEN")
    if not auth_token:
        print("error: set TWILIO_AUTH_TOKEN (make dev writes it to .env)", file=sys.stderr)
        return 2
    account_sid = os.environ.get("TWILIO_ACCOUNT_SID", "AC" + "0" * 32)
    target = url or (os.environ.get("PUBLIC_URL") or DEFAULT_PUBLIC_URL).rstrip("/") + WEBHOOK_PATH
    form = inbound_form(text, sender=sender, to=to, account_sid=account_sid)
    api_url = os.environ.get("TWILIO_API_URL")
    if is_local(api_url):
        # The local Twilio stand-in plays Twilio: it posts the webhook, sends the TwiML
        # reply and reports its statuses to the reply's action URL.
        return _through_stand_in(str(api_url), target, form, sender)
    signed_url = target.partition("#")[0]
    try:
        response = httpx.post(
            signed_url,
            data=form,
            headers={"X-Twilio-Signature": sign(signed_url, form, auth_token)},
            timeout=20,
        )
    except httpx.HTTPError as error:
        print(f"error: could not reach {signed_url}: {error}", file=sys.stderr)
        return 1
    print(f"{response.status_code} {response.reason_phrase}")
    if response.text:
        print(response.text)
    if response.is_success:
        for reply in replies_in_twiml(response.text):
            print(f"reply to {sender}: {reply}")
    return 0 if response.is_success else 1


def _through_stand_in(api_url: str, target: str, form: dict[str, str], sender: str) -> int:
    try:
        response = httpx.post(
            f"{api_url.rstrip('/')}/_control/inbound",
            json={"url": target, "form": form},
            timeout=60,
        )
        response.raise_for_status()
    except httpx.HTTPError as error:
        print(f"error: the Twilio stand-in at {api_url} did not deliver: {error}", file=sys.stderr)
        return 1
    delivery = response.json()
    status = delivery.get("status")
    if status is None:
        failures = "; ".join(str(a.get("error")) for a in delivery.get("attempts", []))
        print(f"error: could not reach {target}: {failures}", file=sys.stderr)
        return 1
    print(f"{status} {httpx.codes.get_reason_phrase(int(status))}")
    if delivery.get("body"):
        print(delivery["body"])
    for message in delivery.get("messages", []):
        print(f"reply to {sender}: {message.get('body')}")
    return 0 if 200 <= int(status) < 300 else 1


def replies_in_twiml(document: str) -> list[str]:
    """The text of each <Message> in a webhook's TwiML answer."""
    from devstack.twilio_api import messages_in_twiml

    try:
        return [body for body, _ in messages_in_twiml(document)]
    except ElementTree.ParseError:
        return []


def is_local(api_url: str | None) -> bool:
    return bool(api_url) and urlsplit(api_url or "").hostname in {"127.0.0.1", "localhost"}
