"""FAQ matching latency: private.match_faq for businesses with 1, 50 and 200 FAQs.

Usage:
    .venv/bin/python bench/faq_match.py [--db-url URL] [--calls 200]

Without --db-url it makes a throwaway database on the embedded test cluster
(dropped at the end); with --db-url (an already migrated database) all the
data it writes is rolled back. It prints p50/p99 in milliseconds for each case
and ratios against baselines measured in the same run, on the same connection:
a `select 1` round trip and a plain indexed read of the owner's active FAQs.
A last case times private.rank_faqs with its explanation of the best two, as
an owner's tester would call it. Figures are for comparing, not asserting;
bench/RESULTS.md records them.

A second table, "FAQ tester", times what the dashboard's FAQ screen calls, as
the owner of the 200-FAQ business (role authenticated and their JWT claims, as
PostgREST sets them) once it has a history of 60,000 answered messages: the
"Probar" box (public.test_faq_match) against match_faq and the explained
rank_faqs it runs, a page of missed and of answered messages, and the usage
counts; baseline a `select 1` as the owner.
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

from facilchat.faq_eval import throwaway_database

Connection = psycopg.Connection[Any]

# Varied, realistic questions: a few topics every business has, and per-item
# price, stock and service questions drawn from several kinds of business.
COMMON = [
    ("¿Cuál es el horario de atención?", "Lunes a sábado de 9 a 19 h."),
    ("¿Dónde están ubicados?", "Calle 45 # 12-30."),
    ("¿Qué medios de pago aceptan?", "Efectivo, tarjetas y transferencia."),
    ("¿Hacen envíos a domicilio?", "Sí, en toda la ciudad."),
    ("¿Cómo reservo un turno?", "Escribinos el día y la hora."),
    ("¿Atienden urgencias?", "Sí, llamá al 555-0000."),
    ("¿Aceptan seguros médicos?", "Trabajamos con Sura y Colsanitas."),
    ("¿Puedo devolver un producto?", "Sí, dentro de 30 días con el ticket."),
    ("¿Tienen estacionamiento?", "Sí, propio y gratuito."),
    ("¿Hacen factura?", "Sí, factura electrónica."),
]
ITEMS = [
    "corte de pelo",
    "tinte",
    "alisado",
    "manicure",
    "pedicure",
    "depilación",
    "masaje",
    "limpieza dental",
    "blanqueamiento",
    "ortodoncia",
    "implante",
    "extracción",
    "radiografía",
    "torta de chocolate",
    "pan integral",
    "medialunas",
    "alfajores",
    "budín sin TACC",
    "cambio de aceite",
    "alineación",
    "balanceo",
    "frenos",
    "batería",
    "service completo",
    "baño y corte canino",
    "vacuna antirrábica",
    "consulta veterinaria",
    "alimento balanceado",
    "taladro percutor",
    "pintura látex",
    "tornillos",
    "madera a medida",
    "llave inglesa",
    "cambio de pantalla",
    "batería de celular",
    "funda",
    "cargador",
    "lentes de contacto",
    "examen de vista",
    "armazones",
    "ramo de rosas",
    "arreglo floral",
    "clase de yoga",
    "mensualidad del gimnasio",
    "entrenador personal",
    "almuerzo ejecutivo",
    "menú infantil",
]
TEMPLATES = [
    "¿Cuánto cuesta {}?",
    "¿Tienen {}?",
    "¿Hacen {}?",
    "¿Cuánto demora {}?",
    "¿Qué incluye {}?",
]

MESSAGES = [
    "a que hora abren?",
    "orario?",
    "donde quedan?",
    "aceptan tarjeta de credito?",
    "hacen envios a domicilio?",
    "cuanto cuesta el tinte?",
    "tienen taladro percutor bosch?",
    "precio de la limpieza dental?",
    "quiero sacar un turno para el lunes",
    "vcs entregam em casa?",
    "hola buenas tardes",
    "muchas gracias!!",
    "quiero cancelar mi turno",
    "el producto llegó fallado, estoy muy molesta",
    "necesito hablar con alguien urgente, se me partió un diente y me duele mucho",
    "👋",
]


def faq_set(size: int, rng: random.Random) -> list[tuple[str, str]]:
    faqs = list(COMMON[: min(size, len(COMMON))])
    pairs = [(t, i) for t in TEMPLATES for i in ITEMS]
    rng.shuffle(pairs)
    for template, item in pairs[: max(0, size - len(faqs))]:
        faqs.append((template.format(item), f"Sobre {item}: consultanos por este chat."))
    return faqs[:size]


def create_tenant(conn: Connection, faqs: list[tuple[str, str]]) -> tuple[uuid.UUID, float]:
    """A business with these FAQs; returns its id and the mean ms per FAQ insert."""
    owner = uuid.uuid4()
    conn.execute(
        "insert into auth.users (id, email, aud, role, raw_user_meta_data)"
        " values (%s, %s, 'authenticated', 'authenticated', %s)",
        (owner, f"bench-{owner.hex[:12]}@example.invalid", Jsonb({})),
    )
    started = time.perf_counter()
    for position, (question, answer) in enumerate(faqs):
        conn.execute(
            "insert into public.faqs (owner_id, question, answer, position)"
            " values (%s, %s, %s, %s)",
            (owner, question, answer, position),
        )
    return owner, (time.perf_counter() - started) * 1000 / len(faqs)


def timed(call: Callable[[], object], calls: int, warmup: int = 20) -> list[float]:
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(calls):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def run(db_url: str, calls: int) -> None:
    rng = random.Random(20261126)
    with psycopg.connect(db_url) as conn:
        try:
            tenants = {size: create_tenant(conn, faq_set(size, rng)) for size in (1, 50, 200)}
            # Steady state: autovacuum would have analyzed the tables by now.
            conn.execute("analyze public.faqs, private.faq_terms")
            largest = tenants[200][0]
            messages = itertools.cycle(MESSAGES)

            def query(sql: str, params: tuple[object, ...] = ()) -> Callable[[], object]:
                return lambda: conn.execute(sql, params, prepare=True).fetchall()

            def match(owner: uuid.UUID) -> Callable[[], object]:
                return lambda: conn.execute(
                    "select faq_id, score from private.match_faq(%s, %s)",
                    (owner, next(messages)),
                    prepare=True,
                ).fetchall()

            results: list[tuple[str, list[float]]] = [
                ("baseline: select 1", timed(query("select 1"), calls)),
                (
                    "baseline: indexed read of 200 FAQs",
                    timed(
                        query(
                            "select id, question from public.faqs where owner_id = %s and active",
                            (largest,),
                        ),
                        calls,
                    ),
                ),
                (
                    "reading a message (faq_text_features)",
                    timed(
                        lambda: conn.execute(
                            "select * from private.faq_text_features(%s)",
                            (next(messages),),
                            prepare=True,
                        ).fetchall(),
                        calls,
                    ),
                ),
            ]
            for size, (owner, _) in tenants.items():
                results.append(
                    (f"match_faq, {size} FAQ{'s' if size > 1 else ''}", timed(match(owner), calls))
                )
            # The owner's tester: the ranking with the best two explained.
            results.append(
                (
                    "rank_faqs explained, 50 FAQs",
                    timed(
                        lambda: conn.execute(
                            "select faq_id, score, explanation from private.rank_faqs(%s, %s)",
                            (tenants[50][0], next(messages)),
                            prepare=True,
                        ).fetchall(),
                        calls,
                    ),
                )
            )
            tester = tester_results(conn, largest, messages, calls)
        finally:
            conn.rollback()

    select_1 = statistics.median(results[0][1])
    indexed = statistics.median(results[1][1])
    print(f"# FAQ matching latency ({calls} calls each, {len(MESSAGES)} messages in turn)")
    print(
        f"# {platform.python_implementation()} {platform.python_version()}, cores: {os.cpu_count()}"
    )
    print(f"{'case':<42} {'p50 ms':>8} {'p99 ms':>8} {'x select 1':>11} {'x indexed read':>15}")
    for name, samples in results:
        p50 = statistics.median(samples)
        print(
            f"{name:<42} {p50:8.3f} {percentile(samples, 99):8.3f}"
            f" {p50 / select_1:11.1f} {p50 / indexed:15.1f}"
        )
    print("FAQ insert (trigger computes features), mean ms per FAQ:")
    for size, (_, per_insert) in tenants.items():
        print(f"  {size:>3} FAQs: {per_insert:.3f}")
    print_tester(tester, calls)


# The FAQ screen's lists read a business's history: this many customer messages, each
# with its automatic reply (one in eight the fallback), over the last 60 days.
HISTORY_MESSAGES = 60_000


def add_history(conn: Connection, owner: uuid.UUID) -> None:
    """HISTORY_MESSAGES customer messages from 600 clients, each with its reply."""
    # Bulk data for the bench only: no broadcast per row (triggers off in this transaction).
    conn.execute("set local session_replication_role = replica")
    conn.execute(
        "insert into public.clients (owner_id, phone, name)"
        " select %s, '+5219' || lpad(i::text, 9, '0'), 'Cliente ' || i"
        " from generate_series(1, 600) i",
        (owner,),
    )
    conn.execute(
        """
        with c as (select id, row_number() over (order by id) as n
                   from public.clients where owner_id = %(owner)s),
             f as (select id, row_number() over (order by position, id) as n
                   from public.faqs where owner_id = %(owner)s),
             inbound as (
                 insert into public.messages (owner_id, client_id, direction, content, status,
                                              "timestamp")
                 select %(owner)s, c.id, 'in', 'mensaje ' || g, 'received',
                        now() - g * (interval '60 days' / %(count)s)
                 from generate_series(1, %(count)s) g
                          join c on c.n = 1 + g %% 600
                 returning id, client_id, "timestamp")
        insert into public.messages (owner_id, client_id, direction, content, status, reply_kind,
                                     faq_id, in_reply_to, "timestamp")
        select %(owner)s, i.client_id, 'out', 'respuesta', 'read',
               case when h.k %% 8 = 0 then 'fallback' else 'faq' end,
               case when h.k %% 8 <> 0 then (select f.id from f where f.n = 1 + h.k %% 200) end,
               i.id, i."timestamp"
        from inbound i
                 cross join lateral (select abs(hashtext(i.id::text)) as k) h
        """,
        {"owner": owner, "count": HISTORY_MESSAGES},
    )
    conn.execute("set local session_replication_role = origin")
    conn.execute("analyze public.clients, public.messages")


def tester_results(
    conn: Connection, owner: uuid.UUID, messages: Iterator[str], calls: int
) -> list[tuple[str, list[float]]]:
    """The dashboard's FAQ screen for the 200-FAQ business: the tester, what it is made of,
    and the pages of its lists."""

    def prepared(sql: str, with_message: bool = True) -> Callable[[], object]:
        if with_message:
            return lambda: conn.execute(sql, (owner, next(messages)), prepare=True).fetchall()
        return lambda: conn.execute(sql, prepare=True).fetchall()

    add_history(conn, owner)
    results = [
        (
            "match_faq, 200 FAQs",
            timed(prepared("select faq_id, score from private.match_faq(%s, %s)"), calls),
        ),
        (
            "rank_faqs explained, 200 FAQs",
            timed(
                prepared("select faq_id, score, explanation from private.rank_faqs(%s, %s)"), calls
            ),
        ),
    ]
    busiest = conn.execute(
        "select faq_id from public.messages where owner_id = %s and faq_id is not null"
        " group by faq_id order by count(*) desc limit 1",
        (owner,),
    ).fetchone()
    assert busiest is not None
    # As the owner, the way PostgREST runs a signed-in call.
    conn.execute("set local role authenticated")
    conn.execute(
        "select set_config('request.jwt.claims', %s, true)",
        (f'{{"sub": "{owner}", "role": "authenticated"}}',),
    )
    results.insert(
        0, ("baseline: select 1, as the owner", timed(prepared("select 1", False), calls))
    )
    results.append(
        (
            "test_faq_match, 200 FAQs, as the owner",
            timed(
                lambda: conn.execute(
                    "select public.test_faq_match(%s)", (next(messages),), prepare=True
                ).fetchall(),
                calls,
            ),
        )
    )
    results += [
        (
            "faq_missed_messages, a page of 10",
            timed(
                prepared("select * from public.faq_missed_messages(p_limit => 10)", False), calls
            ),
        ),
        (
            "faq_answered_messages, a page of 10",
            timed(
                lambda: conn.execute(
                    "select * from public.faq_answered_messages(%s, p_limit => 10)",
                    (busiest[0],),
                    prepare=True,
                ).fetchall(),
                calls,
            ),
        ),
        (
            "faq_usage(30), 200 FAQs",
            timed(prepared("select public.faq_usage(30)", False), max(10, calls // 10)),
        ),
    ]
    conn.execute("reset role")
    return results


def print_tester(results: list[tuple[str, list[float]]], calls: int) -> None:
    select_1 = statistics.median(results[0][1])
    matching = statistics.median(results[1][1])
    print()
    print(
        f"# FAQ tester and the FAQ screen's lists, as the owner of 200 FAQs and"
        f" {HISTORY_MESSAGES:,} answered messages"
        f" ({calls} calls each; usage {max(10, calls // 10)})"
    )
    print(f"{'case':<42} {'p50 ms':>8} {'p99 ms':>8} {'x select 1':>11} {'x match_faq':>12}")
    for name, samples in results:
        p50 = statistics.median(samples)
        print(
            f"{name:<42} {p50:8.3f} {percentile(samples, 99):8.3f}"
            f" {p50 / select_1:11.1f} {p50 / matching:12.1f}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db-url", help="a migrated database (default: a throwaway one)")
    parser.add_argument("--calls", type=int, default=200, help="timed calls per case (200)")
    args = parser.parse_args()
    if args.db_url:
        run(args.db_url, args.calls)
    else:
        with throwaway_database() as url:
            run(url, args.calls)
    return 0


if __name__ == "__main__":
    sys.exit(main())
