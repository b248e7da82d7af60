"""The sweeper's query is served by messages_outbox_idx.

The plan is read with auto_explain from inside claim_due_outbound_messages
itself, so it is the function's own query that is checked, not a copy. The
outbox holds a handful of replies among many delivered ones, as it does in
production: a plan that scans every message grows with the whole history.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import psycopg
import pytest

from tests.factories import Connection, create_client, create_tenant

HISTORY = 20_000  # delivered replies, outside the outbox
DUE = 3  # replies waiting to be retried

# The index as it stood before its predicate matched the sweeper's filter.
OLD_OUTBOX_INDEX = """
    create index messages_outbox_idx on public.messages (next_attempt_at)
    where direction = 'out' and status in ('queued', 'failed')
"""


@pytest.fixture
def outbox(db: Connection) -> Iterator[Connection]:
    """A business with a long history of delivered replies and a few due for retry."""
    tenant = create_tenant(db)
    client_id = create_client(db, tenant.id)
    db.execute(
        "insert into public.messages (owner_id, client_id, direction, content, status,"
        " twilio_message_id, reply_kind)"
        " select %s, %s, 'out', 'Abrimos de 8 a 20 h.', 'delivered',"
        "        'SM' || md5(%s || g::text), 'faq'"
        " from generate_series(1, %s) g",
        (tenant.id, client_id, str(tenant.id), HISTORY),
    )
    db.execute(
        "insert into public.messages (owner_id, client_id, direction, content, status,"
        " reply_kind, attempts, next_attempt_at)"
        " select %s, %s, 'out', 'Gracias por escribirnos.', 'failed', 'fallback', 1,"
        "        now() - interval '1 minute'"
        " from generate_series(1, %s)",
        (tenant.id, client_id, DUE),
    )
    db.execute("analyze public.messages")
    yield db
    db.execute("delete from public.messages where owner_id = %s", (tenant.id,))


def sweeper_plan(conn: Connection) -> str:
    """The plan of the sweeper's query, as Postgres ran it inside the function."""
    plans: list[str] = []
    conn.add_notice_handler(lambda notice: plans.append(notice.message_primary or ""))
    with conn.transaction(force_rollback=True):
        conn.execute("load 'auto_explain'")
        conn.execute("set local auto_explain.log_min_duration = 0")
        conn.execute("set local auto_explain.log_nested_statements = on")
        conn.execute("set local client_min_messages = log")
        conn.execute("select count(*) from public.claim_due_outbound_messages(5, 5)")
    due = [plan for plan in plans if "skip locked" in plan]
    assert due, f"no plan of the sweeper's query among {len(plans)} logged plans"
    return due[0]


def uses_outbox_index(plan: str) -> bool:
    return re.search(r"Index (Only )?Scan .*messages_outbox_idx", plan) is not None


def test_the_sweeper_query_uses_the_outbox_index(outbox: Connection) -> None:
    plan = sweeper_plan(outbox)
    assert uses_outbox_index(plan), plan
    assert "Seq Scan on messages" not in plan, plan


def test_an_index_without_sending_in_its_predicate_cannot_serve_it(outbox: Connection) -> None:
    """The defect this guards against: the predicate must cover every status the sweeper asks."""
    with outbox.transaction(force_rollback=True):
        outbox.execute("drop index public.messages_outbox_idx")
        outbox.execute(OLD_OUTBOX_INDEX)
        plan = sweeper_plan(outbox)
    assert not uses_outbox_index(plan), plan


def test_auto_explain_is_available(database_url: str) -> None:
    # Without it the checks above could not see a plan at all.
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("load 'auto_explain'")
