"""Inbound webhook throughput and latency, against a baseline measured in the same run.

Everything is real and local: uvicorn serving the webhook -> supabase-py -> gateway ->
PostgREST -> Postgres, with replies sent through the official Twilio client to the
loopback stand-in. The baseline is the same app, same process, serving an endpoint that
makes one trivial PostgREST RPC through the same client.

    .venv/bin/python bench/inbound.py [--seconds 10] [--concurrency 1 8 32]

The load generator (aiohttp) shares the machine's cores with the servers, so compare the
ratio, not the absolute figures, across machines.
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
import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

from devstack.postgres import LocalPostgres, free_port
from devstack.stack import LocalStack, webhook_process
from devstack.twilio_api import TwilioStandIn
from facilchat import migrate
from facilchat.simulate import inbound_form, sign

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
    migrate.migrate(url, local=True)
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

        print(
            f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}; {args.seconds:.0f} s per run"
        )
        print(
            f"{'concurrency':>11} {'path':<9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}"
            f" {'errors':>6} {'vs baseline':>11}"
        )
        for concurrency in args.concurrency:
            base_result = asyncio.run(load(baseline, concurrency, args.seconds))
            inbound_result = asyncio.run(load(inbound, concurrency, args.seconds))
            for name, result in (("baseline", base_result), ("inbound", inbound_result)):
                ratio = result.rate / base_result.rate
                print(
                    f"{concurrency:>11} {name:<9} {result.rate:>8.0f} "
                    f"{result.percentile(0.5):>8.1f} {result.percentile(0.99):>8.1f} "
                    f"{result.errors:>6} {ratio:>10.0%}"
                )
        sent = len(twilio.attempts())
        print(
            f"replies sent to the Twilio stand-in: {sent}; "
            f"median inbound latency overall: "
            f"{statistics.median(inbound_result.latencies_ms):.1f} ms"
        )
    finally:
        server.stop()
        twilio.stop()
        stack.stop()
        with psycopg.connect(cluster.url(), autocommit=True) as conn:
            name = database_url.rsplit("/", 1)[1].split("?")[0]
            conn.execute(f'drop database if exists "{name}" with (force)')  # type: ignore[arg-type]
        if cluster.started_here:
            cluster.stop()


if __name__ == "__main__":
    main()
