"""The migrator and `facilchat db migrate`: order, idempotence, atomicity, and agreement with
`supabase db push`."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest

from devstack import migrations
from devstack.paths import NODE_BIN, PLATFORM_SQL, PROJECT_ROOT
from devstack.postgres import find_bindir
from facilchat.cli import main as cli_main


def versions(url: str) -> list[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "select version from supabase_migrations.schema_migrations order by version"
        ).fetchall()
    return [r[0] for r in rows]


def schema_dump(url: str) -> str:
    """The app's schemas as pg_dump sees them, without the migration history's rows."""
    result = subprocess.run(
        [
            str(find_bindir() / "pg_dump"),
            "--schema-only",
            "--no-owner",
            "--schema=public",
            "--schema=private",
            "--schema=supabase_migrations",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return "\n".join(
        line
        for line in result.stdout.splitlines()
        # pg_dump stamps each dump with its versions and a random \restrict key.
        if not line.startswith(("-- Dumped", "\\restrict", "\\unrestrict"))
    )


def load_platform(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn, conn.transaction():
        conn.execute(PLATFORM_SQL.read_text())


def supabase_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(NODE_BIN / "supabase"), *args],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        input="y\n",
    )


def write_migrations(directory: Path, files: dict[str, str]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name, sql in files.items():
        (directory / name).write_text(sql)


def test_discover_orders_by_version_and_ignores_other_files(tmp_path: Path) -> None:
    write_migrations(
        tmp_path,
        {
            "20250102000000_second.sql": "select 2;",
            "20250101000000_first.sql": "select 1;",
            "notes.sql": "select 0;",
        },
    )
    (tmp_path / "README.md").write_text("not a migration")
    found = migrations.discover(tmp_path)
    assert [(m.version, m.name) for m in found] == [
        ("20250101000000", "first"),
        ("20250102000000", "second"),
    ]


def test_migrate_applies_everything_once(fresh_database: Callable[[], str]) -> None:
    url = fresh_database()
    applied = migrations.migrate(url, local=True)
    expected = [m.version for m in migrations.discover()]
    assert [m.version for m in applied] == expected
    assert versions(url) == expected
    assert migrations.migrate(url, local=True) == []
    assert versions(url) == expected


def test_reloading_the_platform_keeps_anon_off_new_tables(
    fresh_database: Callable[[], str],
) -> None:
    """Migrations revoke the default grants to anon; a second --local must not undo that."""
    url = fresh_database()
    migrations.migrate(url, local=True)
    migrations.migrate(url, local=True)  # loads platform.sql again
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("create table public.later_table (id integer)")
        granted = conn.execute(
            "select has_table_privilege('anon', 'public.later_table', 'SELECT'),"
            " has_table_privilege('authenticated', 'public.later_table', 'SELECT')"
        ).fetchone()
    assert granted == (False, True)


def test_failed_migration_leaves_nothing_behind(
    fresh_database: Callable[[], str], tmp_path: Path
) -> None:
    url = fresh_database()
    write_migrations(
        tmp_path,
        {
            "20250101000000_good.sql": "create table public.good (id int);",
            "20250102000000_bad.sql": "create table public.half (id int);\nselect * from nowhere;",
            "20250103000000_later.sql": "create table public.later (id int);",
        },
    )
    with pytest.raises(migrations.MigrationError, match=r"20250102000000_bad\.sql"):
        migrations.migrate(url, directory=tmp_path)
    with psycopg.connect(url) as conn:
        tables = {
            r[0]
            for r in conn.execute(
                "select tablename from pg_tables where schemaname = 'public'"
            ).fetchall()
        }
    assert tables == {"good"}
    assert versions(url) == ["20250101000000"]


def test_cli_migrate_reports_what_it_applied(
    fresh_database: Callable[[], str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.chdir(tmp_path)  # away from any developer's .env
    url = fresh_database()
    assert cli_main(["db", "migrate", "--db-url", url, "--local"]) == 0
    out = capsys.readouterr().out
    assert f"{len(migrations.discover())} migration(s) applied" in out
    assert cli_main(["db", "migrate", "--db-url", url]) == 0
    assert "0 migration(s) applied" in capsys.readouterr().out


def test_cli_migrate_without_url_says_what_is_missing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)  # no .env here
    with pytest.raises(SystemExit, match="--db-url or set DATABASE_URL"):
        cli_main(["db", "migrate"])


def test_supabase_db_push_builds_the_same_schema(fresh_database: Callable[[], str]) -> None:
    by_cli, by_migrator = fresh_database(), fresh_database()
    load_platform(by_cli)
    push = supabase_cli("db", "push", "--db-url", by_cli, "--yes")
    assert push.returncode == 0, push.stdout + push.stderr
    migrations.migrate(by_migrator, local=True)

    assert versions(by_cli) == versions(by_migrator)
    assert schema_dump(by_cli) == schema_dump(by_migrator)


def test_migrator_and_cli_agree_on_what_is_applied(fresh_database: Callable[[], str]) -> None:
    url = fresh_database()
    migrations.migrate(url, local=True)
    push = supabase_cli("db", "push", "--db-url", url, "--yes")
    assert push.returncode == 0, push.stdout + push.stderr
    assert "up to date" in (push.stdout + push.stderr).lower()

    pushed_first = fresh_database()
    load_platform(pushed_first)
    assert supabase_cli("db", "push", "--db-url", pushed_first, "--yes").returncode == 0
    assert migrations.migrate(pushed_first) == []


def test_schema_dump_notices_a_difference(
    fresh_database: Callable[[], str], db: psycopg.Connection[Any]
) -> None:
    one, two = fresh_database(), fresh_database()
    migrations.migrate(one, local=True)
    migrations.migrate(two, local=True)
    with psycopg.connect(two, autocommit=True) as conn:
        conn.execute("create index faqs_question_idx on public.faqs (question)")
    assert schema_dump(one) != schema_dump(two)
