"""Where Postgres's time goes for one inbound message: backend CPU per call, before and after.

One throwaway cluster holds two databases made as bench/inbound.py makes its own (the
business, its three FAQs, the trivial RPC): one migrated up to, not including, a given
migration ("before"), one fully migrated ("after"). On one connection to each, every call
below runs many times; the backend's CPU time comes from /proc/<pid>/schedstat (time on
CPU, in nanoseconds) around each batch. The two databases and the calls take turns, round
after round, so a busy machine slows both alike; the table shows each call's median over
the rounds, or with `--lowest` the lowest round: on a machine that other work keeps busy,
many short rounds and their lowest figure come closest to what a call costs alone. Within a
round each call runs on the two databases back to back; "paired" is the median over the
rounds of after / before within a round, which the machine's load sways least.

    .venv/bin/python bench/inbound_db.py [--before 20261202130000] [--until VERSION]
        [--calls 500] [--rounds 5] [--lowest]

`--until` leaves a migration and those after it out of "after" too, to measure one step of
several on its own (`--before A --until B`: the migrations from A up to, not including, B).
Two more changes apply to "after" alone, to compare one schema with itself (`--before` a
version after the last migration): `--drop-index NAME` (repeatable) drops an index, to see
what keeping it costs each message; `--history N` first gives the business N older messages
from N/10 clients (then ANALYZE), to see whether a message costs more as the data grows.

    .venv/bin/python bench/inbound_db.py --before 99999999999999 \
        --drop-index public.clients_inbox_idx
    .venv/bin/python bench/inbound_db.py --before 99999999999999 --history 200000

The calls, from the floor up:
- `select 1`: a round trip;
- PostgREST's transaction around the trivial RPC of the baseline (BEGIN, its set_config of
  role, claims and headers, the RPC in PostgREST's own query, COMMIT), as PostgREST 12
  sends it: the database's share of the baseline request;
- PostgREST's transaction around a function that only stores the message (the client's
  upsert, the inbound row and the reply row, with their triggers): the write path with no
  decision;
- the matcher alone: reading the message (faq_text_features), then match_faq;
- handle_inbound_message, alone and in PostgREST's transaction, with and without the
  broadcast triggers; for a question that no FAQ of the business shares a word or concept
  with (the matcher finds no candidate); and for a second business with no FAQ (every
  message gets its fallback: its window is zero);
- the PostgREST transactions of handle_inbound_message once more, counting the CPU of every
  process of the cluster ("whole cluster"): the broadcasts' listener (a connection that
  LISTENs as the Realtime relay does), the WAL writer and the rest.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import statistics
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from inbound import BASELINE_SQL, BUSINESS_NUMBER

from devstack import migrations
from devstack.postgres import LocalPostgres

MESSAGE = "a que hora abren?"
# A question none of the business's FAQs shares a word or concept with (paying: the three
# FAQs are hours, address and delivery): no candidate, the fallback.
UNSHARED_MESSAGE = "aceptan tarjeta?"
# A business with no FAQ, as every new one starts.
NO_FAQ_NUMBER = "+5213300009999"
# The write path alone: what any inbound message stores, with no decision.
STORE_ONLY_SQL = """
create or replace function public.bench_store_only(
    p_to text, p_from text, p_message_sid text, p_content text default '',
    p_profile_name text default null, p_media jsonb default '[]'::jsonb)
    returns jsonb
    language plpgsql
    set search_path = ''
as $$
declare
    v_owner uuid;
    v_client uuid;
    v_inbound uuid;
begin
    select u.id into v_owner from public.users u where u.whatsapp_number = p_to;
    insert into public.clients as c (owner_id, phone, name, last_message_at, unread_count)
    values (v_owner, p_from, coalesce(p_profile_name, p_from), now(), 1)
    on conflict (owner_id, phone) do update
        set last_message_at = now(), unread_count = c.unread_count + 1
    returning c.id into v_client;
    insert into public.messages (owner_id, client_id, direction, content, media, status,
                                 twilio_message_id)
    values (v_owner, v_client, 'in', p_content, p_media, 'received', p_message_sid)
    returning id into v_inbound;
    insert into public.messages (owner_id, client_id, direction, content, status, reply_kind,
                                 in_reply_to, sent_via, attempts, claim_token, next_attempt_at)
    values (v_owner, v_client, 'out', 'Abrimos de 8 a 20 h.', 'sending', 'fallback', v_inbound,
            'twiml', 1, 1, now() + interval '3 minutes');
    return jsonb_build_object('status', 'stored', 'message_id', v_inbound);
end;
$$;
revoke all on function public.bench_store_only(text, text, text, text, text, jsonb)
    from public, anon, authenticated;
grant execute on function public.bench_store_only(text, text, text, text, text, jsonb)
    to service_role;
"""
BROADCAST_TRIGGERS = (
    ("public.messages", "messages_broadcast_changes"),
    ("public.clients", "clients_broadcast_changes"),
    ("public.client_labels", "client_labels_broadcast_changes"),
)
# PostgREST 12's transaction for one RPC (captured with log_statement = 'all').
POSTGREST_BEGIN = "BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE"
POSTGREST_SETTINGS = (
    "select set_config('search_path', %s, true), set_config('role', %s, true),"
    " set_config('request.jwt.claims', %s, true), set_config('request.method', %s, true),"
    " set_config('request.path', %s, true), set_config('request.headers', %s, true),"
    " set_config('request.cookies', %s, true)"
)
POSTGREST_HEADERS = json.dumps(
    {
        "host": "127.0.0.1:54321",
        "content-type": "application/json",
        "accept": "*/*",
        "apikey": "x" * 180,
        "authorization": "Bearer " + "x" * 180,
        "user-agent": "python-httpx/0.28.1",
        "content-length": "175",
    }
)
POSTGREST_TAIL = (
    " SELECT null::bigint AS total_result_set, 1 AS page_total,"
    " coalesce(json_agg(_postgrest_t.pgrst_scalar)->0, 'null') AS body,"
    " nullif(current_setting('response.headers', true), '') AS response_headers,"
    " nullif(current_setting('response.status', true), '') AS response_status,"
    ' \'\' AS response_inserted FROM (SELECT "{name}".* FROM "pgrst_source" AS "{name}") '
    "_postgrest_t"
)
INBOUND_ARGS = (
    ("p_to", "text"),
    ("p_from", "text"),
    ("p_message_sid", "text"),
    ("p_content", "text"),
    ("p_profile_name", "text"),
    ("p_media", "jsonb"),
)


def postgrest_rpc_query(name: str, args: tuple[tuple[str, str], ...]) -> str:
    """PostgREST's query for POST /rpc/<name> with a JSON object of `args`."""
    if not args:
        source = f'WITH pgrst_source AS (SELECT "public"."{name}"() pgrst_scalar)'
    else:
        columns = ", ".join(f'"{arg}"' for arg, _ in args)
        typed = ", ".join(f'"{arg}" {kind}' for arg, kind in args)
        named = ", ".join(f'"{arg}" := pgrst_body."{arg}"' for arg, _ in args)
        source = (
            "WITH pgrst_source AS (SELECT pgrst_call.pgrst_scalar FROM (SELECT %s::json AS"
            " json_data) pgrst_payload, LATERAL (SELECT CASE WHEN"
            " json_typeof(pgrst_payload.json_data) = 'array' THEN pgrst_payload.json_data"
            " ELSE json_build_array(pgrst_payload.json_data) END AS val) pgrst_uniform_json,"
            f" LATERAL (SELECT {columns} FROM json_to_recordset(pgrst_uniform_json.val) AS"
            f" _({typed}) LIMIT 1) pgrst_body, LATERAL (SELECT"
            f' "public"."{name}"({named}) pgrst_scalar) pgrst_call)'
        )
    return source + POSTGREST_TAIL.format(name=name)


def cluster_cpu_ns(postmaster: int) -> int:
    """CPU time of the postmaster and every process it started (backends, WAL writer...)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            pid = int(stat.parent.name)
            if pid == postmaster or int(fields[1]) == postmaster:
                total += int((stat.parent / "schedstat").read_text().split()[0])
        except (OSError, IndexError, ValueError):
            continue  # a process that ended meanwhile
    return total


def set_broadcast_triggers(conn: psycopg.Connection[Any], enabled: bool) -> None:
    action = "enable" if enabled else "disable"
    for table, trigger in BROADCAST_TRIGGERS:
        conn.execute(f"alter table {table} {action} trigger {trigger}")  # type: ignore[arg-type]


class Backend:
    """One connection to one database, and the CPU time its backend has used.

    A second connection LISTENs for the broadcasts' notifications, as the Realtime relay
    does, and a thread drains them: its backend's work per notification is part of what a
    broadcast costs the database.
    """

    def __init__(self, url: str) -> None:
        self.conn = psycopg.connect(url, autocommit=True)
        self.pid = self.conn.info.backend_pid
        stat = Path(f"/proc/{self.pid}/stat").read_text()
        self.postmaster = int(stat.rsplit(")", 1)[1].split()[1])
        self.listener = psycopg.connect(url, autocommit=True)
        self.listener.execute("listen realtime_broadcast")
        threading.Thread(target=self._drain, daemon=True).start()
        row = self.conn.execute(
            "select id from public.users where whatsapp_number = %s", (BUSINESS_NUMBER,)
        ).fetchone()
        assert row is not None
        self.owner: uuid.UUID = row[0]
        self.sent = 0

    def _drain(self) -> None:
        with contextlib.suppress(psycopg.Error):
            for _ in self.listener.notifies():
                pass

    def cpu_ns(self) -> int:
        return int(Path(f"/proc/{self.pid}/schedstat").read_text().split()[0])

    def inbound_params(
        self, to: str = BUSINESS_NUMBER, content: str = MESSAGE
    ) -> dict[str, object]:
        self.sent += 1
        return {
            "p_to": to,
            "p_from": f"+52133{self.sent % 1000:07d}",
            "p_message_sid": f"SM{uuid.uuid4().hex}",
            "p_content": content,
            "p_profile_name": "Cliente",
            "p_media": [],
        }

    def postgrest(self, query: str, body: dict[str, object] | None, path: str) -> None:
        execute = self.conn.execute
        execute(POSTGREST_BEGIN, prepare=True)
        execute(
            POSTGREST_SETTINGS,
            (
                '"public", "public", "extensions"',
                "service_role",
                '{"role":"service_role"}',
                "POST",
                path,
                POSTGREST_HEADERS,
                "{}",
            ),
            prepare=True,
        )
        execute(query, (json.dumps(body),) if body is not None else (), prepare=True)
        execute("COMMIT", prepare=True)

    def set_broadcasts(self, enabled: bool) -> None:
        set_broadcast_triggers(self.conn, enabled)


def calls(backend: Backend) -> dict[str, Callable[[], None]]:
    inbound = postgrest_rpc_query("handle_inbound_message", INBOUND_ARGS)
    store_only = postgrest_rpc_query("bench_store_only", INBOUND_ARGS)
    ping = postgrest_rpc_query("bench_ping", ())
    execute = backend.conn.execute

    def direct_inbound() -> None:
        params = backend.inbound_params()
        params["p_media"] = "[]"
        execute(
            "select public.handle_inbound_message(%(p_to)s, %(p_from)s, %(p_message_sid)s,"
            " %(p_content)s, %(p_profile_name)s, %(p_media)s)",
            params,
            prepare=True,
        )

    def select_one() -> None:
        execute("select 1", prepare=True)

    def read_message() -> None:
        execute("select count(*) from private.faq_text_features(%s)", (MESSAGE,), prepare=True)

    def match() -> None:
        execute(
            "select count(*) from private.match_faq(%s, %s)", (backend.owner, MESSAGE), prepare=True
        )

    def ping_rpc() -> None:
        backend.postgrest(ping, None, "/rpc/bench_ping")

    def store_only_rpc() -> None:
        backend.postgrest(store_only, backend.inbound_params(), "/rpc/bench_store_only")

    def inbound_rpc() -> None:
        backend.postgrest(inbound, backend.inbound_params(), "/rpc/handle_inbound_message")

    def unshared_inbound_rpc() -> None:
        backend.postgrest(
            inbound, backend.inbound_params(content=UNSHARED_MESSAGE), "/rpc/handle_inbound_message"
        )

    def no_faq_inbound_rpc() -> None:
        backend.postgrest(
            inbound, backend.inbound_params(NO_FAQ_NUMBER), "/rpc/handle_inbound_message"
        )

    return {
        "`select 1`": select_one,
        "PostgREST transaction: trivial RPC (the baseline's)": ping_rpc,
        "PostgREST transaction: store the message and a reply only": store_only_rpc,
        "`faq_text_features` (reading the message)": read_message,
        "`match_faq`, 3 FAQs (reading included)": match,
        "`handle_inbound_message`, FAQ reply": direct_inbound,
        "PostgREST transaction: `handle_inbound_message`": inbound_rpc,
        "PostgREST transaction: `handle_inbound_message`, a question no FAQ shares a word with": (
            unshared_inbound_rpc
        ),
        "PostgREST transaction: `handle_inbound_message`, business with no FAQ": no_faq_inbound_rpc,
    }


def measure(
    call: Callable[[], None], backend: Backend, count: int, whole_cluster: bool = False
) -> float:
    """CPU in ms per call, over `count` calls: the backend's, or the whole cluster's."""
    cpu = (lambda: cluster_cpu_ns(backend.postmaster)) if whole_cluster else backend.cpu_ns
    before = cpu()
    for _ in range(count):
        call()
    if whole_cluster:
        time.sleep(0.05)  # the listener's and the WAL writer's share of the last calls
    return (cpu() - before) / count / 1e6


def add_history(conn: psycopg.Connection[Any], messages: int) -> None:
    """`messages` older inbound messages for the business, ten per client, then ANALYZE."""
    conn.execute(
        "insert into public.clients (owner_id, phone, name)"
        " select u.id, '+5491100' || lpad(g::text, 7, '0'), 'Cliente ' || g"
        " from public.users u cross join generate_series(1, %s) g"
        " where u.whatsapp_number = %s",
        (max(1, messages // 10), BUSINESS_NUMBER),
    )
    conn.execute(
        "insert into public.messages (owner_id, client_id, direction, content, status, timestamp)"
        " select c.owner_id, c.id, 'in', 'hola, consulta ' || g, 'received',"
        " now() - make_interval(days => g)"
        " from public.clients c cross join generate_series(1, 10) g"
        " where c.phone like '+5491100%%'"
    )
    conn.execute("analyze")


def prepare(
    cluster: LocalPostgres,
    before: str | None,
    label: str,
    drop_indexes: list[str] | None = None,
    history: int = 0,
) -> str:
    name = f"bench_{label}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(cluster.url(), autocommit=True) as conn:
        conn.execute(f'create database "{name}"')  # type: ignore[arg-type]
    url = cluster.url(name)
    with psycopg.connect(url, autocommit=True) as conn:
        migrations.load_platform_stand_in(conn)
        pending = [m for m in migrations.discover() if before is None or m.version < before]
        migrations.apply(conn, pending)
        conn.execute(BASELINE_SQL)  # type: ignore[arg-type]
        conn.execute(STORE_ONLY_SQL)  # type: ignore[arg-type]
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
        no_faq = uuid.uuid4()
        conn.execute(
            "insert into auth.users (id, email) values (%s, 'bench-no-faq@example.test')",
            (no_faq,),
        )
        conn.execute(
            "update public.users set whatsapp_number = %s, fallback_window = interval '0'"
            " where id = %s",
            (NO_FAQ_NUMBER, no_faq),
        )
        if history:
            # Older traffic, stored as it is: its broadcasts went out long ago.
            set_broadcast_triggers(conn, False)
            add_history(conn, history)
            set_broadcast_triggers(conn, True)
        for index in drop_indexes or []:
            conn.execute(f"drop index {index}")  # type: ignore[arg-type]
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", default="20261202130000", help="first migration left out")
    parser.add_argument(
        "--until", default=None, help="first migration left out of 'after' (default: none)"
    )
    parser.add_argument("--calls", type=int, default=500, help="calls per batch")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--lowest", action="store_true", help="each call's lowest round")
    parser.add_argument(
        "--drop-index", action="append", default=[], metavar="NAME", help='drop it in "after"'
    )
    parser.add_argument(
        "--history", type=int, default=0, metavar="N", help='N older messages in "after"'
    )
    args = parser.parse_args()
    summary = min if args.lowest else statistics.median

    cluster = LocalPostgres.for_tests("inbound-db")
    cluster.start()
    try:
        backends = {
            "before": Backend(prepare(cluster, args.before, "before")),
            "after": Backend(prepare(cluster, args.until, "after", args.drop_index, args.history)),
        }
        figures: dict[tuple[str, str], list[float]] = {}
        for backend in backends.values():  # plans, dictionaries and caches of each session
            for call in calls(backend).values():
                for _ in range(100):
                    call()
        started = time.perf_counter()
        table = {which: calls(backend) for which, backend in backends.items()}
        for round_number in range(args.rounds):
            for broadcasts in (True, False):
                for backend in backends.values():
                    backend.set_broadcasts(broadcasts)
                for label in table["before"]:
                    if not broadcasts and "inbound" not in label and "store" not in label:
                        continue
                    key = label if broadcasts else label + ", no broadcast triggers"
                    # The two databases back to back, first one then the other, so that
                    # both batches of a pair meet the same load on the machine.
                    pair = list(backends.items())
                    for which, backend in pair if round_number % 2 else reversed(pair):
                        figures.setdefault((key, which), []).append(
                            measure(table[which][label], backend, args.calls)
                        )
                    if broadcasts and label.startswith("PostgREST transaction: `handle"):
                        # The same, counting every process of the cluster.
                        for which, backend in pair if round_number % 2 else reversed(pair):
                            figures.setdefault((label + ", whole cluster", which), []).append(
                                measure(table[which][label], backend, args.calls, True)
                            )
                for backend in backends.values():
                    backend.set_broadcasts(True)
        print(
            f"machine: {platform.machine()}, {os.cpu_count()} cores, Python"
            f" {platform.python_version()}; {args.rounds} rounds of {args.calls} calls,"
            f" {time.perf_counter() - started:.0f} s; load average {os.getloadavg()[0]:.2f}"
        )
        print(
            f"before = migrations before {args.before}; after ="
            f" {f'migrations before {args.until}' if args.until else 'all migrations'}"
            + "".join(f", without {index}" for index in args.drop_index)
            + (f", {args.history} older messages" if args.history else "")
            + ";"
            f" each call's {'lowest round' if args.lowest else 'median over the rounds'};"
            " paired = the median of each round's after / before"
        )
        print("\n| call | before ms CPU | after ms CPU | after / before | paired |")
        print("|---|---:|---:|---:|---:|")
        labels = list(dict.fromkeys(key for key, _ in figures))
        for label in labels:
            befores, afters = figures[(label, "before")], figures[(label, "after")]
            old, new = summary(befores), summary(afters)
            paired = statistics.median(a / b for a, b in zip(afters, befores, strict=True))
            print(f"| {label} | {old:.3f} | {new:.3f} | {new / old:.2f} | {paired:.2f} |")
    finally:
        cluster.destroy()


if __name__ == "__main__":
    main()
