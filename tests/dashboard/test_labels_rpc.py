"""The labels and settings screens' SQL through the real PostgREST, as supabase-js calls it:
label_client_counts() and time_zone_names() answer each owner about their own business
only and nobody else may call them; built-in labels cannot be deleted through the API; a
business's settings refuse what the database does not accept, with errors the screen
translates.

Owner A has two clients (one archived) with a label, and the built-in "Cliente nuevo" on
one; owner B has a client with a label of their own. Every call goes through the gateway
with a signed JWT, and the database is checked afterwards.
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
from tests.factories import create_client, create_label, create_tenant, label_client


@dataclass
class Business:
    id: uuid.UUID
    label: uuid.UUID
    new_client_label: uuid.UUID


@dataclass
class Caller:
    http: httpx.Client

    def rpc(self, name: str, **params: Any) -> httpx.Response:
        return self.http.post(f"/rpc/{name}", json=params)


def builtin_label(conn: psycopg.Connection[Any], owner: uuid.UUID, builtin: str) -> uuid.UUID:
    row = conn.execute(
        "select id from public.labels where owner_id = %s and builtin = %s", (owner, builtin)
    ).fetchone()
    assert row is not None
    label_id: uuid.UUID = row[0]
    return label_id


@pytest.fixture(scope="module")
def businesses(database_url: str) -> tuple[Business, Business]:
    with psycopg.connect(database_url, autocommit=True) as conn:
        a = create_tenant(conn)
        active = create_client(conn, a.id, name="Valeria")
        archived = create_client(conn, a.id, name="Ricardo")
        conn.execute("update public.clients set status = 'archived' where id = %s", (archived,))
        wholesale = create_label(conn, a.id, name="Mayoreo")
        label_client(conn, active, wholesale)
        label_client(conn, archived, wholesale)
        a_new = builtin_label(conn, a.id, "new_client")
        label_client(conn, active, a_new)

        b = create_tenant(conn)
        b_client = create_client(conn, b.id, name="Cliente de B")
        b_label = create_label(conn, b.id, name="Etiqueta de B")
        label_client(conn, b_client, b_label)
        b_new = builtin_label(conn, b.id, "new_client")
    return Business(a.id, wholesale, a_new), Business(b.id, b_label, b_new)


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


def owner(caller: Any, stack: LocalStack, business: Business) -> Caller:
    made: Caller = caller(stack.anon_key, keys.user_token(business.id, secret=stack.jwt_secret))
    return made


def counts_by_label(response: httpx.Response) -> dict[str, tuple[int, int]]:
    assert response.status_code == 200, response.text
    return {row["label_id"]: (row["clients"], row["active_clients"]) for row in response.json()}


def test_an_owner_counts_the_clients_of_each_of_their_labels(
    caller: Any, stack: LocalStack, businesses: tuple[Business, Business]
) -> None:
    a, b = businesses
    counts = counts_by_label(owner(caller, stack, a).rpc("label_client_counts"))
    assert counts[str(a.label)] == (2, 1)
    assert counts[str(a.new_client_label)] == (1, 1)
    # Every label of A, the unused built-in "Requiere atención" included, and none of B's.
    assert len(counts) == 3
    assert str(b.label) not in counts and str(b.new_client_label) not in counts


def test_another_owner_counts_only_their_own(
    caller: Any, stack: LocalStack, businesses: tuple[Business, Business]
) -> None:
    a, b = businesses
    counts = counts_by_label(owner(caller, stack, b).rpc("label_client_counts"))
    assert counts[str(b.label)] == (1, 1)
    assert str(a.label) not in counts
    assert len(counts) == 3


@pytest.mark.parametrize("function", ["label_client_counts", "time_zone_names"])
def test_anon_and_the_service_role_may_not_call_the_screens_functions(
    caller: Any,
    stack: LocalStack,
    businesses: tuple[Business, Business],
    function: str,
) -> None:
    a, _ = businesses
    # An owner's call first, so a prepared plan exists on PostgREST's pooled connection.
    assert owner(caller, stack, a).rpc(function).status_code == 200
    anon = caller(stack.anon_key)
    refused = anon.rpc(function)
    assert refused.status_code in (401, 403), refused.text
    assert refused.json()["code"] == "42501"
    service = caller(keys.service_role_key(stack.jwt_secret))
    refused = service.rpc(function)
    assert refused.status_code == 403, refused.text
    assert refused.json()["code"] == "42501"


def test_time_zone_names_lists_the_zones_an_owner_may_choose(
    caller: Any, stack: LocalStack, businesses: tuple[Business, Business]
) -> None:
    a, _ = businesses
    response = owner(caller, stack, a).rpc("time_zone_names")
    assert response.status_code == 200, response.text
    names = response.json()
    assert {"America/Mexico_City", "America/Bogota", "America/Sao_Paulo", "UTC"} <= set(names)
    assert not [name for name in names if name.startswith(("posix/", "right/"))]
    assert names == sorted(names)


def label_exists(database_url: str, label_id: uuid.UUID) -> bool:
    with psycopg.connect(database_url) as conn:
        return conn.execute(
            "select 1 from public.labels where id = %s", (label_id,)
        ).fetchone() == (1,)


def test_a_built_in_label_cannot_be_deleted_through_the_api(
    caller: Any, stack: LocalStack, businesses: tuple[Business, Business], database_url: str
) -> None:
    a, _ = businesses
    http = owner(caller, stack, a).http
    response = http.delete(
        "/labels",
        params={"id": f"eq.{a.new_client_label}"},
        headers={"Prefer": "return=representation"},
    )
    assert response.status_code == 403, response.text
    error = response.json()
    assert error["code"] == "42501"
    assert error["message"] == 'built-in label "Cliente nuevo" cannot be deleted'
    assert error["hint"] == "Rename or deactivate it instead."
    assert label_exists(database_url, a.new_client_label)

    # Renaming it is fine, and it stays built-in.
    renamed = http.patch(
        "/labels",
        params={"id": f"eq.{a.new_client_label}"},
        json={"name": "Primera vez"},
        headers={"Prefer": "return=representation"},
    )
    assert renamed.status_code == 200, renamed.text
    assert [(row["name"], row["builtin"]) for row in renamed.json()] == [
        ("Primera vez", "new_client")
    ]
    # And it cannot stop being built-in to be deleted after.
    unmarked = http.patch(
        "/labels", params={"id": f"eq.{a.new_client_label}"}, json={"builtin": None}
    )
    assert unmarked.status_code == 403, unmarked.text
    assert unmarked.json()["message"] == "a label cannot become or stop being built-in"


def test_an_owner_cannot_delete_another_owners_label(
    caller: Any, stack: LocalStack, businesses: tuple[Business, Business], database_url: str
) -> None:
    a, b = businesses
    response = owner(caller, stack, b).http.delete(
        "/labels", params={"id": f"eq.{a.label}"}, headers={"Prefer": "return=representation"}
    )
    assert response.status_code == 200, response.text
    assert response.json() == []
    assert label_exists(database_url, a.label)


def test_keywords_are_stored_as_they_will_match(
    caller: Any, stack: LocalStack, businesses: tuple[Business, Business]
) -> None:
    a, _ = businesses
    http = owner(caller, stack, a).http
    created = http.post(
        "/labels",
        json={
            "name": "  Pasteles  ",
            "type": "auto",
            "color": "#be185d",
            "keywords": [" Cumpleaños ", "CUMPLEANOS", "pastel   de boda"],
        },
        headers={"Prefer": "return=representation"},
    )
    assert created.status_code == 201, created.text
    [row] = created.json()
    assert row["name"] == "Pasteles"
    assert row["keywords"] == ["Cumpleaños", "pastel de boda"]

    refused = http.patch(
        "/labels", params={"id": f"eq.{row['id']}"}, json={"keywords": ["factura", "?!"]}
    )
    assert refused.status_code == 400, refused.text
    assert refused.json()["code"] == "23514"
    assert (
        refused.json()["message"] == 'keyword "?!" has no letter or digit, so it would never match'
    )


@pytest.mark.parametrize(
    ("changes", "code", "names"),
    [
        ({"timezone": "America/Foo+3"}, "22023", "unknown time zone"),
        ({"fallback_window": "8 days"}, "23514", "users_fallback_window_check"),
        ({"business_hours": {"lun": [["09:00", "18:00"]]}}, "23514", "invalid business hours"),
        ({"fallback_message": ""}, "23514", "users_fallback_message_check"),
    ],
)
def test_settings_the_database_refuses_come_back_with_the_reason(
    caller: Any,
    stack: LocalStack,
    businesses: tuple[Business, Business],
    database_url: str,
    changes: dict[str, Any],
    code: str,
    names: str,
) -> None:
    """The screen translates by code and by the constraint or trigger the message names."""
    a, _ = businesses
    response = owner(caller, stack, a).http.patch(
        "/users", params={"id": f"eq.{a.id}"}, json=changes
    )
    assert response.status_code == 400, response.text
    assert response.json()["code"] == code
    assert names in response.json()["message"]
    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            "select timezone, fallback_window, business_hours from public.users where id = %s",
            (a.id,),
        ).fetchone()
    assert row is not None
    assert row[0] == "America/Mexico_City" and row[2] == {}


def test_an_owner_cannot_change_another_owners_settings(
    caller: Any, stack: LocalStack, businesses: tuple[Business, Business], database_url: str
) -> None:
    a, b = businesses
    response = owner(caller, stack, b).http.patch(
        "/users",
        params={"id": f"eq.{a.id}"},
        json={"away_message": "Cerrado por B"},
        headers={"Prefer": "return=representation"},
    )
    assert response.status_code == 200, response.text
    assert response.json() == []
    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            "select away_message from public.users where id = %s", (a.id,)
        ).fetchone()
    assert row == (None,)
