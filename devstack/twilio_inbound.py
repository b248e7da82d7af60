"""An inbound WhatsApp message as Twilio posts it to the webhook: the form and its signature."""

from __future__ import annotations

import uuid

from twilio.request_validator import RequestValidator

WEBHOOK_PATH = "/api/twilio/webhook"


def inbound_form(
    text: str,
    *,
    sender: str,
    to: str,
    account_sid: str,
    profile_name: str = "Cliente de prueba",
    message_sid: str | None = None,
) -> dict[str, str]:
    """The form fields Twilio posts for an inbound WhatsApp text message."""
    sid = message_sid or "SM" + uuid.uuid4().hex
    return {
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "ProfileName": profile_name,
        "MessageType": "text",
        "SmsSid": sid,
        "WaId": sender.lstrip("+"),
        "SmsStatus": "received",
        "Body": text,
        "To": f"whatsapp:{to}",
        "NumSegments": "1",
        "ReferralNumMedia": "0",
        "MessageSid": sid,
        "AccountSid": account_sid,
        "From": f"whatsapp:{sender}",
        "ApiVersion": "2010-04-01",
    }


def sign(url: str, form: dict[str, str], auth_token: str) -> str:
    """X-Twilio-Signature for a form POST to `url`."""
    signature: str = RequestValidator(auth_token).compute_signature(url, form)
    return signature
