"""Twilio's webhooks: inbound WhatsApp messages and delivery status callbacks."""

from __future__ import annotations

import logging

from fastapi import APIRouter, HTTPException, Response

from webhook import outbox
from webhook.database import DatabaseUnavailable
from webhook.deps import DatabaseDep, SenderDep, SettingsDep, StatusCallbackDep, TwilioFormDep
from webhook.inbound import InvalidInbound, parse_inbound, parse_status

router = APIRouter(prefix="/api/twilio")
log = logging.getLogger("facilchat.webhook")

# We reply through the REST API, so Twilio gets an empty TwiML document.
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def twiml_ok() -> Response:
    return Response(content=EMPTY_TWIML, media_type="application/xml")


@router.post("/webhook")
def inbound_message(
    form: TwilioFormDep,
    db: DatabaseDep,
    sender: SenderDep,
    settings: SettingsDep,
    status_callback: StatusCallbackDep,
) -> Response:
    try:
        message = parse_inbound(form)
    except InvalidInbound as error:
        raise HTTPException(status_code=400, detail=str(error)) from None
    try:
        outcome = db.handle_inbound_message(message.rpc_params())
    except DatabaseUnavailable:
        # Not stored: a 5xx makes Twilio retry, and the retry is idempotent.
        log.exception("inbound %s not stored", message.message_sid)
        raise HTTPException(status_code=503, detail="database unavailable, retry later") from None

    if outcome["status"] == "unknown_number":
        log.warning(
            "inbound %s to %s: no business has this number", message.message_sid, message.to
        )
        return twiml_ok()
    reply = outcome.get("reply")
    if reply:
        try:
            outbox.send_claimed(db, sender, reply, settings.max_send_attempts, status_callback)
        except DatabaseUnavailable:
            # The message is stored and its reply claimed: once the claim lapses,
            # the sweeper checks with Twilio and sends it if it did not go out.
            log.exception("reply %s left for the sweeper", reply["id"])
    return twiml_ok()


@router.post("/status")
def message_status(form: TwilioFormDep, db: DatabaseDep) -> Response:
    try:
        update = parse_status(form)
    except InvalidInbound as error:
        raise HTTPException(status_code=400, detail=str(error)) from None
    if update is None:
        return twiml_ok()
    try:
        result = db.apply_message_status(update.message_sid, update.status, update.error_code)
    except DatabaseUnavailable:
        log.exception("status %s for %s not stored", update.status, update.message_sid)
        raise HTTPException(status_code=503, detail="database unavailable, retry later") from None
    if not result.get("found"):
        log.info("status %s for unknown message %s", update.status, update.message_sid)
    return twiml_ok()
