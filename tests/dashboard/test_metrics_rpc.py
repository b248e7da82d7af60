"""The Metrics screen's SQL functions and erase_client through the real PostgREST, as
supabase-js calls them: each owner counts and erases only their own, and neither anon nor
the service role may call them at all.

Owners A and B each have a client with messages (B's say the same words, with different
counts); every call goes through the gateway with a signed JWT, and the database itself is
checked after each erasure.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import psycopg
import pytest

from devstack import keys
from devstack.stack import LocalStack
from tests.factories import create_client, create_faq, create_tenant

METRICS_RPCS: dict[str, dict[str, int]] = {
    "metrics_messages_per_day": {"p_days": 7},
    "metrics_reply_kinds": {"p_days": 7},
    "metrics_new_clients_per_week": {"p_days": 7},
    "metrics_busiest_hours": {"p_days": 7},
    "metrics_top_faqs": {"p_days": 7, "p_limit": 5},
    "metrics_first_human_reply": {"p_days": 7},
}


@dataclass
class Business:
    id: uuid.UUID
    client: uuid.UUID
    faq: uuid.UUID
    received: int


@dataclass
class Caller:
    http: httpx.Client

    def rpc(self, name: str, **params: Any) -> httpx.Response:
        return self.http.post(f"/rpc/{name}", json=params)


QUESTION = (
    'insert into public.messages (id, owner_id, client_id, direction, content, status, "timestamp")'
    " values (%s, %s, %s, 'in', '¿A qué hora abren?', 'received', %s)"
)
FAQ_ANSWER = (
    "insert into public.messages (owner_id, client_id, direction, content, status, reply_kind,"
    ' faq_id, in_reply_to, "timestamp")'
    " values (%s, %s, 'out', 'De 7 a 20 h.', 'read', 'faq', %s, %s, %s)"
)
OWNER_REPLY = (
    "insert into public.messages (owner_id, client_id, direction, content, status, reply_kind,"
    " \"timestamp\") values (%s, %s, 'out', 'Te esperamos', 'delivered', 'manual', %s)"
)


def add_conversation(
    conn: psycopg.Connection[Any], owner: uuid.UUID, client: uuid.UUID, faq: uuid.UUID, turns: int
) -> None:
    """`turns` questions an hour apart, each answered by the FAQ, and the owner's own reply
    ten minutes after the last one."""
    now = datetime.now(UTC)
    for turn in range(turns):
        question = uuid.uuid4()
        at = now - timedelta(hours=turns - turn)
        conn.execute(QUESTION, (question, owner, client, at))
        conn.execute(FAQ_ANSWER, (owner, client, faq, question, at))
    conn.execute(OWNER_REPLY, (owner, client, now - timedelta(minutes=50)))


@pytest.fixture(scope="module")
def businesses(database_url: str) -> tuple[Business, Business]:
    made = []
    with psycopg.connect(database_url, autocommit=True) as conn:
        for turns in (3, 2):
            tenant = create_tenant(conn)
            client = create_client(conn, tenant.id, name=f"Cliente {uuid.uuid4().hex[:6]}")
            faq = create_faq(conn, tenant.id)
            add_conversation(conn, tenant.id, client, faq, turns)
            made.append(Business(tenant.id, client, faq, turns))
    return made[0], made[1]


@pytest.fixture(scope="module")
def caller(stack: LocalStack) -> Iterator[Any]:
    opened: list[httpx.Client] = []

    def make(api_key: str, token: str | None = None) -> Caller:
        http = httpx.Client(
            base_url=f"{stack.api_url}/rest/v1",
            headers={"apikey": api_key, "Authorization": f"Bearer {token or api_key}"},
            timeout=10,
        )
        opened.append(http)
        return Caller(http)

    yield make
    for http in opened:
        http.close()


def owner_of(caller: Any, stack: LocalStack, business: Business) -> Caller:
    made: Caller = caller(stack.anon_key, keys.user_token(business.id, secret=stack.jwt_secret))
    return made


def client_rows(database_url: str, client_id: uuid.UUID) -> tuple[int, int, int]:
    """The client's rows in clients, messages and client_labels."""
    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            "select (select count(*) from public.clients where id = %(id)s),"
            " (select count(*) from public.messages where client_id = %(id)s),"
            " (select count(*) from public.client_labels where client_id = %(id)s)",
            {"id": client_id},
        ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1]), int(row[2])


def test_each_owner_counts_only_their_own(
    caller: Any, stack: LocalStack, businesses: tuple[Business, Business]
) -> None:
    for business in businesses:
        owner = owner_of(caller, stack, business)
        responses = {name: owner.rpc(name, **params) for name, params in METRICS_RPCS.items()}
        for name, response in responses.items():
            assert response.status_code == 200, (name, response.text)

        per_day = responses["metrics_messages_per_day"].json()
        assert len(per_day) == 7
        assert sum(day["messages_in"] for day in per_day) == business.received
        # One FAQ answer per question, and the owner's reply.
        assert sum(day["messages_out"] for day in per_day) == business.received + 1
        kinds = responses["metrics_reply_kinds"].json()
        assert kinds == [
            {
                "received": business.received,
                "faq": business.received,
                "fallback": 0,
                "away": 0,
                "opt_out": 0,
                "opt_in": 0,
                "manual": 1,
                "no_automatic_reply": 0,
            }
        ]
        weeks = responses["metrics_new_clients_per_week"].json()
        assert sum(week["clients"] for week in weeks) == 1
        hours = responses["metrics_busiest_hours"].json()
        assert sum(cell["messages"] for cell in hours) == business.received
        assert [
            (faq["faq_id"], faq["answers"]) for faq in responses["metrics_top_faqs"].json()
        ] == [(str(business.faq), business.received)]
        # The owner replied 10 minutes after the last question (asked an hour ago).
        human = responses["metrics_first_human_reply"].json()
        assert human == [{"replies": 1, "median_seconds": 600}]


@pytest.mark.parametrize("name", METRICS_RPCS)
def test_anon_and_the_service_role_may_not_call_the_metrics(
    name: str, caller: Any, stack: LocalStack, businesses: tuple[Business, Business]
) -> None:
    a, _ = businesses
    owner = owner_of(caller, stack, a)
    # The owner first, so that any plan PostgREST prepared for the call exists already.
    assert owner.rpc(name, **METRICS_RPCS[name]).status_code == 200
    anon = caller(stack.anon_key)
    response = anon.rpc(name, **METRICS_RPCS[name])
    assert response.status_code == 401, response.text
    assert "permission denied" in response.json()["message"]
    service = caller(stack.service_role_key)
    response = service.rpc(name, **METRICS_RPCS[name])
    assert response.status_code == 403, response.text
    assert "permission denied" in response.json()["message"]


def test_a_period_out_of_range_is_refused_clearly(
    caller: Any, stack: LocalStack, businesses: tuple[Business, Business]
) -> None:
    a, _ = businesses
    response = owner_of(caller, stack, a).rpc("metrics_messages_per_day", p_days=400)
    assert response.status_code == 400
    assert response.json()["code"] == "22023"
    assert "between 1 and 366" in response.json()["message"]


def test_nobody_but_the_owner_may_erase_a_client(
    caller: Any, stack: LocalStack, businesses: tuple[Business, Business], database_url: str
) -> None:
    a, b = businesses
    before = client_rows(database_url, a.client)
    assert before[0] == 1 and before[1] > 0

    other_owner = owner_of(caller, stack, b).rpc("erase_client", p_client_id=str(a.client))
    assert other_owner.status_code >= 400, other_owner.text
    assert other_owner.json()["code"] == "P0002"
    anon = caller(stack.anon_key).rpc("erase_client", p_client_id=str(a.client))
    assert anon.status_code == 401, anon.text
    service = caller(stack.service_role_key).rpc("erase_client", p_client_id=str(a.client))
    assert service.status_code == 403, service.text
    assert client_rows(database_url, a.client) == before


def test_an_owner_erases_their_own_client_and_nothing_else(
    caller: Any, stack: LocalStack, database_url: str, businesses: tuple[Business, Business]
) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        tenant = create_tenant(conn)
        faq = create_faq(conn, tenant.id)
        leaving = create_client(conn, tenant.id, name="Se va")
        staying = create_client(conn, tenant.id, name="Se queda")
        add_conversation(conn, tenant.id, leaving, faq, 2)
        add_conversation(conn, tenant.id, staying, faq, 1)
    business = Business(tenant.id, leaving, faq, 2)
    staying_before = client_rows(database_url, staying)

    response = owner_of(caller, stack, business).rpc("erase_client", p_client_id=str(leaving))
    assert response.status_code == 200, response.text
    assert response.json() == {
        "client_id": str(leaving),
        "name": "Se va",
        "messages": 5,
        "labels": 0,
    }
    assert client_rows(database_url, leaving) == (0, 0, 0)
    assert client_rows(database_url, staying) == staying_before
    again = owner_of(caller, stack, business).rpc("erase_client", p_client_id=str(leaving))
    assert again.json()["code"] == "P0002"
