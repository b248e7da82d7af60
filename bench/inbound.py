"""Inbound webhook throughput, CPU and latency: three paths measured in the same run.

Everything is real and local: uvicorn serving the webhook -> supabase-py -> gateway ->
PostgREST -> Postgres, and the Twilio stand-in. The paths, served by one app process:

- baseline: an endpoint that makes one trivial PostgREST RPC through the same client;
- inbound: FácilChat's webhook, a signed WhatsApp message with an FAQ answer (one RPC,
  the reply in the TwiML answer);
- naive: the seed's six-step workflow as a developer following it would write it with
  supabase-py table calls (look up the business, upsert the client, insert the message,
  read the FAQs and match in Python with a fuzzy ratio, send through Twilio's REST API,
  insert the reply). It lives here only, as the peer users would otherwise build.

    .venv/bin/python bench/inbound.py [--seconds 10] [--concurrency 1 8 32]
        [--latency-seconds 8] [--db-delay-ms 30] [--twilio-delay-ms 60]
        [--migrations-before VERSION]

It prints, per path and number of senders: requests per second, p50/p99 latency and the
ratio to the baseline; each process's CPU time per request (from /proc, on Linux), and
Postgres's split by process (PostgREST's connections, the Realtime relay's, the WAL
writer, autovacuum and the rest); the
calls each path makes per message, counted by proxies in front of the gateway and the
Twilio stand-in; and the latency with a delay added to every call to the gateway and to
Twilio, standing in for the internet between Vercel and Supabase/Twilio. The load
generator shares the machine's cores with the servers: compare ratios, not absolute
figures, across machines.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import httpx
import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

from process_cpu import ServiceCpu, available, postgres_cpu_by_role

from devstack import migrations
from devstack.postgres import LocalPostgres, free_port
from devstack.process import ServiceProcess
from devstack.stack import LocalStack, webhook_process
from devstack.twilio_api import TwilioStandIn
from devstack.twilio_inbound import inbound_form, sign
from webhook.inbound import parse_inbound

ACCOUNT_SID = "AC" + "3" * 32
AUTH_TOKEN = "bench-auth-token-0123456789abcdef"
BUSINESS_NUMBER = "+5213312340000"
BASELINE_SQL = """
create or replace function public.bench_ping() returns integer
    language plpgsql set search_path = '' as $$ begin return 1; end; $$;
revoke all on function public.bench_ping() from public, anon, authenticated;
grant execute on function public.bench_ping() to service_role;
create or replace function public.bench_ping_wait(p_ms double precision) returns integer
    language plpgsql set search_path = '' as $$
    begin perform pg_sleep(p_ms / 1000); return 1; end; $$;
revoke all on function public.bench_ping_wait(double precision) from public, anon, authenticated;
grant execute on function public.bench_ping_wait(double precision) to service_role;
"""
# The benchmark's app: the webhook plus the baseline route, in one process.
APP_MODULE = """
import unicodedata
from difflib import SequenceMatcher
from typing import Any

from fastapi import Response

from webhook.app import app
from webhook.deps import DatabaseDep, SenderDep, TwilioFormDep


@app.get("/bench/ping")
def ping(db: DatabaseDep) -> dict[str, object]:
    return {"result": db._rpc("bench_ping", {})}


@app.get("/bench/ping_wait")
def ping_wait(db: DatabaseDep, ms: float = 0.0) -> dict[str, object]:
    return {"result": db._rpc("bench_ping_wait", {"p_ms": ms})}


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@app.post("/bench/naive")
def naive(form: TwilioFormDep, db: DatabaseDep, sender: SenderDep) -> Response:
    supabase = db.client
    to = form["To"].removeprefix("whatsapp:")
    customer = form["From"].removeprefix("whatsapp:")
    body = form.get("Body", "")
    business: Any = (
        supabase.table("users").select("id, fallback_message").eq("whatsapp_number", to)
        .single().execute().data
    )
    client: Any = (
        supabase.table("clients")
        .upsert(
            {"owner_id": business["id"], "phone": customer,
             "name": form.get("ProfileName") or customer},
            on_conflict="owner_id,phone",
        )
        .execute().data[0]
    )
    supabase.table("messages").insert(
        {"owner_id": business["id"], "client_id": client["id"], "direction": "in",
         "content": body, "status": "received", "twilio_message_id": form["MessageSid"]}
    ).execute()
    faqs: Any = (
        supabase.table("faqs").select("id, question, answer")
        .eq("owner_id", business["id"]).eq("active", True).execute().data
    )
    scored = [(SequenceMatcher(None, fold(body), fold(f["question"])).ratio(), f) for f in faqs]
    score, best = max(scored, key=lambda pair: pair[0], default=(0.0, None))
    answer = best["answer"] if best and score >= 0.6 else business["fallback_message"]
    sent = sender.client.messages.create(
        to=form["From"], from_=form["To"], body=answer
    )
    supabase.table("messages").insert(
        {"owner_id": business["id"], "client_id": client["id"], "direction": "out",
         "content": answer, "status": "sending", "twilio_message_id": sent.sid,
         "reply_kind": "faq" if best and score >= 0.6 else "fallback",
         "faq_id": best["id"] if best and score >= 0.6 else None}
    ).execute()
    return Response('<?xml version="1.0" encoding="UTF-8"?><Response />',
                    media_type="application/xml")
"""


@dataclass
class Result:
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


async def load(
    make_request: Callable[[aiohttp.ClientSession, int], Awaitable[int]],
    concurrency: int,
    seconds: float,
) -> Result:
    latencies: list[float] = []
    errors = 0
    counter = 0
    deadline = time.perf_counter() + seconds
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker() -> None:
            nonlocal errors, counter
            while time.perf_counter() < deadline:
                counter += 1
                started = time.perf_counter()
                status = await make_request(session, counter)
                latencies.append((time.perf_counter() - started) * 1000)
                if status != 200:
                    errors += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return Result(len(latencies), errors, elapsed, latencies)


def prepare_database(cluster: LocalPostgres, before: str | None = None) -> str:
    """A database with the benchmark's business; `before`: the first migration left out."""
    name = f"bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(cluster.url(), autocommit=True) as conn:
        conn.execute(f'create database "{name}"')  # type: ignore[arg-type]
    url = cluster.url(name)
    with psycopg.connect(url, autocommit=True) as conn:
        migrations.load_platform_stand_in(conn)
        left_out = [m for m in migrations.discover() if before is not None and m.version >= before]
        migrations.apply(conn, [m for m in migrations.discover() if m not in left_out])
        # Recorded as applied, so that the stack's own migrate at start leaves them out.
        for migration in left_out:
            conn.execute(
                "insert into supabase_migrations.schema_migrations (version, name) values (%s, %s)",
                (migration.version, migration.name),
            )
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(BASELINE_SQL)  # type: ignore[arg-type]
        owner = uuid.uuid4()
        conn.execute(
            "insert into auth.users (id, email) values (%s, 'bench@example.test')", (owner,)
        )
        conn.execute(
            "update public.users set whatsapp_number = %s where id = %s", (BUSINESS_NUMBER, owner)
        )
        conn.execute(
            "insert into public.faqs (owner_id, question, answer) values"
            " (%s, '¿Cuál es su horario?', 'Abrimos de 8 a 20 h.'),"
            " (%s, '¿Dónde están?', 'Calle Libertad 1842, Guadalajara.'),"
            " (%s, '¿Hacen envíos a domicilio?', 'Sí, en toda la ciudad.')",
            (owner, owner, owner),
        )
    return url


SERVICES = ("load generator", "webhook", "gateway", "PostgREST", "Postgres", "Twilio")


def service_roots(
    cluster: LocalPostgres, stack: LocalStack, twilio: TwilioStandIn, server: ServiceProcess
) -> dict[str, int]:
    def pid(service: ServiceProcess | None) -> int:
        assert service is not None and service.process is not None
        return service.process.pid

    postgres = cluster.running_server()
    assert postgres is not None and stack.postgrest is not None
    return dict(
        zip(
            SERVICES,
            (
                os.getpid(),
                pid(server),
                pid(stack.gateway),
                pid(stack.postgrest.service),
                postgres[0],
                pid(twilio.service),
            ),
            strict=True,
        )
    )


def print_cpu_table(rows: list[tuple[int, str, Result, dict[str, float]]]) -> None:
    cores = os.cpu_count() or 1
    print("\nCPU time per request, ms, by process (and cores kept busy):")
    print(f"{'concurrency':>11} {'path':<9}" + "".join(f" {n:>9.9}" for n in SERVICES), end="")
    print(f" {'total':>7} {'cores':>6}")
    for concurrency, name, result, spent in rows:
        per_request = {n: spent[n] / result.requests * 1000 for n in SERVICES}
        total = sum(per_request.values())
        print(f"{concurrency:>11} {name:<9}", end="")
        print("".join(f" {per_request[n]:>9.2f}" for n in SERVICES), end="")
        print(f" {total:>7.2f} {sum(spent.values()) / result.seconds:>6.2f}")
    print(
        "Ceiling for inbound if the webhook process cost nothing: "
        f"{cores} cores / the other processes' CPU per message:"
    )
    baselines = {c: r for c, n, r, _ in rows if n == "baseline"}
    for concurrency, name, result, spent in rows:
        if name != "inbound":
            continue
        others = sum(spent[n] for n in SERVICES if n != "webhook") / result.requests
        ceiling = cores / others
        print(
            f"  {concurrency:>3} senders: {ceiling:.0f} req/s, "
            f"{ceiling / baselines[concurrency].rate:.0%} of this run's baseline"
        )


def print_postgres_table(rows: list[tuple[int, str, Result, dict[str, float]]]) -> None:
    """Postgres's CPU per request split by process: PostgREST's backends (the calls
    themselves), the Realtime relay's connection, the WAL writer, autovacuum and the rest."""
    roles = sorted({role for *_, spent in rows for role, seconds in spent.items() if seconds > 0})
    print("\nPostgres CPU per request, ms, by process:")
    print(f"{'concurrency':>11} {'path':<9} " + " | ".join(roles) + " | total")
    for concurrency, name, result, spent in rows:
        per_request = [spent.get(role, 0.0) / result.requests * 1000 for role in roles]
        print(
            f"{concurrency:>11} {name:<9} "
            + " | ".join(f"{value:.2f}" for value in per_request)
            + f" | {sum(per_request):.2f}"
        )


def time_calls(label: str, call: Callable[[], object], repeat: int = 300) -> float:
    for _ in range(20):
        call()
    started = time.perf_counter()
    for _ in range(repeat):
        call()
    elapsed = (time.perf_counter() - started) / repeat * 1000
    print(f"  {label:<58} {elapsed:>6.2f} ms")
    return elapsed


def print_call_floor(stack: LocalStack, twilio: TwilioStandIn, baseline_ms: float) -> None:
    """The remote calls of each path, one after another with a lean client, no webhook."""
    key = stack.service_role_key
    rest = httpx.Client(
        base_url=f"{stack.api_url}/rest/v1",
        headers={"apikey": key, "Authorization": f"Bearer {key}"},
    )
    messages = httpx.Client(
        base_url=f"{twilio.url}/2010-04-01/Accounts/{ACCOUNT_SID}",
        auth=(ACCOUNT_SID, AUTH_TOKEN),
    )
    counter = 0

    def handle() -> dict[str, object]:
        nonlocal counter
        counter += 1
        form = inbound_form(
            "a que hora abren?",
            sender=f"+52134{counter % 1000:07d}",
            to=BUSINESS_NUMBER,
            account_sid=ACCOUNT_SID,
        )
        # The same parameters the webhook sends.
        response = rest.post("/rpc/handle_inbound_message", json=parse_inbound(form).rpc_params())
        response.raise_for_status()
        return dict(response.json())

    print("\nThe remote calls alone, one after another (httpx, no webhook), mean of 300:")
    one_rpc = time_calls("baseline: one trivial RPC", lambda: rest.post("/rpc/bench_ping", json={}))
    # An auto-replied message is this one call: the reply goes back in the TwiML answer.
    inbound_call = time_calls("inbound: handle_inbound_message RPC", handle)
    # The webhook adds at least as much of its own time to an inbound message as to a ping.
    own = max(baseline_ms - one_rpc, 0.0)
    bound = baseline_ms / (inbound_call + own)
    print(
        f"At one sender, inbound can reach at most {baseline_ms:.2f} / "
        f"({inbound_call:.2f} + {own:.2f}) = {bound:.0%} of the baseline"
    )
    print(
        "  (the baseline's mean latency over the inbound call plus the webhook's own time,\n"
        "  taken as the baseline's mean latency less its RPC)"
    )
    rest.close()
    messages.close()


PATHS = ("baseline", "inbound", "naive")
MessageMaker = Callable[[aiohttp.ClientSession, int], Awaitable[int]]


def make_paths(base: str) -> dict[str, MessageMaker]:
    """The three paths as request makers for `load`, against the app at `base`."""

    async def signed(session: aiohttp.ClientSession, n: int, path: str) -> int:
        url = f"{base}{path}"
        form = inbound_form(
            "a que hora abren?",
            sender=f"+52133{n % 1000:07d}",
            to=BUSINESS_NUMBER,
            account_sid=ACCOUNT_SID,
        )
        headers = {"X-Twilio-Signature": sign(url, form, AUTH_TOKEN)}
        async with session.post(url, data=form, headers=headers) as response:
            await response.read()
            return response.status

    async def baseline(session: aiohttp.ClientSession, n: int) -> int:
        async with session.get(f"{base}/bench/ping") as response:
            await response.read()
            return response.status

    async def inbound(session: aiohttp.ClientSession, n: int) -> int:
        return await signed(session, n, "/api/twilio/webhook")

    async def naive(session: aiohttp.ClientSession, n: int) -> int:
        return await signed(session, n, "/bench/naive")

    return {"baseline": baseline, "inbound": inbound, "naive": naive}


def proxy_process(port: int, target: str, name: str) -> ServiceProcess:
    return ServiceProcess(
        name=f"the {name} proxy",
        command=[
            sys.executable,
            str(ROOT / "bench" / "delay_proxy.py"),
            "--port",
            str(port),
            "--target",
            target,
        ],
        port=port,
        health_path="/_proxy/health",
        log_path=ROOT / ".local" / f"bench-proxy-{name}.log",
    )


def proxy_call(
    proxy: ServiceProcess, method: str, path: str, body: dict[str, float] | None = None
) -> int:
    response = httpx.request(
        method, f"http://127.0.0.1:{proxy.port}/_proxy/{path}", json=body, timeout=10
    )
    response.raise_for_status()
    return int(response.json().get("count", 0))


def app_process(port: int, env: dict[str, str], app_dir: Path) -> ServiceProcess:
    return webhook_process(
        port,
        {
            **env,
            "PYTHONPATH": os.pathsep.join([str(app_dir), str(ROOT), str(ROOT / "scripts")]),
        },
        app="bench_app:app",
    )


def print_results(concurrency: int, results: dict[str, Result]) -> None:
    for name, result in results.items():
        ratio = result.rate / results["baseline"].rate
        print(
            f"{concurrency:>11} {name:<9} {result.rate:>8.0f} "
            f"{result.percentile(0.5):>8.1f} {result.percentile(0.99):>8.1f} "
            f"{result.errors:>6} {ratio:>10.0%}"
        )


def print_targets(cpu_rows: list[tuple[int, str, Result, dict[str, float]]]) -> None:
    """Inbound against the targets: throughput and CPU per message, relative to the peers."""
    per: dict[tuple[int, str], dict[str, float]] = {
        (c, n): {s: spent[s] / r.requests * 1000 for s in SERVICES} for c, n, r, spent in cpu_rows
    }
    rates = {(c, n): r.rate for c, n, r, _ in cpu_rows}
    print("\nTargets (same run):")
    for concurrency in sorted({c for c, _ in per}):
        base, inbound, naive = (per[(concurrency, n)] for n in PATHS)
        rate = rates[(concurrency, "inbound")]
        of_baseline = rate / rates[(concurrency, "baseline")]
        of_naive = rate / rates[(concurrency, "naive")]
        postgres = inbound["Postgres"] / sum(base.values())
        webhook = inbound["webhook"] / base["webhook"]
        print(
            f"  {concurrency:>2} senders: inbound {rate:.0f} req/s = {of_baseline:.0%} of baseline"
            f" (>= 50%), {of_naive:.1f}x naive (>= 3x); Postgres {inbound['Postgres']:.2f} ms"
            f" = {postgres:.2f}x the baseline's total CPU (<= 0.6); webhook"
            f" {inbound['webhook']:.2f} ms = {webhook:.2f}x the baseline's (<= 1.3);"
            f" naive webhook {naive['webhook']:.2f} ms"
        )


def print_same_wait_webhook_cpu(
    base: str, cpu: ServiceCpu, seconds: float, one_sender: dict[str, tuple[Result, float]]
) -> None:
    """The webhook's CPU per request at one sender, inbound against a trivial RPC that waits
    in the database (pg_sleep, no CPU) as long as inbound's call takes longer than the ping.

    At one sender every process's CPU per request grows with the time it sits idle between
    requests (wake-ups, cold caches), whatever its work: this reference waits as long as
    inbound, so what is left is the webhook's own work per message. `one_sender`: each
    path's result and webhook CPU per request at one sender, from the main runs.
    """
    (inbound, inbound_webhook), (baseline, _) = one_sender["inbound"], one_sender["baseline"]
    wait_ms = max(inbound.percentile(0.5) - baseline.percentile(0.5), 0.0)

    async def waiting(session: aiohttp.ClientSession, n: int) -> int:
        async with session.get(f"{base}/bench/ping_wait?ms={wait_ms:.2f}") as response:
            await response.read()
            return response.status

    asyncio.run(load(waiting, 1, 1))
    before = cpu.sample()
    result = asyncio.run(load(waiting, 1, seconds))
    spent = cpu.spent(before, cpu.sample())
    per_request = {name: spent[name] / result.requests * 1000 for name in SERVICES}
    print(
        f"\nAt 1 sender, a trivial RPC that waits {wait_ms:.1f} ms in the database, as long as"
        f" inbound's call (p50 {result.percentile(0.5):.1f} ms, n {result.requests}):"
    )
    print("  CPU per request, ms: " + ", ".join(f"{n} {v:.2f}" for n, v in per_request.items()))
    print(
        f"  webhook: inbound {inbound_webhook:.2f} ms ="
        f" {inbound_webhook / per_request['webhook']:.2f}x the same-wait RPC's (<= 1.3)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--latency-seconds", type=float, default=8.0)
    parser.add_argument("--db-delay-ms", type=float, default=30.0)
    parser.add_argument("--twilio-delay-ms", type=float, default=60.0)
    parser.add_argument(
        "--migrations-before",
        metavar="VERSION",
        help="leave out this migration and the later ones (to compare with an earlier schema)",
    )
    args = parser.parse_args()

    cluster = LocalPostgres.for_tests()
    cluster.start()
    database_url = prepare_database(cluster, args.migrations_before)
    stack = LocalStack(database_url=database_url, gateway_port=free_port())
    stack.start(seed=False)
    twilio = TwilioStandIn(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN, callbacks=False)
    twilio.start()
    app_dir = ROOT / ".local" / "bench-app"
    app_dir.mkdir(parents=True, exist_ok=True)
    (app_dir / "bench_app.py").write_text(APP_MODULE)
    port, proxied_port = free_port(), free_port()
    base, proxied_base = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{proxied_port}"
    assert stack.gateway is not None
    db_proxy = proxy_process(free_port(), stack.api_url, "gateway")
    twilio_proxy = proxy_process(free_port(), twilio.url, "Twilio")
    server = app_process(port, stack.app_env(twilio, base), app_dir)
    proxied = app_process(
        proxied_port,
        {
            **stack.app_env(twilio, proxied_base),
            "SUPABASE_URL": f"http://127.0.0.1:{db_proxy.port}",
            "TWILIO_API_URL": f"http://127.0.0.1:{twilio_proxy.port}",
        },
        app_dir,
    )
    services = (server, proxied, db_proxy, twilio_proxy)
    try:
        for service in services:
            service.start()
        paths = make_paths(base)
        for make_request in paths.values():  # imports, connection pools, prepared statements
            asyncio.run(load(make_request, 4, 2))

        cpu = ServiceCpu(service_roots(cluster, stack, twilio, server)) if available() else None
        print(
            f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}; {args.seconds:.0f} s per run; load average"
            f" {os.getloadavg()[0]:.2f}; schema: "
            + (f"migrations before {args.migrations_before}" if args.migrations_before else "all")
        )
        print(
            f"{'concurrency':>11} {'path':<9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}"
            f" {'errors':>6} {'vs baseline':>11}"
        )
        cpu_rows: list[tuple[int, str, Result, dict[str, float]]] = []
        postgres_rows: list[tuple[int, str, Result, dict[str, float]]] = []
        postmaster = cpu.roots["Postgres"] if cpu else 0
        one_sender_baseline_ms: float | None = None
        for concurrency in args.concurrency:
            results: dict[str, Result] = {}
            for name in PATHS:
                before = cpu.sample() if cpu else {}
                postgres_before = postgres_cpu_by_role(postmaster) if cpu else {}
                results[name] = asyncio.run(load(paths[name], concurrency, args.seconds))
                if cpu:
                    cpu_rows.append(
                        (concurrency, name, results[name], cpu.spent(before, cpu.sample()))
                    )
                    postgres_rows.append(
                        (
                            concurrency,
                            name,
                            results[name],
                            ServiceCpu.spent(postgres_before, postgres_cpu_by_role(postmaster)),
                        )
                    )
            if concurrency == 1:
                one_sender_baseline_ms = statistics.fmean(results["baseline"].latencies_ms)
            print_results(concurrency, results)
        if cpu_rows:
            print_cpu_table(cpu_rows)
            print_postgres_table(postgres_rows)
            print_targets(cpu_rows)
        one_sender = {
            path: (run, spent["webhook"] / run.requests * 1000)
            for senders, path, run, spent in cpu_rows
            if senders == 1
        }
        if cpu and one_sender:
            print_same_wait_webhook_cpu(base, cpu, args.seconds, one_sender)

        # Calls per message, counted at the proxies (no delay yet).
        through_proxies = make_paths(proxied_base)
        print("\nCalls per message (counted at the proxies, 50 messages each):")
        for name in PATHS:
            for proxy in (db_proxy, twilio_proxy):
                proxy_call(proxy, "POST", "reset")
            answered = asyncio.run(load_count(through_proxies[name], 50))
            calls = [
                proxy_call(proxy, "GET", "count") / answered for proxy in (db_proxy, twilio_proxy)
            ]
            print(f"  {name:<9} PostgREST {calls[0]:.2f}   Twilio {calls[1]:.2f}")

        # Production-like latency: the internet between Vercel and Supabase/Twilio.
        proxy_call(db_proxy, "POST", "delay", {"ms": args.db_delay_ms})
        proxy_call(twilio_proxy, "POST", "delay", {"ms": args.twilio_delay_ms})
        print(
            f"\nWith {args.db_delay_ms:.0f} ms added to each call to the gateway and"
            f" {args.twilio_delay_ms:.0f} ms to each call to Twilio"
            f" ({args.latency_seconds:.0f} s per run):"
        )
        print(f"{'concurrency':>11} {'path':<9} {'p50 ms':>8} {'p99 ms':>8} {'n':>6}")
        for concurrency in (1, 8):
            delayed = {
                name: asyncio.run(load(through_proxies[name], concurrency, args.latency_seconds))
                for name in PATHS
            }
            for name, result in delayed.items():
                print(
                    f"{concurrency:>11} {name:<9} {result.percentile(0.5):>8.1f}"
                    f" {result.percentile(0.99):>8.1f} {result.requests:>6}"
                )
            p50 = {name: result.percentile(0.5) for name, result in delayed.items()}
            print(
                f"{'':>11} inbound p50 - baseline p50 = {p50['inbound'] - p50['baseline']:.1f} ms"
                f" (target <= 10); naive p50 / inbound p50 = {p50['naive'] / p50['inbound']:.1f}x"
                " (target >= 4)"
            )
        if one_sender_baseline_ms is not None:
            print_call_floor(stack, twilio, one_sender_baseline_ms)
    finally:
        for service in reversed(services):
            service.stop()
        twilio.stop()
        stack.stop()
        # The cluster is this run's own: remove it whole.
        cluster.destroy()


async def load_count(make_request: MessageMaker, messages: int) -> int:
    """Send `messages` requests one after another; how many were answered 200."""
    ok = 0
    async with aiohttp.ClientSession() as session:
        for n in range(messages):
            ok += await make_request(session, 10_000 + n) == 200
    return max(ok, 1)


if __name__ == "__main__":
    main()
