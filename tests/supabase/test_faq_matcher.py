"""The FAQ matcher in SQL: private.normalize_text, private.rank_faqs, private.match_faq.

Every case runs through the real database. The FAQ sets here (a bakery, a
Brazilian shop) are written for these tests, not taken from the dev set.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from tests.factories import create_faq, create_tenant

Connection = psycopg.Connection[Any]

BAKERY = {
    "horario": ("¿A qué hora abren?", "Abrimos todos los días de 7 a 21 h."),
    "direccion": ("¿Dónde están ubicados?", "Calle Mayor 12, frente a la plaza."),
    "precios": ("¿Cuáles son los precios?", "Pan $2.000 el kilo, medialunas $500 cada una."),
    "envios": ("¿Hacen envíos a domicilio?", "Sí, con envío propio dentro de 3 km."),
    "tortas": ("¿Hacen tortas por encargo?", "Sí, con 48 h de anticipación."),
    "pago": ("¿Aceptan tarjetas?", "Sí, débito y crédito."),
}

SHOP_PT = {
    "horario": ("Que horas vocês abrem?", "Segunda a sábado, das 8h às 18h."),
    "entrega": ("Vocês fazem entrega?", "Sim, entregamos no bairro com motoboy."),
    "pix": ("Aceitam pix?", "Sim, pix, cartão e dinheiro."),
}


# A business owner's id and their FAQs' ids by key.
Tenant = tuple[uuid.UUID, dict[str, uuid.UUID]]


def load(conn: Connection, faqs: dict[str, tuple[str, str]]) -> Tenant:
    tenant = create_tenant(conn)
    ids = {key: create_faq(conn, tenant.id, question=q, answer=a) for key, (q, a) in faqs.items()}
    return tenant.id, ids


def match(conn: Connection, owner_id: uuid.UUID, text: str | None) -> uuid.UUID | None:
    rows = conn.execute(
        "select faq_id, score from private.match_faq(%s, %s)", (owner_id, text)
    ).fetchall()
    assert len(rows) <= 1, "match_faq returns at most one row"
    return rows[0][0] if rows else None


def rank(conn: Connection, owner_id: uuid.UUID, text: str | None) -> list[tuple[uuid.UUID, float]]:
    rows = conn.execute(
        "select faq_id, score from private.rank_faqs(%s, %s)", (owner_id, text)
    ).fetchall()
    return [(r[0], float(r[1])) for r in rows]


def key_of(ids: dict[str, uuid.UUID], faq_id: uuid.UUID | None) -> str | None:
    names = {v: k for k, v in ids.items()}
    return None if faq_id is None else names[faq_id]


@pytest.fixture
def bakery(db: Connection) -> Tenant:
    return load(db, BAKERY)


@pytest.fixture
def shop_pt(db: Connection) -> Tenant:
    return load(db, SHOP_PT)


# -- normalize_text ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("¿A QUÉ HORA ABREN?", "a que hora abren"),
        ("  Dirección:\tCalle  Ñandú 12!! ", "direccion calle nandu 12"),
        ("Você têm ração? 🐶🐶", "voce tem racao"),
        ("👋", ""),
        ("", ""),
    ],
)
def test_normalize_text_folds_case_accents_punctuation_and_emoji(
    db: Connection, text: str, expected: str
) -> None:
    row = db.execute("select private.normalize_text(%s)", (text,)).fetchone()
    assert row == (expected,)


def test_normalize_text_is_immutable(db: Connection) -> None:
    row = db.execute(
        "select provolatile from pg_proc where oid = 'private.normalize_text(text)'::regprocedure"
    ).fetchone()
    assert row == ("i",)


# -- matching ----------------------------------------------------------------------


def test_accents_and_case_do_not_change_the_match(db: Connection, bakery: Tenant) -> None:
    owner, ids = bakery
    shouting = rank(db, owner, "¿A QUÉ HORA ABREN?")
    plain = rank(db, owner, "a que hora abren")
    assert shouting == plain
    assert key_of(ids, match(db, owner, "¿A QUÉ HORA ABREN?")) == "horario"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("orario?", "horario"),
        ("hasta q hora atienden hoy", "horario"),
        ("me pasas la direcion?", "direccion"),
        ("donde quedan?", "direccion"),
        ("cuanto questa?", "precios"),
        ("hacen delivry?", "envios"),
        ("me lo pueden mandar a la casa?", "envios"),
        ("quiero encargar una torta para el sabado", "tortas"),
        ("puedo pagar con tarjta de debito?", "pago"),
        ("horario?", "horario"),
        ("precio?", "precios"),
    ],
)
def test_spanish_questions_typos_and_short_messages(
    db: Connection, bakery: Tenant, text: str, expected: str
) -> None:
    owner, ids = bakery
    assert key_of(ids, match(db, owner, text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("que horas abre?", "horario"),
        ("vcs abrem sabado?", "horario"),
        ("vcs entregam?", "entrega"),
        ("fazem delivery aqui no centro?", "entrega"),
        ("aceita pix?", "pix"),
    ],
)
def test_portuguese_and_whatsapp_spellings(
    db: Connection, shop_pt: Tenant, text: str, expected: str
) -> None:
    owner, ids = shop_pt
    assert key_of(ids, match(db, owner, text)) == expected


@pytest.mark.parametrize(
    "text",
    [
        "hola",
        "buenas tardes!",
        "muchas gracias, muy amable",
        "👋🙂",
        "ok",
        # They mention a topic of a FAQ, but only a person should answer.
        "quiero cancelar mi pedido de tortas",
        "me confirman el encargo de mañana?",
        "la torta llegó aplastada, pésimo servicio",
        "ya está listo mi pedido?",
        "necesito hablar con alguien del local",
        # Nothing the bakery answers.
        "venden café?",
        "hacen pizzas?",
    ],
)
def test_no_faq_for_greetings_thanks_emoji_complaints_and_cancellations(
    db: Connection, bakery: Tenant, text: str
) -> None:
    owner, _ = bakery
    assert match(db, owner, text) is None


@pytest.mark.parametrize("text", ["", "   ", "?!", None])
def test_empty_text_gives_no_row(db: Connection, bakery: Tenant, text: str | None) -> None:
    owner, _ = bakery
    assert match(db, owner, text) is None
    assert rank(db, owner, text) == []


def test_rank_lists_candidates_best_first_with_scores_in_range(
    db: Connection, bakery: Tenant
) -> None:
    owner, ids = bakery
    ranked = rank(db, owner, "hacen envios de tortas a domicilio?")
    assert [key_of(ids, faq_id) for faq_id, _ in ranked][:2] == ["envios", "tortas"]
    scores = [score for _, score in ranked]
    assert scores == sorted(scores, reverse=True)
    assert all(0 < score <= 1 for score in scores)


def test_match_agrees_with_the_top_of_the_ranking(db: Connection, bakery: Tenant) -> None:
    owner, _ = bakery
    row = db.execute(
        "select faq_id, score from private.match_faq(%s, 'a que hora cierran?')", (owner,)
    ).fetchone()
    assert row is not None
    assert (row[0], float(row[1])) == rank(db, owner, "a que hora cierran?")[0]


def test_two_equally_good_faqs_give_no_answer(db: Connection) -> None:
    """Ambiguity is not confidence: the fallback is better than a coin toss."""
    tenant = create_tenant(db)
    first = create_faq(db, tenant.id, question="¿Hacen envíos?", answer="Sí, a todo el país.")
    second = create_faq(db, tenant.id, question="¿Hacen envíos?", answer="Sí, por correo.")
    ranked = rank(db, tenant.id, "hacen envios?")
    assert {faq_id for faq_id, _ in ranked} == {first, second}
    assert ranked[0][1] == ranked[1][1]
    assert match(db, tenant.id, "hacen envios?") is None


def test_tenants_are_isolated(db: Connection) -> None:
    a, a_ids = load(db, {"horario": BAKERY["horario"]})
    b, b_ids = load(db, BAKERY)
    # Only B can answer about deliveries; A must not get B's FAQ.
    assert match(db, a, "hacen envíos a domicilio?") is None
    assert match(db, b, "hacen envíos a domicilio?") == b_ids["envios"]
    # Both answer opening hours, each with their own FAQ.
    assert match(db, a, "a que hora abren?") == a_ids["horario"]
    assert match(db, b, "a que hora abren?") == b_ids["horario"]
    assert {faq_id for faq_id, _ in rank(db, a, "a que hora abren?")} <= set(a_ids.values())


def test_inactive_faqs_are_never_returned(db: Connection, bakery: Tenant) -> None:
    owner, ids = bakery
    assert match(db, owner, "aceptan tarjeta?") == ids["pago"]
    db.execute("update public.faqs set active = false where id = %s", (ids["pago"],))
    assert match(db, owner, "aceptan tarjeta?") is None
    assert ids["pago"] not in {faq_id for faq_id, _ in rank(db, owner, "aceptan tarjeta?")}


def test_keywords_and_edits_are_picked_up(db: Connection) -> None:
    tenant = create_tenant(db)
    faq = create_faq(
        db, tenant.id, question="¿Tienen productos sin TACC?", answer="Sí, pan sin TACC."
    )
    assert match(db, tenant.id, "tienen algo para celiacos?") is None
    db.execute("update public.faqs set keywords = '{celíacos,gluten}' where id = %s", (faq,))
    assert match(db, tenant.id, "tienen algo para celiacos?") == faq
    db.execute(
        "update public.faqs set question = '¿Tienen estacionamiento?', keywords = '{}'"
        " where id = %s",
        (faq,),
    )
    assert match(db, tenant.id, "tienen algo para celiacos?") is None
    assert match(db, tenant.id, "donde puedo estacionar?") == faq


def test_a_faq_about_cancelling_answers_cancellations(db: Connection) -> None:
    """Needing a person means: unless the business wrote a FAQ for exactly that."""
    tenant = create_tenant(db)
    booking = create_faq(db, tenant.id, question="¿Cómo reservo un turno?", answer="Por acá.")
    assert match(db, tenant.id, "quiero cancelar mi turno") is None
    cancel = create_faq(
        db, tenant.id, question="¿Cómo cancelo un turno?", answer="Avisanos 24 h antes."
    )
    assert match(db, tenant.id, "quiero cancelar mi turno") == cancel
    assert match(db, tenant.id, "quiero reservar un turno") == booking


def test_deleting_a_faq_removes_its_features(db: Connection) -> None:
    tenant = create_tenant(db)
    faq = create_faq(db, tenant.id)
    count = "select count(*) from private.faq_terms where faq_id = %s"
    assert db.execute(count, (faq,)).fetchone() != (0,)
    db.execute("delete from public.faqs where id = %s", (faq,))
    assert db.execute(count, (faq,)).fetchone() == (0,)


# -- privileges ----------------------------------------------------------------------


@pytest.fixture
def role_conn(database_url: str) -> Iterator[Connection]:
    """A connection whose work is rolled back (roles are set per transaction)."""
    with psycopg.connect(database_url) as conn:
        yield conn
        conn.rollback()


@pytest.mark.parametrize("function", ["match_faq", "rank_faqs"])
def test_only_service_role_may_execute(db: Connection, function: str) -> None:
    signature = f"private.{function}(uuid, text)"
    rows = db.execute(
        "select r, has_function_privilege(r, %s, 'execute')"
        " from unnest(array['anon', 'authenticated', 'service_role', 'public']) r",
        (signature,),
    ).fetchall()
    assert dict(rows) == {
        "anon": False,
        "authenticated": False,
        "service_role": True,
        "public": False,
    }


@pytest.mark.parametrize("role", ["anon", "authenticated"])
@pytest.mark.parametrize("function", ["match_faq", "rank_faqs"])
def test_api_roles_are_refused_even_after_service_role_prepared_the_call(
    db: Connection, role_conn: Connection, role: str, function: str
) -> None:
    owner, _ = load(db, {"horario": BAKERY["horario"]})
    query = f"select * from private.{function}(%s, %s)"
    role_conn.execute("set local role service_role")
    for _ in range(6):  # past psycopg's prepare threshold and the generic plan
        rows = role_conn.execute(query, (owner, "a que hora abren?"), prepare=True).fetchall()
        assert rows
    role_conn.execute(f"set local role {role}")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        role_conn.execute(query, (owner, "a que hora abren?"), prepare=True)


@pytest.mark.parametrize("table", ["faq_terms", "faq_vocabulary", "faq_concepts"])
def test_private_tables_are_out_of_reach_of_api_roles(db: Connection, table: str) -> None:
    rows = db.execute(
        "select r, has_table_privilege(r, %s, 'select')"
        " from unnest(array['anon', 'authenticated']) r",
        (f"private.{table}",),
    ).fetchall()
    assert dict(rows) == {"anon": False, "authenticated": False}


def test_owner_can_write_faqs_through_rls_and_the_features_follow(
    db: Connection, role_conn: Connection
) -> None:
    """The feature trigger works for an owner writing through the API role."""
    tenant = create_tenant(db)
    role_conn.execute("set local role authenticated")
    role_conn.execute(
        "select set_config('request.jwt.claims', %s, true)",
        (f'{{"sub": "{tenant.id}", "role": "authenticated"}}',),
    )
    row = role_conn.execute(
        "insert into public.faqs (question, answer) values ('¿Tienen estacionamiento?', 'Sí.')"
        " returning id"
    ).fetchone()
    assert row is not None
    role_conn.execute("reset role")
    found = role_conn.execute(
        "select faq_id from private.match_faq(%s, 'donde estaciono?')", (tenant.id,)
    ).fetchone()
    assert found == (row[0],)


def test_placing_an_order_is_not_asking_about_one(db: Connection) -> None:
    """'hacer mi pedido' is ordering; 'mi pedido de ayer' needs a person, not that FAQ."""
    tenant = create_tenant(db)
    advance = create_faq(
        db,
        tenant.id,
        question="¿Con cuánta anticipación tengo que hacer mi pedido?",
        answer="Para pasteles basta con 24 horas.",
    )
    assert match(db, tenant.id, "quiero hablar de mi pedido de ayer") is None
    assert match(db, tenant.id, "ya está listo mi pedido?") is None
    assert match(db, tenant.id, "con cuanta anticipacion hago mi pedido?") == advance
