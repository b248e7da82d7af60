"""Realtime subscribers for the reliability tests: Phoenix websockets, joined as the dashboard does.

The dashboard (dashboard/src/live.js) joins its inbox with supabase-js: a websocket to
`/realtime/v1/websocket?apikey=<anon key>&vsn=2.0.0`, then a `phx_join` on
`realtime:inbox:<user id>` with realtime-js's config and the user's `access_token`, and a
heartbeat every 25 s. `RealtimeSocket` sends exactly those frames and keeps every frame it
receives, so a test can look at all of them, not only the ones a client library would
hand to its listeners. `LoopThread` runs sockets from synchronous tests.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import itertools
import json
import threading
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

import aiohttp

VSN = "2.0.0"
HEARTBEAT_SECONDS = 25.0
REPLY_TIMEOUT = 10.0
T = TypeVar("T")


@dataclass(frozen=True)
class Frame:
    join_ref: str | None
    ref: str | None
    topic: str
    event: str
    payload: dict[str, Any]


def frame_changes(frame: Frame) -> list[dict[str, Any]]:
    """The inbox changes a broadcast frame carries: each of a batch's in order, or its own."""
    change: dict[str, Any] = frame.payload.get("payload", {})
    batch = change.get("changes")
    return list(batch) if isinstance(batch, list) else [change]


def join_payload(*, private: bool, access_token: str | None) -> dict[str, Any]:
    """What realtime-js 2.x sends in a channel's phx_join (RealtimeChannel.subscribe)."""
    payload: dict[str, Any] = {
        "config": {
            "broadcast": {"ack": False, "self": False},
            "presence": {"key": "", "enabled": False},
            "postgres_changes": [],
            "private": private,
        }
    }
    if access_token is not None:
        payload["access_token"] = access_token
    return payload


@dataclass(eq=False)
class RealtimeSocket:
    """One websocket to the Realtime endpoint; `frames` holds everything it received."""

    api_url: str
    api_key: str
    frames: list[Frame] = field(default_factory=list)
    closed: asyncio.Event = field(default_factory=asyncio.Event)
    _session: aiohttp.ClientSession | None = None
    _ws: aiohttp.ClientWebSocketResponse | None = None
    _refs: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _waiting: dict[str, asyncio.Future[dict[str, Any]]] = field(default_factory=dict)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    @property
    def url(self) -> str:
        base = self.api_url.replace("http://", "ws://").replace("https://", "wss://")
        return f"{base}/realtime/v1/websocket?apikey={self.api_key}&vsn={VSN}"

    async def connect(self) -> None:
        self._session = aiohttp.ClientSession()
        try:
            self._ws = await self._session.ws_connect(self.url, heartbeat=None, autoping=True)
        except BaseException:
            await self._session.close()
            raise
        self._tasks = [
            asyncio.create_task(self._read()),
            asyncio.create_task(self._heartbeat()),
        ]

    async def join(self, name: str, *, private: bool, access_token: str | None) -> dict[str, Any]:
        """Joins `realtime:<name>`; the server's reply: {"status": "ok"|"error", ...}."""
        ref = str(next(self._refs))
        topic = f"realtime:{name}"
        return await self._push(
            ref, ref, topic, "phx_join", join_payload(private=private, access_token=access_token)
        )

    async def leave(self, name: str) -> dict[str, Any]:
        ref = str(next(self._refs))
        return await self._push(None, ref, f"realtime:{name}", "phx_leave", {})

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._ws is not None:
            await self._ws.close()
        if self._session is not None:
            await self._session.close()
        self.closed.set()

    def broadcasts(self) -> list[Frame]:
        return [f for f in self.frames if f.event == "broadcast"]

    @property
    def is_open(self) -> bool:
        return self._ws is not None and not self._ws.closed and not self.closed.is_set()

    async def _push(
        self, join_ref: str | None, ref: str, topic: str, event: str, payload: dict[str, Any]
    ) -> dict[str, Any]:
        assert self._ws is not None, "connect first"
        reply: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiting[ref] = reply
        try:
            await self._ws.send_str(json.dumps([join_ref, ref, topic, event, payload]))
            return await asyncio.wait_for(reply, REPLY_TIMEOUT)
        finally:
            self._waiting.pop(ref, None)

    async def _read(self) -> None:
        assert self._ws is not None
        try:
            async for message in self._ws:
                if message.type != aiohttp.WSMsgType.TEXT:
                    continue
                join_ref, ref, topic, event, payload = json.loads(message.data)
                frame = Frame(join_ref, ref, topic, event, payload)
                self.frames.append(frame)
                waiting = self._waiting.get(ref) if event == "phx_reply" else None
                if waiting is not None and not waiting.done():
                    waiting.set_result(payload)
        finally:
            self.closed.set()
            for waiting in self._waiting.values():
                if not waiting.done():
                    waiting.set_exception(ConnectionError("the socket closed"))

    async def _heartbeat(self) -> None:
        assert self._ws is not None
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            ref = str(next(self._refs))
            await self._ws.send_str(json.dumps([None, ref, "phoenix", "heartbeat", {}]))


class LoopThread:
    """An event loop in a thread of its own, for sockets driven from synchronous code."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="realtime", daemon=True)

    def __enter__(self) -> LoopThread:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=10)
        self.loop.close()

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 30.0) -> T:
        future: concurrent.futures.Future[T] = asyncio.run_coroutine_threadsafe(
            coroutine, self.loop
        )
        return future.result(timeout)

    def socket(self, api_url: str, api_key: str) -> RealtimeSocket:
        """A connected socket whose tasks run on this loop."""

        async def connected() -> RealtimeSocket:
            socket = RealtimeSocket(api_url, api_key)
            await socket.connect()
            return socket

        return self.run(connected())
