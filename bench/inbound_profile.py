"""Where one inbound message's database time goes, function by function and statement by statement.

A throwaway cluster gets the database bench/inbound.py and bench/inbound_db.py use (the
business, its three FAQs). One connection sends `handle_inbound_message` in PostgREST's own
transaction, as the webhook's request reaches the database, first with nothing watching
(the backend's CPU per message, from /proc), then with plpgsql_check's profiler on for the
session. The profiler times every PL/pgSQL function and statement the message runs, the
triggers included; its own bookkeeping slows each statement, so its figures are for
shares, not for absolute cost.

    .venv/bin/python bench/inbound_profile.py [--message "a que hora abren?"] [--calls 500]
        [--statements 15]

Every message comes from a client the business already has (the warm-up makes them all), as
most of a business's messages do. `--message` picks the text: the default gets an FAQ
answer; "tienen estacionamiento?" gets the fallback after ranking the FAQs ("tienen" relates
to the delivery FAQ's "hacen"); "aceptan tarjeta?" shares no term with any FAQ.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import inbound_db

from devstack.postgres import LocalPostgres

INBOUND = "public.handle_inbound_message(text,text,text,text,text,jsonb)"
# Enough messages that every sender is a known client before anything is measured.
WARM_UP = 1200


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--message", default=inbound_db.MESSAGE)
    parser.add_argument("--calls", type=int, default=500, help="messages measured")
    parser.add_argument("--statements", type=int, default=15, help="costliest statements shown")
    args = parser.parse_args()

    cluster = LocalPostgres.for_tests("inbound-profile")
    cluster.start()
    try:
        backend = inbound_db.Backend(inbound_db.prepare(cluster, None, "profile"))
        inbound = inbound_db.postgrest_rpc_query("handle_inbound_message", inbound_db.INBOUND_ARGS)

        def send() -> None:
            params = backend.inbound_params(content=args.message)
            backend.postgrest(inbound, params, "/rpc/handle_inbound_message")

        conn = backend.conn
        kind = conn.execute(
            "select public.handle_inbound_message(%s, '+5213300000001', %s, %s)->'reply'->>'kind'",
            (inbound_db.BUSINESS_NUMBER, f"SMprofile{os.getpid()}", args.message),
        ).fetchone()
        for _ in range(WARM_UP):
            send()
        unprofiled = inbound_db.measure(send, backend, args.calls)

        conn.execute("create extension if not exists plpgsql_check with schema extensions")
        conn.execute("load 'plpgsql_check'")
        conn.execute("set plpgsql_check.profiler = on")
        for _ in range(100):  # the profiler's own first use
            send()
        conn.execute("select extensions.plpgsql_profiler_reset_all()")
        for _ in range(args.calls):
            send()
        conn.execute("set search_path = ''")  # names read back schema-qualified
        functions = conn.execute(
            "select funcoid::regprocedure::text, exec_count, total_time"
            " from extensions.plpgsql_profiler_functions_all() order by total_time desc"
        ).fetchall()
        whole = next(total for name, _, total in functions if name == INBOUND)
        statements = []
        for name, _, _ in functions:
            statements += [
                (total, name, line, runs, source)
                for line, runs, total, source in conn.execute(
                    "select lineno, exec_stmts, total_time, source"
                    " from extensions.plpgsql_profiler_function_tb(%s::regprocedure)"
                    " where exec_stmts > 0 and pg_catalog.btrim(source) <> 'begin'",
                    (name,),
                ).fetchall()
            ]
    finally:
        cluster.destroy()

    calls = args.calls
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python"
        f" {platform.python_version()}; load average {os.getloadavg()[0]:.2f}"
    )
    print(
        f"message: {args.message!r} (reply: {kind[0] if kind else None}), {calls} messages in"
        f" PostgREST's transaction, every sender a known client; backend CPU per message"
        f" without the profiler: {unprofiled:.3f} ms"
    )
    print("\nFunctions (a function's time includes what it calls):\n")
    print("| function | calls per message | ms per message, profiled | share of the message |")
    print("|---|---:|---:|---:|")
    for name, runs, total in functions:
        print(
            f"| `{name.split('(')[0]}` | {runs / calls:.1f} | {total / calls:.3f}"
            f" | {total / whole:.0%} |"
        )
    print(
        f"\nThe {args.statements} costliest statements (a statement's time includes what it"
        " calls; blocks left out):\n"
    )
    print("| function | line | runs per message | ms per message, profiled | share | statement |")
    print("|---|---:|---:|---:|---:|---|")
    for total, name, line, runs, source in sorted(statements, reverse=True)[: args.statements]:
        text = " ".join((source or "").split())[:70].replace("|", "\\|")
        print(
            f"| `{name.split('(')[0]}` | {line} | {runs / calls:.1f} | {total / calls:.3f}"
            f" | {total / whole:.0%} | `{text}` |"
        )


if __name__ == "__main__":
    main()
