"""`facilchat simulate`: post a correctly signed inbound WhatsApp webhook, as Twilio does."""

from __future__ import annotations

import contextlib
import os
import re
import sys
import time
from urllib.parse import urlsplit

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
    before: set[str] = set()
    if is_local(os.environ.get("TWILIO_API_URL")):
        with contextlib.suppress(httpx.HTTPError):
            before = {m["sid"] for m in _sent_to(sender, account_sid, auth_token)}
    try:
        response = httpx.post(
            target,
            data=form,
            headers={"X-Twilio-Signature": sign(target, form, auth_token)},
            timeout=20,
        )
    except httpx.HTTPError as error:
        print(f"error: could not reach {target}: {error}", file=sys.stderr)
        return 1
    print(f"{response.status_code} {response.reason_phrase}")
    if response.text:
        print(response.text)
    if response.is_success and is_local(os.environ.get("TWILIO_API_URL")):
        try:
            replies = replies_from_stand_in(sender, account_sid, auth_token, already=before)
        except httpx.HTTPError as error:
            print(
                f"(could not read the replies from the Twilio stand-in: {error})", file=sys.stderr
            )
            replies = []
        for reply in replies:
            print(f"reply to {sender}: {reply}")
    return 0 if response.is_success else 1


def is_local(api_url: str | None) -> bool:
    return bool(api_url) and urlsplit(api_url or "").hostname in {"127.0.0.1", "localhost"}


def _sent_to(customer: str, account_sid: str, auth_token: str) -> list[dict[str, str]]:
    """Messages the local Twilio stand-in holds for this customer, newest first."""
    api_url = os.environ["TWILIO_API_URL"].rstrip("/")
    response = httpx.get(
        f"{api_url}/2010-04-01/Accounts/{account_sid}/Messages.json",
        params={"To": f"whatsapp:{customer}"},
        auth=(account_sid, auth_token),
        timeout=5,
    )
    response.raise_for_status()
    messages: list[dict[str, str]] = response.json()["messages"]
    return messages


def replies_from_stand_in(
    customer: str, account_sid: str, auth_token: str, already: set[str], wait: float = 3.0
) -> list[str]:
    """The replies the business sent after our message (the webhook answers at once)."""
    deadline = time.monotonic() + wait
    while True:
        new = [m for m in _sent_to(customer, account_sid, auth_token) if m["sid"] not in already]
        if new or time.monotonic() > deadline:
            return [m["body"] for m in reversed(new)]
        time.sleep(0.1)
