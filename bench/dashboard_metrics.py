"""The Metrics screen's SQL functions, the export of every client and erasing a client, for
the business of bench/dashboard.py: 10,000 clients and 500,000 messages over a year.

The business is built by bench/dashboard.py's generator, then given what a real one has
and the generator leaves out: 20 FAQs, replies of every kind (of the replies, 62 % an
FAQ's answer with its faq_id, 18 % the fallback, 6 % the away message, 12 % the owner's
own, 2 % an opt-out confirmation) and clients created at their first message.

1. Each metrics function at 90 days, as PostgREST runs it for the signed-in owner (a
   transaction with `role = authenticated` and the owner's JWT claims, statements prepared
   after five calls): p50/p99 over --calls rounds after 10 warm-up rounds, each round
   calling every function and both baselines once, in turn, so that the machine's other
   work weighs on each alike. Baselines: `select 1`, and counting the period's messages
   (the same index range, read and counted, nothing more). Then the 100 ms target, and the
   plan of each function's inner query (auto_explain, ANALYZE and BUFFERS, as the owner).
2. erase_client on --erasures clients (about 50 messages each), each committed.
3. The export of every client as the dashboard reads it: pages of 1,000 clients with their
   labels through the gateway and PostgREST (the same requests supabase-js makes), against
   one PostgREST call (inbox_summary) in the same run; then in Chromium, from the click on
   "Descargar todos los clientes (CSV)" to the finished download, and the Metrics screen's
   load at 90 days against the inbox's first render.

Usage:
    .venv/bin/python bench/dashboard_metrics.py [--calls 100] [--erasures 20] [--exports 5]
                                                [--renders 5]

It makes its own throwaway cluster (deleted at the end). The dashboard must be built.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import psycopg
from psycopg.conninfo import make_conninfo

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

from playwright.sync_api import Browser, sync_playwright

from devstack import keys, migrations
from devstack.postgres import LocalPostgres, free_port
from devstack.stack import LocalStack, load_seed, webhook_process
from devstack.twilio_api import TwilioStandIn


def load_dashboard_bench() -> Any:
    """bench/dashboard.py, whose builder and timing helpers this benchmark reuses."""
    spec = importlib.util.spec_from_file_location(
        "dashboard_bench", ROOT / "bench" / "dashboard.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


base = load_dashboard_bench()

BIG_OWNER = base.BIG_OWNER
TARGET_MS = 100.0
DAYS = 90
EXPORT_PAGE = 1_000
EXPORT_SELECT = (
    "id,name,phone,status,opted_out,created_at,last_message_at,client_labels(labels(name))"
)

# What bench/dashboard.py's business lacks: FAQs, replies of every kind, real creation dates.
ENRICH = f"""
set session_replication_role = replica;
insert into public.faqs (owner_id, question, answer, position)
select '{BIG_OWNER}', 'Pregunta frecuente ' || i, 'Respuesta ' || i, i
from generate_series(1, 20) i;
create temporary table bench_faq on commit drop as
select id, row_number() over (order by position) - 1 as k
from public.faqs where owner_id = '{BIG_OWNER}';
update public.messages m
set reply_kind = case when x.h % 100 < 62 then 'faq' when x.h % 100 < 80 then 'fallback'
                      when x.h % 100 < 86 then 'away' when x.h % 100 < 98 then 'manual'
                      else 'opt_out' end,
    faq_id = case when x.h % 100 < 62 then f.id end
from (select id, abs(hashtext(id::text)) as h from public.messages
      where owner_id = '{BIG_OWNER}' and direction = 'out') x
         join bench_faq f on f.k = (x.h / 100) % 20
where m.id = x.id;
update public.clients c set created_at = f.first_at
from (select client_id, min("timestamp") as first_at from public.messages
      where owner_id = '{BIG_OWNER}' group by 1) f
where c.id = f.client_id;
set session_replication_role = origin;
"""

CASES = [
    ("messages per day (`metrics_messages_per_day`)", "metrics_messages_per_day(%s)"),
    ("how they were answered (`metrics_reply_kinds`)", "metrics_reply_kinds(%s)"),
    ("new clients per week (`metrics_new_clients_per_week`)", "metrics_new_clients_per_week(%s)"),
    ("busiest hours (`metrics_busiest_hours`)", "metrics_busiest_hours(%s)"),
    ("top FAQs (`metrics_top_faqs`)", "metrics_top_faqs(%s, 5)"),
    ("first own reply (`metrics_first_human_reply`)", "metrics_first_human_reply(%s)"),
]

METRICS_LOADED = """
(() => {
  const seen = () => {
    if (window.__metricsAt === undefined
        && document.querySelector('.metrics[aria-busy="false"] #per-day-table')) {
      window.__metricsAt = performance.now();
    }
    if (window.__chartAt === undefined && document.querySelector('#chart-per-day canvas')) {
      window.__chartAt = performance.now();
    }
  };
  new MutationObserver(seen)
    .observe(document, { subtree: true, childList: true, attributes: true });
})();
"""


# The same 90 days of messages, only counted: what reading the period's index range costs.
PERIOD_COUNT = (
    "period's messages, only counted (baseline)",
    "select count(*) from public.messages m where m.owner_id = (select auth.uid())"
    " and m.\"timestamp\" >= (date_trunc('day', now() at time zone 'America/Mexico_City')"
    " - interval '89 days') at time zone 'America/Mexico_City'",
)


def timed_call(conn: psycopg.Connection[Any], sql: str, params: tuple[Any, ...]) -> float:
    with base.as_owner(conn, BIG_OWNER):
        started = time.perf_counter()
        conn.execute(sql, params).fetchall()
        return (time.perf_counter() - started) * 1000


def run_metrics(
    conn: psycopg.Connection[Any], calls: int
) -> tuple[dict[str, list[float]], dict[str, str]]:
    """Every case once per round, in turn (the machine's other work then weighs on each
    alike), after 10 warm-up rounds; then each function's plan."""
    cases = [
        ("baseline: `select 1`", "select 1", ()),
        (PERIOD_COUNT[0], PERIOD_COUNT[1], ()),
        *[(name, f"select * from public.{call}", (DAYS,)) for name, call in CASES],
    ]
    times: dict[str, list[float]] = {name: [] for name, _, _ in cases}
    for round_ in range(calls + 10):
        shift = round_ % len(cases)
        for name, sql, params in cases[shift:] + cases[:shift]:
            elapsed = timed_call(conn, sql, params)
            if round_ >= 10:
                times[name].append(elapsed)
    for name, values in times.items():
        print(
            f"  {name}: p50 {base.percentile(values, 0.5):.2f} ms,"
            f" p99 {base.percentile(values, 0.99):.2f} ms",
            flush=True,
        )
    plans = {
        name: base.plan_of(conn, base.Case(name, f"select * from public.{call}", [(DAYS,)]))
        for name, call in CASES
    }
    return times, plans


def run_erasures(conn: psycopg.Connection[Any], count: int) -> tuple[list[float], list[int]]:
    """erase_client on `count` clients, each in its own committed transaction."""
    clients = conn.execute(
        "select id from public.clients where owner_id = %s order by phone desc limit %s",
        (BIG_OWNER, count),
    ).fetchall()
    times, erased = [], []
    for (client,) in clients:
        with base.as_owner(conn, BIG_OWNER):
            started = time.perf_counter()
            row = conn.execute("select public.erase_client(%s)", (client,)).fetchone()
            times.append((time.perf_counter() - started) * 1000)
        assert row is not None
        erased.append(int(row[0]["messages"]))
    return times, erased


def export_over_http(api_url: str, token: str, anon: str) -> tuple[float, int]:
    """Every client with their labels, page by page until an empty page, as the dashboard."""
    headers = {"apikey": anon, "Authorization": f"Bearer {token}"}
    rows = 0
    started = time.perf_counter()
    with httpx.Client(base_url=f"{api_url}/rest/v1", headers=headers, timeout=60) as http:
        after = None
        while True:
            params = {"select": EXPORT_SELECT, "order": "id.asc", "limit": str(EXPORT_PAGE)}
            if after:
                params["id"] = f"gt.{after}"
            response = http.get("/clients", params=params)
            response.raise_for_status()
            page = response.json()
            if not page:
                break
            rows += len(page)
            after = page[-1]["id"]
    return (time.perf_counter() - started) * 1000, rows


def one_call(api_url: str, token: str, anon: str, calls: int) -> list[float]:
    headers = {"apikey": anon, "Authorization": f"Bearer {token}"}
    times = []
    with httpx.Client(base_url=f"{api_url}/rest/v1", headers=headers, timeout=60) as http:
        for i in range(calls + 5):
            started = time.perf_counter()
            http.post("/rpc/inbox_summary", json={}).raise_for_status()
            if i >= 5:
                times.append((time.perf_counter() - started) * 1000)
    return times


def metrics_loads(
    browser: Browser, app_url: str, state: Any, loads: int
) -> tuple[list[float], list[float]]:
    """Navigation start -> the Metrics screen's numbers, and -> its first chart drawn."""
    numbers, charts = [], []
    for i in range(loads + 1):
        context = browser.new_context(viewport={"width": 1280, "height": 860}, storage_state=state)
        context.add_init_script(METRICS_LOADED)
        page = context.new_page()
        page.goto(f"{app_url}/#/metrics?days={DAYS}")
        page.wait_for_function(
            "window.__metricsAt !== undefined && window.__chartAt !== undefined", timeout=60_000
        )
        if i > 0:  # the first load warms the server's caches
            numbers.append(float(page.evaluate("window.__metricsAt")))
            charts.append(float(page.evaluate("window.__chartAt")))
        context.close()
    return numbers, charts


def browser_exports(
    browser: Browser, app_url: str, state: Any, count: int
) -> tuple[list[float], int]:
    """Click on "Descargar todos los clientes (CSV)" -> the file saved, in ms."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 860}, storage_state=state, accept_downloads=True
    )
    page = context.new_page()
    page.goto(f"{app_url}/#/metrics?days=7")
    page.locator('.metrics[aria-busy="false"]').wait_for(timeout=60_000)
    times, lines = [], 0
    for _ in range(count + 1):
        with page.expect_download(timeout=120_000) as info:
            started = time.perf_counter()
            page.locator("#export-clients").click()
        path = info.value.path()
        times.append((time.perf_counter() - started) * 1000)
        assert path is not None
        lines = path.read_bytes().count(b"\r\n")
    context.close()
    return times[1:], lines


def summary_row(label: str, values: list[float]) -> str:
    return (
        f"| {label} | {statistics.median(values):.0f} | {base.percentile(values, 0.99):.0f} |"
        f" {min(values):.0f} | {max(values):.0f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--erasures", type=int, default=20)
    parser.add_argument("--exports", type=int, default=5)
    parser.add_argument("--renders", type=int, default=5)
    args = parser.parse_args()

    started = time.monotonic()
    load_at_start = os.getloadavg()
    cluster = LocalPostgres.for_tests("metrics-bench")
    stack: LocalStack | None = None
    twilio = TwilioStandIn(callback_delay=0.05)
    server = None
    try:
        cluster.start()
        name = f"facilchat_metrics_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(cluster.url(), autocommit=True) as admin:
            admin.execute(f'create database "{name}"')
        url = make_conninfo(cluster.url(), dbname=name)
        migrations.migrate(url, local=True)
        load_seed(url)
        print(f"generating {base.CLIENTS:,} clients and {base.MESSAGES:,} messages…", flush=True)
        with psycopg.connect(url, autocommit=True) as conn:
            with conn.transaction():
                conn.execute(base.GENERATE)
            with conn.transaction():
                conn.execute(ENRICH)
            conn.execute("vacuum analyze")
            counts = conn.execute(
                "select count(*) filter (where direction = 'in'),"
                " count(*) filter (where direction = 'out'),"
                " count(*) filter (where reply_kind = 'manual'),"
                " count(*) filter (where \"timestamp\" >= now() - interval '90 days')"
                " from public.messages where owner_id = %s",
                (BIG_OWNER,),
            ).fetchone()
            assert counts is not None
            print(
                f"  {counts[0]:,} received, {counts[1]:,} sent ({counts[2]:,} by the owner);"
                f" {counts[3]:,} in the last 90 days",
                flush=True,
            )

        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("load 'auto_explain'")
            conn.execute("set auto_explain.log_min_duration = -1")
            metric_times, plans = run_metrics(conn, args.calls)
            erase_times, erased = run_erasures(conn, args.erasures)

        stack = LocalStack(database_url=url, gateway_port=free_port())
        stack.start(seed=False)
        token = keys.user_token(BIG_OWNER, secret=stack.jwt_secret)
        export_over_http(stack.api_url, token, stack.anon_key)  # warm-up
        http_exports = [export_over_http(stack.api_url, token, stack.anon_key) for _ in range(10)]
        http_rows = http_exports[0][1]
        call_times = one_call(stack.api_url, token, stack.anon_key, 50)

        twilio.start()
        port = free_port()
        app_url = f"http://127.0.0.1:{port}"
        server = webhook_process(port, stack.app_env(twilio, app_url), app="devstack.app:app")
        server.start()
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=base.CHROMIUM, headless=True, args=base.CHROMIUM_ARGS
            )
            state = base.sign_in(browser, app_url, base.BIG_EMAIL)
            inbox_renders = base.first_renders(browser, app_url, state, args.renders)
            numbers, charts = metrics_loads(browser, app_url, state, args.renders)
            downloads, lines = browser_exports(browser, app_url, state, args.exports)
            browser.close()
    finally:
        if server is not None:
            server.stop()
        twilio.stop()
        if stack is not None:
            stack.stop()
        cluster.destroy()

    print(f"\nMachine: {base.machine()}; {time.strftime('%Y-%m-%d')}")
    print(f"\nMetrics at {DAYS} days, as the signed-in owner, interleaved\n")
    print(
        "| function | p50 ms | p99 ms | x `select 1` (p50) | x counting the period (p50)"
        " | under 100 ms (p99) |"
    )
    print("|---|---:|---:|---:|---:|:---:|")
    one = base.percentile(metric_times["baseline: `select 1`"], 0.5)
    counted = base.percentile(metric_times[PERIOD_COUNT[0]], 0.5)
    for case_name, values in metric_times.items():
        p50, p99 = base.percentile(values, 0.5), base.percentile(values, 0.99)
        verdict = (
            ""
            if case_name in ("baseline: `select 1`", PERIOD_COUNT[0])
            else ("yes" if p99 < TARGET_MS else "**no**")
        )
        print(
            f"| {case_name} | {p50:.2f} | {p99:.2f} | {p50 / one:.0f} | {p50 / counted:.1f}"
            f" | {verdict} |"
        )
    total = sum(base.percentile(metric_times[name], 0.5) for name, _ in CASES)
    print(f"| all six, one after another (sum of p50) | {total:.2f} | | | | |")
    loads = ", ".join(f"{value:.1f}" for value in load_at_start)
    print(f"\nLoad average (1, 5, 15 min) at the start: {loads};", end=" ")
    print("at the end:", ", ".join(f"{value:.1f}" for value in os.getloadavg()))

    print("\nErasing a client (`erase_client`, committed, with its broadcasts)\n")
    print("| measure | p50 ms | p99 ms | messages per client (median) |")
    print("|---|---:|---:|---:|")
    print(
        f"| erase_client, {len(erase_times)} clients | {statistics.median(erase_times):.1f} |"
        f" {base.percentile(erase_times, 0.99):.1f} | {statistics.median(erased):.0f} |"
    )

    http_times = [ms for ms, _ in http_exports]
    print(f"\nExport of every client ({http_rows:,} clients, pages of {EXPORT_PAGE:,})\n")
    print("| measure (ms) | median | p99 | min | max |")
    print("|---|---:|---:|---:|---:|")
    print(summary_row("baseline: one PostgREST call (`inbox_summary`), 50 calls", call_times))
    print(summary_row(f"every client through PostgREST, {len(http_times)} exports", http_times))
    print(
        summary_row(
            f"in Chromium: click → file saved ({lines - 1:,} rows), {len(downloads)} exports",
            downloads,
        )
    )
    print("\nThe Metrics screen in Chromium (ms from navigation start)\n")
    print("| measure | median | p99 | min | max |")
    print("|---|---:|---:|---:|---:|")
    print(summary_row(f"baseline: first inbox render, {args.renders} loads", inbox_renders))
    print(summary_row(f"Metrics at {DAYS} days: every number shown, {args.renders} loads", numbers))
    print(summary_row(f"Metrics at {DAYS} days: first chart drawn, {args.renders} loads", charts))

    print("\nPlans (auto_explain, ANALYZE, BUFFERS, as the owner):")
    for case_name, plan in plans.items():
        print(f"\n### {case_name}\n```\n{plan}\n```")
    print(f"\ntotal run: {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
