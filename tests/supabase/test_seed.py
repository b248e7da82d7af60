"""The demo bakery in supabase/seed.sql: loads on a migrated database, once."""

from __future__ import annotations

from collections.abc import Callable

import psycopg

from devstack import migrations
from devstack.seed import SEED_OWNER_ID, SEED_WHATSAPP_NUMBER
from devstack.stack import load_seed

TABLES = ("users", "clients", "labels", "client_labels", "faqs", "messages")


def counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        result = {}
        for table in TABLES:
            row = conn.execute(f"select count(*) from public.{table}").fetchone()
            assert row is not None
            result[table] = row[0]
        return result


def test_seed_loads_the_demo_bakery_once(fresh_database: Callable[[], str]) -> None:
    url = fresh_database()
    migrations.migrate(url, local=True)
    load_seed(url)
    first = counts(url)
    assert first["users"] == 1
    assert 10 <= first["clients"] <= 20
    assert first["faqs"] >= 8
    assert 200 <= first["messages"] <= 500
    assert first["labels"] >= 4 and first["client_labels"] >= 1

    load_seed(url)
    assert counts(url) == first

    with psycopg.connect(url) as conn:
        owner = conn.execute(
            "select whatsapp_number, business_name from public.users where id = %s",
            (SEED_OWNER_ID,),
        ).fetchone()
        assert owner is not None and owner[0] == SEED_WHATSAPP_NUMBER and owner[1]
        # The inbox list depends on last_message_at matching the newest message.
        stale = conn.execute(
            "select count(*) from public.clients c where c.last_message_at is distinct from"
            " (select max(m.created_at) from public.messages m where m.client_id = c.id)"
        ).fetchone()
        assert stale == (0,)
