"""The dashboard's queries and first render, for one business with 10,000 clients and
500,000 messages, with and without the indexes that serve them.

1. Queries, as PostgREST runs them for a signed-in owner: in a transaction with
   `role = authenticated` and the owner's JWT claims, on one psycopg connection
   (statements prepared after five calls, as PostgREST prepares them). The inbox's first
   page and a deep page (keyset cursor thousands of rows down), a label filter, pages of
   10, 50 and 200 rows, the same first page for the 12-client demo bakery (the table-size
   check), a conversation's newest page and an older one, the unread total, and the
   search (a name, a message's text, and nothing). p50/p99 over --calls calls, after 10
   warm-up calls; the plan of each inner query (auto_explain, with ANALYZE and BUFFERS).
2. The inbox, conversation and unread queries again without their indexes
   (clients_inbox_idx, clients_unread_idx and messages_conversation_idx dropped; the
   schema's other indexes stay), --unindexed-calls calls each, and the ratios.
3. In Chromium, against the local stack (gateway, PostgREST, Auth and Realtime stand-ins,
   the app serving dashboard/dist): time to first inbox render, from navigation start to the
   first conversation row in the page, for the demo bakery and the 10,000-client business,
   signed in (the session in localStorage), against the sign-in page signed out (the same
   page and scripts, no data); and how long a new customer's message takes from the
   simulator's send to the top of the open inbox, against the send itself.

Usage:
    .venv/bin/python bench/dashboard.py [--calls 200] [--search-calls 30] [--renders 10]
                                        [--live 20] [--unindexed-calls 10]

It makes its own throwaway cluster (deleted at the end). Every process shares the machine's
cores, so compare ratios, not absolute figures, across machines. The dashboard must be built
(`make install`).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
from psycopg.conninfo import make_conninfo

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

from playwright.sync_api import Browser, Page, sync_playwright

from devstack import migrations
from devstack.postgres import LocalPostgres, free_port
from devstack.seed import SEED_OWNER_EMAIL, SEED_OWNER_ID, SEED_WHATSAPP_NUMBER
from devstack.stack import LocalStack, load_seed, webhook_process
from devstack.twilio_api import TwilioStandIn

Connection = psycopg.Connection[Any]
ROOT_NODE = re.compile(r"^[A-Z][A-Za-z ]+  \(cost=")

BIG_OWNER = "b1a00000-0000-4000-8000-000000000001"
BIG_EMAIL = "mayoreo@facilchat.dev"
CLIENTS = 10_000
MESSAGES = 500_000
DASHBOARD_INDEXES = {
    "clients_inbox_idx": (
        "create index clients_inbox_idx"
        " on public.clients (owner_id, status, activity_at desc, id desc)"
    ),
    "clients_unread_idx": (
        "create index clients_unread_idx on public.clients (owner_id) where unread_count > 0"
    ),
    "messages_conversation_idx": (
        "create index messages_conversation_idx"
        ' on public.messages (owner_id, client_id, "timestamp" desc, direction desc, id desc)'
    ),
}
# The queries timed again without the dashboard's indexes.
WITHOUT_INDEXES = (
    "inbox, first page (50)",
    "inbox, a deep page (rows 4,000-8,000)",
    "conversation, newest 50",
    "conversation, an older page",
    "unread total (inbox_summary)",
)
CHROMIUM = os.environ.get("FACILCHAT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]

# One business: 10,000 clients with 50 messages each on average (from 10 to 90), a year of
# history, labels on a quarter of them, accents and punctuation as customers write.
GENERATE = f"""
set session_replication_role = replica;
insert into auth.users (id, email, aud, role, email_confirmed_at, raw_app_meta_data)
values ('{BIG_OWNER}', '{BIG_EMAIL}', 'authenticated', 'authenticated', now(),
        '{{"provider": "email", "providers": ["email"]}}');
insert into public.users (id, email, name, business_name, whatsapp_number, onboarding_complete)
values ('{BIG_OWNER}', '{BIG_EMAIL}', 'Dueña', 'Distribuidora El Mayoreo', '+5213399990000', true);
insert into public.labels (owner_id, name, color, type)
select '{BIG_OWNER}', 'Etiqueta ' || i, '#0ea5e9', 'manual' from generate_series(1, 8) i;
insert into public.clients (owner_id, phone, name, status, unread_count, created_at)
select '{BIG_OWNER}', '+52133' || lpad(i::text, 8, '0'),
       (array['María', 'José', 'Ana', 'Carlos', 'Fernanda', 'Jorge', 'Daniela', 'Ricardo',
              'Patricia', 'Miguel'])[1 + i % 10] || ' ' ||
       (array['Pérez', 'Gómez', 'Núñez', 'López', 'Hernández', 'Ávila', 'Ruiz', 'Íñiguez',
              'Sandoval', 'Ochoa'])[1 + (i / 10) % 10] || ' ' || i,
       case when i % 10 = 0 then 'archived' else 'active' end,
       case when i % 13 = 0 then 1 + i % 4 else 0 end,
       now() - interval '400 days'
from generate_series(1, {CLIENTS}) i;
create temporary table bench_client on commit drop as
select id, row_number() over (order by phone) as n
from public.clients where owner_id = '{BIG_OWNER}';
insert into public.messages (owner_id, client_id, direction, content, status, reply_kind,
                             "timestamp", created_at)
select '{BIG_OWNER}', c.id, case when j % 2 = 1 then 'in' else 'out' end,
       (array['¿A qué hora abren mañana?',
              'Quiero 200 bolillos para el sábado, ¿me los apartan?',
              '¿Hacen envíos a Zapopan?', 'Gracias, paso en la tarde 🙌',
              'Abrimos de lunes a sábado de 7:00 a 20:00.', '¿Tienen pan sin gluten?',
              'Me pasa su ubicación por favor', 'Necesito factura de mi compra',
              '¿Aceptan tarjeta?', 'Perfecto, muchas gracias'])[1 + (j * 7 + c.n) % 10]
           || ' (' || j || ')',
       case when j % 2 = 1 then 'received' else 'read' end,
       case when j % 2 = 1 then null else 'faq' end,
       t.at, t.at
from bench_client c
         cross join lateral generate_series(1, 10 + ((c.n * 7919) % 81)::int) j
         cross join lateral (select now() - make_interval(
                                     secs => ((c.n * 104729 + j * 7907) % 31536000)::int) as at) t;
update public.clients c
set last_message_at = m.last_at
from (select client_id, max("timestamp") as last_at from public.messages
      where owner_id = '{BIG_OWNER}' group by client_id) m
where c.id = m.client_id;
insert into public.client_labels (client_id, label_id)
select c.id, l.id
from bench_client c
         join lateral (select id from public.labels where owner_id = '{BIG_OWNER}'
                       order by name offset (c.n % 8) limit 1) l on true
where c.n % 4 = 0;
set session_replication_role = origin;
"""


@dataclass
class Case:
    name: str
    sql: str
    params: list[tuple[Any, ...]]
    owner: str = BIG_OWNER


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def claims(owner: str) -> str:
    return json.dumps({"sub": owner, "role": "authenticated", "aud": "authenticated"})


@contextmanager
def as_owner(conn: Connection, owner: str) -> Iterator[None]:
    """One PostgREST-like transaction: the role and the JWT claims, local to it."""
    with conn.transaction():
        conn.execute(
            "select set_config('role', 'authenticated', true),"
            " set_config('request.jwt.claims', %s, true)",
            (claims(owner),),
        )
        yield


def time_case(conn: Connection, case: Case, calls: int, warm_up: int = 10) -> list[float]:
    for i in range(warm_up):
        with as_owner(conn, case.owner):
            conn.execute(case.sql, case.params[i % len(case.params)]).fetchall()
    times = []
    for i in range(calls):
        with as_owner(conn, case.owner):
            started = time.perf_counter()
            conn.execute(case.sql, case.params[i % len(case.params)]).fetchall()
            times.append((time.perf_counter() - started) * 1000)
    return times


def plan_of(conn: Connection, case: Case) -> str:
    """The plan of the function's inner query, as auto_explain logs it with ANALYZE."""
    notices: list[str] = []

    def keep(diagnostic: psycopg.errors.Diagnostic) -> None:
        notices.append(diagnostic.message_primary or "")

    conn.add_notice_handler(keep)
    try:
        for setting, value in (
            ("auto_explain.log_min_duration", "0"),
            ("auto_explain.log_analyze", "on"),
            ("auto_explain.log_buffers", "on"),
            ("auto_explain.log_nested_statements", "on"),
            ("auto_explain.log_level", "notice"),
            ("client_min_messages", "notice"),
        ):
            conn.execute(f"set {setting} = {value}")
        with as_owner(conn, case.owner):
            conn.execute(case.sql, case.params[0]).fetchall()
    finally:
        conn.execute("set auto_explain.log_min_duration = -1")
        conn.execute("set client_min_messages = warning")
        conn.remove_notice_handler(keep)
    inner = [n for n in notices if "Query Text: select" in n or "Query Text: with" in n]
    inner = [
        n for n in inner if "public.inbox_page(" not in n and "public.conversation_page(" not in n
    ]
    chosen = max(inner, key=len) if inner else (notices[-1] if notices else "(no plan)")
    lines = chosen.split("\n")
    # The plan starts at its root node, after the query's text.
    start = next((i for i, line in enumerate(lines) if ROOT_NODE.match(line)), 0)
    return "\n".join(lines[start:])


def cases(conn: Connection) -> list[Case]:
    rows = conn.execute(
        "select activity_at, id from public.clients where owner_id = %s and status = 'active'"
        " order by activity_at desc, id desc",
        (BIG_OWNER,),
    ).fetchall()
    deep = [rows[i] for i in range(4000, 8000, 97)]
    label = conn.execute(
        "select id from public.labels where owner_id = %s order by name limit 1", (BIG_OWNER,)
    ).fetchone()
    assert label is not None
    client_ids = [
        r[0]
        for r in conn.execute(
            "select id from public.clients where owner_id = %s order by phone", (BIG_OWNER,)
        ).fetchall()
    ]
    sample = client_ids[:: len(client_ids) // 100][:100]
    older = []
    for client_id in sample[:40]:
        history = conn.execute(
            'select "timestamp", direction, id from public.messages'
            " where owner_id = %s and client_id = %s"
            ' order by "timestamp" desc, direction desc, id desc',
            (BIG_OWNER, client_id),
        ).fetchall()
        cursor = history[len(history) // 2]
        older.append((client_id, *cursor))
    inbox = "select * from public.inbox_page(p_limit => %s)"
    return [
        Case("inbox, first page (50)", inbox, [(50,)]),
        Case(
            "inbox, a deep page (rows 4,000-8,000)",
            "select * from public.inbox_page(p_before_at => %s, p_before_id => %s)",
            deep,
        ),
        Case(
            "inbox, one label", "select * from public.inbox_page(p_label_id => %s)", [(label[0],)]
        ),
        Case("inbox, 10 rows", inbox, [(10,)]),
        Case("inbox, 200 rows", inbox, [(200,)]),
        Case("inbox of the 12-client bakery (50)", inbox, [(50,)], owner=SEED_OWNER_ID),
        Case(
            "conversation, newest 50",
            "select * from public.conversation_page(%s)",
            [(c,) for c in sample],
        ),
        Case(
            "conversation, an older page",
            "select * from public.conversation_page(%s, %s, %s, %s)",
            older,
        ),
        Case("unread total (inbox_summary)", "select * from public.inbox_summary()", [()]),
    ]


def search_cases() -> list[Case]:
    search = "select * from public.inbox_page(p_query => %s)"
    return [
        Case("search: a name ('nunez', 1,000 clients)", search, [("nunez",)]),
        Case("search: message text ('zapopan')", search, [("zapopan",)]),
        Case("search: no match ('xyzzy')", search, [("xyzzy",)]),
    ]


def run_queries(
    conn: Connection,
    all_cases: list[Case],
    calls: int,
    search_calls: int,
    label: str,
    warm_up: int = 10,
) -> dict[str, tuple[float, float, str]]:
    results = {}
    for case in all_cases:
        n = search_calls if case.name.startswith("search") else calls
        times = time_case(conn, case, n, warm_up)
        results[case.name] = (percentile(times, 0.5), percentile(times, 0.99), plan_of(conn, case))
        print(
            f"  [{label}] {case.name}: p50 {results[case.name][0]:.2f} ms,"
            f" p99 {results[case.name][1]:.2f} ms",
            flush=True,
        )
    return results


def baseline(conn: Connection, calls: int) -> tuple[float, float]:
    case = Case("select 1", "select 1", [()])
    times = time_case(conn, case, calls)
    return percentile(times, 0.5), percentile(times, 0.99)


# --- the browser --------------------------------------------------------------------

FIRST_ROW_SCRIPT = """
(() => {
  const seen = () => {
    if (window.__firstRow === undefined && document.querySelector('.row, #google-sign-in')) {
      window.__firstRow = performance.now();
    }
  };
  new MutationObserver(seen).observe(document, { subtree: true, childList: true });
})();
"""

WAIT_FOR_TOP = """
phone => {
  window.__arrived = new Promise(resolve => {
    const check = () => {
      const first = document.querySelector('.row .row-phone');
      if (first && first.textContent.startsWith(phone)) {
        resolve(performance.timeOrigin + performance.now());
        return true;
      }
      return false;
    };
    if (!check()) {
      new MutationObserver((_, observer) => { if (check()) observer.disconnect(); })
        .observe(document.body, { subtree: true, childList: true, characterData: true });
    }
  });
}
"""


def sign_in(browser: Browser, app_url: str, email: str) -> Any:
    """A browser profile signed in as `email` through the Google stand-in."""
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    page.goto(app_url)
    page.locator("#google-sign-in").click()
    page.locator("li form", has=page.locator(f'input[name="email"][value="{email}"]')).locator(
        "button"
    ).click()
    page.locator(".row").first.wait_for(timeout=30_000)
    state = context.storage_state()
    context.close()
    return state


def first_renders(browser: Browser, app_url: str, state: Any, renders: int) -> list[float]:
    """Navigation start -> the first conversation row (or, signed out, the sign-in button)."""
    times = []
    for _ in range(renders + 1):
        context = browser.new_context(viewport={"width": 1280, "height": 860}, storage_state=state)
        context.add_init_script(FIRST_ROW_SCRIPT)
        page = context.new_page()
        page.goto(app_url)
        page.locator(".row, #google-sign-in").first.wait_for(timeout=30_000)
        times.append(float(page.evaluate("window.__firstRow")))
        context.close()
    return times[1:]  # the first load warms the server's caches


def live_latency(
    browser: Browser, app_url: str, state: Any, count: int
) -> tuple[list[float], list[float]]:
    """Send -> row at the top of the inbox, and send -> the webhook's answer."""
    context = browser.new_context(viewport={"width": 1280, "height": 860}, storage_state=state)
    page: Page = context.new_page()
    page.goto(app_url)
    page.locator("body[data-live=live]").wait_for(timeout=30_000)
    to_top, requests = [], []
    with httpx.Client(timeout=30) as http:
        for i in range(count + 2):
            phone = f"+5215{uuid.uuid4().int % 10**9:09d}"
            page.evaluate(WAIT_FOR_TOP, phone)
            started = time.time()
            response = http.post(
                f"{app_url}/simulator/api/send",
                json={
                    "customer": phone,
                    "business": SEED_WHATSAPP_NUMBER,
                    "text": "¿A qué hora abren?",
                },
            )
            answered = time.time()
            response.raise_for_status()
            arrived = float(page.evaluate("window.__arrived")) / 1000
            if i >= 2:  # warm-up
                to_top.append((arrived - started) * 1000)
                requests.append((answered - started) * 1000)
    context.close()
    return to_top, requests


# --- the run ------------------------------------------------------------------------


def machine() -> str:
    cpu = ""
    if Path("/proc/cpuinfo").exists():
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return (
        f"{os.cpu_count()} cores, {cpu or platform.processor()}, Python {platform.python_version()}"
    )


def print_table(
    title: str,
    with_indexes: dict[str, tuple[float, float, str]],
    without: dict[str, tuple[float, float, str]] | None,
    base: tuple[float, float],
) -> None:
    print(f"\n{title}\n")
    if without:
        print("| query | p50 ms | p99 ms | without indexes p50 ms | p99 ms | x slower (p50) |")
        print("|---|---:|---:|---:|---:|---:|")
    else:
        print("| query | p50 ms | p99 ms | x `select 1` (p50) |")
        print("|---|---:|---:|---:|")
    print(
        f"| baseline: `select 1` | {base[0]:.2f} | {base[1]:.2f} |"
        + (" | | |" if without else " 1.0 |")
    )
    for name, (p50, p99, _) in with_indexes.items():
        if without and name in without:
            q50, q99, _ = without[name]
            print(f"| {name} | {p50:.2f} | {p99:.2f} | {q50:.2f} | {q99:.2f} | {q50 / p50:.0f} |")
        elif without:
            print(f"| {name} | {p50:.2f} | {p99:.2f} | | | |")
        else:
            print(f"| {name} | {p50:.2f} | {p99:.2f} | {p50 / base[0]:.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--search-calls", type=int, default=30)
    parser.add_argument("--renders", type=int, default=10)
    parser.add_argument("--live", type=int, default=20)
    parser.add_argument("--unindexed-calls", type=int, default=10)
    args = parser.parse_args()

    started = time.monotonic()
    cluster = LocalPostgres.for_tests("dashboard-bench")
    stack: LocalStack | None = None
    twilio = TwilioStandIn(callback_delay=0.05)
    server = None
    try:
        cluster.start()
        name = f"facilchat_dashboard_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(cluster.url(), autocommit=True) as admin:
            admin.execute(f'create database "{name}"')
        url = make_conninfo(cluster.url(), dbname=name)
        migrations.migrate(url, local=True)
        load_seed(url)
        print(f"generating {CLIENTS:,} clients and {MESSAGES:,} messages…", flush=True)
        with psycopg.connect(url, autocommit=True) as conn:
            with conn.transaction():
                conn.execute(GENERATE)
            conn.execute("vacuum analyze")
            counts = conn.execute(
                "select (select count(*) from public.clients where owner_id = %s),"
                " (select count(*) from public.messages where owner_id = %s),"
                " pg_size_pretty(pg_total_relation_size('public.messages'))",
                (BIG_OWNER, BIG_OWNER),
            ).fetchone()
            print(f"  {counts[0]:,} clients, {counts[1]:,} messages ({counts[2]} with indexes)")

        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("load 'auto_explain'")
            conn.execute("set auto_explain.log_min_duration = -1")
            all_cases = cases(conn)
            base = baseline(conn, args.calls)
            indexed = run_queries(conn, all_cases, args.calls, args.search_calls, "indexed")
            searched = run_queries(conn, search_cases(), args.calls, args.search_calls, "indexed")
            for index in DASHBOARD_INDEXES:
                conn.execute(f"drop index public.{index}")
            conn.execute("analyze public.clients, public.messages")
            try:
                # Seconds a call without them: fewer calls, and the cases that show it.
                slow = [c for c in all_cases if c.name in WITHOUT_INDEXES]
                unindexed = run_queries(conn, slow, args.unindexed_calls, 0, "no indexes", 2)
            finally:
                for ddl in DASHBOARD_INDEXES.values():
                    conn.execute(ddl)
                conn.execute("analyze public.clients, public.messages")

        stack = LocalStack(database_url=url, gateway_port=free_port())
        stack.start(seed=False)
        twilio.start()
        port = free_port()
        app_url = f"http://127.0.0.1:{port}"
        server = webhook_process(port, stack.app_env(twilio, app_url), app="devstack.app:app")
        server.start()
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            bakery = sign_in(browser, app_url, SEED_OWNER_EMAIL)
            big = sign_in(browser, app_url, BIG_EMAIL)
            render_signed_out = first_renders(browser, app_url, None, args.renders)
            render_bakery = first_renders(browser, app_url, bakery, args.renders)
            render_big = first_renders(browser, app_url, big, args.renders)
            to_top, requests = live_latency(browser, app_url, bakery, args.live)
            browser.close()
    finally:
        if server is not None:
            server.stop()
        twilio.stop()
        if stack is not None:
            stack.stop()
        cluster.destroy()

    print(f"\nMachine: {machine()}; {time.strftime('%Y-%m-%d')}")
    print_table(
        "Queries as a signed-in owner (10,000 clients, 500,000 messages)", indexed, unindexed, base
    )
    print_table("Search", searched, None, base)
    print("\nPlans (auto_explain, ANALYZE, BUFFERS), with the indexes:")
    for results in (indexed, searched):
        for case_name, (_, _, plan) in results.items():
            print(f"\n### {case_name}\n```\n{plan}\n```")
    print("\nPlans without the indexes:")
    for case_name, (_, _, plan) in unindexed.items():
        print(f"\n### {case_name}\n```\n{plan}\n```")

    def summary(label: str, values: list[float]) -> None:
        print(
            f"| {label} | {statistics.median(values):.0f} | {percentile(values, 0.99):.0f} |"
            f" {min(values):.0f} | {max(values):.0f} |"
        )

    print("\nIn Chromium (ms)\n")
    print("| measure | median | p99 | min | max |")
    print("|---|---:|---:|---:|---:|")
    summary(f"baseline: the sign-in page, signed out ({args.renders} loads)", render_signed_out)
    summary(f"first inbox render, demo bakery ({args.renders} loads)", render_bakery)
    summary(f"first inbox render, 10,000 clients ({args.renders} loads)", render_big)
    summary(f"baseline: simulator send -> webhook answered ({args.live})", requests)
    summary(f"simulator send -> new conversation at the top ({args.live})", to_top)
    print(f"\ntotal run: {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
