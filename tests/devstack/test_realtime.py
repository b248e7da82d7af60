"""The Realtime stand-in, driven by the official client (realtime-py) through the gateway.

Broadcasts come from the database (triggers calling realtime.broadcast_changes),
and joins to private channels are decided by the RLS policy on
realtime.messages. The gateway with the relay runs in this process, in a
thread with its own event loop, over the session's database; rows are
written through the session stack's PostgREST as the webhook writes them.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import json
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import aiohttp
import jwt
import pytest
from aiohttp import web
from realtime import AsyncRealtimeChannel, AsyncRealtimeClient, RealtimeSubscribeStates
from realtime.types import BroadcastPayload, RealtimeChannelOptions

import supabase
from devstack import keys, realtime
from devstack.gateway import GatewayConfig, StandIn, create_app
from devstack.stack import LocalStack
from tests.factories import (
    Connection,
    Tenant,
    create_client,
    create_tenant,
    random_phone,
    random_twilio_sid,
)

WAIT = 5.0


# --------------------------------------------------------------------------
# The gateway with the relay, served from a thread
# --------------------------------------------------------------------------


@dataclass
class Gateway:
    url: str
    relay: realtime.Relay
    jwt_secret: str

    @property
    def realtime_url(self) -> str:
        return f"{self.url}/realtime/v1"

    @property
    def anon_key(self) -> str:
        return keys.anon_key(self.jwt_secret)

    def user_token(self, tenant: Tenant, ttl: int = 3600) -> str:
        return keys.user_token(tenant.id, tenant.email, self.jwt_secret, ttl=ttl)


@contextlib.contextmanager
def serve_gateway(
    stack: LocalStack, stand_in: StandIn = realtime.mount, others: Sequence[StandIn] = ()
) -> Iterator[Gateway]:
    """The gateway app with a Realtime stand-in, on a free port, in its own thread and loop."""
    assert stack.postgrest is not None and stack.database_url is not None
    config = GatewayConfig(stack.jwt_secret, stack.postgrest.url, stack.database_url)
    app = create_app(config, [*others, stand_in])
    runner = web.AppRunner(app)
    loop = asyncio.new_event_loop()
    started: concurrent.futures.Future[int] = concurrent.futures.Future()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(runner.setup())
            site = web.TCPSite(runner, "127.0.0.1", 0)
            loop.run_until_complete(site.start())
            started.set_result(int(runner.addresses[0][1]))
        except BaseException as error:
            started.set_exception(error)
            return
        loop.run_forever()

    thread = threading.Thread(target=serve, name="gateway", daemon=True)
    thread.start()
    port = started.result(timeout=30)
    try:
        yield Gateway(f"http://127.0.0.1:{port}", app[realtime.RELAY_KEY], stack.jwt_secret)
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=30)
        loop.close()


@pytest.fixture(scope="module")
def gateway(stack: LocalStack) -> Iterator[Gateway]:
    with serve_gateway(stack) as served:
        yield served


# --------------------------------------------------------------------------
# Helpers: realtime-py channels that record what they get
# --------------------------------------------------------------------------


def channel_options(*, private: bool) -> RealtimeChannelOptions:
    return {
        "config": {
            "broadcast": {"ack": False, "self": False},
            "presence": {"key": "", "enabled": False},
            "private": private,
        }
    }


@dataclass
class Joined:
    """A realtime-py channel and what it received."""

    channel: AsyncRealtimeChannel
    states: list[tuple[RealtimeSubscribeStates, Exception | None]] = field(default_factory=list)
    broadcasts: list[BroadcastPayload] = field(default_factory=list)

    @property
    def state(self) -> RealtimeSubscribeStates | None:
        return self.states[-1][0] if self.states else None

    def errors(self) -> list[str]:
        return [str(error) for _, error in self.states if error is not None]

    def changes(self) -> list[dict[str, Any]]:
        """Every change received, in order: a batch's changes one by one."""
        found: list[dict[str, Any]] = []
        for b in self.broadcasts:
            batch = b["payload"].get("changes")
            found.extend(batch if isinstance(batch, list) else [b["payload"]])
        return found

    def messages(self, direction: str | None = None) -> list[dict[str, Any]]:
        """The records of the messages changes received."""
        records = [
            c["record"] for c in self.changes() if c.get("table") == "messages" and c.get("record")
        ]
        return [r for r in records if direction is None or r["direction"] == direction]


async def join(client: AsyncRealtimeClient, name: str, *, private: bool = True) -> Joined:
    channel = client.channel(name, channel_options(private=private))
    joined = Joined(channel)
    channel.on_broadcast("*", joined.broadcasts.append)
    await channel.subscribe(lambda state, error: joined.states.append((state, error)))
    return joined


async def connect(gateway: Gateway, token: str | None = None) -> AsyncRealtimeClient:
    client = AsyncRealtimeClient(gateway.realtime_url, gateway.anon_key, auto_reconnect=False)
    if token is not None:
        await client.set_auth(token)
    await client.connect()
    return client


async def eventually(check: Callable[[], bool], what: str, within: float = WAIT) -> None:
    deadline = time.monotonic() + within
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


def inbound_message(stack: LocalStack, tenant: Tenant, content: str) -> dict[str, Any]:
    """An inbound WhatsApp message stored as the webhook stores it (service role RPC)."""
    service = supabase.create_client(stack.api_url, stack.service_role_key)
    result = service.rpc(
        "handle_inbound_message",
        {
            "p_to": tenant.whatsapp_number,
            "p_from": random_phone(),
            "p_message_sid": random_twilio_sid(),
            "p_content": content,
            "p_profile_name": "María",
        },
    ).execute()
    data = cast(dict[str, Any], result.data)
    assert data["status"] == "stored", data
    return data


def insert_message(db: Connection, tenant: Tenant, content: str) -> None:
    client_id = create_client(db, tenant.id)
    db.execute(
        "insert into public.messages (owner_id, client_id, direction, content, status)"
        " values (%s, %s, 'in', %s, 'received')",
        (tenant.id, client_id, content),
    )


# --------------------------------------------------------------------------
# Receiving the inbox
# --------------------------------------------------------------------------


def test_owner_receives_their_inbox_broadcasts(
    gateway: Gateway, stack: LocalStack, db: Connection
) -> None:
    owner, other = create_tenant(db), create_tenant(db)

    async def scenario() -> None:
        client = await connect(gateway, gateway.user_token(owner))
        try:
            inbox = await join(client, f"inbox:{owner.id}")
            assert inbox.state == RealtimeSubscribeStates.SUBSCRIBED, inbox.states
            await asyncio.to_thread(inbound_message, stack, other, "Mensaje para otro negocio")
            await asyncio.to_thread(inbound_message, stack, owner, "Hola, ¿tienen conchas?")
            await eventually(lambda: bool(inbox.messages("out")), "the reply's broadcast")
        finally:
            await client.close()

        inbound = inbox.messages("in")
        assert [m["content"] for m in inbound] == ["Hola, ¿tienen conchas?"]
        assert inbound[0]["owner_id"] == str(owner.id)
        # One broadcast for the inbound message: its changes, in the order they happened.
        assert [b["event"] for b in inbox.broadcasts] == ["BATCH"]
        changes = inbox.changes()
        # The new client, its labels (new client, and more for a fallback), then the
        # message and its reply, stored together.
        steps = [(c["table"], c["operation"]) for c in changes]
        assert steps[0] == ("clients", "INSERT"), steps
        assert steps[-2:] == [("messages", "INSERT"), ("messages", "INSERT")], steps
        assert steps[1:-2] and set(steps[1:-2]) == {("client_labels", "INSERT")}, steps
        message = next(c for c in changes if c.get("record") is inbound[0])
        assert message["schema"] == "public"
        assert message["old_record"] is None
        assert [c["record"]["direction"] for c in changes if c["table"] == "messages"] == [
            "in",
            "out",
        ]
        # The client, its label and both messages: all of this owner's, none of the other's.
        owners = {
            (c.get("record") or c.get("old_record") or {}).get("owner_id")
            for c in changes
            if c["table"] != "client_labels"
        }
        assert owners == {str(owner.id)}

    asyncio.run(scenario())


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("owner", None),
        ("service_role", None),
        ("other_tenant", "Unauthorized: You do not have permissions to read from this Channel"),
        ("anon_key_only", "Unauthorized: You do not have permissions to read from this Channel"),
        ("expired", "InvalidJWTToken: Token has expired"),
        ("wrong_secret", "JwtSignatureError: Failed to validate JWT signature"),
        ("no_role", "InvalidJWTToken: Fields `role` and `exp` are required in JWT"),
        ("garbage", "MalformedJWT: The token provided is not a valid JWT"),
    ],
)
def test_who_may_join_a_private_inbox(
    gateway: Gateway, db: Connection, who: str, expected: str | None
) -> None:
    owner, other = create_tenant(db), create_tenant(db)
    tokens = {
        "owner": gateway.user_token(owner),
        "service_role": keys.service_role_key(gateway.jwt_secret),
        "other_tenant": gateway.user_token(other),
        # realtime-py sends the anon key as the access token when no user is signed in.
        "anon_key_only": None,
        "expired": gateway.user_token(owner, ttl=-10),
        "wrong_secret": keys.user_token(owner.id, secret="another-secret-that-is-32-chars-long!!"),
        "no_role": jwt.encode(
            {"sub": str(owner.id), "exp": int(time.time()) + 60}, gateway.jwt_secret, "HS256"
        ),
        "garbage": "not-a-jwt",
    }
    name = f"inbox:{owner.id}"

    async def scenario() -> None:
        client = await connect(gateway, tokens[who])
        try:
            inbox = await join(client, name)
            if expected is None:
                assert inbox.state == RealtimeSubscribeStates.SUBSCRIBED, inbox.states
                assert gateway.relay.subscriber_count(name) == 1
            else:
                assert inbox.state == RealtimeSubscribeStates.CHANNEL_ERROR, inbox.states
                assert expected in inbox.errors()[0]
                assert gateway.relay.subscriber_count(name) == 0
                # A refused join never closes the socket: other channels stay usable.
                assert client.is_connected
        finally:
            await client.close()

    asyncio.run(scenario())


def test_public_join_of_an_inbox_gets_none_of_its_broadcasts(
    gateway: Gateway, db: Connection
) -> None:
    owner = create_tenant(db)
    name = f"inbox:{owner.id}"

    async def scenario() -> None:
        client = await connect(gateway, gateway.user_token(owner))
        try:
            public = await join(client, name, private=False)
            assert public.state == RealtimeSubscribeStates.SUBSCRIBED, public.states
            control = await connect(gateway, gateway.user_token(owner))
            try:
                private = await join(control, name)
                await asyncio.to_thread(insert_message, db, owner, "Solo para el canal privado")
                await eventually(lambda: bool(private.messages()), "the private broadcast")
                # A public message on the same name does reach the public channel...
                db.execute(
                    "select realtime.send('{\"hola\": \"público\"}', 'ping', %s, false)", (name,)
                )
                await eventually(lambda: bool(public.broadcasts), "the public broadcast")
                await asyncio.sleep(0.1)
            finally:
                await control.close()
        finally:
            await client.close()
        # ...and nothing private ever did.
        assert [(b["event"], b["payload"]) for b in public.broadcasts] == [
            ("ping", {"hola": "público"})
        ]
        assert all(b["event"] != "ping" for b in private.broadcasts)

    asyncio.run(scenario())


# --------------------------------------------------------------------------
# Tokens changing under a joined channel
# --------------------------------------------------------------------------


def test_expired_token_closes_the_channel_and_a_refreshed_one_keeps_it(
    gateway: Gateway, db: Connection
) -> None:
    owner = create_tenant(db)
    name = f"inbox:{owner.id}"

    async def scenario() -> None:
        stale = await connect(gateway, gateway.user_token(owner, ttl=2))
        fresh = await connect(gateway, gateway.user_token(owner, ttl=2))
        try:
            expiring = await join(stale, name)
            refreshed = await join(fresh, name)
            assert expiring.state == refreshed.state == RealtimeSubscribeStates.SUBSCRIBED
            await fresh.set_auth(gateway.user_token(owner))
            await eventually(
                lambda: expiring.state == RealtimeSubscribeStates.CLOSED, "the channel to close"
            )
            assert "Token has expired" in expiring.errors()[0]
            assert gateway.relay.subscriber_count(name) == 1
            await asyncio.to_thread(insert_message, db, owner, "Después de expirar")
            await eventually(lambda: bool(refreshed.messages()), "the refreshed channel's message")
            await asyncio.sleep(0.1)
            assert refreshed.state == RealtimeSubscribeStates.SUBSCRIBED
            assert expiring.messages() == []
        finally:
            await stale.close()
            await fresh.close()

    asyncio.run(scenario())


def test_access_token_of_another_user_revokes_the_channel(gateway: Gateway, db: Connection) -> None:
    owner, other = create_tenant(db), create_tenant(db)
    name = f"inbox:{owner.id}"

    async def scenario() -> None:
        client = await connect(gateway, gateway.user_token(owner))
        try:
            inbox = await join(client, name)
            assert inbox.state == RealtimeSubscribeStates.SUBSCRIBED
            await client.set_auth(gateway.user_token(other))
            await eventually(
                lambda: inbox.state == RealtimeSubscribeStates.CLOSED, "the channel to close"
            )
            assert (
                "You no longer have permission to read from this Channel topic"
                in (inbox.errors()[0])
            )
            assert gateway.relay.subscriber_count(name) == 0
            await asyncio.to_thread(insert_message, db, owner, "No debe llegar")
            await asyncio.sleep(0.3)
            assert inbox.messages() == []
        finally:
            await client.close()

    asyncio.run(scenario())


# --------------------------------------------------------------------------
# Resources
# --------------------------------------------------------------------------


def test_leaving_or_closing_frees_the_subscription(gateway: Gateway, db: Connection) -> None:
    owner = create_tenant(db)
    name = f"inbox:{owner.id}"

    async def scenario() -> None:
        sockets_before = gateway.relay.socket_count
        leaving = await connect(gateway, gateway.user_token(owner))
        closing = await connect(gateway, gateway.user_token(owner))
        try:
            left = await join(leaving, name)
            await join(closing, name)
            assert gateway.relay.subscriber_count(name) == 2
            assert gateway.relay.socket_count == sockets_before + 2

            await left.channel.unsubscribe()
            await eventually(lambda: left.state == RealtimeSubscribeStates.CLOSED, "phx_leave")
            assert gateway.relay.subscriber_count(name) == 1
            assert gateway.relay.socket_count == sockets_before + 2

            await closing.close()
            await eventually(
                lambda: gateway.relay.subscriber_count(name) == 0, "the closed client to go"
            )
            await eventually(
                lambda: gateway.relay.socket_count == sockets_before + 1, "the socket to go"
            )
        finally:
            await leaving.close()
            await closing.close()

    asyncio.run(scenario())


def test_a_slow_client_is_dropped_without_holding_up_the_others(
    stack: LocalStack, db: Connection
) -> None:
    owner = create_tenant(db)
    name = f"inbox:{owner.id}"
    # A steady stream of 8 MB: more than the kernel and the transports buffer for a client
    # that stops reading, in bursts small enough for one that reads.
    bursts, per_burst, size = 40, 4, 50_000
    count = bursts * per_burst

    def small_queues(app: web.Application, config: GatewayConfig) -> None:
        realtime.Relay(config, send_queue_size=16).mount(app)

    def small_receive_buffer(addr_info: Any) -> socket.socket:
        family, type_, proto, _, _ = addr_info
        sock = socket.socket(family, type_, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        return sock

    async def scenario(gateway: Gateway) -> None:
        token = gateway.user_token(owner)
        fast = await connect(gateway, token)
        connector = aiohttp.TCPConnector(socket_factory=small_receive_buffer)
        async with aiohttp.ClientSession(connector=connector) as session:
            # A client that joins, then stops reading.
            slow = await session.ws_connect(
                f"{gateway.realtime_url}/websocket?apikey={gateway.anon_key}&vsn=2.0.0"
            )
            join_payload = {"config": {"private": True}, "access_token": token}
            await slow.send_json(["1", "1", f"realtime:{name}", "phx_join", join_payload])
            assert (await slow.receive_json(timeout=WAIT))[4]["status"] == "ok"
            try:
                inbox = await join(fast, name)
                assert gateway.relay.subscriber_count(name) == 2
                for burst in range(bursts):
                    await asyncio.to_thread(
                        db.execute,
                        "select realtime.send(jsonb_build_object('n', n, 'blob', repeat('x', %s)),"
                        " 'bulk', %s) from generate_series(%s::int, %s::int) n",
                        (size, name, burst * per_burst + 1, (burst + 1) * per_burst),
                    )
                    await asyncio.sleep(0.02)
                await eventually(
                    lambda: len(inbox.broadcasts) == count, "every broadcast", within=15
                )
                assert [b["payload"]["n"] for b in inbox.broadcasts] == list(range(1, count + 1))
                await eventually(
                    lambda: gateway.relay.subscriber_count(name) == 1, "the slow client to go"
                )
                assert inbox.state == RealtimeSubscribeStates.SUBSCRIBED
            finally:
                await fast.close()
                await slow.close()

    with serve_gateway(stack, small_queues) as small:
        asyncio.run(scenario(small))


# --------------------------------------------------------------------------
# realtime-js's serializer (vsn=2.0.0), which realtime-py does not speak
# --------------------------------------------------------------------------


def test_vsn_2_array_frames(gateway: Gateway, db: Connection) -> None:
    owner = create_tenant(db)
    name = f"inbox:{owner.id}"
    topic = f"realtime:{name}"

    async def scenario() -> None:
        async with aiohttp.ClientSession() as session:
            ws = await session.ws_connect(
                f"{gateway.realtime_url}/websocket",
                params={"apikey": gateway.anon_key, "vsn": "2.0.0"},
            )

            async def exchange(frame: list[Any]) -> list[Any]:
                await ws.send_str(json.dumps(frame))
                reply: list[Any] = await ws.receive_json(timeout=WAIT)
                return reply

            assert await exchange([None, "1", "phoenix", "heartbeat", {}]) == [
                None,
                "1",
                "phoenix",
                "phx_reply",
                {"status": "ok", "response": {}},
            ]
            # realtime-js sends no access_token without a session: the API key (anon) decides.
            config = {"config": {"broadcast": {}, "presence": {}, "private": True}}
            refused = await exchange(["2", "2", topic, "phx_join", config])
            assert refused[:4] == ["2", "2", topic, "phx_reply"]
            assert refused[4]["status"] == "error"
            assert refused[4]["response"]["reason"].startswith("Unauthorized")

            joined = await exchange(
                ["3", "3", topic, "phx_join", {**config, "access_token": gateway.user_token(owner)}]
            )
            assert joined == [
                "3",
                "3",
                topic,
                "phx_reply",
                {"status": "ok", "response": {"postgres_changes": []}},
            ]

            await asyncio.to_thread(insert_message, db, owner, "Hola desde la base")
            broadcast = await ws.receive_json(timeout=WAIT)
            while broadcast[4]["payload"]["table"] != "messages":
                broadcast = await ws.receive_json(timeout=WAIT)
            assert broadcast[:4] == [None, None, topic, "broadcast"]
            assert broadcast[4]["type"] == "broadcast"
            assert broadcast[4]["event"] == "INSERT"
            assert broadcast[4]["payload"]["record"]["content"] == "Hola desde la base"

            left = await exchange(["3", "4", topic, "phx_leave", {}])
            while left[3] != "phx_reply":
                left = await ws.receive_json(timeout=WAIT)
            assert left == ["3", "4", topic, "phx_reply", {"status": "ok", "response": {}}]
            assert gateway.relay.subscriber_count(name) == 0
            await ws.close()

    asyncio.run(scenario())


@pytest.mark.parametrize(
    ("api_key", "message"),
    [
        (None, "No API key found in request"),
        ("not-a-jwt", "Invalid authentication credentials"),
        (str(uuid.uuid4()), "Invalid authentication credentials"),
    ],
)
def test_socket_needs_an_api_key(gateway: Gateway, api_key: str | None, message: str) -> None:
    async def scenario() -> None:
        params = {"vsn": "1.0.0", **({"apikey": api_key} if api_key else {})}
        async with aiohttp.ClientSession() as session:
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await session.ws_connect(f"{gateway.realtime_url}/websocket", params=params)
            assert refused.value.status == 401
            response = await session.get(f"{gateway.realtime_url}/websocket", params=params)
            assert (await response.json()) == {"message": message}

    asyncio.run(scenario())


def test_a_user_token_is_not_an_api_key(gateway: Gateway, db: Connection) -> None:
    owner = create_tenant(db)

    async def scenario() -> None:
        client = AsyncRealtimeClient(
            gateway.realtime_url, gateway.user_token(owner), auto_reconnect=False
        )
        with pytest.raises(Exception, match="401"):
            await client.connect()

    asyncio.run(scenario())
