"""Tenant isolation under random traffic: no answer and no broadcast carries another's data.

A seeded random sequence of reads, writes and RPC calls through the real PostgREST, and of
Realtime joins, leaves and reconnects through the Realtime stand-in, as randomly chosen
businesses and as anon, aimed at random rows and inboxes of every business. Meanwhile each
business's inbox is watched by a subscriber that joined it as the dashboard does and stays
connected throughout. The invariants:

- every row an answer carries belongs to the caller; anon gets nothing;
- every row that changed was changed by a write its own business made;
- a private join of another business's inbox (or of any inbox as anon, or without the
  user's token) is refused, and a join of one's own is accepted;
- every broadcast any socket receives is on its own business's inbox and names no row,
  client, label, FAQ, message or owner of another business; anon receives none;
- each watcher stays connected and receives every change its business made (else the
  check above could not fail).

The seed is printed (FACILCHAT_RELIABILITY_SEED replays the same operations);
`make reliability` runs 5,000 operations, `make test` 400.
"""

from __future__ import annotations

import json
import random
import re
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
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
from tests.reliability.harness import FULL_RUN, SEED, record
from tests.reliability.phoenix import LoopThread, RealtimeSocket, frame_changes

OPERATIONS = 5_000 if FULL_RUN else 400
TABLES = ("users", "clients", "labels", "client_labels", "faqs", "messages")
# The tables whose changes the database broadcasts on the owner's inbox.
BROADCAST_TABLES = ("clients", "labels", "client_labels", "faqs", "messages")
OPERATION_KINDS = ("select", "select", "insert", "update", "delete", "rpc", "realtime")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# How long the last broadcasts may take to reach the watchers.
BROADCAST_WAIT = 15.0


def owner_of(table: str, row: dict[str, Any], clients: dict[str, str]) -> str | None:
    if table == "users":
        return str(row.get("id"))
    if table == "client_labels":
        return clients.get(str(row.get("client_id")))
    return str(row["owner_id"]) if "owner_id" in row else None


def row_key(table: str, row: dict[str, Any]) -> str:
    if table == "client_labels":
        return f"{row['client_id']}/{row['label_id']}"
    return str(row.get("id"))


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
def tokens(stack: LocalStack, businesses: list[Tenant]) -> dict[str, str]:
    """Each business's access token, by its id."""
    return {str(t.id): keys.user_token(t.id, t.email, secret=stack.jwt_secret) for t in businesses}


@pytest.fixture
def callers(stack: LocalStack, tokens: dict[str, str]) -> Iterator[dict[str, RestApi]]:
    anon = keys.anon_key(stack.jwt_secret)
    apis = {"anon": RestApi(stack.api_url, anon)}
    for actor, token in tokens.items():
        apis[actor] = RestApi(stack.api_url, anon, token)
    yield apis
    for api in apis.values():
        api.close()


@dataclass
class Realtime:
    """The fuzz's Realtime side: one watcher per business for the whole run, and probing
    sockets that join, leave and reconnect at random. Every socket is kept, with the
    caller it speaks for, so that everything it received can be checked at the end."""

    loop: LoopThread
    api_url: str
    anon_key: str
    tokens: dict[str, str]
    watchers: dict[str, RealtimeSocket] = field(default_factory=dict)
    probers: dict[str, RealtimeSocket] = field(default_factory=dict)
    sockets: list[tuple[str, RealtimeSocket]] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)

    def open(self, actor: str) -> RealtimeSocket:
        socket = self.loop.socket(self.api_url, self.anon_key)
        self.sockets.append((actor, socket))
        return socket

    def watch_own_inboxes(self) -> None:
        for actor, token in self.tokens.items():
            socket = self.open(actor)
            reply = self.loop.run(socket.join(f"inbox:{actor}", private=True, access_token=token))
            assert reply.get("status") == "ok", f"{actor} could not join its own inbox: {reply}"
            self.watchers[actor] = socket

    def step(self, step: int, rolls: random.Random, actor: str, target: Tenant) -> None:
        kind = rolls.choices(("join", "leave", "reconnect"), weights=(7, 2, 1))[0]
        socket = self.probers.get(actor)
        if kind == "reconnect" and socket is not None:
            self.loop.run(socket.close())
            del self.probers[actor]
            self.counts["reconnects"] += 1
            return
        if socket is None:
            socket = self.probers[actor] = self.open(actor)
        name = f"inbox:{target.id}"
        if kind == "leave":
            self.loop.run(socket.leave(name))
            self.counts["leaves"] += 1
            return
        private = rolls.random() < 0.75
        # The dashboard always sends the user's token; without it the API key (anon) joins.
        token = self.tokens.get(actor) if rolls.random() < 0.9 else None
        reply = self.loop.run(socket.join(name, private=private, access_token=token))
        joined = reply.get("status") == "ok"
        allowed = not private or (token is not None and actor == str(target.id))
        self.counts["joins"] += 1
        self.counts["private joins refused"] += private and not joined
        if joined and not allowed:
            self.failures.append(f"step {step}: {actor} joined {name} (token: {bool(token)})")
        elif allowed and not joined:
            self.failures.append(f"step {step}: {actor} was refused {name} ({reply})")

    def received(self, actor: str) -> set[tuple[str, str, str]]:
        """(table, operation, row key) of each change the watcher of `actor` received."""
        seen = set()
        for frame in self.watchers[actor].broadcasts():
            for change in frame_changes(frame):
                table, operation = change.get("table"), change.get("operation")
                row = change.get("record") or change.get("old_record") or {}
                seen.add((str(table), str(operation), row_key(str(table), row)))
        return seen

    def wait_for(self, expected: dict[str, set[tuple[str, str, str]]]) -> dict[str, int]:
        """Waits until each watcher has every change expected; how many each lacks."""
        deadline = time.monotonic() + BROADCAST_WAIT
        while True:
            missing = {a: len(keys_ - self.received(a)) for a, keys_ in expected.items()}
            if not any(missing.values()) or time.monotonic() > deadline:
                return missing
            time.sleep(0.1)

    def leaks(self, owner_by_id: dict[str, str]) -> list[str]:
        """Every broadcast a socket got that is not its own business's."""
        found = []
        for actor, socket in self.sockets:
            for frame in socket.broadcasts():
                self.counts["broadcasts received"] += 1
                text = json.dumps(frame.payload)
                foreign = {
                    owner_by_id[i] for i in UUID.findall(text) if owner_by_id.get(i, actor) != actor
                }
                if frame.topic != f"realtime:inbox:{actor}" or foreign:
                    found.append(f"{actor} got {frame.topic}: {text[:200]}")
        return found

    def close(self) -> None:
        for _, socket in self.sockets:
            self.loop.run(socket.close())


@pytest.fixture
def realtime(stack: LocalStack, tokens: dict[str, str]) -> Iterator[Realtime]:
    with LoopThread() as loop:
        subscribers = Realtime(loop, stack.api_url, keys.anon_key(stack.jwt_secret), tokens)
        try:
            subscribers.watch_own_inboxes()
            yield subscribers
        finally:
            subscribers.close()


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


def owners_by_id(
    rows: dict[tuple[str, str], str], clients: dict[str, str], tenants: list[Tenant]
) -> dict[str, str]:
    """The business each known id belongs to: its owners, rows, clients, labels..."""
    owners = {str(t.id): str(t.id) for t in tenants}
    for (table, _), text in rows.items():
        row = json.loads(text)
        owner = owner_of(table, row, clients)
        if owner is not None and "id" in row:
            owners[str(row["id"])] = owner
    return owners


def test_no_answer_and_no_broadcast_carries_another_business_s_data(
    db: Connection,
    businesses: list[Tenant],
    callers: dict[str, RestApi],
    realtime: Realtime,
) -> None:
    rolls = random.Random(SEED)
    clients = {
        str(client_id): str(tenant.id)
        for tenant in businesses
        for client_id in tenant.rows["clients"]
    }
    before = snapshot(db, businesses)
    written_by_owner: set[tuple[str, str]] = set()
    # The changes each business made, as its watcher should receive them.
    expected: dict[str, set[tuple[str, str, str]]] = {str(t.id): set() for t in businesses}
    rows_written: dict[tuple[str, str], str] = {}
    leaks: list[str] = []
    counts = {"anon refused": 0, "rows seen": 0, "writes landed": 0}

    for step in range(OPERATIONS):
        actor = rolls.choice(list(callers))
        api = callers[actor]
        target = rolls.choice(businesses)
        table = rolls.choice(TABLES)
        operation = rolls.choice(OPERATION_KINDS)
        if operation == "realtime":
            realtime.step(step, rolls, actor, target)
            continue
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
                written_by_owner.add((table, row_key(table, row)))
                rows_written[(table, row_key(table, row))] = json.dumps(row)
                if table == "clients":
                    clients[str(row["id"])] = actor
                if table in BROADCAST_TABLES:
                    expected[actor].add((table, operation.upper(), row_key(table, row)))

    missing = realtime.wait_for(expected)
    after = snapshot(db, businesses)
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}

    def cascaded(key: tuple[str, str]) -> bool:
        """A message or label link that went with a client or label its owner deleted."""
        row = json.loads(before.get(key) or after.get(key) or "{}")
        parents = {("clients", str(row.get("client_id"))), ("labels", str(row.get("label_id")))}
        return key[0] in ("messages", "client_labels") and bool(parents & written_by_owner)

    foreign = sorted(k for k in changed - written_by_owner if not cascaded(k))
    owner_by_id = owners_by_id({**before, **after, **rows_written}, clients, businesses)
    broadcast_leaks = realtime.leaks(owner_by_id)
    disconnected = [
        actor
        for actor, socket in realtime.watchers.items()
        if not socket.is_open or any(f.event in ("phx_close", "system") for f in socket.frames)
    ]
    record(
        f"tenant isolation fuzz: {OPERATIONS} operations as 3 businesses and anon, seed {SEED};"
        f" REST: {counts['rows seen']} rows seen, {counts['writes landed']} writes landed,"
        f" {counts['anon refused']} anon refusals, {len(changed)} rows changed by their owners;"
        f" Realtime: {dict(realtime.counts)}, {sum(len(k) for k in expected.values())}"
        f" own changes expected, {sum(missing.values())} missed;"
        f" {len(leaks)} answer leaks, {len(foreign)} foreign changes,"
        f" {len(realtime.failures)} wrong joins, {len(broadcast_leaks)} broadcast leaks,"
        f" {len(disconnected)} watchers dropped"
    )
    assert leaks == [], leaks[:5]
    assert foreign == [], foreign[:5]
    assert realtime.failures == [], realtime.failures[:5]
    assert broadcast_leaks == [], broadcast_leaks[:5]
    assert disconnected == [], disconnected
    # The checks above can fail: every business changed things, and its watcher saw them all.
    assert counts["rows seen"] > 0 and counts["writes landed"] > 0
    assert all(expected.values()), "a business made no change its watcher could receive"
    assert not any(missing.values()), f"changes never broadcast to their owner: {missing}"
    assert realtime.counts["private joins refused"] > 0
