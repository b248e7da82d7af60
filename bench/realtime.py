"""Realtime latency and relay fan-out, against baselines measured in the same run.

Everything is real and local: inbound messages are signed like Twilio's and posted to the
webhook (uvicorn serving `devstack.app:app`, the webhook plus the local `/inbox` page), which
stores them through supabase-py -> gateway -> PostgREST -> Postgres; the database trigger
broadcasts each change of public.messages on `inbox:<owner id>`, and the Realtime relay in the
gateway pushes it to the clients joined on that private channel.

1. Latency, one message at a time: from the webhook's HTTP 200 (and from the send) to the
   broadcast of that inbound message arriving at a realtime-py client (supabase-py's
   `acreate_client`, as `facilchat tail` uses it) and at the `/inbox` page in Chromium
   (supabase-js, signed in through the auth stand-in): when the page's websocket gets the
   frame, and when inbox.js has put the message in the list. Browser times are
   `performance.timeOrigin + performance.now()` (wall clock), compared with Python's
   `time.time()` on the same machine. Two setups: 1 subscriber (the two measuring clients),
   and 50 extra realtime-py subscribers on 50 other tenants' topics; the page is reloaded
   before each. Baseline: the webhook request itself (send -> 200). The webhook answers
   after storing the message and sending its reply, so a broadcast can arrive before the 200
   (a negative "HTTP 200 -> broadcast").
2. Fan-out: 100 realtime-py subscribers (one socket each) on one topic, N rows inserted into
   public.messages one per transaction as service_role, as fast as one connection goes;
   events delivered per second in total (N x subscribers / first insert -> last delivery),
   per-event delay (its insert -> its delivery), and the CPU the relay's process and the
   subscribers' process used meanwhile. Baseline: the same with 1 subscriber.

    .venv/bin/python bench/realtime.py [--messages 500] [--fanout-subscribers 100]
                                       [--fanout-events 200]

Every server, the browser and the clients share the machine's cores, so compare the ratios,
not the absolute figures, across machines.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import psycopg

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# This file is bench/realtime.py: keep its folder off the path, so `realtime` is realtime-py.
sys.path[:] = [
    str(ROOT),
    str(ROOT / "scripts"),
    *(entry for entry in sys.path if Path(entry or ".").resolve() != HERE),
]

from playwright.async_api import Page, async_playwright
from realtime import AsyncRealtimeChannel, AsyncRealtimeClient
from realtime.types import BroadcastPayload

from devstack import keys
from devstack.postgres import LocalPostgres, free_port
from devstack.stack import LocalStack, webhook_process
from devstack.twilio_api import TwilioStandIn
from devstack.twilio_inbound import WEBHOOK_PATH, inbound_form, sign
from tests.browser import CHROMIUM, CHROMIUM_ARGS

ACCOUNT_SID = "AC" + "3" * 32
AUTH_TOKEN = "bench-auth-token-0123456789abcdef"
BUSINESS_NUMBER = "+5213312340000"
PASSWORD = "bench-password-123"
WAIT = 5.0
WARMUP_MESSAGES = 20
OTHER_TENANTS = 50
CHANNEL_OPTIONS: Any = {
    "config": {
        "private": True,
        "broadcast": {"ack": False, "self": False},
        "presence": {"key": "", "enabled": False},
    }
}
# In the /inbox page, before its scripts run: when each inbound message's broadcast frame
# reaches the page's websocket (supabase-js speaks vsn=2.0.0: [join_ref, ref, topic, event,
# payload]), on the wall clock.
PAGE_SOCKET_PROBE = """(() => {
  window.__frames = new Map();
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (event) => {
        const t = performance.timeOrigin + performance.now();
        if (typeof event.data !== "string" || !event.data.includes('"direction"')) return;
        try {
          // An inbound message arrives in a batch with its client and reply (event BATCH).
          const payload = JSON.parse(event.data)[4]?.payload ?? {};
          const record = (payload.changes ?? [payload])
            .map((change) => change?.record)
            .find((row) => row && row.direction === "in");
          if (record && !window.__frames.has(record.content)) {
            window.__frames.set(record.content, t);
          }
        } catch (error) { /* not a broadcast */ }
      });
    }
  };
})();"""
# In the /inbox page: when each inbound message's <li> is added (inbox.js sets the content as
# the item's first text node), on the wall clock, and a way to wait for a given body.
PAGE_PROBE = """() => {
  window.__arrivals = new Map();
  window.__waiters = new Map();
  new MutationObserver((records) => {
    const t = performance.timeOrigin + performance.now();
    for (const record of records) for (const node of record.addedNodes) {
      if (node.nodeType !== 1 || !node.classList.contains("in") || !node.firstChild) continue;
      const body = node.firstChild.nodeValue;
      if (window.__arrivals.has(body)) continue;
      window.__arrivals.set(body, t);
      const waiter = window.__waiters.get(body);
      if (waiter) { window.__waiters.delete(body); waiter(t); }
    }
  }).observe(document.getElementById("messages"), { childList: true });
}"""
PAGE_WAIT = """([body, ms]) => new Promise((resolve) => {
  const done = (t) => resolve([window.__frames.get(body) ?? null, t]);
  const t = window.__arrivals.get(body);
  if (t !== undefined) return done(t);
  window.__waiters.set(body, done);
  setTimeout(() => { window.__waiters.delete(body); done(null); }, ms);
})"""
PAGE_CLOCK = "() => Date.now() - (performance.timeOrigin + performance.now())"


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


# --------------------------------------------------------------------------
# The database: a fresh one, with the businesses the benchmark needs
# --------------------------------------------------------------------------


@dataclass
class Tenants:
    owner: uuid.UUID  # receives the webhook's messages; signs in on the /inbox page
    owner_email: str
    others: list[uuid.UUID]  # joined by the extra subscribers, never written to
    fanout: uuid.UUID  # the fan-out topic's owner
    fanout_client: uuid.UUID


def create_database(cluster: LocalPostgres) -> str:
    name = f"bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(cluster.url(), autocommit=True) as conn:
        conn.execute(f'create database "{name}"')
    return cluster.url(name)


def drop_database(cluster: LocalPostgres, url: str) -> None:
    name = url.rsplit("/", 1)[1].split("?")[0]
    with psycopg.connect(cluster.url(), autocommit=True) as conn:
        conn.execute(f'drop database if exists "{name}" with (force)')


def create_tenants(url: str) -> Tenants:
    with psycopg.connect(url, autocommit=True) as conn:
        owner, email = uuid.uuid4(), "bench-owner@example.test"
        conn.execute(
            "insert into auth.users (id, email, aud, role, encrypted_password, email_confirmed_at,"
            " raw_app_meta_data) values (%s, %s, 'authenticated', 'authenticated',"
            " extensions.crypt(%s, extensions.gen_salt('bf')), now(),"
            ' \'{"provider": "email", "providers": ["email"]}\')',
            (owner, email, PASSWORD),
        )
        conn.execute(
            "update public.users set whatsapp_number = %s where id = %s", (BUSINESS_NUMBER, owner)
        )
        conn.execute(
            "insert into public.faqs (owner_id, question, answer) values"
            " (%s, '¿Cuál es su horario?', 'Abrimos de 8 a 20 h.'),"
            " (%s, '¿Dónde están?', 'Calle Libertad 1842, Guadalajara.')",
            (owner, owner),
        )
        others = [uuid.uuid4() for _ in range(OTHER_TENANTS)]
        with conn.cursor() as cur:
            cur.executemany(
                "insert into auth.users (id, email) values (%s, %s)",
                [(other, f"other-{i}@example.test") for i, other in enumerate(others)],
            )
        fanout = uuid.uuid4()
        conn.execute(
            "insert into auth.users (id, email) values (%s, 'fanout@example.test')", (fanout,)
        )
        row = conn.execute(
            "insert into public.clients (owner_id, phone, name) values (%s, '+5213399990000',"
            " 'Fan-out') returning id",
            (fanout,),
        ).fetchone()
        assert row is not None
    return Tenants(owner, email, others, fanout, row[0])


# --------------------------------------------------------------------------
# realtime-py subscribers
# --------------------------------------------------------------------------


async def wait_subscribed(channel: AsyncRealtimeChannel) -> str:
    states: asyncio.Queue[str] = asyncio.Queue()
    await channel.subscribe(
        lambda state, _error: states.put_nowait(str(getattr(state, "value", state)))
    )
    return await asyncio.wait_for(states.get(), 15)


@dataclass
class Subscriber:
    client: AsyncRealtimeClient
    channel: AsyncRealtimeChannel
    state: str


async def subscribe(
    realtime_url: str,
    anon_key: str,
    token: str,
    topic: str,
    on_broadcast: Callable[[BroadcastPayload], None] | None = None,
) -> Subscriber:
    """One socket, one private channel: a realtime-py client as a dashboard would hold it."""
    client = AsyncRealtimeClient(realtime_url, anon_key, auto_reconnect=False)
    await client.set_auth(token)
    await client.connect()
    channel = client.channel(topic, CHANNEL_OPTIONS)
    if on_broadcast is not None:
        for event in INBOX_EVENTS:
            channel.on_broadcast(event, on_broadcast)
    return Subscriber(client, channel, await wait_subscribed(channel))


async def subscribe_many(
    count: int, make: Callable[[int], Any], batch: int = 10
) -> list[Subscriber]:
    subscribers: list[Subscriber] = []
    for start in range(0, count, batch):
        subscribers += await asyncio.gather(
            *(make(i) for i in range(start, min(count, start + batch)))
        )
    return subscribers


async def close_all(subscribers: Sequence[Subscriber]) -> None:
    for subscriber in subscribers:
        with contextlib.suppress(Exception):
            await subscriber.client.close()


# A row's own change, and the batch in which handle_inbound_message sends a message's changes.
INBOX_EVENTS = ("INSERT", "BATCH")


def inbound_record(message: BroadcastPayload) -> dict[str, Any] | None:
    payload: dict[str, Any] = message.get("payload") or {}
    for change in payload.get("changes") or [payload]:
        record = change.get("record") or {}
        if change.get("table") == "messages" and record.get("direction") == "in":
            return dict(record)
    return None


# --------------------------------------------------------------------------
# 1. Latency of one inbound message: webhook -> database -> relay -> clients
# --------------------------------------------------------------------------


@dataclass
class Latency:
    webhook_ms: list[float] = field(default_factory=list)
    py_from_send: list[float] = field(default_factory=list)
    py_after_200: list[float] = field(default_factory=list)
    frame_from_send: list[float] = field(default_factory=list)
    frame_after_200: list[float] = field(default_factory=list)
    page_from_send: list[float] = field(default_factory=list)
    frame_lost: int = 0
    errors: int = 0
    py_lost: int = 0
    page_lost: int = 0


@dataclass
class LatencyProbe:
    """Sends signed inbound messages and times their broadcasts at both clients."""

    session: aiohttp.ClientSession
    url: str
    page: Page
    arrivals: dict[str, asyncio.Future[float]] = field(default_factory=dict)
    sent: int = 0

    def on_broadcast(self, message: BroadcastPayload) -> None:
        now = time.time()
        record = inbound_record(message)
        if record is None:
            return
        waiter = self.arrivals.get(str(record.get("content")))
        if waiter is not None and not waiter.done():
            waiter.set_result(now)

    async def page_arrival(self, body: str) -> tuple[float | None, float | None]:
        """When the page's websocket got the broadcast, and when the page showed it."""
        frame, shown = await self.page.evaluate(PAGE_WAIT, [body, int(WAIT * 1000)])
        return (
            None if frame is None else float(frame) / 1000,
            None if shown is None else float(shown) / 1000,
        )

    async def one(self, result: Latency | None) -> None:
        self.sent += 1
        body = f"¿A qué hora abren? ref {uuid.uuid4().hex[:10]}"
        # A new customer each time: every message gets the same treatment (a FAQ reply).
        form = inbound_form(
            body, sender=f"+52133{self.sent:07d}", to=BUSINESS_NUMBER, account_sid=ACCOUNT_SID
        )
        headers = {"X-Twilio-Signature": sign(self.url, form, AUTH_TOKEN)}
        waiter: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.arrivals[body] = waiter
        page_task = asyncio.ensure_future(self.page_arrival(body))
        sent_at = time.time()
        async with self.session.post(self.url, data=form, headers=headers) as response:
            await response.read()
            status = response.status
        ok_at = time.time()
        try:
            py_at: float | None = await asyncio.wait_for(asyncio.shield(waiter), WAIT)
        except TimeoutError:
            py_at = None
        frame_at, page_at = await page_task
        del self.arrivals[body]
        if result is None:
            return
        result.webhook_ms.append((ok_at - sent_at) * 1000)
        if status != 200:
            result.errors += 1
        if py_at is None:
            result.py_lost += 1
        else:
            result.py_from_send.append((py_at - sent_at) * 1000)
            result.py_after_200.append((py_at - ok_at) * 1000)
        if frame_at is None:
            result.frame_lost += 1
        else:
            result.frame_from_send.append((frame_at - sent_at) * 1000)
            result.frame_after_200.append((frame_at - ok_at) * 1000)
        if page_at is None:
            result.page_lost += 1
        else:
            result.page_from_send.append((page_at - sent_at) * 1000)

    async def run(self, count: int) -> Latency:
        result = Latency()
        for _ in range(count):
            await self.one(result)
        return result


async def open_inbox_page(page: Page, app_url: str, email: str) -> None:
    await page.goto(f"{app_url}/inbox")
    await page.fill("#email", email)
    await page.fill("#password", PASSWORD)
    await page.click("#sign-in button[type=submit]")
    await wait_live(page)


async def wait_live(page: Page) -> None:
    await page.wait_for_function(
        "() => document.getElementById('status').textContent"
        ".startsWith('Escuchando mensajes nuevos en vivo')",
        timeout=15_000,
    )
    await page.evaluate(PAGE_PROBE)


async def reload_inbox_page(page: Page) -> None:
    """A fresh page (the session stays in localStorage): each setup starts with a short list.

    inbox.js keeps every message it is sent in the list, and a page holding a thousand of
    them takes measurably longer to handle each new frame.
    """
    await page.reload()
    await wait_live(page)


def print_latency(label: str, result: Latency) -> None:
    base = percentile(result.webhook_ms, 0.5)
    rows = [
        ("webhook: send -> HTTP 200", result.webhook_ms, result.errors, True),
        ("realtime-py: send -> broadcast", result.py_from_send, result.py_lost, True),
        ("realtime-py: HTTP 200 -> broadcast", result.py_after_200, result.py_lost, False),
        ("browser: send -> broadcast", result.frame_from_send, result.frame_lost, True),
        ("browser: HTTP 200 -> broadcast", result.frame_after_200, result.frame_lost, False),
        ("browser: send -> shown in /inbox", result.page_from_send, result.page_lost, True),
    ]
    for name, values, missed, ratio in rows:
        p50, p99 = percentile(values, 0.5), percentile(values, 0.99)
        versus = f"{p50 / base:>9.2f}" if ratio else f"{'':>9}"
        print(f"{label:<13} {name:<35} {p50:>8.1f} {p99:>8.1f} {missed:>5} {versus}")
    for name, values in (("realtime-py", result.py_after_200), ("browser", result.frame_after_200)):
        early = sum(1 for v in values if v < 0)
        print(f"{label:<13}   {name} had it before the webhook's 200: {early}/{len(values)}")


# --------------------------------------------------------------------------
# 2. Fan-out: many subscribers on one topic, a quick run of inserts
# --------------------------------------------------------------------------


@dataclass
class FanOut:
    subscribers: int
    events: int
    delivered: int
    insert_seconds: float
    seconds: float
    delays_ms: list[float]
    relay_cpu: float  # CPU seconds of the gateway process (the relay) during the round
    client_cpu: float  # CPU seconds of this process (the subscribers and the inserts)

    @property
    def rate(self) -> float:
        return self.delivered / self.seconds if self.seconds > 0 else float("nan")


@dataclass
class FanOutCounter:
    """What every fan-out subscriber received in the current round."""

    prefix: str = ""
    expected: int = 0
    arrivals: list[tuple[int, float]] = field(default_factory=list)
    done: asyncio.Event = field(default_factory=asyncio.Event)

    def on_broadcast(self, message: BroadcastPayload) -> None:
        now = time.time()
        record = inbound_record(message)
        body = str((record or {}).get("content"))
        if record is None or not body.startswith(self.prefix):
            return
        self.arrivals.append((int(body.removeprefix(self.prefix)), now))
        if len(self.arrivals) >= self.expected:
            self.done.set()


def insert_messages(url: str, tenants: Tenants, bodies: Sequence[str]) -> list[float]:
    """One row per transaction, as fast as one connection goes; returns each row's send time."""
    sent: list[float] = []
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("set role service_role")
        for body in bodies:
            sent.append(time.time())
            conn.execute(
                "insert into public.messages (owner_id, client_id, direction, content, status)"
                " values (%s, %s, 'in', %s, 'received')",
                (tenants.fanout, tenants.fanout_client, body),
            )
    return sent


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of a process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def fan_out_round(
    counter: FanOutCounter,
    subscribers: int,
    events: int,
    url: str,
    tenants: Tenants,
    relay_pid: int,
) -> FanOut:
    counter.prefix = f"fan-out {uuid.uuid4().hex[:8]} #"
    counter.expected = subscribers * events
    counter.arrivals = []
    counter.done.clear()
    bodies = [f"{counter.prefix}{i}" for i in range(events)]
    relay_cpu, client_cpu = process_cpu(relay_pid), time.process_time()
    sent = await asyncio.to_thread(insert_messages, url, tenants, bodies)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(counter.done.wait(), 30)
    relay_cpu, client_cpu = process_cpu(relay_pid) - relay_cpu, time.process_time() - client_cpu
    await asyncio.sleep(0.2)  # anything late or duplicated
    arrivals = list(counter.arrivals)
    last = max((at for _, at in arrivals), default=sent[0])
    return FanOut(
        subscribers,
        events,
        len(arrivals),
        sent[-1] - sent[0],
        last - sent[0],
        [(at - sent[i]) * 1000 for i, at in arrivals],
        relay_cpu,
        client_cpu,
    )


def print_fan_out(result: FanOut, baseline: FanOut) -> None:
    expected = result.subscribers * result.events
    print(
        f"{result.subscribers:>11} {result.delivered:>9} {expected - result.delivered:>5}"
        f" {result.insert_seconds:>9.3f} {result.seconds:>8.3f} {result.rate:>9.0f}"
        f" {percentile(result.delays_ms, 0.5):>8.1f} {percentile(result.delays_ms, 0.99):>8.1f}"
        f" {result.rate / baseline.rate:>8.1f}x {result.relay_cpu:>9.2f} {result.client_cpu:>10.2f}"
        f" {result.relay_cpu / max(result.delivered, 1) * 1e6:>9.0f}"
    )


# --------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------


@dataclass
class Setup:
    stack: LocalStack
    database_url: str
    app_url: str
    tenants: Tenants


async def run(args: argparse.Namespace, setup: Setup) -> None:
    stack, tenants = setup.stack, setup.tenants
    realtime_url = f"{stack.api_url}/realtime/v1"
    secret = stack.jwt_secret
    webhook_url = setup.app_url + WEBHOOK_PATH
    print(
        f"machine: {platform.platform()}, {platform.machine()}, {os.cpu_count()} cores"
        f" (os.cpu_count()), Python {platform.python_version()}"
    )

    # Imported here: supabase-py's client, as `facilchat tail` creates it.
    from supabase import acreate_client

    async with async_playwright() as playwright, aiohttp.ClientSession() as session:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        extra: list[Subscriber] = []
        client = await acreate_client(stack.api_url, stack.anon_key)
        try:
            page = await browser.new_page()
            await page.add_init_script(PAGE_SOCKET_PROBE)
            await open_inbox_page(page, setup.app_url, tenants.owner_email)
            probe = LatencyProbe(session, webhook_url, page)
            await asyncio.sleep(0)
            await client.realtime.set_auth(keys.user_token(tenants.owner, secret=secret))
            channel = client.channel(f"inbox:{tenants.owner}", CHANNEL_OPTIONS)
            for event in INBOX_EVENTS:
                channel.on_broadcast(event, probe.on_broadcast)
            state = await wait_subscribed(channel)
            assert state == "SUBSCRIBED", state

            for _ in range(WARMUP_MESSAGES):
                await probe.one(None)
            print(
                f"\nRealtime latency: {args.messages} inbound messages per setup, one at a time"
                f" (each waits for both clients, {WAIT:.0f} s at most), after"
                f" {WARMUP_MESSAGES} warm-up messages"
            )
            print(
                "(miss: non-200 answers for the webhook; broadcasts not seen within"
                f" {WAIT:.0f} s for the clients. Negative: before the 200.)"
            )
            print(
                f"{'setup':<13} {'path':<35} {'p50 ms':>8} {'p99 ms':>8} {'miss':>5}"
                f" {'÷ webhook':>9}"
            )
            await reload_inbox_page(page)
            alone = await probe.run(args.messages)
            print_latency("1 subscriber", alone)

            extra = await subscribe_many(
                OTHER_TENANTS,
                lambda i: subscribe(
                    realtime_url,
                    stack.anon_key,
                    keys.user_token(tenants.others[i], secret=secret),
                    f"inbox:{tenants.others[i]}",
                ),
            )
            joined = sum(1 for s in extra if s.state == "SUBSCRIBED")
            await reload_inbox_page(page)
            crowded = await probe.run(args.messages)
            print_latency(f"+{joined} others", crowded)
            drift = await page.evaluate(PAGE_CLOCK)
            print(
                f"browser clock: Date.now() - (timeOrigin + performance.now()) = {drift:.1f} ms"
                " at the end"
            )
        finally:
            await close_all(extra)
            with contextlib.suppress(Exception):
                await client.realtime.close()
            await browser.close()

    counter = FanOutCounter()
    assert stack.gateway is not None and stack.gateway.process is not None
    relay_pid = stack.gateway.process.pid
    token = keys.user_token(tenants.fanout, secret=secret)
    topic = f"inbox:{tenants.fanout}"
    subscribers: list[Subscriber] = []
    try:
        subscribers = [
            await subscribe(realtime_url, stack.anon_key, token, topic, counter.on_broadcast)
        ]
        await fan_out_round(counter, 1, 10, setup.database_url, tenants, relay_pid)  # warm-up
        single = await fan_out_round(
            counter, 1, args.fanout_events, setup.database_url, tenants, relay_pid
        )
        subscribers += await subscribe_many(
            args.fanout_subscribers - 1,
            lambda _: subscribe(realtime_url, stack.anon_key, token, topic, counter.on_broadcast),
        )
        joined = sum(1 for s in subscribers if s.state == "SUBSCRIBED")
        await fan_out_round(counter, joined, 10, setup.database_url, tenants, relay_pid)  # warm-up
        many = await fan_out_round(
            counter, joined, args.fanout_events, setup.database_url, tenants, relay_pid
        )
        print(
            f"\nRelay fan-out: {args.fanout_events} rows inserted into public.messages, one per"
            f" transaction, as service_role; {joined} realtime-py subscribers joined on one topic"
        )
        print(
            f"{'subscribers':>11} {'delivered':>9} {'lost':>5} {'insert s':>9} {'total s':>8}"
            f" {'events/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'vs 1 sub':>9}"
            f" {'relay CPU':>9} {'client CPU':>10} {'relay µs/ev':>9}"
        )
        print_fan_out(single, single)
        print_fan_out(many, single)
        dropped = sum(1 for s in subscribers if not s.client.is_connected)
        print(
            "(total s: first insert -> last delivery; CPU: seconds used in that time by the"
            " gateway process with the relay, and by this process with the subscribers)"
        )
        print(f"subscribers disconnected during the run: {dropped}")
    finally:
        await close_all(subscribers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--fanout-subscribers", type=int, default=100)
    parser.add_argument("--fanout-events", type=int, default=200)
    args = parser.parse_args()

    started = time.monotonic()
    cluster = LocalPostgres.for_tests()
    cluster.initialize()
    cluster.start()
    database_url: str | None = None
    stack: LocalStack | None = None
    twilio = TwilioStandIn(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN, callbacks=False)
    port = free_port()
    app_url = f"http://127.0.0.1:{port}"
    server = None
    try:
        database_url = create_database(cluster)
        stack = LocalStack(database_url=database_url, gateway_port=free_port())
        stack.start(seed=False)  # migrates the fresh database
        tenants = create_tenants(database_url)
        twilio.start()
        server = webhook_process(
            port,
            stack.app_env(twilio, app_url),
            app="devstack.app:app",
        )
        server.start()
        asyncio.run(run(args, Setup(stack, database_url, app_url, tenants)))
        print(f"\nreplies sent to the Twilio stand-in: {len(twilio.attempts())}")
    finally:
        if server is not None:
            server.stop()
        twilio.stop()
        if stack is not None:
            stack.stop()
        if database_url is not None:
            drop_database(cluster, database_url)
        cluster.destroy()  # this run's own cluster
    print(f"total run: {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
