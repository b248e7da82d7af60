"""Twilio's webhooks: inbound WhatsApp messages and delivery status callbacks.

An automatic reply goes back in the answer itself, as TwiML: Twilio sends it as soon as
it reads the answer, and posts the reply's status callbacks to the `action` URL, which
names the reply. One database call per inbound message, no Twilio REST call.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response
from starlette.concurrency import run_in_threadpool

from webhook.database import Database, DatabaseUnavailable
from webhook.deps import (
    DatabaseDep,
    SettingsDep,
    TwilioFormDep,
    signed_twilio_form,
    status_callback_url,
)
from webhook.inbound import InvalidInbound, parse_inbound, parse_status
from webhook.outbox import reply_status_callback

router = APIRouter(prefix="/api/twilio")
log = logging.getLogger("facilchat.webhook")

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response />'


def twiml(document: str = EMPTY_TWIML) -> Response:
    return Response(content=document, media_type="application/xml")


def reply_twiml(reply: dict[str, Any], status_callback: str) -> str:
    """<Response><Message action="…/status?reply=<id>">the reply</Message></Response>."""
    from twilio.twiml.messaging_response import MessagingResponse

    response = MessagingResponse()
    response.message(
        str(reply["content"]),
        action=reply_status_callback(status_callback, str(reply["id"])),
        method="POST",
    )
    return str(response)


async def store_inbound(db: Database, params: dict[str, Any], retry_for: float) -> dict[str, Any]:
    """handle_inbound_message, retried while the database is briefly unreachable.

    Twilio's own retries come within moments of a failure, too soon to outlast a restart;
    the call is idempotent (by MessageSid), so repeating it here is safe.
    """
    loop = asyncio.get_running_loop()
    deadline, pause = loop.time() + retry_for, 0.25
    while True:
        try:
            # supabase-py's client is synchronous: off the event loop, like a `def` route.
            return await run_in_threadpool(db.handle_inbound_message, params)
        except DatabaseUnavailable as error:
            if not error.transient or loop.time() + pause > deadline:
                raise
            log.warning("inbound %s: %s; retrying", params.get("p_message_sid"), error)
            await asyncio.sleep(pause)
            pause = min(pause * 2, 2.0)


@router.post("/webhook")
async def inbound_message(request: Request, settings: SettingsDep, db: DatabaseDep) -> Response:
    # The hot path: its helpers are called directly rather than as dependencies, which
    # FastAPI would resolve one by one on every request.
    form = await signed_twilio_form(request, settings)
    try:
        message = parse_inbound(form)
    except InvalidInbound as error:
        raise HTTPException(status_code=400, detail=str(error)) from None
    try:
        outcome = await store_inbound(db, message.rpc_params(), settings.inbound_retry_seconds)
    except DatabaseUnavailable:
        # Nothing was stored. Twilio retries a 5xx when the webhook URL asks it to (the
        # connection overrides in docs/deploy.md), and the retry is idempotent.
        log.exception("inbound %s not stored", message.message_sid)
        raise HTTPException(status_code=503, detail="database unavailable, retry later") from None

    if outcome["status"] == "unknown_number":
        log.warning(
            "inbound %s to %s: no business has this number", message.message_sid, message.to
        )
        return twiml()
    if outcome.get("reply_error"):
        log.error(
            "inbound %s stored; its reply could not be chosen: %s",
            message.message_sid,
            outcome["reply_error"],
        )
    reply = outcome.get("reply")
    if reply and reply.get("twiml"):
        return twiml(reply_twiml(reply, await status_callback_url(request, settings)))
    # No reply, one already confirmed, or one too long for TwiML, which the sweeper sends.
    return twiml()


def reply_id_of(request: Request) -> str | None:
    """The reply a status callback is about, from its signed URL; None when absent."""
    raw = request.query_params.get("reply")
    if raw is None:
        return None
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        raise HTTPException(status_code=400, detail="reply must be a message id") from None


@router.post("/status")
def message_status(request: Request, form: TwilioFormDep, db: DatabaseDep) -> Response:
    # The signature covers the URL with its query string, so `reply` is Twilio's own.
    reply_id = reply_id_of(request)
    try:
        update = parse_status(form)
    except InvalidInbound as error:
        raise HTTPException(status_code=400, detail=str(error)) from None
    if update is None:
        return twiml()
    try:
        result = db.apply_message_status(
            update.message_sid, update.status, update.error_code, reply_id
        )
    except DatabaseUnavailable:
        log.exception("status %s for %s not stored", update.status, update.message_sid)
        raise HTTPException(status_code=503, detail="database unavailable, retry later") from None
    if not result.get("found"):
        log.info("status %s for unknown message %s", update.status, update.message_sid)
    elif result.get("conflict"):
        log.warning(
            "status %s: reply %s already has another sid than %s; ignored",
            update.status,
            reply_id,
            update.message_sid,
        )
    return twiml()
