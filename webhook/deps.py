"""Typed FastAPI dependencies: settings, Supabase, Twilio and verified forms."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from webhook import database, sender, signature
from webhook.config import Settings, get_settings
from webhook.forms import InvalidForm, parse_form, read_body

SettingsDep = Annotated[Settings, Depends(get_settings)]

STATUS_CALLBACK_PATH = "/api/twilio/status"


@lru_cache(maxsize=4)
def _database(url: str, key: str) -> database.Database:
    return database.connect(url, key)


@lru_cache(maxsize=4)
def _sender(account_sid: str, auth_token: str, api_url: str, timeout: float) -> sender.Sender:
    return sender.connect(account_sid, auth_token, api_url, timeout)


# The dependencies below are `async` only so that FastAPI runs them on the event loop
# instead of a worker thread each: they are cached look-ups that never wait on I/O
# (after the first call, which builds the client once per process).


async def get_database(settings: SettingsDep) -> database.Database:
    return _database(settings.supabase_url, settings.supabase_service_role_key.get_secret_value())


async def get_sender(settings: SettingsDep) -> sender.Sender:
    return _sender(
        settings.twilio_account_sid,
        settings.twilio_auth_token.get_secret_value(),
        settings.twilio_api_url,
        settings.twilio_timeout_seconds,
    )


DatabaseDep = Annotated[database.Database, Depends(get_database)]
SenderDep = Annotated[sender.Sender, Depends(get_sender)]


async def signed_twilio_form(request: Request, settings: SettingsDep) -> dict[str, str]:
    """The posted form, once its X-Twilio-Signature proves Twilio sent it."""
    try:
        # Streamed and bounded: an oversized post is refused without being read whole.
        body = await read_body(request.stream(), request.headers.get("content-length"))
        form = parse_form(body, request.headers.get("content-type"))
    except InvalidForm as error:
        raise HTTPException(status_code=400, detail=str(error)) from None
    url = signature.public_url(request, settings.public_url)
    token = settings.twilio_auth_token.get_secret_value()
    if not signature.is_valid(token, url, form, request.headers.get("x-twilio-signature")):
        raise HTTPException(status_code=403, detail="invalid or missing X-Twilio-Signature")
    return form


async def status_callback_url(request: Request, settings: SettingsDep) -> str:
    """Where Twilio should report delivery status: this deployment's status route."""
    return signature.public_base_url(request, settings.public_url) + STATUS_CALLBACK_PATH


TwilioFormDep = Annotated[dict[str, str], Depends(signed_twilio_form)]
StatusCallbackDep = Annotated[str, Depends(status_callback_url)]
