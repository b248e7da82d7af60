"""Row-level security through the real PostgREST, with minted JWTs.

Every table x {select, insert, update, delete} x {anon, owner, other tenant,
service_role}. The target row always belongs to tenant A; "owner" is A,
"other" is tenant B. Each case checks the HTTP answer precisely and then the
database itself, so a request that "fails" while still writing is caught.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from devstack import keys
from devstack.stack import LocalStack
from tests.api import RestApi
from tests.factories import (
    Connection,
    Tenant,
    create_label,
    create_tenant_with_rows,
    random_phone,
    random_twilio_sid,
)

ROWS = "the row"  # 200/201 with exactly the target row, and the database changed
NOTHING = "nothing"  # 200 with [], and the database unchanged
DENIED = "42501"  # refused with 42501, and the database unchanged

ACTORS = ("anon", "owner", "other", "service_role")


@dataclass(frozen=True)
class Expect:
    anon: str
    owner: str
    other: str
    service_role: str

    def of(self, actor: str) -> str:
        value: str = getattr(self, actor)
        return value


# What each caller may do to tenant A's rows: the product's access model.
MATRIX: dict[str, dict[str, Expect]] = {
    "users": {
        "select": Expect(DENIED, ROWS, NOTHING, ROWS),
        "insert": Expect(DENIED, DENIED, DENIED, ROWS),
        "update": Expect(DENIED, ROWS, NOTHING, ROWS),
        "delete": Expect(DENIED, DENIED, DENIED, ROWS),
    },
    **{
        table: {
            "select": Expect(DENIED, ROWS, NOTHING, ROWS),
            "insert": Expect(DENIED, ROWS, DENIED, ROWS),
            "update": Expect(DENIED, ROWS, NOTHING, ROWS),
            "delete": Expect(DENIED, ROWS, NOTHING, ROWS),
        }
        for table in ("clients", "labels", "faqs")
    },
    "client_labels": {
        "select": Expect(DENIED, ROWS, NOTHING, ROWS),
        "insert": Expect(DENIED, ROWS, DENIED, ROWS),
        "update": Expect(DENIED, DENIED, DENIED, ROWS),
        "delete": Expect(DENIED, ROWS, NOTHING, ROWS),
    },
    "messages": {
        "select": Expect(DENIED, ROWS, NOTHING, ROWS),
        "insert": Expect(DENIED, DENIED, DENIED, ROWS),
        "update": Expect(DENIED, DENIED, DENIED, ROWS),
        "delete": Expect(DENIED, DENIED, DENIED, ROWS),
    },
}


@dataclass(frozen=True)
class Target:
    """How to address one of tenant A's rows through the API and in SQL."""

    filters: dict[str, str]
    where: str
    params: tuple[Any, ...]


def target_of(table: str, tenant: Tenant) -> Target:
    rows = tenant.rows
    if table == "users":
        return Target({"id": f"eq.{tenant.id}"}, "id = %s", (tenant.id,))
    if table == "client_labels":
        return Target(
            {"client_id": f"eq.{rows['client']}", "label_id": f"eq.{rows['label']}"},
            "client_id = %s and label_id = %s",
            (rows["client"], rows["label"]),
        )
    row_id = rows[
        {"clients": "client", "labels": "label", "faqs": "faq", "messages": "message"}[table]
    ]
    return Target({"id": f"eq.{row_id}"}, "id = %s", (row_id,))


# A change to each table, and the column that shows whether it happened.
UPDATES: dict[str, tuple[str, Any]] = {
    "users": ("business_name", "Cambiado por la prueba"),
    "clients": ("name", "Cambiado por la prueba"),
    "labels": ("name", "Cambiado por la prueba"),
    "faqs": ("answer", "Cambiado por la prueba"),
    "client_labels": ("created_at", "2020-01-01T00:00:00+00:00"),
    "messages": ("content", "Cambiado por la prueba"),
}


def new_row_for(table: str, db: Connection, tenant: Tenant) -> tuple[dict[str, Any], Target]:
    """A new row for tenant A, and how to find it afterwards."""
    if table == "users":
        # An auth user whose business row is missing, as if the trigger had not run.
        user_id = uuid.uuid4()
        db.execute(
            "insert into auth.users (id, email) values (%s, %s)",
            (user_id, f"{user_id}@example.test"),
        )
        db.execute("delete from public.users where id = %s", (user_id,))
        return {"id": str(user_id)}, Target({}, "id = %s", (user_id,))
    if table == "client_labels":
        label_id = create_label(db, tenant.id)
        row = {"client_id": str(tenant.rows["client"]), "label_id": str(label_id)}
        return row, Target(
            {}, "client_id = %s and label_id = %s", (tenant.rows["client"], label_id)
        )
    owner = str(tenant.id)
    if table == "clients":
        row = {"owner_id": owner, "phone": random_phone(), "name": "Nueva clienta"}
        return row, Target({}, "owner_id = %s and phone = %s", (tenant.id, row["phone"]))
    if table == "labels":
        row = {"owner_id": owner, "name": f"Nueva {uuid.uuid4().hex[:6]}"}
        return row, Target({}, "owner_id = %s and name = %s", (tenant.id, row["name"]))
    if table == "faqs":
        question = f"¿Hacen envíos? {uuid.uuid4().hex[:6]}"
        row = {"owner_id": owner, "question": question, "answer": "Sí, en Guadalajara."}
        return row, Target({}, "owner_id = %s and question = %s", (tenant.id, question))
    assert table == "messages"
    sid = random_twilio_sid()
    row = {
        "owner_id": owner,
        "client_id": str(tenant.rows["client"]),
        "direction": "in",
        "content": "hola",
        "status": "received",
        "twilio_message_id": sid,
    }
    return row, Target({}, "twilio_message_id = %s", (sid,))


def count(db: Connection, table: str, target: Target) -> int:
    row = db.execute(
        f"select count(*) from public.{table} where {target.where}",
        target.params,
    ).fetchone()
    assert row is not None
    value: int = row[0]
    return value


def column_value(db: Connection, table: str, column: str, target: Target) -> Any:
    row = db.execute(
        f"select {column} from public.{table} where {target.where}",
        target.params,
    ).fetchone()
    assert row is not None, f"{table} row vanished"
    return row[0]


@pytest.fixture
def tenants(db: Connection) -> tuple[Tenant, Tenant]:
    return create_tenant_with_rows(db), create_tenant_with_rows(db)


@pytest.fixture
def api_as(stack: LocalStack, tenants: tuple[Tenant, Tenant]) -> Iterator[Callable[[str], RestApi]]:
    owner, other = tenants
    secret = stack.jwt_secret
    opened: list[RestApi] = []

    def make(actor: str) -> RestApi:
        anon = keys.anon_key(secret)
        api = {
            "anon": lambda: RestApi(stack.api_url, anon),
            "owner": lambda: RestApi(stack.api_url, anon, keys.user_token(owner.id, secret=secret)),
            "other": lambda: RestApi(stack.api_url, anon, keys.user_token(other.id, secret=secret)),
            "service_role": lambda: RestApi(stack.api_url, keys.service_role_key(secret)),
        }[actor]()
        opened.append(api)
        return api

    yield make
    for api in opened:
        api.close()


def assert_denied(actor: str, response: Any) -> None:
    # PostgREST answers 42501 with 401 to anonymous callers and 403 to signed-in ones.
    expected_status = 401 if actor == "anon" else 403
    assert response.status_code == expected_status, response.text
    assert response.json()["code"] == "42501", response.text


CASES = [
    (table, operation, actor)
    for table, operations in MATRIX.items()
    for operation in operations
    for actor in ACTORS
]


@pytest.mark.parametrize(("table", "operation", "actor"), CASES)
def test_rls_matrix(
    table: str,
    operation: str,
    actor: str,
    db: Connection,
    tenants: tuple[Tenant, Tenant],
    api_as: Callable[[str], RestApi],
) -> None:
    tenant_a = tenants[0]
    expected = MATRIX[table][operation].of(actor)
    api = api_as(actor)
    target = target_of(table, tenant_a)

    if operation == "select":
        response = api.get(table, **target.filters)
        if expected == DENIED:
            assert_denied(actor, response)
            return
        assert response.status_code == 200, response.text
        assert len(response.json()) == (1 if expected == ROWS else 0), response.text
        return

    if operation == "insert":
        row, created = new_row_for(table, db, tenant_a)
        response = api.insert(table, row)
        if expected == ROWS:
            assert response.status_code == 201, response.text
            assert len(response.json()) == 1
            assert count(db, table, created) == 1
        else:
            assert expected == DENIED
            assert_denied(actor, response)
            assert count(db, table, created) == 0
        return

    if operation == "update":
        column, new_value = UPDATES[table]
        before = column_value(db, table, column, target)
        response = api.update(table, {column: new_value}, **target.filters)
        after = column_value(db, table, column, target)
        if expected == ROWS:
            assert response.status_code == 200, response.text
            assert len(response.json()) == 1
            assert after != before
        elif expected == NOTHING:
            assert response.status_code == 200, response.text
            assert response.json() == []
            assert after == before
        else:
            assert_denied(actor, response)
            assert after == before
        return

    assert operation == "delete"
    response = api.delete(table, **target.filters)
    remaining = count(db, table, target)
    if expected == ROWS:
        assert response.status_code == 200, response.text
        assert len(response.json()) == 1
        assert remaining == 0
    elif expected == NOTHING:
        assert response.status_code == 200, response.text
        assert response.json() == []
        assert remaining == 1
    else:
        assert_denied(actor, response)
        assert remaining == 1


def test_matrix_covers_every_public_table(db: Connection) -> None:
    rows = db.execute(
        "select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace"
        " where n.nspname = 'public' and c.relkind in ('r', 'p')"
    ).fetchall()
    assert {r[0] for r in rows} == set(MATRIX)


# -- writes that point into another tenant ------------------------------------


def test_other_tenant_cannot_label_own_client_with_foreign_label(
    db: Connection, tenants: tuple[Tenant, Tenant], api_as: Callable[[str], RestApi]
) -> None:
    owner, other = tenants
    row = {"client_id": str(other.rows["client"]), "label_id": str(owner.rows["label"])}
    assert_denied("other", api_as("other").insert("client_labels", row))
    target = Target(
        {}, "client_id = %s and label_id = %s", (other.rows["client"], owner.rows["label"])
    )
    assert count(db, "client_labels", target) == 0


def test_service_role_cannot_join_clients_and_labels_of_different_tenants(
    tenants: tuple[Tenant, Tenant], api_as: Callable[[str], RestApi]
) -> None:
    owner, other = tenants
    row = {"client_id": str(other.rows["client"]), "label_id": str(owner.rows["label"])}
    response = api_as("service_role").insert("client_labels", row)
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "23514"


def test_message_cannot_point_at_another_tenants_client(
    db: Connection, tenants: tuple[Tenant, Tenant], api_as: Callable[[str], RestApi]
) -> None:
    owner, other = tenants
    sid = random_twilio_sid()
    row = {
        "owner_id": str(owner.id),
        "client_id": str(other.rows["client"]),
        "direction": "in",
        "content": "hola",
        "status": "received",
        "twilio_message_id": sid,
    }
    response = api_as("service_role").insert("messages", row)
    assert response.status_code == 409, response.text
    assert response.json()["code"] == "23503"
    assert count(db, "messages", Target({}, "twilio_message_id = %s", (sid,))) == 0


def test_owner_cannot_move_own_row_into_another_tenant(
    db: Connection, tenants: tuple[Tenant, Tenant], api_as: Callable[[str], RestApi]
) -> None:
    owner, other = tenants
    target = target_of("labels", other)
    response = api_as("other").update("labels", {"owner_id": str(owner.id)}, **target.filters)
    assert_denied("other", response)
    assert column_value(db, "labels", "owner_id", target) == other.id


def test_owner_cannot_change_a_clients_phone(
    db: Connection, tenants: tuple[Tenant, Tenant], api_as: Callable[[str], RestApi]
) -> None:
    owner, _ = tenants
    target = target_of("clients", owner)
    before = column_value(db, "clients", "phone", target)
    response = api_as("owner").update("clients", {"phone": random_phone()}, **target.filters)
    assert_denied("owner", response)
    assert column_value(db, "clients", "phone", target) == before


def test_only_the_operator_assigns_a_whatsapp_number(
    db: Connection, tenants: tuple[Tenant, Tenant], api_as: Callable[[str], RestApi]
) -> None:
    # The number routes inbound messages: claiming one would divert its customers' messages.
    owner, _ = tenants
    target = target_of("users", owner)
    unclaimed = random_phone()
    response = api_as("owner").update("users", {"whatsapp_number": unclaimed}, **target.filters)
    assert_denied("owner", response)
    assert column_value(db, "users", "whatsapp_number", target) == owner.whatsapp_number

    response = api_as("service_role").update(
        "users", {"whatsapp_number": unclaimed}, **target.filters
    )
    assert response.status_code == 200, response.text
    assert column_value(db, "users", "whatsapp_number", target) == unclaimed


def test_owner_inserts_default_to_their_own_business(
    db: Connection, tenants: tuple[Tenant, Tenant], api_as: Callable[[str], RestApi]
) -> None:
    owner, _ = tenants
    response = api_as("owner").insert("clients", {"phone": random_phone(), "name": "Sin dueño"})
    assert response.status_code == 201, response.text
    assert response.json()[0]["owner_id"] == str(owner.id)


def test_forged_token_is_rejected(stack: LocalStack, tenants: tuple[Tenant, Tenant]) -> None:
    owner, _ = tenants
    forged = keys.user_token(owner.id, secret="not-the-secret-" + "x" * 32)
    api = RestApi(stack.api_url, keys.anon_key(stack.jwt_secret), forged)
    try:
        response = api.get("clients")
    finally:
        api.close()
    assert response.status_code == 401
    assert response.json()["code"] == "PGRST301"
