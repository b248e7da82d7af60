"""Soak: steady traffic for a long while, Realtime subscribers coming and going; nothing grows.

Customers write to four businesses at a steady rate (FACILCHAT_SOAK_RATE messages a
second, 10 by default), delivered by the Twilio stand-in as Twilio delivers them (one
answer in twenty lost on the way, so Twilio retries), while the scheduler calls the outbox
sweeper every ten seconds and eight subscribers keep joining a business's inbox as the
dashboard does, staying a few seconds, and leaving (by `phx_leave` or by dropping the
socket). It lasts FACILCHAT_SOAK_SECONDS: 30 minutes under `make reliability`, two under
`make soak` (CI), 20 seconds in `make test`.

Every few seconds it samples the resident memory (RSS) and open file descriptors of the
webhook (uvicorn) and of the Realtime relay (the gateway process), and the connections to
the database (pg_stat_activity). What "flat" means here:

- Memory: after a warm-up (a fifth of the run, between 10 s and 2 min, and at least until
  the scheduler's first sweep has run, while imports, connection pools and caches fill;
  the sweeper loads Twilio's REST client on first use), each process's RSS grows by less than
  RSS_GROWTH_BOUND. A leak of one kilobyte per message grows by 18 MB over the 30-minute
  run's 18,000 messages and fails it; the allocator's noise in a healthy run is about a
  megabyte.
- Connections: once the traffic stops and the subscribers are gone, the database has no
  more connections than at the end of the warm-up (plus CONNECTION_TOLERANCE, a pool
  opening one it had not needed yet), and never more than the pools could add to those
  at the start (POOLS) during the run.
- File descriptors: each process holds no more at the end than after the warm-up, plus
  FD_TOLERANCE.

And the traffic itself: every message is answered, stored once and replied to once (the
invariants of the load scenarios, harness.check_invariants); every broadcast a
subscriber receives is its own business's; and a new subscriber at the end still
receives a new message, so the relay works after all the churn.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg

from devstack import keys
from devstack.stack import DEV_CRON_SECRET, LocalStack
from devstack.twilio_api import TwilioStandIn
from tests.browser import ARTIFACTS_DIR
from tests.factories import random_phone
from tests.reliability.harness import (
    FAQS,
    FULL_RUN,
    SEED,
    UNANSWERED,
    Message,
    Report,
    app_and_twilio,
    check_invariants,
    deliver,
    make_businesses,
    record,
    settle,
)
from tests.reliability.phoenix import RealtimeSocket, frame_changes

SOAK_SECONDS = float(os.environ.get("FACILCHAT_SOAK_SECONDS") or (1800 if FULL_RUN else 20))
RATE = float(os.environ.get("FACILCHAT_SOAK_RATE") or 10)
BUSINESSES = 4
CUSTOMERS = 200
SUBSCRIBERS = 8
# How long a subscriber stays, in seconds; then it leaves and another comes.
STAY = (1.0, 15.0)
SWEEP_EVERY = 10.0
WARM_UP = min(max(SOAK_SECONDS / 5, 10.0), 120.0)
SAMPLE_EVERY = min(5.0, WARM_UP / 2)
MIB = 1024 * 1024
RSS_GROWTH_BOUND = 8 * MIB
CONNECTION_TOLERANCE = 2
FD_TOLERANCE = 4
# What the pools may open beyond those at the start: PostgREST's (PGRST_DB_POOL) and its
# listener, the relay's and its listener.
POOLS = 10 + 1 + 4 + 1


@dataclass(frozen=True)
class Sample:
    at: float
    rss: dict[str, int]
    fds: dict[str, int]
    connections: int


@dataclass
class Soak:
    """What the soak did and saw."""

    pids: dict[str, int]
    samples: list[Sample] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    slowest_answer: float = 0.0
    failures: list[str] = field(default_factory=list)
    # When the scheduler's first sweep had answered, in seconds into the run: the sweeper
    # loads Twilio's REST client on first use, a one-off step of about 10 MiB.
    first_sweep_at: float = 0.0

    def warmed_up(self) -> Sample:
        """The sample that ends the warm-up: WARM_UP seconds in, and the first sweep done."""
        return self.at(max(WARM_UP, self.first_sweep_at))

    def at(self, moment: float) -> Sample:
        """The first sample taken at or after `moment` (seconds into the run)."""
        return next((s for s in self.samples if s.at >= moment), self.samples[-1])


def rss_bytes(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError(f"no VmRSS for process {pid}")


def open_fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


async def database_connections(conn: psycopg.AsyncConnection[Any]) -> int:
    """Client connections to this database, other than the one asking."""
    cursor = await conn.execute(
        "select count(*) from pg_stat_activity where datname = current_database()"
        " and backend_type = 'client backend' and pid <> pg_backend_pid()"
    )
    row = await cursor.fetchone()
    assert row is not None
    return int(row[0])


async def sample(soak: Soak, conn: psycopg.AsyncConnection[Any], started: float) -> Sample:
    taken = Sample(
        at=time.monotonic() - started,
        rss={name: rss_bytes(pid) for name, pid in soak.pids.items()},
        fds={name: open_fds(pid) for name, pid in soak.pids.items()},
        connections=await database_connections(conn),
    )
    soak.samples.append(taken)
    return taken


async def keep_sampling(
    soak: Soak, conn: psycopg.AsyncConnection[Any], started: float, until: float
) -> None:
    while time.monotonic() < until:
        await asyncio.sleep(SAMPLE_EVERY)
        await sample(soak, conn, started)


async def send_traffic(
    soak: Soak,
    twilio: TwilioStandIn,
    webhook_url: str,
    customers: list[tuple[Any, str]],
    rolls: random.Random,
    until: float,
) -> None:
    """RATE messages a second until `until`; each answered before Twilio's timeout."""
    gate = asyncio.Semaphore(50)
    pending: set[asyncio.Task[None]] = set()

    async with httpx.AsyncClient(timeout=60) as client:

        async def one(message: Message) -> None:
            async with gate:
                delivery = await deliver(client, twilio, webhook_url, message)
            soak.counts["deliveries"] += 1
            soak.counts["webhook attempts"] += len(delivery["attempts"])
            seconds = [a.get("seconds", 0.0) for a in delivery["attempts"]]
            soak.slowest_answer = max([soak.slowest_answer, *seconds])
            if delivery["status"] is None and all(
                attempt.get("injected") == "lose_answer" for attempt in delivery["attempts"]
            ):
                # Every answer lost on the way (one delivery in 160,000 at 5% with three
                # retries): Twilio gives up. The message must still be stored once and
                # replied to once, by the outbox: the invariants check that.
                soak.counts["deliveries Twilio gave up on"] += 1
            elif delivery["status"] != 200:
                soak.failures.append(f"{message.sid} answered {delivery['status']}")

        next_at = time.monotonic()
        while time.monotonic() < until:
            business, customer = rolls.choice(customers)
            faq = rolls.random() < 0.8
            text = rolls.choice([q for q, _ in FAQS]) if faq else rolls.choice(UNANSWERED)
            message = Message("SM" + uuid.uuid4().hex, business, customer, text)
            soak.messages.append(message)
            task = asyncio.create_task(one(message))
            pending.add(task)
            task.add_done_callback(pending.discard)
            next_at += 1 / RATE
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))
        await asyncio.gather(*pending)


async def keep_sweeping(soak: Soak, app_url: str, started: float, until: float) -> None:
    """The scheduler: the outbox sweeper every SWEEP_EVERY seconds."""
    async with httpx.AsyncClient(timeout=60) as client:
        while time.monotonic() < until:
            await asyncio.sleep(SWEEP_EVERY)
            response = await client.get(
                f"{app_url}/api/cron/outbox",
                headers={"Authorization": f"Bearer {DEV_CRON_SECRET}"},
            )
            soak.counts["sweeps"] += 1
            if not soak.first_sweep_at:
                soak.first_sweep_at = time.monotonic() - started
            if response.status_code != 200:
                soak.failures.append(f"a sweep answered {response.status_code}")


def check_broadcasts(soak: Soak, actor: str, socket: RealtimeSocket) -> None:
    for frame in socket.broadcasts():
        soak.counts["broadcasts received"] += 1
        for change in frame_changes(frame):
            row = change.get("record") or change.get("old_record") or {}
            owner = row.get("owner_id", actor)
            if frame.topic != f"realtime:inbox:{actor}" or owner != actor:
                soak.failures.append(f"{actor} received {frame.topic}: {str(change)[:200]}")


async def subscribe_and_leave(
    soak: Soak, api_url: str, anon_key: str, tokens: dict[str, str], rolls: random.Random
) -> None:
    """One visit of the dashboard: join a business's inbox, stay a while, leave."""
    actor = rolls.choice(sorted(tokens))
    socket = RealtimeSocket(api_url, anon_key)
    await socket.connect()
    try:
        reply = await socket.join(f"inbox:{actor}", private=True, access_token=tokens[actor])
        soak.counts["Realtime subscriptions"] += 1
        if reply.get("status") != "ok":
            soak.failures.append(f"{actor} could not join its inbox: {reply}")
            return
        await asyncio.sleep(rolls.uniform(*STAY))
        if rolls.random() < 0.5:
            await socket.leave(f"inbox:{actor}")
        else:
            soak.counts["sockets dropped without leaving"] += 1
        if not socket.is_open:
            soak.failures.append(f"the relay closed {actor}'s socket")
    finally:
        await socket.close()
        check_broadcasts(soak, actor, socket)


async def keep_subscribing(
    soak: Soak,
    api_url: str,
    anon_key: str,
    tokens: dict[str, str],
    rolls: random.Random,
    until: float,
) -> None:
    while time.monotonic() < until:
        await subscribe_and_leave(soak, api_url, anon_key, tokens, rolls)


async def still_delivers(
    soak: Soak,
    twilio: TwilioStandIn,
    webhook_url: str,
    api_url: str,
    anon_key: str,
    tokens: dict[str, str],
    customers: list[tuple[Any, str]],
) -> None:
    """After the churn, a new subscriber receives a new message as it arrives."""
    business, customer = customers[0]
    actor = str(business.id)
    socket = RealtimeSocket(api_url, anon_key)
    await socket.connect()
    try:
        await socket.join(f"inbox:{actor}", private=True, access_token=tokens[actor])
        message = Message("SM" + uuid.uuid4().hex, business, customer, FAQS[0][0])
        soak.messages.append(message)
        async with httpx.AsyncClient(timeout=60) as client:
            delivery = await deliver(client, twilio, webhook_url, message)
        soak.counts["deliveries"] += 1
        soak.counts["webhook attempts"] += len(delivery["attempts"])
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if any(
                (change.get("record") or {}).get("twilio_message_id") == message.sid
                for f in socket.broadcasts()
                for change in frame_changes(f)
            ):
                return
            await asyncio.sleep(0.05)
        soak.failures.append("a subscriber joined after the soak never received a new message")
    finally:
        await socket.close()


async def run_soak(
    soak: Soak,
    stack: LocalStack,
    app_url: str,
    twilio: TwilioStandIn,
    database_url: str,
    customers: list[tuple[Any, str]],
    tokens: dict[str, str],
    rolls: random.Random,
) -> None:
    webhook_url = f"{app_url}/api/twilio/webhook"
    anon_key = keys.anon_key(stack.jwt_secret)
    async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as conn:
        started = time.monotonic()
        until = started + SOAK_SECONDS
        await sample(soak, conn, started)
        subscribers = [random.Random(f"{SEED}:subscriber:{n}") for n in range(SUBSCRIBERS)]
        await asyncio.gather(
            keep_sampling(soak, conn, started, until),
            send_traffic(soak, twilio, webhook_url, customers, rolls, until),
            keep_sweeping(soak, app_url, started, until),
            *(
                keep_subscribing(soak, stack.api_url, anon_key, tokens, r, until)
                for r in subscribers
            ),
        )
        # Traffic over, every subscriber gone: give the pools a moment, then count.
        await asyncio.sleep(3.0)
        await sample(soak, conn, started)
    await still_delivers(soak, twilio, webhook_url, stack.api_url, anon_key, tokens, customers)


def write_samples(soak: Soak, path: Path) -> None:
    """Every sample, for a look at the curve: seconds, RSS and files of each, connections."""
    names = sorted(soak.pids)
    header = ["seconds", *(f"{n}_rss_mib" for n in names), *(f"{n}_fds" for n in names)]
    lines = [",".join([*header, "connections"])]
    for s in soak.samples:
        values = [f"{s.at:.1f}", *(f"{s.rss[n] / MIB:.2f}" for n in names)]
        values += [str(s.fds[n]) for n in names] + [str(s.connections)]
        lines.append(",".join(values))
    path.write_text("\n".join(lines) + "\n")


def check_flat(soak: Soak) -> list[str]:
    warm, end = soak.warmed_up(), soak.samples[-1]
    problems = []
    for name in soak.pids:
        growth = end.rss[name] - warm.rss[name]
        if growth >= RSS_GROWTH_BOUND:
            problems.append(
                f"the {name}'s memory grew {growth / MIB:.1f} MiB after warm-up"
                f" (bound {RSS_GROWTH_BOUND / MIB:.0f} MiB)"
            )
        if end.fds[name] > warm.fds[name] + FD_TOLERANCE:
            problems.append(f"the {name} holds {end.fds[name]} files, {warm.fds[name]} at warm-up")
    if end.connections > warm.connections + CONNECTION_TOLERANCE:
        problems.append(
            f"{end.connections} database connections at the end, {warm.connections} at warm-up"
        )
    peak = max(s.connections for s in soak.samples)
    if peak > soak.samples[0].connections + POOLS:
        problems.append(f"{peak} database connections at the peak, more than the pools allow")
    return problems


def summary(soak: Soak) -> str:
    start, warm, end = soak.samples[0], soak.warmed_up(), soak.samples[-1]
    memory = "; ".join(
        f"{name} RSS {start.rss[name] / MIB:.1f} MiB at start, {warm.rss[name] / MIB:.1f} after"
        f" warm-up, {end.rss[name] / MIB:.1f} at the end"
        f" ({(end.rss[name] - warm.rss[name]) / MIB:+.1f}),"
        f" files {warm.fds[name]} → {end.fds[name]}"
        for name in soak.pids
    )
    peak = max(s.connections for s in soak.samples)
    return (
        f"{memory}; database connections {start.connections} at start,"
        f" {warm.connections} after warm-up, {end.connections} at the end (peak {peak})"
    )


def test_memory_and_connections_stay_flat_under_steady_traffic(
    stack: LocalStack, database_url: str
) -> None:
    assert stack.gateway is not None and stack.gateway.process is not None
    rolls = random.Random(f"{SEED}:soak")
    report = Report("soak")
    started = time.monotonic()
    with app_and_twilio(stack, "reliability-soak") as (url, twilio, app):
        assert app.process is not None
        twilio.set_chaos(seed=rolls.randrange(10**6), lose_answer=0.05)
        with psycopg.connect(database_url, autocommit=True) as setup:
            businesses = make_businesses(setup, BUSINESSES)
        customers = [(rolls.choice(businesses), random_phone()) for _ in range(CUSTOMERS)]
        tokens = {
            str(b.id): keys.user_token(
                b.id, b.email, secret=stack.jwt_secret, ttl=int(SOAK_SECONDS) + 3600
            )
            for b in businesses
        }
        soak = Soak({"webhook": app.process.pid, "relay": stack.gateway.process.pid})
        asyncio.run(run_soak(soak, stack, url, twilio, database_url, customers, tokens, rolls))
        report.faults.update(twilio.chaos()["injected"])
        twilio.set_chaos()
        with psycopg.connect(database_url, autocommit=True) as db:
            settle(db, url, [b.id for b in businesses], report)
            check_invariants(db, twilio, soak.messages, report)
        report.count_rest_sends(twilio.attempts(), 0)
    report.messages = len(soak.messages)
    report.deliveries = soak.counts["deliveries"]
    report.webhook_attempts = soak.counts["webhook attempts"]
    report.slowest_answer = soak.slowest_answer
    report.sweeps += soak.counts["sweeps"]
    report.failures += soak.failures
    write_samples(soak, ARTIFACTS_DIR / "reliability-soak-samples.csv")
    report.failures += check_flat(soak)
    report.seconds = time.monotonic() - started
    if soak.counts["broadcasts received"] == 0:
        report.failures.append("no subscriber received a broadcast")
    realtime = ", ".join(
        f"{soak.counts[what]} {what}"
        for what in (
            "Realtime subscriptions",
            "sockets dropped without leaving",
            "broadcasts received",
            "deliveries Twilio gave up on",
        )
    )
    record(
        f"{report.line()} ({SOAK_SECONDS:.0f} s of traffic at {RATE:g} messages/s; {realtime};"
        f" {summary(soak)}; seed {SEED})"
    )
    assert report.failures == [], report.failures[:5]
