"""The Supabase database linter's security and performance rules, as tests.

Each rule is a query that lists violations. The migrated schema must have
none, and for each rule a deliberately broken object (in a rolled-back
transaction) proves that the query does catch what it is meant to.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from devstack.paths import NODE_BIN, PROJECT_ROOT

# Schemas our migrations own; auth, realtime and extensions belong to the platform.
APP_SCHEMAS = ("public", "private")
# The functions the dashboard calls in the browser as a signed-in owner: security invoker,
# so RLS decides what they return (supabase/migrations/20261201200000_dashboard_inbox.sql).
BROWSER_FUNCTIONS = (
    "conversation_page(uuid,timestamp with time zone,text,uuid,integer)",
    "erase_client(uuid)",
    "faq_answered_messages(uuid,timestamp with time zone,uuid,integer)",
    "faq_missed_messages(timestamp with time zone,uuid,integer)",
    "faq_usage(integer)",
    "fold_for_search(text)",
    "inbox_page(text,uuid,text,timestamp with time zone,uuid,integer,uuid[])",
    "inbox_summary()",
    "label_client_counts()",
    "mark_client_read(uuid)",
    "metrics_busiest_hours(integer)",
    "metrics_first_human_reply(integer)",
    "metrics_messages_per_day(integer)",
    "metrics_new_clients_per_week(integer)",
    "metrics_reply_kinds(integer)",
    "metrics_top_faqs(integer,integer)",
    "reorder_faqs(uuid[])",
    "test_faq_match(text)",
    "time_zone_names()",
)

# Definer functions that such a browser function calls, so authenticated may execute them
# (and use the private schema): each works on the caller's (select auth.uid()) alone and
# takes no owner id (supabase/migrations/20261202100000_dashboard_faqs.sql).
BROWSER_DEFINER_FUNCTIONS = ("private.test_faq_match(text)",)

RULES: dict[str, str] = {
    "rls_disabled_in_public": """
        select c.relname
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relrowsecurity
    """,
    "rls_enabled_no_policy": """
        select c.relname
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind in ('r', 'p')
          and not exists (select 1 from pg_policy p where p.polrelid = c.oid)
    """,
    "policy_without_role": """
        select tablename || '.' || policyname
        from pg_policies
        where schemaname = 'public' and roles @> array['public']::name[]
    """,
    "unindexed_foreign_keys": """
        select con.conrelid::regclass::text || '.' || con.conname
        from pg_constraint con
        join pg_namespace n on n.oid = con.connamespace
        where con.contype = 'f' and n.nspname = any(%(schemas)s)
          and not exists (
            select 1 from pg_index i
            where i.indrelid = con.conrelid
              and (i.indkey::int2[])[0:cardinality(con.conkey) - 1] @> con.conkey
              and (i.indkey::int2[])[0:cardinality(con.conkey) - 1] <@ con.conkey
          )
    """,
    "security_definer_without_search_path": """
        select p.oid::regprocedure::text
        from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where n.nspname = any(%(schemas)s) and p.prosecdef
          and not exists (select 1 from unnest(coalesce(p.proconfig, '{}')) c
                          where c like 'search_path=%%')
    """,
    "function_with_mutable_search_path": """
        select p.oid::regprocedure::text
        from pg_proc p
        join pg_namespace n on n.oid = p.pronamespace
        join pg_language l on l.oid = p.prolang
        where n.nspname = any(%(schemas)s) and p.prokind = 'f'
          and l.lanname in ('sql', 'plpgsql')
          and not exists (select 1 from unnest(coalesce(p.proconfig, '{}')) c
                          where c like 'search_path=%%')
    """,
    "security_definer_executable_by_api_roles": """
        select p.oid::regprocedure::text || ' by ' || r.rolname
        from pg_proc p
        join pg_namespace n on n.oid = p.pronamespace
        cross join (values ('anon'), ('authenticated')) as r(rolname)
        where n.nspname = any(%(schemas)s) and p.prosecdef
          and has_function_privilege(r.rolname, p.oid, 'execute')
          and not (r.rolname = 'authenticated'
                   and p.oid::regprocedure::text = any(%(browser_definer_functions)s))
    """,
    "security_definer_view": """
        select c.relname
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind = 'v'
          and not coalesce('security_invoker=true' = any(c.reloptions), false)
          and not coalesce('security_invoker=on' = any(c.reloptions), false)
    """,
    "truncate_granted_to_api_roles": """
        select c.relname || ' to ' || r.rolname
        from pg_class c
        join pg_namespace n on n.oid = c.relnamespace
        cross join (values ('anon'), ('authenticated')) as r(rolname)
        where n.nspname = 'public' and c.relkind in ('r', 'p')
          and has_table_privilege(r.rolname, c.oid, 'truncate')
    """,
    # The API's functions are the webhook's, for service_role only; those meant for the
    # browser are listed in BROWSER_FUNCTIONS on purpose, for authenticated only.
    "public_function_executable_by_api_roles": """
        select p.oid::regprocedure::text || ' by ' || r.rolname
        from pg_proc p
        join pg_namespace n on n.oid = p.pronamespace
        cross join (values ('anon'), ('authenticated')) as r(rolname)
        where n.nspname = 'public'
          and not exists (select 1 from pg_depend d
                          where d.objid = p.oid and d.deptype = 'e')
          and has_function_privilege(r.rolname, p.oid, 'execute')
          and not (r.rolname = 'authenticated' and not p.prosecdef
                   and p.oid::regprocedure::text = any(%(browser_functions)s))
    """,
    "private_schema_exposed": """
        select r.rolname
        from (values ('anon'), ('authenticated')) as r(rolname)
        where has_schema_privilege(r.rolname, 'private', 'usage')
          and not (r.rolname = 'authenticated'
                   and cardinality(%(browser_definer_functions)s::text[]) > 0)
    """,
}

# An unwrapped auth call in a policy runs once per row instead of once per statement.
AUTH_CALL = re.compile(r"auth\.(uid|jwt|role)\(\)")
WRAPPED_AUTH_CALL = re.compile(r"SELECT auth\.(uid|jwt|role)\(\) AS \w+", re.IGNORECASE)


def violations(conn: psycopg.Connection[Any], rule: str) -> list[str]:
    params = {
        "schemas": list(APP_SCHEMAS),
        "browser_functions": list(BROWSER_FUNCTIONS),
        "browser_definer_functions": list(BROWSER_DEFINER_FUNCTIONS),
    }
    rows = conn.execute(RULES[rule], params).fetchall()
    return sorted(str(r[0]) for r in rows)


def unwrapped_auth_calls(conn: psycopg.Connection[Any]) -> list[str]:
    found = []
    rows = conn.execute(
        "select tablename, policyname, coalesce(qual, '') || ' ' || coalesce(with_check, '')"
        " from pg_policies where schemaname = 'public'"
    ).fetchall()
    for table, policy, expression in rows:
        if len(AUTH_CALL.findall(expression)) != len(WRAPPED_AUTH_CALL.findall(expression)):
            found.append(f"{table}: {policy}")
    return found


@pytest.fixture
def rolled_back(database_url: str) -> Iterator[psycopg.Connection[Any]]:
    """A connection whose changes are all rolled back at the end."""
    with psycopg.connect(database_url) as conn:
        yield conn
        conn.rollback()


@pytest.mark.parametrize("rule", sorted(RULES))
def test_schema_has_no_violations(db: psycopg.Connection[Any], rule: str) -> None:
    assert violations(db, rule) == []


def test_policies_wrap_auth_calls_in_select(db: psycopg.Connection[Any]) -> None:
    assert unwrapped_auth_calls(db) == []


# Each rule catches the mistake it exists for.
BROKEN_OBJECTS: dict[str, tuple[str, str]] = {
    "rls_disabled_in_public": ("create table public.lint_probe (id int)", "lint_probe"),
    "rls_enabled_no_policy": (
        "create table public.lint_probe (id int); "
        "alter table public.lint_probe enable row level security",
        "lint_probe",
    ),
    "policy_without_role": (
        "create policy lint_probe on public.faqs for select using (true)",
        "faqs.lint_probe",
    ),
    "unindexed_foreign_keys": (
        "create table public.lint_probe (faq_id uuid references public.faqs (id))",
        "lint_probe.lint_probe_faq_id_fkey",
    ),
    "security_definer_without_search_path": (
        "create function private.lint_probe() returns int language sql security definer"
        " as 'select 1'",
        "private.lint_probe()",
    ),
    "function_with_mutable_search_path": (
        "create function private.lint_probe() returns int language plpgsql"
        " as 'begin return 1; end'",
        "private.lint_probe()",
    ),
    "security_definer_executable_by_api_roles": (
        "create function public.lint_probe() returns int language sql security definer"
        " set search_path = '' as 'select 1'; "
        "grant execute on function public.lint_probe() to anon",
        "lint_probe() by anon",
    ),
    "security_definer_view": (
        "create view public.lint_probe as select id from public.faqs",
        "lint_probe",
    ),
    "truncate_granted_to_api_roles": (
        "grant truncate on public.faqs to authenticated",
        "faqs to authenticated",
    ),
    "private_schema_exposed": ("grant usage on schema private to anon", "anon"),
    "public_function_executable_by_api_roles": (
        "create function public.lint_probe() returns int language plpgsql"
        " set search_path = '' as 'begin return 1; end'; "
        "grant execute on function public.lint_probe() to authenticated",
        "lint_probe() by authenticated",
    ),
}


def test_every_rule_has_a_broken_example() -> None:
    assert set(BROKEN_OBJECTS) == set(RULES)


@pytest.mark.parametrize("rule", sorted(BROKEN_OBJECTS))
def test_rule_catches_its_violation(rolled_back: psycopg.Connection[Any], rule: str) -> None:
    ddl, expected = BROKEN_OBJECTS[rule]
    rolled_back.execute(ddl)
    assert expected in violations(rolled_back, rule)


def test_unwrapped_auth_call_is_caught(rolled_back: psycopg.Connection[Any]) -> None:
    rolled_back.execute(
        "create policy lint_probe on public.faqs for select to authenticated"
        " using (owner_id = auth.uid())"
    )
    assert unwrapped_auth_calls(rolled_back) == ["faqs: lint_probe"]


def test_supabase_db_lint_finds_no_errors(database_url: str) -> None:
    """The Supabase CLI's own linter (plpgsql_check) over our schemas."""
    result = subprocess.run(
        [
            str(NODE_BIN / "supabase"),
            "db",
            "lint",
            "--db-url",
            database_url,
            "--fail-on",
            "error",
            "--schema",
            ",".join(APP_SCHEMAS),
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No schema errors found" in result.stdout + result.stderr
