"""supabase/policies is the readable source of RLS; the migrations must agree with it.

A second database gets the migrations, loses every public policy, and then
gets the policies folder applied. Its policies must equal the session
database's, which only the migrations built.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import psycopg
import pytest

from devstack.paths import POLICIES_DIR
from facilchat import migrate

SNAPSHOT = """
    select 'policy', tablename, policyname, permissive, roles::text, cmd,
           coalesce(qual, ''), coalesce(with_check, '')
    from pg_policies where schemaname = 'public'
    union all
    select 'rls', c.relname, '', c.relrowsecurity::text, '', '', '', ''
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind in ('r', 'p')
    order by 1, 2, 3
"""


def snapshot(url: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(url) as conn:
        return conn.execute(SNAPSHOT).fetchall()


def rebuild_from_folder(url: str, transform: Callable[[str], str] = lambda sql: sql) -> None:
    with psycopg.connect(url, autocommit=True) as conn, conn.transaction():
        for table, policy in conn.execute(
            "select tablename, policyname from pg_policies where schemaname = 'public'"
        ).fetchall():
            conn.execute(f'drop policy "{policy}" on public."{table}"')
        for table_row in conn.execute(
            "select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace"
            " where n.nspname = 'public' and c.relkind in ('r', 'p')"
        ).fetchall():
            conn.execute(f'alter table public."{table_row[0]}" disable row level security')
        for path in sorted(POLICIES_DIR.glob("*.sql")):
            conn.execute(transform(path.read_text(encoding="utf-8")))


@pytest.fixture
def migrated_copy(fresh_database: Callable[[], str]) -> str:
    url = fresh_database()
    migrate.migrate(url, local=True)
    return url


def test_every_public_table_has_a_policies_file(db: psycopg.Connection[Any]) -> None:
    tables = {
        row[0]
        for row in db.execute(
            "select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace"
            " where n.nspname = 'public' and c.relkind in ('r', 'p')"
        ).fetchall()
    }
    assert {path.stem for path in POLICIES_DIR.glob("*.sql")} == tables


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
