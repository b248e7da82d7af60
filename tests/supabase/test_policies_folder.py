"""supabase/policies is the readable source of RLS; the migrations must agree with it.

A second database gets the migrations, loses every policy we own (those on
public tables, and on realtime.messages), and then gets the policies folder
applied. Its policies must equal the session database's, which only the
migrations built.

The folder holds one file per public table, `<table>.sql`, and
`realtime.messages.sql` for the Realtime authorisation policy: the realtime
schema belongs to the platform, but who may receive broadcasts is ours.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import psycopg
import pytest

from devstack import migrations
from devstack.paths import POLICIES_DIR

# Tables outside public whose RLS we own, with their policies file.
PLATFORM_TABLES = {("realtime", "messages")}

OWNED_TABLES = """
    select n.nspname, c.relname
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind in ('r', 'p')
      and (n.nspname = 'public' or (n.nspname, c.relname) in (('realtime', 'messages')))
"""

SNAPSHOT = f"""
    select 'policy', schemaname, tablename, policyname, permissive, roles::text, cmd,
           coalesce(qual, ''), coalesce(with_check, '')
    from pg_policies
    where schemaname = 'public' or (schemaname, tablename) in (('realtime', 'messages'))
    union all
    select 'rls', n.nspname, c.relname, '', c.relrowsecurity::text, '', '', '', ''
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where (n.nspname, c.relname) in ({OWNED_TABLES})
    order by 1, 2, 3, 4
"""


def snapshot(url: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(url) as conn:
        return conn.execute(SNAPSHOT).fetchall()


def rebuild_from_folder(url: str, transform: Callable[[str], str] = lambda sql: sql) -> None:
    with psycopg.connect(url, autocommit=True) as conn, conn.transaction():
        for schema, table, policy in conn.execute(
            "select schemaname, tablename, policyname from pg_policies"
            " where schemaname = 'public' or (schemaname, tablename) in (('realtime', 'messages'))"
        ).fetchall():
            conn.execute(f'drop policy "{policy}" on "{schema}"."{table}"')
        for schema, table in conn.execute(OWNED_TABLES).fetchall():
            conn.execute(f'alter table "{schema}"."{table}" disable row level security')
        for path in sorted(POLICIES_DIR.glob("*.sql")):
            conn.execute(transform(path.read_text(encoding="utf-8")))


@pytest.fixture
def migrated_copy(fresh_database: Callable[[], str]) -> str:
    url = fresh_database()
    migrations.migrate(url, local=True)
    return url


def test_every_owned_table_has_a_policies_file(db: psycopg.Connection[Any]) -> None:
    expected = {
        table if schema == "public" else f"{schema}.{table}"
        for schema, table in db.execute(OWNED_TABLES).fetchall()
    }
    assert {f"{schema}.{table}" for schema, table in PLATFORM_TABLES} <= expected
    assert {path.stem for path in POLICIES_DIR.glob("*.sql")} == expected


def test_policies_folder_matches_what_migrations_produce(
    database_url: str, migrated_copy: str
) -> None:
    rebuild_from_folder(migrated_copy)
    assert snapshot(migrated_copy) == snapshot(database_url)


def test_a_changed_policy_file_is_noticed(database_url: str, migrated_copy: str) -> None:
    rebuild_from_folder(
        migrated_copy,
        lambda sql: sql.replace("for select\n    to authenticated", "for select\n    to anon", 1),
    )
    assert snapshot(migrated_copy) != snapshot(database_url)


def test_a_changed_realtime_policy_is_noticed(database_url: str, migrated_copy: str) -> None:
    def loosen(sql: str) -> str:
        return sql.replace("and topic = (select realtime.topic())\n", "")

    source = (POLICIES_DIR / "realtime.messages.sql").read_text(encoding="utf-8")
    assert loosen(source) != source
    rebuild_from_folder(migrated_copy, loosen)
    assert snapshot(migrated_copy) != snapshot(database_url)


def test_the_realtime_policy_file_must_enable_rls(database_url: str, migrated_copy: str) -> None:
    rebuild_from_folder(
        migrated_copy,
        lambda sql: sql.replace("alter table realtime.messages enable row level security;", ""),
    )
    assert snapshot(migrated_copy) != snapshot(database_url)
