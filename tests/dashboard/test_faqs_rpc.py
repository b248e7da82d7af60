"""The FAQ screen's SQL functions through the real PostgREST, as supabase-js calls them: the
tester answers with the caller's own FAQs only, each owner lists and reorders only their
own, the definer part of the tester is out of the API's reach, and anon and the service
role may call none of them. The table's refusals carry the names the dashboard translates.

Owners A and B each have an hours FAQ; their customers' messages go through
handle_inbound_message, as the webhook stores them, so the replies link to their FAQ and
their inbound message exactly as in production.
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
from tests.factories import create_faq, create_tenant, random_phone, random_twilio_sid

HOURS_QUESTION = "¿A qué hora abren?"


@dataclass
class Business:
    id: uuid.UUID
    number: str
    hours_faq: uuid.UUID
    other_faqs: list[uuid.UUID]


@dataclass
class Caller:
    http: httpx.Client

    def rpc(self, name: str, **params: Any) -> httpx.Response:
        return self.http.post(f"/rpc/{name}", json=params)


def customer_writes(conn: psycopg.Connection[Any], business: Business, text: str) -> None:
    """A customer's message, stored and answered as the webhook does it."""
    conn.execute(
        "select public.handle_inbound_message(%s, %s, %s, %s)",
        (business.number, random_phone(), random_twilio_sid(), text),
    )


@pytest.fixture(scope="module")
def businesses(database_url: str) -> tuple[Business, Business]:
    made = []
    with psycopg.connect(database_url, autocommit=True) as conn:
        for answer in ("Abrimos de 8:00 a 20:00.", "Abrimos de 10:00 a 18:00."):
            tenant = create_tenant(conn)
            hours = create_faq(conn, tenant.id, question=HOURS_QUESTION, answer=answer)
            others = [
                create_faq(conn, tenant.id, question=question, answer="Sí.")
                for question in ("¿Hacen envíos a domicilio?", "¿Aceptan tarjeta?")
            ]
            made.append(Business(tenant.id, tenant.whatsapp_number, hours, others))
        a, b = made
        customer_writes(conn, a, "¿a qué hora abren?")
        customer_writes(conn, a, "¿Hay estacionamiento?")
        customer_writes(conn, b, "¿Venden velas para pastel?")
    return a, b


@pytest.fixture(scope="module")
def caller(stack: LocalStack) -> Iterator[Any]:
    opened: list[httpx.Client] = []

    def make(api_key: str, token: str | None = None, **headers: str) -> Caller:
        http = httpx.Client(
            base_url=f"{stack.api_url}/rest/v1",
            headers={"apikey": api_key, "Authorization": f"Bearer {token or api_key}", **headers},
            timeout=10,
        )
        opened.append(http)
        return Caller(http)

    yield make
    for http in opened:
        http.close()


def owner(caller: Any, stack: LocalStack, business: Business) -> Caller:
    made: Caller = caller(stack.anon_key, keys.user_token(business.id, secret=stack.jwt_secret))
    return made


def positions(database_url: str, owner_id: uuid.UUID) -> list[uuid.UUID]:
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "select id from public.faqs where owner_id = %s order by position, id", (owner_id,)
        ).fetchall()
    return [row[0] for row in rows]


def test_the_tester_answers_with_the_callers_own_faq(
    caller: Any, stack: LocalStack, businesses: tuple[Business, Business]
) -> None:
    a, b = businesses
    for business in (a, b):
        response = owner(caller, stack, business).rpc("test_faq_match", p_text="a que hora abren")
        assert response.status_code == 200, response.text
        result = response.json()
        assert result["decision"] == "faq"
        assert result["faq_id"] == str(business.hours_faq)
        own = {str(business.hours_faq), *map(str, business.other_faqs)}
        assert {candidate["faq_id"] for candidate in result["candidates"]} <= own


def test_the_tester_never_reveals_another_owners_faqs(
    caller: Any, stack: LocalStack, businesses: tuple[Business, Business], database_url: str
) -> None:
    a, b = businesses
    with psycopg.connect(database_url, autocommit=True) as conn:
        only_a = create_faq(
            conn, a.id, question="¿Tienen pan de muerto?", answer="Sí, de octubre a noviembre."
        )
    try:
        seen_by_a = owner(caller, stack, a).rpc("test_faq_match", p_text="¿tienen pan de muerto?")
        assert seen_by_a.json()["faq_id"] == str(only_a)
        seen_by_b = owner(caller, stack, b).rpc("test_faq_match", p_text="¿tienen pan de muerto?")
        assert seen_by_b.status_code == 200
        assert seen_by_b.json()["decision"] == "fallback"
        assert seen_by_b.json()["candidates"] == []
        assert str(only_a) not in seen_by_b.text
        assert "octubre" not in seen_by_b.text
    finally:
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute("delete from public.faqs where id = %s", (only_a,))


def test_each_owner_lists_only_their_own_answered_and_missed_messages(
    caller: Any, stack: LocalStack, businesses: tuple[Business, Business]
) -> None:
    a, b = businesses
    owner_a, owner_b = owner(caller, stack, a), owner(caller, stack, b)

    answered = owner_a.rpc("faq_answered_messages", p_faq_id=str(a.hours_faq)).json()
    assert [row["content"] for row in answered] == ["¿a qué hora abren?"]
    missed = owner_a.rpc("faq_missed_messages").json()
    assert [(row["content"], row["reply_kind"]) for row in missed] == [
        ("¿Hay estacionamiento?", "fallback")
    ]

    assert owner_b.rpc("faq_answered_messages", p_faq_id=str(a.hours_faq)).json() == []
    assert [row["content"] for row in owner_b.rpc("faq_missed_messages").json()] == [
        "¿Venden velas para pastel?"
    ]
    usage = owner_b.rpc("faq_usage", p_days=30).json()
    assert {row["faq_id"] for row in usage["faqs"]} == {
        str(b.hours_faq),
        *map(str, b.other_faqs),
    }
    assert usage["missed"] == 1
    usage_a = {row["faq_id"]: row for row in owner_a.rpc("faq_usage").json()["faqs"]}
    assert usage_a[str(a.hours_faq)] == {
        "faq_id": str(a.hours_faq),
        "answered": 1,
        "last_answered_at": answered[0]["timestamp"],
    }
    assert {row["answered"] for faq, row in usage_a.items() if faq != str(a.hours_faq)} == {0}


def test_an_owner_reorders_only_their_own_faqs(
    caller: Any, stack: LocalStack, businesses: tuple[Business, Business], database_url: str
) -> None:
    a, b = businesses
    before_a = positions(database_url, a.id)
    reversed_b = list(reversed(positions(database_url, b.id)))

    moved = owner(caller, stack, b).rpc("reorder_faqs", p_ids=[str(i) for i in reversed_b])
    assert moved.status_code == 200, moved.text
    assert positions(database_url, b.id) == reversed_b

    # B's list with one of A's FAQs in it is refused whole, and A's order stays.
    mixed = [str(a.hours_faq), *[str(i) for i in reversed_b[1:]]]
    refused = owner(caller, stack, b).rpc("reorder_faqs", p_ids=mixed)
    assert refused.status_code == 400
    assert refused.json()["code"] == "22023"
    assert refused.json()["message"].startswith("reorder_faqs: ")
    assert positions(database_url, b.id) == reversed_b
    assert positions(database_url, a.id) == before_a

    # A's own list, sent by B: nothing of A's moves.
    foreign = owner(caller, stack, b).rpc(
        "reorder_faqs", p_ids=[str(i) for i in reversed(before_a)]
    )
    assert foreign.status_code == 400
    assert positions(database_url, a.id) == before_a


def test_the_tester_refuses_a_message_over_1000_characters(
    caller: Any, stack: LocalStack, businesses: tuple[Business, Business]
) -> None:
    a, _ = businesses
    response = owner(caller, stack, a).rpc("test_faq_match", p_text="horario " * 126)
    assert response.status_code == 400
    assert response.json()["code"] == "22023"
    assert response.json()["message"].startswith("test_faq_match: ")


def test_the_table_refusals_name_what_the_dashboard_translates(
    caller: Any, stack: LocalStack, businesses: tuple[Business, Business]
) -> None:
    """dashboard/src/data/faqs.js maps these constraint names to Spanish messages."""
    a, _ = businesses
    http = owner(caller, stack, a).http
    for changes, name in [
        ({"keywords": ["x" * 61]}, "faqs_keywords_limits"),
        ({"keywords": [f"palabra {i}" for i in range(31)]}, "faqs_keywords_limits"),
        ({"question": "   "}, "faqs_question"),
        ({"answer": "x" * 1601}, "faqs_answer"),
    ]:
        response = http.patch(
            "/faqs",
            params={"id": f"eq.{a.hours_faq}"},
            json=changes,
            headers={"Prefer": "return=representation"},
        )
        assert response.status_code == 400, response.text
        assert response.json()["code"] == "23514"
        assert name in response.json()["message"]


def test_the_definer_part_is_not_reachable_through_the_api(
    caller: Any, stack: LocalStack, businesses: tuple[Business, Business]
) -> None:
    a, _ = businesses
    private = caller(
        stack.anon_key,
        keys.user_token(a.id, secret=stack.jwt_secret),
        **{"Content-Profile": "private", "Accept-Profile": "private"},
    )
    response = private.rpc("test_faq_match", p_text="a que hora abren")
    assert response.status_code == 406, response.text


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("test_faq_match", {"p_text": "a que hora abren"}),
        ("reorder_faqs", {"p_ids": [str(uuid.uuid4())]}),
        ("faq_answered_messages", {"p_faq_id": str(uuid.uuid4())}),
        ("faq_missed_messages", {}),
        ("faq_usage", {}),
    ],
)
def test_only_signed_in_owners_may_call_them(
    caller: Any,
    stack: LocalStack,
    businesses: tuple[Business, Business],
    name: str,
    params: dict[str, Any],
) -> None:
    a, _ = businesses
    # An owner's call first: a plan cached on the pooled connection must not let anon in.
    assert owner(caller, stack, a).rpc(name, **params).status_code in (200, 400)
    anon: Caller = caller(stack.anon_key)
    assert anon.rpc(name, **params).status_code == 401
    # The webhook has no use for them.
    service: Caller = caller(stack.service_role_key)
    assert service.rpc(name, **params).status_code == 403
