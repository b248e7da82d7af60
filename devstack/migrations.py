"""Apply supabase/migrations to a database, as `supabase db push` does.

The local stack runs it at start; `facilchat db migrate` runs it on request.
Applied versions are recorded in supabase_migrations.schema_migrations, the
table the Supabase CLI keeps, so the CLI and this migrator agree on what is
already applied and either can take over from the other.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import psycopg

from devstack.paths import MIGRATIONS_DIR, PLATFORM_SQL

MIGRATION_FILE = re.compile(r"^(?P<version>\d+)_(?P<name>.+)\.sql$")

HISTORY_DDL = """
create schema if not exists supabase_migrations;
create table if not exists supabase_migrations.schema_migrations (
    version text not null primary key,
    statements text[],
    name text
);
"""


@dataclass(frozen=True)
class Migration:
    version: str
    name: str
    path: Path

    @property
    def sql(self) -> str:
        return self.path.read_text(encoding="utf-8")


class MigrationError(RuntimeError):
    """A migration failed; nothing of it was applied."""


def discover(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """The migration files in version order; other files are ignored."""
    migrations = []
    for path in directory.glob("*.sql"):
        match = MIGRATION_FILE.match(path.name)
        if match:
            migrations.append(Migration(match["version"], match["name"], path))
    return sorted(migrations, key=lambda m: m.version)


def applied_versions(conn: psycopg.Connection[tuple[str]]) -> set[str]:
    with conn.transaction():
        conn.execute(HISTORY_DDL)
        rows = conn.execute("select version from supabase_migrations.schema_migrations").fetchall()
    return {row[0] for row in rows}


def load_platform_stand_in(conn: psycopg.Connection[tuple[str]]) -> None:
    """Create the Supabase platform objects a plain Postgres lacks (local only)."""
    with conn.transaction():
        conn.execute(PLATFORM_SQL.read_text(encoding="utf-8"))


def apply(conn: psycopg.Connection[tuple[str]], migrations: Iterable[Migration]) -> list[Migration]:
    """Apply the pending migrations, each in its own transaction, in order."""
    done = applied_versions(conn)
    applied = []
    for migration in migrations:
        if migration.version in done:
            continue
        sql = migration.sql
        try:
            with conn.transaction():
                conn.execute(sql)  # trusted project SQL
                conn.execute(
                    "insert into supabase_migrations.schema_migrations (version, name, statements)"
                    " values (%s, %s, %s)",
                    (migration.version, migration.name, [sql]),
                )
        except psycopg.Error as error:
            raise MigrationError(f"{migration.path.name}: {error}") from error
        applied.append(migration)
    return applied


def migrate(
    db_url: str, *, local: bool = False, directory: Path = MIGRATIONS_DIR
) -> list[Migration]:
    """Bring the database at `db_url` up to date; returns what was applied."""
    with psycopg.connect(db_url, autocommit=True) as conn:
        if local:
            load_platform_stand_in(conn)
        return apply(conn, discover(directory))
