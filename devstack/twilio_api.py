"""A local stand-in for Twilio's Messaging REST API, on loopback.

It speaks Twilio's wire format, so the official `twilio` client works against it
unchanged once pointed at its URL:

- `POST /2010-04-01/Accounts/{AccountSid}/Messages.json` checks HTTP Basic auth,
  validates like Twilio (WhatsApp addresses only) and answers 201 with a message
  resource, or Twilio's error JSON (`code`, `message`, `more_info`, `status`).
- `GET /2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json` fetches a message.
- Accepted messages then go `sent` → `delivered` → `read`; when the message has a
  `StatusCallback`, each step is POSTed there signed with `X-Twilio-Signature`, as
  Twilio does.
- It plays Twilio's side of an inbound message too (`POST /_control/inbound`): it posts
  the signed webhook, retrying as the URL's connection overrides (`#rc=…&rp=…`) say,
  reads the TwiML answer, "sends" each `<Message>` and posts its status callbacks to the
  message's `action` URL. `POST /_control/twiml` does the last part for an answer
  someone else received (the simulator page posts the webhook in-process).

A control API under `/_control` (not Twilio's) injects faults (429, 500, a hang),
tunes the callbacks and exposes what was received. `TwilioStandIn` runs the server
as a subprocess for `make dev` and tests.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import copy
import hmac
import logging
import random
import re
import sys
import uuid
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any, Literal, Self, cast
from urllib.parse import parse_qs

import httpx
from aiohttp import (
    BasicAuth,
    ClientConnectionError,
    ClientConnectorError,
    ClientError,
    ClientSession,
    ClientTimeout,
    ConnectionTimeoutError,
    web,
)
from multidict import MultiMapping
from twilio.request_validator import RequestValidator

from devstack.paths import LOCAL_DIR
from devstack.postgres import free_port
from devstack.process import ServiceError, ServiceProcess

API_VERSION = "2010-04-01"
# Fixed local development credentials: shaped like Twilio's, useless anywhere else.
DEFAULT_ACCOUNT_SID = "AC" + "0" * 32
DEFAULT_AUTH_TOKEN = "fac1c4a7" + "0" * 24
# `python -m devstack.twilio_api` default; clear of the Supabase CLI ports (54320-54329).
DEFAULT_PORT = 54340
DEFAULT_CALLBACK_DELAY = 0.2
DEFAULT_HANG_SECONDS = 60.0
# Twilio waits this long for a status callback answer.
CALLBACK_TIMEOUT = 15.0
MAX_BODY_LENGTH = 1600

Json = dict[str, Any]
FaultMode = Literal["ok", "429", "500", "hang"]
FAULT_MODES: tuple[FaultMode, ...] = ("ok", "429", "500", "hang")
# Statuses Twilio reports in WhatsApp status callbacks after a message is queued.
CALLBACK_STATUSES = ("sending", "sent", "delivered", "read", "failed", "undelivered")
DEFAULT_STATUSES = ("sent", "delivered", "read")
FAILURE_STATUSES = {"failed", "undelivered"}
# Twilio's generic "Unknown error", reported with failed/undelivered unless configured.
DEFAULT_FAILURE_CODE = 30008

WHATSAPP_ADDRESS = re.compile(r"whatsapp:\+[1-9][0-9]{1,14}")

log = logging.getLogger("twilio_api")


@dataclass
class CallbackSettings:
    enabled: bool = True
    delay: float = DEFAULT_CALLBACK_DELAY
    statuses: tuple[str, ...] = DEFAULT_STATUSES
    error_code: int = DEFAULT_FAILURE_CODE

    def as_json(self) -> Json:
        return {
            "enabled": self.enabled,
            "delay": self.delay,
            "statuses": list(self.statuses),
            "error_code": self.error_code,
        }


@dataclass
class Chaos:
    """Random faults, for load and fault tests; a seed makes a run replayable.

    Each REST create is refused with 429 or 500, accepted but answered 500 (so the sender
    cannot know it went out), or left hanging, with these probabilities. Each accepted
    message's status callbacks (REST or TwiML) may all be lost, or arrive twice each and
    out of order. Each webhook answer to an inbound delivery may be lost on its way back,
    as if the connection dropped after the webhook had done its work.
    """

    rest_429: float = 0.0
    rest_500: float = 0.0
    accept_then_500: float = 0.0
    hang: float = 0.0
    lose_callbacks: float = 0.0
    disorder_callbacks: float = 0.0
    lose_answer: float = 0.0
    seed: int = 0
    rolls: random.Random = field(init=False, repr=False)
    injected: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.rolls = random.Random(self.seed)  # noqa: S311 - fault injection, not security

    def roll(self, **chances: float) -> str | None:
        """One draw among the named outcomes (counted), or None."""
        draw, edge = self.rolls.random(), 0.0
        for name, chance in chances.items():
            edge += chance
            if draw < edge:
                self.injected[name] = self.injected.get(name, 0) + 1
                return name
        return None

    def as_json(self) -> Json:
        return {
            "rest_429": self.rest_429,
            "rest_500": self.rest_500,
            "accept_then_500": self.accept_then_500,
            "hang": self.hang,
            "lose_callbacks": self.lose_callbacks,
            "disorder_callbacks": self.disorder_callbacks,
            "lose_answer": self.lose_answer,
            "seed": self.seed,
            "injected": dict(self.injected),
        }


@dataclass
class StandInState:
    """Everything the stand-in remembers; lives on the app under STATE_KEY."""

    account_sid: str
    auth_token: str
    initial_callbacks: CallbackSettings
    hang_seconds: float = DEFAULT_HANG_SECONDS
    callbacks: CallbackSettings = field(init=False)
    mode: FaultMode = "ok"
    remaining: int | None = None
    messages: dict[str, Json] = field(default_factory=dict)
    attempts: list[Json] = field(default_factory=list)
    tasks: set[asyncio.Task[None]] = field(default_factory=set)
    shutting_down: asyncio.Event = field(default_factory=asyncio.Event)
    chaos: Chaos = field(default_factory=Chaos)

    def __post_init__(self) -> None:
        self.callbacks = copy.copy(self.initial_callbacks)

    def take_fault(self) -> FaultMode:
        """The fault for this create attempt; counts it against the mode's budget."""
        mode = self.mode
        if mode != "ok" and self.remaining is not None:
            self.remaining -= 1
            if self.remaining <= 0:
                self.mode, self.remaining = "ok", None
        return mode

    def reset(self) -> None:
        for task in self.tasks:
            task.cancel()
        self.mode, self.remaining = "ok", None
        self.callbacks = copy.copy(self.initial_callbacks)
        self.chaos = Chaos()
        self.messages.clear()
        self.attempts.clear()


STATE_KEY = web.AppKey("state", StandInState)
SESSION_KEY = web.AppKey("session", ClientSession)


def rfc2822(moment: datetime) -> str:
    """Twilio's date format: 'Thu, 26 Nov 2026 13:00:00 +0000'."""
    return format_datetime(moment.astimezone(UTC).replace(microsecond=0))


def twilio_error(status: int, code: int, message: str) -> web.Response:
    """An error in the shape the Twilio API (and so the official client) uses."""
    body = {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
    headers = {"Twilio-Request-Id": f"RQ{uuid.uuid4().hex}"}
    if status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="Twilio API"'
    return web.json_response(body, status=status, headers=headers)


def _authenticated(request: web.Request, state: StandInState) -> bool:
    header = request.headers.get("Authorization", "")
    try:
        credentials = BasicAuth.decode(header)
    except ValueError:
        return False
    return (
        hmac.compare_digest(credentials.login, state.account_sid)
        and hmac.compare_digest(credentials.password, state.auth_token)
        and request.match_info["account_sid"] == state.account_sid
    )


def _text_values(form: MultiMapping[object], name: str) -> list[str]:
    return [value for value in form.getall(name, []) if isinstance(value, str)]


@dataclass(frozen=True)
class ApiError:
    status: int
    code: int
    message: str

    def response(self) -> web.Response:
        return twilio_error(self.status, self.code, self.message)


def validate_create(to: str, from_: str, body: str, media_urls: list[str]) -> ApiError | None:
    """Why Twilio would refuse this create request, if it would (WhatsApp senders only)."""
    if not to:
        return ApiError(400, 21604, "A 'To' phone number is required.")
    if not WHATSAPP_ADDRESS.fullmatch(to):
        return ApiError(400, 21211, f"Invalid 'To' Phone Number: {to}")
    if not from_:
        return ApiError(400, 21603, "A 'From' phone number is required.")
    if not WHATSAPP_ADDRESS.fullmatch(from_):
        return ApiError(400, 21212, f"Invalid 'From' Phone Number: {from_}")
    if not body and not media_urls:
        return ApiError(400, 21602, "Message body is required.")
    if len(body) > MAX_BODY_LENGTH:
        return ApiError(
            400, 21617, "The concatenated message body exceeds the 1600 character limit."
        )
    return None


def message_resource(account_sid: str, to: str, from_: str, body: str, num_media: int) -> Json:
    """A new outbound message resource, shaped like Twilio's 201 answer."""
    sid = f"SM{uuid.uuid4().hex}"
    now = rfc2822(datetime.now(UTC))
    uri = f"/{API_VERSION}/Accounts/{account_sid}/Messages/{sid}"
    return {
        "account_sid": account_sid,
        "api_version": API_VERSION,
        "body": body,
        "date_created": now,
        "date_sent": None,
        "date_updated": now,
        "direction": "outbound-api",
        "error_code": None,
        "error_message": None,
        "from": from_,
        "messaging_service_sid": None,
        "num_media": str(num_media),
        "num_segments": "1",
        "price": None,
        "price_unit": "USD",
        "sid": sid,
        "status": "queued",
        "subresource_uris": {"media": f"{uri}/Media.json"},
        "to": to,
        "uri": f"{uri}.json",
    }


# Keys a stored record adds to the Twilio resource.
RECORD_EXTRAS = ("status_callback", "media_urls", "callbacks")


def resource_of(record: Json) -> Json:
    return {k: v for k, v in record.items() if k not in RECORD_EXTRAS}


async def create_message(request: web.Request) -> web.Response:
    state = request.app[STATE_KEY]
    form = await request.post()
    media_urls = _text_values(form, "MediaUrl")
    to, from_, body, callback_url = (
        (_text_values(form, name) or [""])[0] for name in ("To", "From", "Body", "StatusCallback")
    )
    attempt: Json = {
        "at": datetime.now(UTC).isoformat(),
        "to": to,
        "from": from_,
        "body": body,
        "status_callback": callback_url or None,
        "media_urls": media_urls,
        "fault": None,
        "status": None,
        "code": None,
        "sid": None,
    }
    state.attempts.append(attempt)

    outcome = await _accept(request, state, attempt, to, from_, body, media_urls)
    if isinstance(outcome, ApiError):
        attempt["status"], attempt["code"] = outcome.status, outcome.code
        log.info("create to=%s refused %s/%s", to, outcome.status, outcome.code)
        return outcome.response()

    record: Json = {
        **outcome,
        "status_callback": callback_url or None,
        "media_urls": media_urls,
        "callbacks": [],
    }
    state.messages[outcome["sid"]] = record
    attempt["status"], attempt["sid"] = 201, outcome["sid"]
    log.info("create to=%s accepted %s", to, outcome["sid"])
    _report_statuses(request.app, record)
    if attempt["fault"] == "accept_then_500":
        attempt["status"], attempt["code"] = 500, 20500
        return twilio_error(500, 20500, "Internal Server Error")
    return web.json_response(
        outcome, status=201, headers={"Twilio-Request-Id": f"RQ{uuid.uuid4().hex}"}
    )


async def _accept(
    request: web.Request,
    state: StandInState,
    attempt: Json,
    to: str,
    from_: str,
    body: str,
    media_urls: list[str],
) -> Json | ApiError:
    """The new message resource, or the error Twilio (or an injected fault) answers."""
    if not _authenticated(request, state):
        return ApiError(401, 20003, "Authenticate")
    fault = state.take_fault()
    if fault == "ok":
        chaos = state.chaos
        drawn = chaos.roll(
            rest_429=chaos.rest_429,
            rest_500=chaos.rest_500,
            accept_then_500=chaos.accept_then_500,
            hang=chaos.hang,
        )
        if drawn == "accept_then_500":
            # Accepted below, then answered 500 by create_message.
            attempt["fault"] = drawn
        elif drawn is not None:
            fault = cast(FaultMode, {"rest_429": "429", "rest_500": "500"}.get(drawn, drawn))
    if fault != "ok":
        attempt["fault"] = fault
    if fault == "429":
        return ApiError(429, 20429, "Too Many Requests")
    if fault == "500":
        return ApiError(500, 20500, "Internal Server Error")
    if fault == "hang":
        # Answer nothing until the client has given up. The message is not created.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(state.shutting_down.wait(), timeout=state.hang_seconds)
        return ApiError(503, 20503, "Service Unavailable")
    refusal = validate_create(to, from_, body, media_urls)
    if refusal is not None:
        return refusal
    return message_resource(state.account_sid, to, from_, body, len(media_urls))


async def list_account_messages(request: web.Request) -> web.Response:
    """Twilio's message list, newest first, filtered by To and From as Twilio does."""
    state = request.app[STATE_KEY]
    if not _authenticated(request, state):
        return twilio_error(401, 20003, "Authenticate")
    wanted = {
        key: request.query[name]
        for key, name in (("to", "To"), ("from", "From"))
        if name in request.query
    }
    page_size = int(request.query.get("PageSize", "50"))
    found = [
        resource_of(record)
        for record in reversed(list(state.messages.values()))
        if all(record[key] == value for key, value in wanted.items())
    ][:page_size]
    uri = f"/{API_VERSION}/Accounts/{state.account_sid}/Messages.json?PageSize={page_size}&Page=0"
    return web.json_response(
        {
            "messages": found,
            "start": 0,
            "end": max(len(found) - 1, 0),
            "page": 0,
            "page_size": page_size,
            "uri": uri,
            "first_page_uri": uri,
            "next_page_uri": None,
            "previous_page_uri": None,
        }
    )


async def fetch_message(request: web.Request) -> web.Response:
    state = request.app[STATE_KEY]
    if not _authenticated(request, state):
        return twilio_error(401, 20003, "Authenticate")
    record = state.messages.get(request.match_info["sid"])
    if record is None:
        return twilio_error(404, 20404, f"The requested resource {request.path} was not found")
    return web.json_response(resource_of(record))


def callback_params(record: Json, status: str, error_code: int | None) -> dict[str, str]:
    """The form Twilio posts to a WhatsApp message's StatusCallback."""
    params = {
        "ChannelPrefix": "whatsapp",
        "ApiVersion": API_VERSION,
        "MessageStatus": status,
        "SmsSid": record["sid"],
        "SmsStatus": status,
        "ChannelToAddress": record["to"].removeprefix("whatsapp:"),
        "To": record["to"],
        "From": record["from"],
        "MessageSid": record["sid"],
        "AccountSid": record["account_sid"],
    }
    if error_code is not None:
        params["ErrorCode"] = str(error_code)
    return params


def _report_statuses(app: web.Application, record: Json) -> None:
    """Start moving an accepted message through its statuses, as the settings say."""
    state = app[STATE_KEY]
    settings = state.callbacks
    if not (settings.enabled and settings.statuses):
        return
    chaos = state.chaos
    fate = chaos.roll(
        lose_callbacks=chaos.lose_callbacks, disorder_callbacks=chaos.disorder_callbacks
    )
    task = asyncio.create_task(
        _progress(
            app[SESSION_KEY], state.auth_token, record, copy.copy(settings), fate, chaos.rolls
        )
    )
    state.tasks.add(task)
    task.add_done_callback(state.tasks.discard)


async def _progress(
    session: ClientSession,
    auth_token: str,
    record: Json,
    settings: CallbackSettings,
    fate: str | None = None,
    rolls: random.Random | None = None,
) -> None:
    """Move an accepted message through its statuses, posting each to its StatusCallback.

    `fate` "lose_callbacks" posts none of them; "disorder_callbacks" posts each twice,
    shuffled.
    """
    posts: list[tuple[str, int | None]] = []
    for status in settings.statuses:
        await asyncio.sleep(settings.delay)
        now = rfc2822(datetime.now(UTC))
        error_code = settings.error_code if status in FAILURE_STATUSES else None
        record.update(status=status, date_updated=now, error_code=error_code)
        if status == "sent":
            record["date_sent"] = now
        posts.append((status, error_code))
        if fate is None:
            await _post_status(session, auth_token, record, status, error_code)
    if fate == "disorder_callbacks":
        shuffled = posts * 2
        (rolls or random.Random()).shuffle(shuffled)  # noqa: S311
        for status, error_code in shuffled:
            await _post_status(session, auth_token, record, status, error_code)


async def _post_status(
    session: ClientSession, auth_token: str, record: Json, status: str, error_code: int | None
) -> None:
    url = record["status_callback"]
    if url:
        record["callbacks"].append(
            await _post_callback(
                session, auth_token, url, callback_params(record, status, error_code)
            )
        )


async def _post_callback(
    session: ClientSession, auth_token: str, url: str, params: dict[str, str]
) -> Json:
    """POST one signed status callback; failures are reported, never raised."""
    signature: str = RequestValidator(auth_token).compute_signature(url, params)
    outcome: Json = {"status": params["MessageStatus"], "url": url, "http_status": None}
    try:
        async with session.post(
            url,
            data=params,
            headers={
                "X-Twilio-Signature": signature,
                "Content-Type": "application/x-www-form-urlencoded",
                "I-Twilio-Idempotency-Token": str(uuid.uuid4()),
                "User-Agent": "TwilioProxy/1.1",
            },
            timeout=ClientTimeout(total=CALLBACK_TIMEOUT),
            allow_redirects=False,
        ) as response:
            outcome["http_status"] = response.status
            await response.read()
        if response.status >= 400:
            log.warning(
                "callback %s to %s answered %s", params["MessageStatus"], url, response.status
            )
    except (ClientError, TimeoutError, ValueError) as exc:
        outcome["error"] = f"{type(exc).__name__}: {exc}"
        log.warning("callback %s to %s failed: %s", params["MessageStatus"], url, outcome["error"])
    return outcome


# --- TwiML answers and inbound deliveries, as Twilio handles them ---------------------


def messages_in_twiml(document: str) -> list[tuple[str, str | None]]:
    """The `<Message>`s of a TwiML answer, as (body, action URL)."""
    if not document.strip():
        return []
    # Our own webhook's answer, on loopback; Twilio parses it the same way.
    root = ElementTree.fromstring(document)  # noqa: S314
    found: list[tuple[str, str | None]] = []
    for element in root.iter("Message"):
        body_element = element.find("Body")
        body = body_element.text if body_element is not None else element.text
        found.append(((body or "").strip(), element.get("action")))
    return found


def send_twiml_messages(
    app: web.Application, customer: str, business: str, document: str
) -> list[Json]:
    """What Twilio does with a TwiML answer: send each message, then report its statuses."""
    state = app[STATE_KEY]
    sent: list[Json] = []
    for body, action in messages_in_twiml(document):
        if validate_create(customer, business, body, []) is not None:
            log.warning("TwiML message to %s refused: %r", customer, body[:60])
            continue
        resource = message_resource(state.account_sid, customer, business, body, 0)
        resource["direction"] = "outbound-reply"
        record: Json = {**resource, "status_callback": action, "media_urls": [], "callbacks": []}
        state.messages[resource["sid"]] = record
        log.info("TwiML reply to=%s sent as %s", customer, resource["sid"])
        _report_statuses(app, record)
        sent.append(resource_of(record))
    return sent


@dataclass(frozen=True)
class ConnectionOverrides:
    """Twilio's webhook connection overrides, read from the URL's fragment (#rc=2&rp=5xx,ct)."""

    connect_timeout: float = 5.0
    read_timeout: float = 15.0
    total_timeout: float = 15.0
    retries: int = 1
    retry_on: frozenset[str] = frozenset({"ct"})

    @classmethod
    def of(cls, url: str) -> ConnectionOverrides:
        fragment = url.partition("#")[2]
        values = {key: found[-1] for key, found in parse_qs(fragment).items()}
        default = cls()
        policy = frozenset(
            part.strip() for part in values.get("rp", "ct").split(",") if part.strip()
        )
        return cls(
            connect_timeout=int(values["ct"]) / 1000 if "ct" in values else default.connect_timeout,
            read_timeout=int(values["rt"]) / 1000 if "rt" in values else default.read_timeout,
            total_timeout=int(values["tt"]) / 1000 if "tt" in values else default.total_timeout,
            retries=min(int(values.get("rc", default.retries)), 5),
            retry_on=frozenset({"4xx", "5xx", "ct", "rt"}) if "all" in policy else policy,
        )


async def deliver_inbound(
    app: web.Application, url: str, form: dict[str, str], act_on_answer: bool = True
) -> Json:
    """Post an inbound message to a webhook as Twilio does, then act on its TwiML answer.

    With `act_on_answer` false the answer is dropped, as when it never reached Twilio:
    Twilio acts on at most one answer per message, and delivers again only when it got
    none it could use.
    """
    state = app[STATE_KEY]
    overrides = ConnectionOverrides.of(url)
    target = url.partition("#")[0]
    signature = RequestValidator(state.auth_token).compute_signature(target, form)
    attempts: list[Json] = []
    started = asyncio.get_running_loop().time()
    outcome: Json = {"attempts": attempts, "status": None, "body": "", "messages": []}
    loop = asyncio.get_running_loop()
    for _ in range(1 + overrides.retries):
        left = overrides.total_timeout - (loop.time() - started)
        if left <= 0:
            break
        failure: str | None = None
        attempt_started = loop.time()
        try:
            async with app[SESSION_KEY].post(
                target,
                data=form,
                headers={
                    "X-Twilio-Signature": signature,
                    "Content-Type": "application/x-www-form-urlencoded",
                    "I-Twilio-Idempotency-Token": str(uuid.uuid4()),
                    "User-Agent": "TwilioProxy/1.1",
                },
                timeout=ClientTimeout(
                    total=left,
                    sock_connect=overrides.connect_timeout,
                    sock_read=overrides.read_timeout,
                ),
                allow_redirects=False,
            ) as response:
                body = await response.text()
                attempts.append(
                    {"status": response.status, "seconds": loop.time() - attempt_started}
                )
                if state.chaos.roll(lose_answer=state.chaos.lose_answer):
                    # The webhook answered, but the answer never reached Twilio.
                    attempts[-1].update(
                        kind="rt", error="the answer was lost on the way", injected="lose_answer"
                    )
                    if "rt" in overrides.retry_on:
                        continue
                    break
                outcome.update(status=response.status, body=body)
                if response.status < 400:
                    if act_on_answer:
                        outcome["messages"] = send_twiml_messages(
                            app, form["From"], form["To"], body
                        )
                    return outcome
                failure = "5xx" if response.status >= 500 else "4xx"
        except (ClientConnectorError, ConnectionTimeoutError) as error:
            # No connection: nothing reached the webhook.
            failure = "ct"
            attempts.append(
                {
                    "error": f"{type(error).__name__}: {error}",
                    "kind": failure,
                    "seconds": loop.time() - attempt_started,
                }
            )
        except (ClientConnectionError, TimeoutError) as error:
            # Connected, but no answer came (a read timeout or a dropped connection).
            failure = "rt"
            attempts.append(
                {
                    "error": f"{type(error).__name__}: {error}",
                    "kind": failure,
                    "seconds": loop.time() - attempt_started,
                }
            )
        if failure not in overrides.retry_on:
            break
    return outcome


async def hand_over_twiml(request: web.Request) -> web.Response:
    body = await _json_body(request)
    try:
        sent = send_twiml_messages(
            request.app, str(body["to"]), str(body["from"]), str(body["twiml"])
        )
    except (KeyError, ElementTree.ParseError) as exc:
        raise web.HTTPBadRequest(text=f"expected to, from and a TwiML document: {exc}") from exc
    return web.json_response({"messages": sent})


async def inbound(request: web.Request) -> web.Response:
    body = await _json_body(request)
    url, form, act = body.get("url"), body.get("form"), body.get("act", True)
    if not isinstance(url, str) or not isinstance(form, dict) or not isinstance(act, bool):
        raise web.HTTPBadRequest(text="expected {url, form, act?}")
    return web.json_response(
        await deliver_inbound(request.app, url, {str(k): str(v) for k, v in form.items()}, act)
    )


# --- control API (ours, not Twilio's) -------------------------------------------------


async def _json_body(request: web.Request) -> Json:
    try:
        body = await request.json()
    except ValueError as exc:
        raise web.HTTPBadRequest(text=f"expected a JSON object: {exc}") from exc
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text="expected a JSON object")
    return cast(Json, body)


def _mode_json(state: StandInState) -> Json:
    return {"mode": state.mode, "count": state.remaining}


async def get_mode(request: web.Request) -> web.Response:
    return web.json_response(_mode_json(request.app[STATE_KEY]))


async def set_mode(request: web.Request) -> web.Response:
    """`{"mode": "ok"|"429"|"500"|"hang", "count": N|null}`: fault the next N creations."""
    state = request.app[STATE_KEY]
    body = await _json_body(request)
    mode = str(body.get("mode", ""))
    count = body.get("count")
    if mode not in FAULT_MODES:
        raise web.HTTPBadRequest(text=f"mode must be one of {', '.join(FAULT_MODES)}")
    if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 1):
        raise web.HTTPBadRequest(text="count must be a positive integer or null")
    state.mode = mode
    state.remaining = None if mode == "ok" else count
    log.info("mode %s count=%s", state.mode, state.remaining)
    return web.json_response(_mode_json(state))


async def get_callbacks(request: web.Request) -> web.Response:
    return web.json_response(request.app[STATE_KEY].callbacks.as_json())


async def set_callbacks(request: web.Request) -> web.Response:
    """`{"enabled": bool, "delay": seconds, "statuses": [...], "error_code": int}`, all optional."""
    state = request.app[STATE_KEY]
    body = await _json_body(request)
    settings = copy.copy(state.callbacks)
    if "enabled" in body:
        if not isinstance(body["enabled"], bool):
            raise web.HTTPBadRequest(text="enabled must be a boolean")
        settings.enabled = body["enabled"]
    if body.get("delay") is not None:
        delay = body["delay"]
        if isinstance(delay, bool) or not isinstance(delay, int | float) or delay < 0:
            raise web.HTTPBadRequest(text="delay must be a number of seconds >= 0")
        settings.delay = float(delay)
    if body.get("statuses") is not None:
        statuses = body["statuses"]
        if not isinstance(statuses, list) or not all(s in CALLBACK_STATUSES for s in statuses):
            raise web.HTTPBadRequest(
                text=f"statuses must be a list drawn from {', '.join(CALLBACK_STATUSES)}"
            )
        settings.statuses = tuple(statuses)
    if body.get("error_code") is not None:
        if isinstance(body["error_code"], bool) or not isinstance(body["error_code"], int):
            raise web.HTTPBadRequest(text="error_code must be an integer")
        settings.error_code = body["error_code"]
    state.callbacks = settings
    log.info("callbacks %s", settings.as_json())
    return web.json_response(settings.as_json())


async def list_messages(request: web.Request) -> web.Response:
    return web.json_response(list(request.app[STATE_KEY].messages.values()))


async def list_attempts(request: web.Request) -> web.Response:
    return web.json_response(request.app[STATE_KEY].attempts)


async def get_chaos(request: web.Request) -> web.Response:
    return web.json_response(request.app[STATE_KEY].chaos.as_json())


async def set_chaos(request: web.Request) -> web.Response:
    body = await _json_body(request)
    names = ("rest_429", "rest_500", "accept_then_500", "hang", "lose_callbacks")
    unknown = set(body) - {*names, "disorder_callbacks", "lose_answer", "seed"}
    if unknown:
        raise web.HTTPBadRequest(text=f"unknown faults: {', '.join(sorted(unknown))}")
    try:
        chances = {
            name: float(body.get(name, 0.0))
            for name in (*names, "disorder_callbacks", "lose_answer")
        }
        seed = int(body.get("seed", 0))
    except (TypeError, ValueError) as exc:
        raise web.HTTPBadRequest(text=f"chances are numbers between 0 and 1: {exc}") from exc
    rest = sum(chances[n] for n in names[:4])
    callbacks = chances["lose_callbacks"] + chances["disorder_callbacks"]
    if (
        any(c < 0 for c in chances.values())
        or rest > 1
        or callbacks > 1
        or chances["lose_answer"] > 1
    ):
        raise web.HTTPBadRequest(text="chances must be >= 0 and add up to at most 1 per kind")
    request.app[STATE_KEY].chaos = Chaos(
        rest_429=chances["rest_429"],
        rest_500=chances["rest_500"],
        accept_then_500=chances["accept_then_500"],
        hang=chances["hang"],
        lose_callbacks=chances["lose_callbacks"],
        disorder_callbacks=chances["disorder_callbacks"],
        lose_answer=chances["lose_answer"],
        seed=seed,
    )
    return web.json_response(request.app[STATE_KEY].chaos.as_json())


async def reset(request: web.Request) -> web.Response:
    """Forget messages and attempts; back to mode "ok" and the startup callback settings."""
    request.app[STATE_KEY].reset()
    return web.json_response({"status": "ok"})


async def health(_: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def create_app(
    account_sid: str = DEFAULT_ACCOUNT_SID,
    auth_token: str = DEFAULT_AUTH_TOKEN,
    *,
    callbacks: bool = True,
    callback_delay: float = DEFAULT_CALLBACK_DELAY,
    hang_seconds: float = DEFAULT_HANG_SECONDS,
) -> web.Application:
    app = web.Application()
    app[STATE_KEY] = StandInState(
        account_sid,
        auth_token,
        CallbackSettings(enabled=callbacks, delay=callback_delay),
        hang_seconds=hang_seconds,
    )

    async def open_session(app: web.Application) -> None:
        app[SESSION_KEY] = ClientSession()

    async def stop_work(app: web.Application) -> None:
        """Release hung requests and cancel pending callbacks so shutdown is prompt."""
        state = app[STATE_KEY]
        state.shutting_down.set()
        tasks = list(state.tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def close_session(app: web.Application) -> None:
        await app[SESSION_KEY].close()

    app.on_startup.append(open_session)
    app.on_shutdown.append(stop_work)
    app.on_cleanup.append(close_session)

    accounts = f"/{API_VERSION}/Accounts/{{account_sid}}"
    app.router.add_post(f"{accounts}/Messages.json", create_message)
    app.router.add_get(f"{accounts}/Messages.json", list_account_messages)
    app.router.add_get(f"{accounts}/Messages/{{sid}}.json", fetch_message)
    app.router.add_get("/health", health)
    app.router.add_get("/_control/mode", get_mode)
    app.router.add_post("/_control/mode", set_mode)
    app.router.add_get("/_control/callbacks", get_callbacks)
    app.router.add_post("/_control/callbacks", set_callbacks)
    app.router.add_get("/_control/messages", list_messages)
    app.router.add_get("/_control/attempts", list_attempts)
    app.router.add_post("/_control/reset", reset)
    app.router.add_post("/_control/twiml", hand_over_twiml)
    app.router.add_get("/_control/chaos", get_chaos)
    app.router.add_post("/_control/chaos", set_chaos)
    app.router.add_post("/_control/inbound", inbound)
    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Local stand-in for Twilio's Messaging API")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--account-sid", default=DEFAULT_ACCOUNT_SID)
    parser.add_argument("--auth-token", default=DEFAULT_AUTH_TOKEN)
    parser.add_argument(
        "--callback-delay",
        type=float,
        default=DEFAULT_CALLBACK_DELAY,
        help="seconds before each status callback (default %(default)s)",
    )
    parser.add_argument("--no-callbacks", action="store_true", help="do not send status callbacks")
    parser.add_argument(
        "--hang-seconds",
        type=float,
        default=DEFAULT_HANG_SECONDS,
        help="how long mode 'hang' holds a request (default %(default)s)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s twilio %(message)s")
    app = create_app(
        args.account_sid,
        args.auth_token,
        callbacks=not args.no_callbacks,
        callback_delay=args.callback_delay,
        hang_seconds=args.hang_seconds,
    )
    web.run_app(
        app, host="127.0.0.1", port=args.port, print=None, access_log=None, shutdown_timeout=5
    )


# --- runner -------------------------------------------------------------------------


class TwilioStandInError(RuntimeError):
    """The Twilio stand-in could not start, or its control API refused a request."""


@dataclass
class TwilioStandIn:
    """Runs the stand-in as a subprocess: `python -m devstack.twilio_api ...`.

    Point the webhook's TWILIO_API_URL at `url`, with `account_sid`/`auth_token`
    as TWILIO_ACCOUNT_SID/TWILIO_AUTH_TOKEN.
    """

    account_sid: str = DEFAULT_ACCOUNT_SID
    auth_token: str = DEFAULT_AUTH_TOKEN
    port: int = field(default_factory=free_port)
    callbacks: bool = True
    callback_delay: float = DEFAULT_CALLBACK_DELAY
    hang_seconds: float = DEFAULT_HANG_SECONDS
    log_path: Path = LOCAL_DIR / "twilio.log"
    service: ServiceProcess | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        """What the webhook needs to send through this stand-in."""
        return {
            "TWILIO_ACCOUNT_SID": self.account_sid,
            "TWILIO_AUTH_TOKEN": self.auth_token,
            "TWILIO_API_URL": self.url,
        }

    def start(self, timeout: float = 20.0) -> None:
        command = [
            sys.executable,
            "-m",
            "devstack.twilio_api",
            "--port",
            str(self.port),
            "--account-sid",
            self.account_sid,
            "--auth-token",
            self.auth_token,
            "--callback-delay",
            str(self.callback_delay),
            "--hang-seconds",
            str(self.hang_seconds),
        ]
        if not self.callbacks:
            command.append("--no-callbacks")
        self.service = ServiceProcess(
            name="the Twilio stand-in",
            command=command,
            port=self.port,
            health_path="/health",
            log_path=self.log_path,
        )
        try:
            self.service.start(timeout)
        except ServiceError as error:
            raise TwilioStandInError(str(error)) from error

    def stop(self) -> None:
        if self.service:
            self.service.stop()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def _control(
        self, method: str, path: str, body: Json | None = None, timeout: float = 10
    ) -> Any:
        response = httpx.request(method, f"{self.url}/_control/{path}", json=body, timeout=timeout)
        if not response.is_success:
            raise TwilioStandInError(
                f"{method} /_control/{path}: {response.status_code} {response.text}"
            )
        return response.json()

    def set_mode(self, mode: str, count: int | None = None) -> None:
        """Make the next `count` creations (all, if None) answer 429, 500 or hang; "ok" clears."""
        self._control("POST", "mode", {"mode": mode, "count": count})

    def set_callbacks(
        self,
        enabled: bool,
        delay: float | None = None,
        statuses: list[str] | None = None,
        error_code: int | None = None,
    ) -> None:
        """Status callbacks for messages accepted from now on; None keeps the current value."""
        self._control(
            "POST",
            "callbacks",
            {"enabled": enabled, "delay": delay, "statuses": statuses, "error_code": error_code},
        )

    def messages(self) -> list[Json]:
        """Accepted messages: the Twilio resource (current status) plus `status_callback`,
        `media_urls` and `callbacks` (each callback sent and how the receiver answered)."""
        return cast(list[Json], self._control("GET", "messages"))

    def attempts(self) -> list[Json]:
        """Every create attempt, in order, with its outcome `status` (None while hanging),
        Twilio error `code`, `sid` when accepted and the injected `fault`, if any."""
        return cast(list[Json], self._control("GET", "attempts"))

    def reset(self) -> None:
        """Forget messages and attempts; mode back to "ok", callbacks to the startup settings."""
        self._control("POST", "reset")

    def set_chaos(self, seed: int = 0, **chances: float) -> Json:
        """Random faults from now on (see `Chaos`); with no chances, none."""
        return cast(Json, self._control("POST", "chaos", {"seed": seed, **chances}))

    def chaos(self) -> Json:
        """The chances in force and how many of each fault were injected."""
        return cast(Json, self._control("GET", "chaos"))

    def hand_over_twiml(self, customer: str, business: str, twiml: str) -> list[Json]:
        """Act on a webhook's TwiML answer as Twilio would; the messages it sent."""
        sent = self._control(
            "POST",
            "twiml",
            {"to": f"whatsapp:{customer}", "from": f"whatsapp:{business}", "twiml": twiml},
        )
        return cast(list[Json], sent["messages"])

    def deliver_inbound(self, url: str, form: dict[str, str]) -> Json:
        """Post an inbound message to `url` as Twilio does (overrides in its #fragment
        included) and act on the answer: {attempts, status, body, messages}."""
        delivery = {"url": url, "form": form}
        return cast(Json, self._control("POST", "inbound", delivery, timeout=60))


if __name__ == "__main__":
    main()
