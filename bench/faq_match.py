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
from collections.abc import Callable
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
