"""The dashboard's SQL functions through the real PostgREST, as supabase-js calls them:
each owner reads and changes only their own inbox, and nobody else may call them.

Owner A has clients and messages; owner B has one client whose message says the same
words. Every call goes through the gateway with a signed JWT, and the database itself is
checked afterwards.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import psycopg
import pytest

from devstack import keys
from devstack.stack import LocalStack
from tests.factories import create_client, create_message, create_tenant

WORDS = "¿Me pasa su ubicación? Quiero pan de elote"


@dataclass
class Business:
    id: uuid.UUID
    client: uuid.UUID
    client_name: str


@dataclass
class Caller:
    http: httpx.Client

    def rpc(self, name: str, **params: Any) -> httpx.Response:
        return self.http.post(f"/rpc/{name}", json=params)


@pytest.fixture(scope="module")
def businesses(database_url: str) -> tuple[Business, Business]:
    made = []
    with psycopg.connect(database_url, autocommit=True) as conn:
        for name in ("Valeria Íñiguez", "Cliente de B"):
            tenant = create_tenant(conn)
            client = create_client(conn, tenant.id, name=f"{name} {uuid.uuid4().hex[:4]}")
            create_message(conn, tenant.id, client, content=WORDS)
            conn.execute("update public.clients set unread_count = 3 where id = %s", (client,))
            row = conn.execute(
                "select name from public.clients where id = %s", (client,)
            ).fetchone()
            assert row is not None
            made.append(Business(tenant.id, client, str(row[0])))
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


@pytest.fixture(scope="module")
def owner_a(caller: Any, stack: LocalStack, businesses: tuple[Business, Business]) -> Caller:
    a, _ = businesses
    result: Caller = caller(stack.anon_key, keys.user_token(a.id, secret=stack.jwt_secret))
    return result


@pytest.fixture(scope="module")
def owner_b(caller: Any, stack: LocalStack, businesses: tuple[Business, Business]) -> Caller:
    _, b = businesses
    result: Caller = caller(stack.anon_key, keys.user_token(b.id, secret=stack.jwt_secret))
    return result


def unread(database_url: str, client_id: uuid.UUID) -> int:
    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            "select unread_count from public.clients where id = %s", (client_id,)
        ).fetchone()
    assert row is not None
    return int(row[0])


def test_an_owner_reads_their_own_inbox(
    owner_a: Caller, businesses: tuple[Business, Business]
) -> None:
    a, _ = businesses
    response = owner_a.rpc("inbox_page", p_status="active", p_limit=50)
    assert response.status_code == 200, response.text
    rows = response.json()
    assert [row["id"] for row in rows] == [str(a.client)]
    assert rows[0]["last_message"]["content"] == WORDS
    assert rows[0]["unread_count"] == 3

    found = owner_a.rpc("inbox_page", p_query="ubicacion").json()
    assert [row["name"] for row in found] == [a.client_name]
    conversation = owner_a.rpc("conversation_page", p_client_id=str(a.client)).json()
    assert [message["content"] for message in conversation] == [WORDS]
    assert owner_a.rpc("inbox_summary").json() == [
        {"unread_messages": 3, "unread_conversations": 1}
    ]


def test_another_owner_sees_and_changes_nothing_of_theirs(
    owner_b: Caller, businesses: tuple[Business, Business], database_url: str
) -> None:
    a, b = businesses
    inbox = owner_b.rpc("inbox_page").json()
    assert [row["id"] for row in inbox] == [str(b.client)]
    # The same words are in both businesses' messages: only B's own client comes back.
    assert [row["id"] for row in owner_b.rpc("inbox_page", p_query="ubicacion").json()] == [
        str(b.client)
    ]
    assert owner_b.rpc("inbox_page", p_query=a.client_name).json() == []
    assert owner_b.rpc("inbox_page", p_client_ids=[str(a.client)]).json() == []
    assert owner_b.rpc("conversation_page", p_client_id=str(a.client)).json() == []

    marked = owner_b.rpc("mark_client_read", p_client_id=str(a.client))
    assert marked.status_code == 200 and marked.json() is False
    assert unread(database_url, a.client) == 3


def test_marking_read_clears_the_owners_own_conversation(
    caller: Any, stack: LocalStack, database_url: str
) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        tenant = create_tenant(conn)
        client = create_client(conn, tenant.id)
        create_message(conn, tenant.id, client)
        conn.execute("update public.clients set unread_count = 2 where id = %s", (client,))
    owner: Caller = caller(stack.anon_key, keys.user_token(tenant.id, secret=stack.jwt_secret))
    response = owner.rpc("mark_client_read", p_client_id=str(client))
    assert response.status_code == 200 and response.json() is True
    assert unread(database_url, client) == 0


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("inbox_page", {}),
        ("inbox_summary", {}),
        ("conversation_page", {"p_client_id": str(uuid.uuid4())}),
        ("mark_client_read", {"p_client_id": str(uuid.uuid4())}),
    ],
)
def test_only_signed_in_owners_may_call_them(
    caller: Any, stack: LocalStack, name: str, params: dict[str, Any]
) -> None:
    anon: Caller = caller(stack.anon_key)
    assert anon.rpc(name, **params).status_code == 401
    # The service role has no use for them: the webhook never reads an inbox.
    service: Caller = caller(stack.service_role_key)
    assert service.rpc(name, **params).status_code == 403


@pytest.mark.parametrize(
    "params",
    [
        {"p_status": "deleted"},
        {"p_limit": 0},
        {"p_before_at": "2026-11-30T10:00:00Z"},
        {"p_query": "x" * 201},
    ],
)
def test_bad_parameters_are_refused_with_a_reason(owner_a: Caller, params: dict[str, Any]) -> None:
    response = owner_a.rpc("inbox_page", **params)
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "22023"
    assert response.json()["message"].startswith("inbox_page: ")
