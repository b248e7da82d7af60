"""A local stand-in for Supabase Realtime: broadcast from the database on private channels.

It serves Realtime's Phoenix websocket at `/realtime/v1/websocket` inside the
gateway (`mount`), for the official clients unchanged: realtime-py speaks the
`vsn=1.0.0` serializer (JSON objects), realtime-js 2.x `vsn=2.0.0` (JSON
arrays `[join_ref, ref, topic, event, payload]`).

What it does, as Supabase Realtime does it:

- The socket needs a valid API key (`apikey`, anon or service_role), else
  the upgrade is refused with 401, as Supabase's gateway refuses it.
- Each `phx_join` on `realtime:<name>` is authorised on its own, with the
  join's `access_token` (or the API key when there is none). A bad, expired
  or incomplete token, or a refused private channel, gets a `phx_reply`
  with `status: "error"` and a reason; the socket stays open.
- A private channel is authorised by RLS on `realtime.messages`, exactly as
  Supabase's `Realtime.Tenants.Authorization` does it: in one transaction the
  relay inserts a probe row on the topic for each extension (`broadcast`,
  `presence`), then sets `role`, `realtime.topic`, `request.jwt.claims` and
  `request.headers` locally and selects the probe rows back as that user,
  then rolls back. The user may join when a SELECT policy lets them read
  either probe, and receives broadcasts only when they can read the
  broadcast one. So the policy in `supabase/policies/realtime.messages.sql`
  decides, and nothing here knows what `inbox:<uid>` means.
- Delivery: `realtime.send()` (which `realtime.broadcast_changes()` calls)
  stores the message and, in the local platform stand-in, NOTIFYs
  `realtime_broadcast` with its id. The relay LISTENs, reads the row and
  pushes `broadcast` with `{type: "broadcast", event, payload}` to the
  channels joined on that topic with the same privacy: a private message
  reaches private channels allowed to read it, never a public join of the
  same name.
- `access_token` re-checks the channel with the new token; when it no
  longer may read, or the token expires without a new one, the channel gets
  a `system` error and a `phx_close`, and receives nothing more.

Every server frame carries `ref` (null for `broadcast` and `system`), since
realtime-py drops frames without one. Each socket has a bounded send queue:
a client that does not keep up is disconnected (it reconnects and rejoins),
so one slow client never holds up the others.

Not covered (the product needs none of it): presence, client-sent
broadcasts, `postgres_changes`, binary frames, and broadcasts committed
while the relay is not connected to the database (as after a restart).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from typing import Any

import jwt
import psycopg
from aiohttp import WSCloseCode, WSMsgType, web
from psycopg import pq

from devstack import keys
from devstack.gateway_config import GatewayConfig

WEBSOCKET_PATH = "/realtime/v1/websocket"
NOTIFY_CHANNEL = "realtime_broadcast"
TOPIC_PREFIX = "realtime:"
VSN_1 = "1.0.0"
VSN_2 = "2.0.0"
API_KEY_ROLES = frozenset({"anon", "service_role"})
# The roles a token may act as in the authorisation check.
DATABASE_ROLES = frozenset({"anon", "authenticated", "service_role"})
SEND_QUEUE_SIZE = 1024
MAX_CHANNELS_PER_SOCKET = 100
# Supabase re-checks a token when it expires, and at least hourly.
MAX_CONFIRM_INTERVAL = 3600.0
DROP_TIMEOUT = 1.0

log = logging.getLogger("realtime")

Connection = psycopg.AsyncConnection[tuple[Any, ...]]


# --------------------------------------------------------------------------
# Frames: Phoenix's two JSON serializers
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Frame:
    topic: str
    event: str
    payload: dict[str, Any]
    ref: str | None = None
    join_ref: str | None = None


def _ref(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, str | int) and not isinstance(value, bool):
        return str(value)
    raise ValueError(f"a ref must be a string, not {value!r}")


def decode_frame(text: str, vsn: str) -> Frame:
    """A client frame; raises ValueError when it is not one."""
    data = json.loads(text)
    if vsn == VSN_2:
        if not isinstance(data, list) or len(data) != 5:
            raise ValueError("a vsn=2.0.0 frame is [join_ref, ref, topic, event, payload]")
        join_ref, ref, topic, event, payload = data
    else:
        if not isinstance(data, dict):
            raise ValueError("a vsn=1.0.0 frame is a JSON object")
        join_ref, ref = data.get("join_ref"), data.get("ref")
        topic, event, payload = data.get("topic"), data.get("event"), data.get("payload")
    if not isinstance(topic, str) or not isinstance(event, str):
        raise ValueError("a frame needs a topic and an event")
    if payload is None:
        payload = {}
    if not isinstance(payload, dict):
        raise ValueError("a frame's payload must be an object")
    return Frame(topic, event, payload, _ref(ref), _ref(join_ref))


def encode_frame(frame: Frame, vsn: str) -> str:
    if vsn == VSN_2:
        return json.dumps([frame.join_ref, frame.ref, frame.topic, frame.event, frame.payload])
    # "ref" is always present: realtime-py drops a frame without it.
    return json.dumps(
        {
            "event": frame.event,
            "payload": frame.payload,
            "topic": frame.topic,
            "ref": frame.ref,
            "join_ref": frame.join_ref,
        }
    )


# --------------------------------------------------------------------------
# Tokens, checked as Supabase Realtime checks them
# --------------------------------------------------------------------------


class Refused(Exception):
    """A join or token refused; `code: message` is the reason clients see."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message

    @property
    def reason(self) -> str:
        return f"{self.code}: {self.message}"


@dataclass(frozen=True)
class Token:
    value: str
    claims: dict[str, Any]
    expires_at: float

    @property
    def role(self) -> str:
        return str(self.claims["role"])


def verify_token(value: str, secret: str) -> Token:
    """A signed, unexpired JWT with `role` and `exp`; raises Refused otherwise."""
    try:
        claims = keys.decode(value, secret)
    except jwt.ExpiredSignatureError:
        expired = jwt.decode(value, options={"verify_signature": False}).get("exp", 0)
        ago = int(time.time()) - int(expired)
        raise Refused("InvalidJWTToken", f"Token has expired {ago} seconds ago") from None
    except jwt.InvalidSignatureError:
        raise Refused("JwtSignatureError", "Failed to validate JWT signature") from None
    except jwt.DecodeError:
        raise Refused("MalformedJWT", "The token provided is not a valid JWT") from None
    except jwt.InvalidTokenError as error:
        raise Refused("InvalidJWTToken", str(error)) from None
    expires_at = claims.get("exp")
    if "role" not in claims or not isinstance(expires_at, int):
        raise Refused("InvalidJWTToken", "Fields `role` and `exp` are required in JWT")
    return Token(value, claims, float(expires_at))


# --------------------------------------------------------------------------
# Database access: a few connections for the authorisation checks
# --------------------------------------------------------------------------


class ConnectionPool:
    """A handful of autocommit connections, opened on demand, dropped when broken."""

    def __init__(self, url: str, size: int = 4) -> None:
        self._url = url
        self._idle: list[Connection] = []
        self._slots = asyncio.Semaphore(size)

    @contextlib.asynccontextmanager
    async def connection(self) -> AsyncIterator[Connection]:
        async with self._slots:
            if self._idle:
                conn = self._idle.pop()
            else:
                conn = await psycopg.AsyncConnection.connect(
                    self._url, autocommit=True, connect_timeout=5
                )
            try:
                yield conn
            finally:
                if conn.closed or conn.info.transaction_status != pq.TransactionStatus.IDLE:
                    await conn.close()
                else:
                    self._idle.append(conn)

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for conn in idle:
            await conn.close()


@dataclass(frozen=True)
class ReadPolicies:
    broadcast: bool
    presence: bool

    @property
    def may_join(self) -> bool:
        return self.broadcast or self.presence


PROBE_SQL = """
    insert into realtime.messages (topic, extension, private)
    values (%(topic)s, 'broadcast', true), (%(topic)s, 'presence', true)
    returning id, extension
"""
SET_CONTEXT_SQL = """
    select set_config('role', %(role)s, true),
           set_config('realtime.topic', %(topic)s, true),
           set_config('request.jwt.claims', %(claims)s, true),
           set_config('request.headers', %(headers)s, true)
"""
READ_PROBES_SQL = """
    select id, extension from realtime.messages
    where topic = %(topic)s
      and ((extension = 'broadcast' and id = %(broadcast)s)
           or (extension = 'presence' and id = %(presence)s))
"""
FETCH_SQL = """
    select id, topic, event, payload, private from realtime.messages
    where id = any(%s) and extension = 'broadcast'
"""


async def read_policies(
    conn: Connection, topic: str, token: Token, headers: dict[str, str]
) -> ReadPolicies:
    """What the token's user may read on `topic`, decided by RLS on realtime.messages."""
    if token.role not in DATABASE_ROLES:
        return ReadPolicies(broadcast=False, presence=False)
    try:
        async with conn.transaction(force_rollback=True), conn.cursor() as cur:
            await cur.execute(PROBE_SQL, {"topic": topic})
            probes = {extension: probe_id for probe_id, extension in await cur.fetchall()}
            await cur.execute(
                SET_CONTEXT_SQL,
                {
                    "role": token.role,
                    "topic": topic,
                    "claims": json.dumps(token.claims),
                    "headers": json.dumps(headers),
                },
            )
            await cur.execute(
                READ_PROBES_SQL,
                {"topic": topic, "broadcast": probes["broadcast"], "presence": probes["presence"]},
            )
            readable = {extension for _, extension in await cur.fetchall()}
    except psycopg.OperationalError:
        raise
    except psycopg.errors.InsufficientPrivilege:
        # The role may not read realtime.messages at all (locally: anon).
        return ReadPolicies(broadcast=False, presence=False)
    except psycopg.Error as error:
        # A policy that fails to evaluate refuses, as Supabase's RlsPolicyError does.
        log.warning("RLS policy error on realtime.messages for %s: %s", topic, error)
        return ReadPolicies(broadcast=False, presence=False)
    return ReadPolicies(broadcast="broadcast" in readable, presence="presence" in readable)


# --------------------------------------------------------------------------
# Sockets and channels
# --------------------------------------------------------------------------


@dataclass(eq=False)
class Channel:
    """One join of one socket."""

    socket: Socket
    topic: str  # on the wire: realtime:<name>
    name: str
    join_ref: str | None
    private: bool
    token: Token
    can_read_broadcast: bool
    confirm_timer: asyncio.TimerHandle | None = None


@dataclass(eq=False)
class Socket:
    """One websocket: its serializer, its channels and its bounded send queue."""

    ws: web.WebSocketResponse
    request: web.Request
    vsn: str
    api_key: str
    queue_size: int = SEND_QUEUE_SIZE
    channels: dict[str, Channel] = field(default_factory=dict)
    dropped: bool = False
    _outbox: asyncio.Queue[str] = field(init=False)
    _writer: asyncio.Task[None] | None = field(init=False, default=None)
    _dropping: asyncio.Task[None] | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self._outbox = asyncio.Queue(self.queue_size)

    def start(self) -> None:
        self._writer = asyncio.create_task(self._write_loop())

    async def stop(self) -> None:
        for task in (self._writer, self._dropping):
            if task is not None and task is not asyncio.current_task():
                task.cancel()
                try:
                    await task
                except asyncio.CancelledError:
                    pass
                except Exception:
                    log.exception("a websocket task failed")

    def send(self, frame: Frame) -> None:
        """Queue a frame; a client whose queue is full is disconnected instead."""
        if self.dropped:
            return
        try:
            self._outbox.put_nowait(encode_frame(frame, self.vsn))
        except asyncio.QueueFull:
            self.dropped = True
            log.warning(
                "disconnecting a client that does not keep up (%d frames queued)", self.queue_size
            )
            self._dropping = asyncio.create_task(self._drop())

    def reply(self, frame: Frame, status: str, response: dict[str, Any]) -> None:
        self.send(
            Frame(
                frame.topic,
                "phx_reply",
                {"status": status, "response": response},
                ref=frame.ref,
                join_ref=frame.join_ref,
            )
        )

    async def _write_loop(self) -> None:
        try:
            while True:
                text = await self._outbox.get()
                await self.ws.send_str(text)
        except (ConnectionError, RuntimeError) as error:
            # The client went away; the receive loop notices and cleans up.
            log.debug("websocket send failed: %s", error)

    async def _drop(self) -> None:
        if self._writer is not None:
            self._writer.cancel()
        try:
            await asyncio.wait_for(
                self.ws.close(code=WSCloseCode.TRY_AGAIN_LATER, message=b"too slow"),
                DROP_TIMEOUT,
            )
        except (TimeoutError, ConnectionError, RuntimeError):
            pass
        finally:
            # A client that does not read cannot take a close frame either.
            # (aiohttp's own close after a timeout waits for the buffer to drain).
            transport = self.request.transport
            if transport is not None:
                transport.abort()


RELAY_KEY: web.AppKey[Relay] = web.AppKey("realtime_relay")


class Relay:
    """The Realtime stand-in: websocket endpoint, authorisation and delivery."""

    def __init__(
        self,
        config: GatewayConfig,
        *,
        send_queue_size: int = SEND_QUEUE_SIZE,
        pool_size: int = 4,
    ) -> None:
        self._secret = config.jwt_secret
        self._database_url = config.database_url
        self._send_queue_size = send_queue_size
        self._pool = ConnectionPool(config.database_url, pool_size) if config.database_url else None
        self._sockets: set[Socket] = set()
        # Channels by name (the topic without "realtime:").
        self._subscribers: dict[str, set[Channel]] = {}
        self._pending: list[uuid.UUID] = []
        self._wake = asyncio.Event()
        self.listening = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    # -- wiring -------------------------------------------------------------

    def mount(self, app: web.Application) -> None:
        app[RELAY_KEY] = self
        app.router.add_get(WEBSOCKET_PATH, self.websocket)
        app.on_startup.append(self._on_startup)
        app.on_shutdown.append(self._on_shutdown)
        app.on_cleanup.append(self._on_cleanup)

    async def _on_startup(self, _: web.Application) -> None:
        if self._database_url is None:
            log.warning("no database URL: private channels cannot be authorised or fed")
            return
        self._tasks = [
            asyncio.create_task(self._listen(self._database_url)),
            asyncio.create_task(self._dispatch()),
        ]
        try:
            await asyncio.wait_for(self.listening.wait(), 10)
        except TimeoutError:
            log.warning("not yet listening for broadcasts; retrying in the background")

    async def _on_shutdown(self, _: web.Application) -> None:
        for socket in list(self._sockets):
            with contextlib.suppress(Exception):
                await socket.ws.close(code=WSCloseCode.GOING_AWAY, message=b"server shutdown")

    async def _on_cleanup(self, _: web.Application) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        if self._pool is not None:
            await self._pool.close()

    # -- what tests and operators may look at --------------------------------

    def subscriber_count(self, name: str) -> int:
        """How many channels are joined on `name` (the topic without "realtime:")."""
        return len(self._subscribers.get(name, ()))

    @property
    def socket_count(self) -> int:
        return len(self._sockets)

    # -- the websocket ------------------------------------------------------

    async def websocket(self, request: web.Request) -> web.StreamResponse:
        api_key = request.query.get("apikey") or request.headers.get("apikey")
        if not api_key:
            return web.json_response({"message": "No API key found in request"}, status=401)
        try:
            api_claims = keys.decode(api_key, self._secret)
        except jwt.InvalidTokenError:
            return web.json_response({"message": "Invalid authentication credentials"}, status=401)
        if api_claims.get("role") not in API_KEY_ROLES:
            return web.json_response({"message": "Invalid authentication credentials"}, status=401)
        vsn = request.query.get("vsn", VSN_1)
        if vsn not in (VSN_1, VSN_2):
            return web.json_response({"message": f"unsupported vsn {vsn}"}, status=400)

        ws = web.WebSocketResponse()
        if not ws.can_prepare(request).ok:
            return web.json_response({"message": "expected a websocket upgrade"}, status=426)
        await ws.prepare(request)
        socket = Socket(ws, request, vsn, api_key, self._send_queue_size)
        socket.start()
        self._sockets.add(socket)
        try:
            async for message in ws:
                if socket.dropped:
                    break
                if message.type == WSMsgType.TEXT:
                    await self._receive(socket, message.data)
                elif message.type == WSMsgType.BINARY:
                    log.debug("ignoring a binary frame: the relay only delivers broadcasts")
                elif message.type == WSMsgType.ERROR:
                    break
        finally:
            self._forget(socket)
            await socket.stop()
        return ws

    async def _receive(self, socket: Socket, text: str) -> None:
        try:
            frame = decode_frame(text, socket.vsn)
        except ValueError as error:
            log.debug("ignoring a malformed frame: %s", error)
            return
        if frame.topic == "phoenix":
            if frame.event == "heartbeat":
                socket.reply(frame, "ok", {})
            return
        if frame.event == "phx_join":
            await self._join(socket, frame)
            return
        channel = socket.channels.get(frame.topic)
        if channel is None:
            socket.reply(frame, "error", {"reason": "unmatched topic"})
        elif frame.event == "phx_leave":
            self._remove(channel)
            socket.reply(frame, "ok", {})
        elif frame.event == "access_token":
            await self._refresh(channel, frame.payload.get("access_token"))
        else:
            socket.reply(
                frame,
                "error",
                {"reason": f"the local Realtime relay ignores {frame.event!r} from clients"},
            )

    # -- joining --------------------------------------------------------------

    async def _join(self, socket: Socket, frame: Frame) -> None:
        if not frame.topic.startswith(TOPIC_PREFIX):
            socket.reply(frame, "error", {"reason": "unmatched topic"})
            return
        name = frame.topic.removeprefix(TOPIC_PREFIX)
        previous = socket.channels.get(frame.topic)
        if previous is not None:
            # Phoenix: a second join of a topic replaces the first.
            self._remove(previous)
        try:
            channel = await self._authorise_join(socket, frame, name)
        except Refused as refusal:
            log.info("join of %s refused: %s", frame.topic, refusal.reason)
            socket.reply(frame, "error", {"reason": refusal.reason})
            return
        socket.channels[frame.topic] = channel
        self._subscribers.setdefault(name, set()).add(channel)
        self._schedule_confirm(channel)
        socket.reply(frame, "ok", {"postgres_changes": []})

    async def _authorise_join(self, socket: Socket, frame: Frame, name: str) -> Channel:
        if not name:
            raise Refused("TopicNameRequired", "You must provide a topic name")
        if len(socket.channels) >= MAX_CHANNELS_PER_SOCKET:
            raise Refused("ChannelRateLimitReached", "Too many channels")
        config = frame.payload.get("config")
        config = config if isinstance(config, dict) else {}
        if config.get("postgres_changes"):
            raise Refused(
                "PostgresChangesNotSupported",
                "the local Realtime relay serves broadcast only; use broadcast from the database",
            )
        private = config.get("private") is True
        access_token = frame.payload.get("access_token") or frame.payload.get("user_token")
        # Without a user token Supabase authorises with the API key (role anon).
        raw_token = access_token if isinstance(access_token, str) else socket.api_key
        token = verify_token(raw_token, self._secret)
        can_read = True
        if private:
            policies = await self._read_policies(socket, name, token)
            if not policies.may_join:
                raise Refused(
                    "Unauthorized",
                    f"You do not have permissions to read from this Channel topic: {name}",
                )
            can_read = policies.broadcast
        return Channel(socket, frame.topic, name, frame.join_ref, private, token, can_read)

    async def _read_policies(self, socket: Socket, name: str, token: Token) -> ReadPolicies:
        if self._pool is None:
            raise Refused(
                "UnableToConnectToProject", "Realtime was unable to connect to the project database"
            )
        headers = {
            key.lower(): value
            for key, value in socket.request.headers.items()
            if key.lower() not in {"authorization", "apikey", "cookie"}
        }
        for attempt in (1, 2):
            try:
                async with self._pool.connection() as conn:
                    return await read_policies(conn, name, token, headers)
            except psycopg.OperationalError as error:
                # An idle connection may have died with a database restart: retry once.
                log.warning("authorisation check failed (attempt %d): %s", attempt, error)
        raise Refused(
            "UnableToConnectToProject", "Realtime was unable to connect to the project database"
        )

    # -- token changes and expiry -----------------------------------------------

    async def _refresh(self, channel: Channel, value: object) -> None:
        if not isinstance(value, str) or not value or value.startswith("sb_"):
            return
        if value == channel.token.value:
            return
        try:
            token = verify_token(value, self._secret)
        except Refused as refusal:
            self._shutdown(channel, refusal.message)
            return
        # Any confirm timer now checks the new token, not the one it replaces.
        channel.token = token
        if channel.private:
            try:
                policies = await self._read_policies(channel.socket, channel.name, token)
            except Refused as refusal:
                self._shutdown(channel, refusal.message)
                return
            if not self._is_current(channel):
                return
            if (channel.can_read_broadcast and not policies.broadcast) or not policies.may_join:
                revoked = "You no longer have permission to read from this Channel topic"
                self._shutdown(channel, f"{revoked}: {channel.name}")
                return
            channel.can_read_broadcast = policies.broadcast
        self._schedule_confirm(channel)

    def _schedule_confirm(self, channel: Channel) -> None:
        if channel.confirm_timer is not None:
            channel.confirm_timer.cancel()
        delay = min(max(channel.token.expires_at - time.time(), 0.0), MAX_CONFIRM_INTERVAL)
        # pyjwt treats a token as expired from its `exp` second on.
        channel.confirm_timer = asyncio.get_running_loop().call_later(
            delay + 0.05, self._confirm, channel
        )

    def _confirm(self, channel: Channel) -> None:
        channel.confirm_timer = None
        if not self._is_current(channel):
            return
        try:
            channel.token = verify_token(channel.token.value, self._secret)
        except Refused as refusal:
            self._shutdown(channel, refusal.message)
            return
        self._schedule_confirm(channel)

    def _shutdown(self, channel: Channel, message: str) -> None:
        """Supabase's shutdown_response: a system error, then the channel closes."""
        if not self._is_current(channel):
            return
        log.info("closing %s: %s", channel.topic, message)
        socket = channel.socket
        socket.send(
            Frame(
                channel.topic,
                "system",
                {
                    "extension": "system",
                    "status": "error",
                    "message": message,
                    "channel": channel.name,
                },
                ref=None,
                join_ref=channel.join_ref,
            )
        )
        self._remove(channel)
        socket.send(
            Frame(channel.topic, "phx_close", {}, ref=channel.join_ref, join_ref=channel.join_ref)
        )

    # -- bookkeeping ------------------------------------------------------------

    @staticmethod
    def _is_current(channel: Channel) -> bool:
        return channel.socket.channels.get(channel.topic) is channel

    def _remove(self, channel: Channel) -> None:
        if channel.confirm_timer is not None:
            channel.confirm_timer.cancel()
            channel.confirm_timer = None
        if self._is_current(channel):
            del channel.socket.channels[channel.topic]
        subscribers = self._subscribers.get(channel.name)
        if subscribers is not None:
            subscribers.discard(channel)
            if not subscribers:
                del self._subscribers[channel.name]

    def _forget(self, socket: Socket) -> None:
        for channel in list(socket.channels.values()):
            self._remove(channel)
        self._sockets.discard(socket)

    # -- delivery -----------------------------------------------------------------

    async def _listen(self, url: str) -> None:
        delay = 0.2
        while True:
            try:
                conn = await psycopg.AsyncConnection.connect(url, autocommit=True)
                async with conn:
                    await conn.execute(f"listen {NOTIFY_CHANNEL}")
                    self.listening.set()
                    delay = 0.2
                    log.info("listening for broadcasts")
                    async for notification in conn.notifies():
                        self._on_notify(notification.payload)
            except (psycopg.Error, OSError) as error:
                log.warning("lost the database (%s); reconnecting in %.1fs", error, delay)
            self.listening.clear()
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)

    def _on_notify(self, payload: str) -> None:
        try:
            message_id = uuid.UUID(json.loads(payload)["id"])
        except (ValueError, KeyError, TypeError):
            log.warning("ignoring a malformed %s notification: %r", NOTIFY_CHANNEL, payload)
            return
        if not self._subscribers:
            return  # nobody to tell: skip reading the row
        self._pending.append(message_id)
        self._wake.set()

    async def _dispatch(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            batch, self._pending = self._pending, []
            if not batch:
                continue
            try:
                rows = await self._fetch(batch)
            except psycopg.Error as error:
                log.warning("could not read %d broadcast(s): %s", len(batch), error)
                continue
            for message_id in batch:
                row = rows.get(message_id)
                if row is not None:
                    self._deliver(*row)
                    # Let the sockets' writers run between messages, so a burst
                    # fills only the queues of clients that really lag.
                    await asyncio.sleep(0)

    async def _fetch(
        self, ids: Iterable[uuid.UUID]
    ) -> dict[uuid.UUID, tuple[str, str | None, Any, bool]]:
        assert self._pool is not None
        async with self._pool.connection() as conn:
            cursor = await conn.execute(FETCH_SQL, (list(ids),))
            return {
                row[0]: (row[1], row[2], row[3], bool(row[4])) for row in await cursor.fetchall()
            }

    def _deliver(self, topic: str, event: str | None, payload: Any, private: bool) -> None:
        for channel in tuple(self._subscribers.get(topic, ())):
            if channel.private != private:
                continue
            if private and not channel.can_read_broadcast:
                continue
            channel.socket.send(
                Frame(
                    channel.topic,
                    "broadcast",
                    {
                        "type": "broadcast",
                        "event": event or "",
                        "payload": payload if isinstance(payload, dict) else {},
                    },
                )
            )


def mount(app: web.Application, config: GatewayConfig) -> None:
    """The gateway stand-in: Realtime at /realtime/v1/websocket."""
    Relay(config).mount(app)
