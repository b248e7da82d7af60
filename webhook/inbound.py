"""Validating Twilio's inbound WhatsApp message: plain functions, no HTTP."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

WHATSAPP_ADDRESS = re.compile(r"^whatsapp:(\+[1-9][0-9]{6,14})$")
MESSAGE_SID = re.compile(r"^(SM|MM)[0-9a-f]{32}$")
MAX_BODY_CHARS = 4096
MAX_MEDIA = 10
MAX_URL_CHARS = 2048
OCTET_STREAM = "application/octet-stream"


class InvalidInbound(ValueError):
    """The message cannot be stored; the text says why, in terms Twilio's logs will show."""


@dataclass(frozen=True)
class InboundMessage:
    message_sid: str
    sender: str  # the customer, +E164
    to: str  # the business, +E164
    content: str  # Twilio's Body
    profile_name: str | None
    media: list[dict[str, Any]] = field(default_factory=list)

    def rpc_params(self) -> dict[str, Any]:
        return {
            "p_to": self.to,
            "p_from": self.sender,
            "p_message_sid": self.message_sid,
            "p_content": self.content,
            "p_profile_name": self.profile_name,
            "p_media": self.media,
        }


def free_text(form: dict[str, str], name: str, limit: int) -> str | None:
    """A free-text field besides Body (a name, an address, a label, a content type).

    Postgres text and jsonb cannot hold a NUL: the field is kept without it, so that a
    stray byte in a secondary field never costs the customer's message.
    """
    value = (form.get(name) or "").replace("\x00", "").strip()[:limit]
    return value or None


def whatsapp_number(form: dict[str, str], name: str) -> str:
    value = form.get(name, "")
    match = WHATSAPP_ADDRESS.match(value)
    if not match:
        raise InvalidInbound(f"{name} must be whatsapp:+E164, got {value[:40]!r}")
    return match.group(1)


def _media(form: dict[str, str]) -> list[dict[str, Any]]:
    raw_count = form.get("NumMedia", "0") or "0"
    if not raw_count.isdigit() or int(raw_count) > MAX_MEDIA:
        raise InvalidInbound(f"NumMedia must be a number from 0 to {MAX_MEDIA}")
    items: list[dict[str, Any]] = []
    for index in range(int(raw_count)):
        url = form.get(f"MediaUrl{index}", "")
        if (
            not url.startswith(("https://", "http://"))
            or len(url) > MAX_URL_CHARS
            or not url.isprintable()
            or " " in url
        ):
            raise InvalidInbound(f"MediaUrl{index} must be an http(s) URL")
        content_type = free_text(form, f"MediaContentType{index}", 100)
        items.append({"type": "media", "url": url, "content_type": content_type or OCTET_STREAM})
    return items


def _location(form: dict[str, str]) -> dict[str, Any] | None:
    if "Latitude" not in form and "Longitude" not in form:
        return None
    try:
        latitude, longitude = float(form["Latitude"]), float(form["Longitude"])
    except (KeyError, ValueError):
        raise InvalidInbound("Latitude and Longitude must both be numbers") from None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise InvalidInbound("Latitude or Longitude out of range")
    location: dict[str, Any] = {"type": "location", "latitude": latitude, "longitude": longitude}
    for source, target in (("Address", "address"), ("Label", "label")):
        text = free_text(form, source, 500)
        if text:
            location[target] = text
    return location


def parse_inbound(form: dict[str, str]) -> InboundMessage:
    """The message in Twilio's form, or InvalidInbound with the first problem found."""
    message_sid = form.get("MessageSid", "")
    if not MESSAGE_SID.match(message_sid):
        raise InvalidInbound("MessageSid is missing or malformed")
    sender = whatsapp_number(form, "From")
    to = whatsapp_number(form, "To")
    body = form.get("Body", "")
    if len(body) > MAX_BODY_CHARS:
        raise InvalidInbound(f"Body is longer than {MAX_BODY_CHARS} characters")
    if "\x00" in body:
        raise InvalidInbound("Body contains a NUL character")
    media = _media(form)
    location = _location(form)
    if location:
        media.append(location)
    if not body.strip() and not media:
        raise InvalidInbound("the message has no text, media or location")
    profile_name = free_text(form, "ProfileName", 200)
    return InboundMessage(message_sid, sender, to, body, profile_name, media)


@dataclass(frozen=True)
class StatusUpdate:
    message_sid: str
    status: str
    error_code: str | None


# Twilio's statuses mapped onto ours; the others (receiving, received...) are not about replies.
TWILIO_STATUS = {
    "accepted": "queued",
    "scheduled": "queued",
    "queued": "queued",
    "sending": "sending",
    "sent": "sent",
    "delivered": "delivered",
    "read": "read",
    "failed": "failed",
    "undelivered": "undelivered",
    "canceled": "failed",
}


def parse_status(form: dict[str, str]) -> StatusUpdate | None:
    """A delivery status callback; None when it is about something we do not track."""
    message_sid = form.get("MessageSid", "")
    if not MESSAGE_SID.match(message_sid):
        raise InvalidInbound("MessageSid is missing or malformed")
    raw_status = form.get("MessageStatus", "")
    if not raw_status:
        raise InvalidInbound("MessageStatus is missing")
    status = TWILIO_STATUS.get(raw_status)
    if status is None:
        return None
    error_code = form.get("ErrorCode") or None
    if error_code is not None and not error_code.isdigit():
        raise InvalidInbound("ErrorCode must be numeric")
    return StatusUpdate(message_sid, status, error_code)
