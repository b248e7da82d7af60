"""Factories for test data, written as the database superuser.

Every factory makes unique values, so tests can share a database freely.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

Connection = psycopg.Connection[Any]


_phones_given: set[str] = set()


def random_phone() -> str:
    """A Mexican mobile number in E.164, never the same twice in a test session.

    Load tests make hundreds of businesses, whose WhatsApp numbers must be unique.
    """
    while True:
        phone = f"+5213{random.randrange(10**9):09d}"
        if phone not in _phones_given:
            _phones_given.add(phone)
            return phone


def random_twilio_sid() -> str:
    return "SM" + uuid.uuid4().hex


@dataclass
class Tenant:
    """A business owner and the rows the RLS tests act on."""

    id: uuid.UUID
    email: str
    whatsapp_number: str
    rows: dict[str, Any] = field(default_factory=dict)


def create_tenant(conn: Connection, *, business_name: str = "Panadería de prueba") -> Tenant:
    """An auth user; the auth.users trigger creates the public.users row."""
    user_id = uuid.uuid4()
    email = f"owner-{user_id.hex[:8]}@example.test"
    number = random_phone()
    conn.execute(
        "insert into auth.users (id, email, aud, role, raw_user_meta_data)"
        " values (%s, %s, 'authenticated', 'authenticated', %s)",
        (user_id, email, Jsonb({"full_name": "Dueña de prueba"})),
    )
    conn.execute(
        "update public.users set whatsapp_number = %s, business_name = %s where id = %s",
        (number, business_name, user_id),
    )
    return Tenant(user_id, email, number)


def create_client(
    conn: Connection, owner_id: uuid.UUID, *, phone: str | None = None, name: str = "Cliente"
) -> uuid.UUID:
    row = conn.execute(
        "insert into public.clients (owner_id, phone, name) values (%s, %s, %s) returning id",
        (owner_id, phone or random_phone(), name),
    ).fetchone()
    assert row is not None
    client_id: uuid.UUID = row[0]
    return client_id


def create_label(
    conn: Connection, owner_id: uuid.UUID, *, name: str | None = None, type: str = "manual"
) -> uuid.UUID:
    row = conn.execute(
        "insert into public.labels (owner_id, name, type) values (%s, %s, %s) returning id",
        (owner_id, name or f"Etiqueta {uuid.uuid4().hex[:6]}", type),
    ).fetchone()
    assert row is not None
    label_id: uuid.UUID = row[0]
    return label_id


def label_client(conn: Connection, client_id: uuid.UUID, label_id: uuid.UUID) -> None:
    conn.execute(
        "insert into public.client_labels (client_id, label_id) values (%s, %s)",
        (client_id, label_id),
    )


def create_faq(
    conn: Connection,
    owner_id: uuid.UUID,
    *,
    question: str = "¿A qué hora abren?",
    answer: str = "Abrimos de 8 a 20 h.",
) -> uuid.UUID:
    row = conn.execute(
        "insert into public.faqs (owner_id, question, answer) values (%s, %s, %s) returning id",
        (owner_id, question, answer),
    ).fetchone()
    assert row is not None
    faq_id: uuid.UUID = row[0]
    return faq_id


def create_message(
    conn: Connection,
    owner_id: uuid.UUID,
    client_id: uuid.UUID,
    *,
    content: str = "Hola, ¿tienen conchas?",
) -> uuid.UUID:
    """An inbound message, as the webhook stores it."""
    row = conn.execute(
        "insert into public.messages (owner_id, client_id, direction, content, status,"
        " twilio_message_id) values (%s, %s, 'in', %s, 'received', %s) returning id",
        (owner_id, client_id, content, random_twilio_sid()),
    ).fetchone()
    assert row is not None
    message_id: uuid.UUID = row[0]
    return message_id


def create_tenant_with_rows(conn: Connection) -> Tenant:
    """A tenant with one row in every table: a client with a label, a FAQ and a message."""
    tenant = create_tenant(conn)
    client_id = create_client(conn, tenant.id)
    label_id = create_label(conn, tenant.id)
    label_client(conn, client_id, label_id)
    tenant.rows = {
        "client": client_id,
        "label": label_id,
        "faq": create_faq(conn, tenant.id),
        "message": create_message(conn, tenant.id, client_id),
    }
    return tenant
