"""Tenant isolation under random traffic: no answer ever carries another business's data.

A seeded random sequence of reads, writes and RPC calls through the real PostgREST, as
randomly chosen businesses and as anon, aimed at random rows of every business. The
invariants: every row an answer carries belongs to the caller; anon gets nothing; and at
the end, every row that changed was changed by a write its own business made. The seed
is printed (FACILCHAT_RELIABILITY_SEED replays it); `make reliability` runs 5,000
operations, `make test` 400.
"""

from __future__ import annotations

import json
import os
import random
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from devstack import keys
from devstack.stack import LocalStack
from tests.api import RestApi
from tests.factories import (
    Connection,
    Tenant,
    create_client,
    create_faq,
    create_label,
    create_message,
    create_tenant,
    label_client,
    random_phone,
)

OPERATIONS = 5_000 if os.environ.get("FACILCHAT_RELIABILITY") == "full" else 400
SEED = int(os.environ.get("FACILCHAT_RELIABILITY_SEED", str(random.randrange(10**6))))
TABLES = ("users", "clients", "labels", "client_labels", "faqs", "messages")


def owner_of(table: str, row: dict[str, Any], clients: dict[str, str]) -> str | None:
    if table == "users":
        return str(row.get("id"))
    if table == "client_labels":
        return clients.get(str(row.get("client_id")))
    return str(row["owner_id"]) if "owner_id" in row else None


def snapshot(db: Connection, tenants: list[Tenant]) -> dict[tuple[str, str], str]:
    """Every row of these businesses, by (table, key), as JSON."""
    owners = [t.id for t in tenants]
    rows: dict[tuple[str, str], str] = {}
    for table in TABLES:
        if table == "client_labels":
            found = db.execute(
                "select cl.client_id::text || '/' || cl.label_id::text, to_jsonb(cl)::text"
                " from public.client_labels cl join public.clients c on c.id = cl.client_id"
                " where c.owner_id = any(%s)",
                (owners,),
            ).fetchall()
        else:
            column = "id" if table == "users" else "owner_id"
            found = db.execute(
                f"select t.id::text, to_jsonb(t)::text from public.{table} t"
                f" where t.{column} = any(%s)",
                (owners,),
            ).fetchall()
        rows.update({(table, str(key)): str(value) for key, value in found})
    return rows


@pytest.fixture
def businesses(db: Connection) -> list[Tenant]:
    tenants = []
    for n in range(3):
        tenant = create_tenant(db, business_name=f"Negocio {n}")
        rows: dict[str, Any] = {"clients": [], "labels": [], "faqs": [], "messages": []}
        for _ in range(3):
            client_id = create_client(db, tenant.id)
            label_id = create_label(db, tenant.id)
            label_client(db, client_id, label_id)
            rows["clients"].append(client_id)
            rows["labels"].append(label_id)
            rows["faqs"].append(create_faq(db, tenant.id, question=f"¿Pregunta {uuid.uuid4()}?"))
            rows["messages"].append(create_message(db, tenant.id, client_id))
        tenant.rows = rows
        tenants.append(tenant)
    return tenants


@pytest.fixture
def callers(stack: LocalStack, businesses: list[Tenant]) -> Iterator[dict[str, RestApi]]:
    anon = keys.anon_key(stack.jwt_secret)
    apis = {"anon": RestApi(stack.api_url, anon)}
    for tenant in businesses:
        apis[str(tenant.id)] = RestApi(
            stack.api_url, anon, keys.user_token(tenant.id, secret=stack.jwt_secret)
        )
    yield apis
    for api in apis.values():
        api.close()


def random_write(
    rolls: random.Random, table: str, target: Tenant, tenants: list[Tenant]
) -> dict[str, Any]:
    """A row to insert, sometimes claiming another business or another's client."""
    owner = str(rolls.choice(tenants).id)
    client = str(rolls.choice(rolls.choice(tenants).rows["clients"]))
    label = str(rolls.choice(rolls.choice(tenants).rows["labels"]))
    return {
        "clients": {"owner_id": owner, "phone": random_phone(), "name": "Intruso"},
        "labels": {"owner_id": owner, "name": f"L {uuid.uuid4().hex[:8]}"},
        "faqs": {"owner_id": owner, "question": "¿Cuánto?", "answer": "Mucho."},
        "messages": {
            "owner_id": owner,
            "client_id": client,
            "direction": "in",
            "content": "hola",
            "status": "received",
        },
        "client_labels": {"client_id": client, "label_id": label},
        "users": {"id": str(target.id)},
    }[table]


def test_no_answer_carries_another_business_s_data(
    db: Connection, businesses: list[Tenant], callers: dict[str, RestApi]
) -> None:
    rolls = random.Random(SEED)
    clients = {
        str(client_id): str(tenant.id)
        for tenant in businesses
        for client_id in tenant.rows["clients"]
    }
    before = snapshot(db, businesses)
    written_by_owner: set[tuple[str, str]] = set()
    leaks: list[str] = []
    counts = {"anon refused": 0, "rows seen": 0, "writes landed": 0}

    for step in range(OPERATIONS):
        actor = rolls.choice(list(callers))
        api = callers[actor]
        target = rolls.choice(businesses)
        table = rolls.choice(TABLES)
        operation = rolls.choice(("select", "select", "insert", "update", "delete", "rpc"))
        key = "client" if table == "client_labels" else table.removesuffix("s")
        pool = target.rows.get(f"{key}s" if key != "user" else "", [target.id])
        row_id = str(rolls.choice(pool or [target.id]))
        id_filter = (
            {"client_id": f"eq.{row_id}"} if table == "client_labels" else {"id": f"eq.{row_id}"}
        )
        if operation == "select":
            response = api.get(table, **(id_filter if rolls.random() < 0.5 else {}))
        elif operation == "insert":
            response = api.insert(table, random_write(rolls, table, target, businesses))
        elif operation == "update":
            change = {"users": {"business_name": "Cambiado"}, "client_labels": {}}.get(
                table, {"name": "Cambiado"} if table in ("clients", "labels") else {}
            ) or ({"answer": "Cambiado"} if table == "faqs" else {"content": "Cambiado"})
            response = api.update(table, change, **id_filter)
        elif operation == "delete":
            response = api.delete(table, **id_filter)
        else:
            response = api.client.post(
                "/rpc/conversation_page", json={"p_client_id": row_id, "p_limit": 20}
            )
            table = "messages"

        if actor == "anon":
            counts["anon refused"] += response.status_code in (401, 404)
            if response.status_code < 300:
                leaks.append(f"step {step}: anon got {response.status_code} on {table}")
            continue
        if response.status_code >= 300:
            continue
        body = response.json() if response.content else []
        for row in body if isinstance(body, list) else []:
            counts["rows seen"] += 1
            owner = owner_of(table, row, clients)
            if owner is not None and owner != actor:
                leaks.append(
                    f"step {step}: {actor} {operation} {table} got {json.dumps(row)[:200]}"
                )
            if operation in ("insert", "update", "delete") and owner == actor:
                counts["writes landed"] += 1
                pk = (
                    f"{row['client_id']}/{row['label_id']}"
                    if table == "client_labels"
                    else str(row.get("id"))
                )
                written_by_owner.add((table, pk))

    after = snapshot(db, businesses)
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}

    def cascaded(key: tuple[str, str]) -> bool:
        """A message or label link that went with a client or label its owner deleted."""
        row = json.loads(before.get(key) or after.get(key) or "{}")
        parents = {("clients", str(row.get("client_id"))), ("labels", str(row.get("label_id")))}
        return key[0] in ("messages", "client_labels") and bool(parents & written_by_owner)

    foreign = sorted(k for k in changed - written_by_owner if not cascaded(k))
    print(
        f"tenant fuzz: {OPERATIONS} operations, seed {SEED}, {counts}, "
        f"{len(changed)} rows changed by their owners, {len(leaks)} leaks, {len(foreign)} foreign"
    )
    assert leaks == [], leaks[:5]
    assert foreign == [], foreign[:5]
    assert counts["rows seen"] > 0 and counts["writes landed"] > 0
