"""Inbound webhook throughput and latency, against a baseline measured in the same run.

Everything is real and local: uvicorn serving the webhook -> supabase-py -> gateway ->
PostgREST -> Postgres, with replies sent through the official Twilio client to the
loopback stand-in. The baseline is the same app, same process, serving an endpoint that
makes one trivial PostgREST RPC through the same client.

    .venv/bin/python bench/inbound.py [--seconds 10] [--concurrency 1 8 32]

The load generator (aiohttp) shares the machine's cores with the servers, so compare the
ratio, not the absolute figures, across machines. To say where the time goes, it also
prints each process's CPU time per request during each run (from /proc, on Linux) and,
at the end, the remote calls of both paths timed one after another without the webhook.
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

from process_cpu import ServiceCpu, available

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
"""
# The benchmark's app: the webhook plus the baseline route, in one process.
APP_MODULE = """
from webhook.app import app
from webhook.deps import DatabaseDep

@app.get("/bench/ping")
def ping(db: DatabaseDep) -> dict[str, object]:
    return {"result": db._rpc("bench_ping", {})}
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


def prepare_database(cluster: LocalPostgres) -> str:
    name = f"bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(cluster.url(), autocommit=True) as conn:
        conn.execute(f'create database "{name}"')  # type: ignore[arg-type]
    url = cluster.url(name)
    migrations.migrate(url, local=True)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 32])
    args = parser.parse_args()

    cluster = LocalPostgres.for_tests()
    cluster.start()
    database_url = prepare_database(cluster)
    stack = LocalStack(database_url=database_url, gateway_port=free_port())
    stack.start(seed=False)
    twilio = TwilioStandIn(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN, callbacks=False)
    twilio.start()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    app_dir = ROOT / ".local" / "bench-app"
    app_dir.mkdir(parents=True, exist_ok=True)
    (app_dir / "bench_app.py").write_text(APP_MODULE)
    env = {
        **stack.app_env(twilio, base),
        "PYTHONPATH": os.pathsep.join([str(app_dir), str(ROOT), str(ROOT / "scripts")]),
    }
    server = webhook_process(port, env, app="bench_app:app")
    try:
        server.start()
        url = f"{base}/api/twilio/webhook"

        async def inbound(session: aiohttp.ClientSession, n: int) -> int:
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

        # Warm both paths (imports, connection pools, prepared statements).
        asyncio.run(load(inbound, 4, 2))
        asyncio.run(load(baseline, 4, 2))

        cpu = ServiceCpu(service_roots(cluster, stack, twilio, server)) if available() else None
        print(
            f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}; {args.seconds:.0f} s per run"
        )
        print(
            f"{'concurrency':>11} {'path':<9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}"
            f" {'errors':>6} {'vs baseline':>11}"
        )
        cpu_rows: list[tuple[int, str, Result, dict[str, float]]] = []
        one_sender_baseline_ms: float | None = None
        for concurrency in args.concurrency:
            results: dict[str, Result] = {}
            for name, path in (("baseline", baseline), ("inbound", inbound)):
                before = cpu.sample() if cpu else {}
                results[name] = asyncio.run(load(path, concurrency, args.seconds))
                if cpu:
                    cpu_rows.append(
                        (concurrency, name, results[name], cpu.spent(before, cpu.sample()))
                    )
            if concurrency == 1:
                one_sender_baseline_ms = statistics.fmean(results["baseline"].latencies_ms)
            for name, result in results.items():
                ratio = result.rate / results["baseline"].rate
                print(
                    f"{concurrency:>11} {name:<9} {result.rate:>8.0f} "
                    f"{result.percentile(0.5):>8.1f} {result.percentile(0.99):>8.1f} "
                    f"{result.errors:>6} {ratio:>10.0%}"
                )
        sent = len(twilio.attempts())
        print(f"replies sent to the Twilio stand-in: {sent}")
        if cpu_rows:
            print_cpu_table(cpu_rows)
        if one_sender_baseline_ms is not None:
            print_call_floor(stack, twilio, one_sender_baseline_ms)
    finally:
        server.stop()
        twilio.stop()
        stack.stop()
        # The cluster is this run's own: remove it whole.
        cluster.destroy()


if __name__ == "__main__":
    main()
