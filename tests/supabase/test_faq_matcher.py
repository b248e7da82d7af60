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
    ranked = rank(db, owner, "a que hora abren y donde estan?")
    assert {key_of(ids, faq_id) for faq_id, _ in ranked[:2]} == {"horario", "direccion"}
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
    """An owner's keyword teaches the FAQ a word the lexicon does not know."""
    tenant = create_tenant(db)
    faq = create_faq(db, tenant.id, question="¿Hacen budines?", answer="Sí, de limón y marmolado.")
    assert match(db, tenant.id, "hacen queques?") is None
    db.execute("update public.faqs set keywords = '{queque,queques}' where id = %s", (faq,))
    assert match(db, tenant.id, "hacen queques?") == faq
    db.execute(
        "update public.faqs set question = '¿Tienen estacionamiento?', keywords = '{}'"
        " where id = %s",
        (faq,),
    )
    assert match(db, tenant.id, "hacen queques?") is None
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


@pytest.mark.parametrize(
    "signature", ["private.match_faq(uuid, text)", "private.rank_faqs(uuid, text, boolean)"]
)
def test_only_service_role_may_execute(db: Connection, signature: str) -> None:
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


# -- reading a message -----------------------------------------------------------------


def read(conn: Connection, text: str) -> list[tuple[str, str, str, str]]:
    """(words, term, kind, role) of each term private.faq_text_features reads."""
    rows = conn.execute(
        "select words, term, kind, role from private.faq_text_features(%s) order by slot, term",
        (text,),
    ).fetchall()
    return [(r[0], r[1], r[2], r[3]) for r in rows]


def primary_terms(conn: Connection, text: str) -> list[str]:
    return [term for _, term, _, role in read(conn, text) if role == "primary"]


def test_a_phrase_wins_over_its_words(db: Connection) -> None:
    # "lista de precios" is a price list, not a price; "mercado pago" is a wallet.
    assert primary_terms(db, "me pasas la lista de precios?") == ["c:catalog"]
    assert primary_terms(db, "puedo pagar con mercado pago?") == ["c:payment"]


def test_stems_make_one_word_of_its_forms(db: Connection) -> None:
    """Snowball stems on accent-folded text: plurals and verb forms meet."""
    assert primary_terms(db, "mermeladas caseras") == primary_terms(db, "mermelada casera")
    assert primary_terms(db, "plastifican") == primary_terms(db, "plastificar")
    # A form the lexicon does not list is found by its stem ("entreguen": entregar).
    assert primary_terms(db, "que me entreguen en la oficina") == ["c:delivery", "w:ofisin"]


def test_whatsapp_spellings_pronouns_and_abbreviations(db: Connection) -> None:
    # "q" is "que", "x" is "por", "vc" is "você"; a fused pronoun leaves the verb.
    assert primary_terms(db, "a q hora abren?") == ["c:hours"]
    assert primary_terms(db, "vc entrega?") == primary_terms(db, "você entrega?")
    assert primary_terms(db, "pueden enviarlo?") == primary_terms(db, "pueden enviar?")
    row = db.execute(
        "select private.faq_phrase_key('q horario x favor')"
        " = private.faq_phrase_key('que horario por favor')"
    ).fetchone()
    assert row == (True,)


def test_phrase_key_is_the_key_of_each_word(db: Connection) -> None:
    """One call keys a message exactly as keying it word by word would."""
    text = "Holaaa q horario tienen los sábados? h perro vcs entregan"
    row = db.execute(
        "select private.faq_phrase_key(%s),"
        " (select string_agg(private.faq_word_key(w), ' ' order by o)"
        "  from unnest(string_to_array(private.normalize_text(%s), ' ')) with ordinality u(w, o))",
        (text, text),
    ).fetchone()
    assert row is not None
    assert row[0] == row[1]
    assert row[0].split(" ")[:3] == ["ola", "kue", "orario"]


def test_a_kind_of_thing_widens_the_message_only(db: Connection) -> None:
    """'ibuprofeno' is a medicine in a message; an FAQ's 'ibuprofeno' stays itself."""
    read_message = read(db, "tienen ibuprofeno?")
    assert ("ibuprofeno", "c:medicine", "object", "member") in read_message
    tenant = create_tenant(db)
    faq = create_faq(db, tenant.id, question="¿Tienen ibuprofeno?", answer="Sí, de 400 y 600.")
    stored = db.execute(
        "select term from private.faq_terms where faq_id = %s and source = 'question'", (faq,)
    ).fetchall()
    assert ("c:medicine",) not in stored
    assert match(db, tenant.id, "hay ibuprofeno de 600?") == faq
    assert match(db, tenant.id, "tienen paracetamol?") is None


def test_related_concepts_are_weaker_senses(db: Connection) -> None:
    """A price question also asks, more weakly, for the price list."""
    rows = db.execute(
        "select term, role, strength from private.faq_text_features('cuanto cuesta?')"
    ).fetchall()
    by_term = {r[0]: (r[1], r[2]) for r in rows}
    assert by_term["c:price"] == ("primary", 1.0)
    role, strength = by_term["c:catalog"]
    assert role == "link" and 0 < strength < 1


# -- how customers ask, by country -----------------------------------------------------

PHARMACY = {
    "precio": (
        "¿Cómo averiguo el precio de un medicamento?",
        "Escríbenos el nombre y la dosis y te decimos el precio.",
    ),
    "receta": ("¿Venden antibióticos sin receta?", "No, los antibióticos requieren receta."),
    "envio": ("¿Hacen entregas a domicilio?", "Sí, en toda la ciudad."),
    "pago": ("¿Qué medios de pago aceptan?", "Efectivo, tarjeta, Yape y Plin."),
    "horario": ("¿Cuál es el horario?", "De 8 a 22 h."),
}


@pytest.fixture
def pharmacy(db: Connection) -> Tenant:
    return load(db, PHARMACY)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A medicine by its name meets the FAQ about medicines; an antibiotic, the one about them.
        ("cuanto sale el ibuprofeno de 400?", "precio"),
        ("me venden azitromicina sin receta?", "receta"),
        # Local wallets and transfers, as verbs too.
        ("se puede yapear?", "pago"),
        ("aceptan plin?", "pago"),
        ("tenés envío a domicilio?", "envio"),
    ],
)
def test_a_pharmacy_understands_kinds_of_medicine_and_wallets(
    db: Connection, pharmacy: Tenant, text: str, expected: str
) -> None:
    owner, ids = pharmacy
    assert key_of(ids, match(db, owner, text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("se puede pagar con mercadopago?", "pago"),  # Argentina
        ("aceptan nequi?", "pago"),  # Colombia
        ("puedo pagar en oxxo?", "pago"),  # Mexico
        ("aceita pix?", "pago"),  # Brazil
        ("tenés envíos a Palermo?", "envios"),  # voseo
        ("a como estan las medialunas?", "precios"),  # Mexico: "a cómo"
        ("cuantas lucas cuesta el kilo de pan?", "precios"),  # Chile: "lucas"
        ("vcs entregam em casa?", "envios"),
        ("me hacen una torta sin tacc?", "tortas"),
    ],
)
def test_regional_words_and_wallets(
    db: Connection, bakery: Tenant, text: str, expected: str
) -> None:
    owner, ids = bakery
    assert key_of(ids, match(db, owner, text)) == expected


# -- weights from the business's own FAQs ------------------------------------------------

ICE_CREAM = {
    "precios": ("¿Cuánto cuestan los helados?", "El cuarto kilo $3.000 y el kilo $10.000."),
    "sin_azucar": ("¿Tienen helados sin azúcar?", "Sí, tres sabores endulzados con stevia."),
    "eventos": ("¿Hacen helados para eventos?", "Sí, carrito para fiestas desde 50 personas."),
    "donde": ("¿Dónde están?", "En la esquina de Belgrano y Mitre."),
}

DENTIST = {
    "limpieza": ("¿Cuánto cuesta una limpieza dental?", "La limpieza cuesta $40.000."),
    "horario": ("¿Cuál es el horario?", "Lunes a viernes de 8 a 18."),
    "donde": ("¿Dónde queda el consultorio?", "Carrera 15 # 85-20."),
    "seguro": ("¿Atienden con seguro?", "Sí, con Sura y Colsanitas."),
}


def test_a_word_most_faqs_share_does_not_narrow_a_price_question(db: Connection) -> None:
    """'helados' is in three of four FAQs: the price FAQ is about any ice cream."""
    owner, ids = load(db, ICE_CREAM)
    assert key_of(ids, match(db, owner, "cuánto sale el de pistacho?")) == "precios"


def test_a_word_one_faq_owns_is_that_faqs_subject(db: Connection) -> None:
    """'limpieza' is in one FAQ: its price FAQ does not answer for another treatment."""
    owner, ids = load(db, DENTIST)
    assert match(db, owner, "cuanto cuesta una carilla?") is None
    assert key_of(ids, match(db, owner, "cuánto vale la limpieza?")) == "limpieza"


def test_switching_faqs_off_changes_the_weights(db: Connection) -> None:
    """Rarity counts only the active FAQs: with the others off, 'helados' is specific."""
    owner, ids = load(db, ICE_CREAM)
    db.execute(
        "update public.faqs set active = false where id in (%s, %s)",
        (ids["sin_azucar"], ids["eventos"]),
    )
    flags = db.execute(
        "select distinct active from private.faq_terms where faq_id = %s", (ids["eventos"],)
    ).fetchall()
    assert flags == [(False,)]
    assert match(db, owner, "cuánto sale el de pistacho?") is None
    assert key_of(ids, match(db, owner, "cuánto cuestan los helados?")) == "precios"


def test_keywords_count_as_the_faqs_subject(db: Connection) -> None:
    tenant = create_tenant(db)
    faq = create_faq(db, tenant.id, question="¿Hacen tortas?", answer="Sí, por encargo.")
    db.execute("update public.faqs set keywords = '{cheesecake}' where id = %s", (faq,))
    create_faq(db, tenant.id, question="¿A qué hora abren?", answer="A las 8.")
    assert match(db, tenant.id, "hacen cheesecake de frutos rojos?") == faq


# -- guards --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        # Another place or business
        "saben a qué hora cierra el banco?",
        "la panadería de al lado abre los domingos?",
        "me recomiendan un cerrajero?",
        # Praise and thanks, even naming what they sell
        "que ricas las medialunas, gracias!!",
        "los felicito, excelente atención",
        # Jobs
        "buscan panadero? tengo experiencia",
        "están contratando?",
        # Telling what went wrong, disputing a charge
        "me cobraron dos veces la torta",
        "las medialunas llegaron frías",
        # Another sense of paying: a bill; selling to the business
        "puedo pagar la luz ahí?",
        "compran harina?",
        # The thing asked about is not what the FAQ is about
        "venden velas de cumpleaños?",
    ],
)
def test_guards_keep_answers_for_what_the_faqs_answer(
    db: Connection, bakery: Tenant, text: str
) -> None:
    owner, _ = bakery
    assert match(db, owner, text) is None


def test_a_landmark_is_a_reference_in_a_location_question(db: Connection, bakery: Tenant) -> None:
    owner, ids = bakery
    assert key_of(ids, match(db, owner, "quedan cerca de la estación?")) == "direccion"
    assert match(db, owner, "a qué hora abre la estación?") is None


def test_two_questions_get_the_main_one_or_the_fallback(db: Connection, bakery: Tenant) -> None:
    owner, ids = bakery
    # Delivery is asked about; the cakes are what is delivered.
    assert key_of(ids, match(db, owner, "hacen envios de tortas a domicilio?")) == "envios"
    # Two questions, equally: the fallback.
    assert match(db, owner, "a que hora abren y donde estan?") is None


# -- explanations ------------------------------------------------------------------------------


def test_rank_explains_only_when_asked(db: Connection, bakery: Tenant) -> None:
    owner, _ = bakery
    rows = db.execute(
        "select score, explanation from private.rank_faqs(%s, 'a que hora abren?', false)",
        (owner,),
    ).fetchall()
    assert rows and all(explanation is None for _, explanation in rows)


def test_rank_explains_the_best_two(db: Connection, bakery: Tenant) -> None:
    owner, ids = bakery
    rows = db.execute(
        "select faq_id, score, explanation from private.rank_faqs(%s, %s)",
        (owner, "a que hora hacen envios?"),
    ).fetchall()
    assert key_of(ids, rows[0][0]) == "envios"
    explanation = rows[0][2]
    assert explanation["guard"] is None
    by_words = {slot["words"]: slot for slot in explanation["message"]}
    delivery = by_words["envios"]
    assert (delivery["term"], delivery["kind"], delivery["via"]) == (
        "c:delivery",
        "topic",
        "c:delivery",
    )
    assert delivery["match"] == 1 and delivery["contribution"] > 0
    # What of the FAQ's question the message covers, and what it does not.
    faq_side = {slot["words"]: slot for slot in explanation["faq"] if slot["source"] == "question"}
    assert faq_side["envios"]["match"] == 1
    assert 0 < explanation["message_coverage"] <= 1
    assert 0 < explanation["faq_coverage"] <= 1
    # Only the best two carry an explanation.
    assert all(row[2] is not None for row in rows[:2])
    assert all(row[2] is None for row in rows[2:])


# -- what the business's own FAQs say ----------------------------------------------------
#
# Kinds of business the lexicon was not written for: the answers, the words the
# owner uses and regional ways of asking decide.

DANCE_SCHOOL = {
    "estilos": (
        "¿Qué estilos enseñan?",
        "Salsa, bachata, kizomba y zumba, para todos los niveles.",
    ),
    "precios": ("¿Cuánto cuesta el mes?", "El mes con dos clases por semana cuesta $40.000."),
    "horario": ("¿A qué hora abren?", "De lunes a sábado de 9 a 21 h."),
    "direccion": ("¿Dónde están?", "Avenida Sucre 455, segundo piso, a dos cuadras del parque."),
    "pagos": ("¿Cómo se paga?", "En efectivo, con Nequi o por transferencia."),
    "privadas": ("¿Dan clases particulares?", "Sí, clases particulares a $50.000 la hora."),
    "prueba": ("¿Tienen clase de prueba?", "Sí, la primera clase es gratis."),
}

SALON = {
    "turnos": (
        "¿Cómo saco un turno?",
        "Por acá, con el día y la hora. Si cancelás con menos de 24 horas, perdés la seña.",
    ),
    "servicios": ("¿Qué servicios tienen?", "Corte, color, brushing y keratina."),
    "eventos": (
        "¿Peinan para eventos?",
        "Sí, peinados para fiestas y novias, también con brushing.",
    ),
    "precios": ("¿Cuánto sale el corte?", "Corte $8.000, con lavado $10.000."),
}


@pytest.fixture
def dance_school(db: Connection) -> Tenant:
    return load(db, DANCE_SCHOOL)


@pytest.fixture
def salon(db: Connection) -> Tenant:
    return load(db, SALON)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Only the styles FAQ's answer names them: it answers for them.
        ("hay kizomba?", "estilos"),
        ("enseñan zumba? a mi mamá le encanta", "estilos"),
        # What another FAQ's question names is not a detail of a price question.
        ("cuanto sale la clase particular?", "privadas"),
        # "¿Cómo se paga?" is how to pay, and Nequi is in its answer.
        ("puedo pagar con nequi?", "pagos"),
        # Trial classes, however they are called.
        ("tienen una clase de muestra?", "prueba"),
        ("la primera clase la cobran?", "prueba"),
        # Public transport is a way to ask where they are.
        ("en que estacion del metro me bajo?", "direccion"),
        ("a que hora abren?", "horario"),
    ],
)
def test_the_answers_and_the_owners_words_decide(
    db: Connection, dance_school: Tenant, text: str, expected: str
) -> None:
    owner, ids = dance_school
    assert key_of(ids, match(db, owner, text)) == expected


@pytest.mark.parametrize(
    "text",
    [
        # The hours of another place: next door, or named and unknown to the business.
        "a que hora abre la biblioteca que esta al lado?",
        "a que hora abre el kiosco?",
        # Complaints and impatience that name what the FAQs are about.
        "hace dos semanas pedí una clase y todavia nada",
        "me tienen harta con los cambios de horario",
    ],
)
def test_other_places_and_complaints_get_no_faq(
    db: Connection, dance_school: Tenant, text: str
) -> None:
    owner, _ = dance_school
    assert match(db, owner, text) is None


def test_an_answer_answers_alone_only_what_no_other_faq_names(
    db: Connection, salon: Tenant
) -> None:
    """Keratina is in one answer: that FAQ answers. Brushing is in two: neither does."""
    owner, ids = salon
    assert key_of(ids, match(db, owner, "hacen keratina?")) == "servicios"
    assert match(db, owner, "hacen brushing?") is None
    # The services FAQ says nothing of prices, and the price FAQ is about a cut.
    assert match(db, owner, "cuanto sale la keratina?") is None


def test_a_rule_in_an_answer_answers_what_if_not_a_request(db: Connection, salon: Tenant) -> None:
    owner, ids = salon
    assert key_of(ids, match(db, owner, "si cancelo un dia antes pierdo la seña?")) == "turnos"
    assert match(db, owner, "quiero cancelar mi turno del viernes") is None


def test_a_price_is_never_answered_by_how_to_pay(db: Connection) -> None:
    owner, _ = load(
        db,
        {
            "pagos": ("¿Cómo se paga?", "Efectivo o transferencia."),
            "horario": ("¿A qué hora abren?", "De 8 a 18 h."),
        },
    )
    assert match(db, owner, "cuanto sale una mudanza chica?") is None


PRINT_SHOP = {
    "tarjetas": ("¿Cuánto cuestan las tarjetas de presentación?", "100 tarjetas a color: $15.000."),
    "pendones": ("¿Hacen pendones?", "Sí, pendones en lona desde $40.000 el metro."),
    "pagos": ("¿Qué medios de pago aceptan?", "Efectivo, tarjeta débito y transferencia."),
    "copias": ("¿Cuánto vale la copia?", "Blanco y negro $200, a color $800."),
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The owner's FAQ uses "tarjetas" for business cards ...
        ("cuanto salen 200 tarjetas?", "tarjetas"),
        # ... and a card that pays is still paying.
        ("aceptan tarjeta de credito?", "pagos"),
        # Printed products are things of their own, not one "printing".
        ("cuanto sale un pendon de 2 metros?", "pendones"),
        ("hacen volantes?", None),
    ],
)
def test_a_print_shops_words_read_in_its_own_sense(
    db: Connection, text: str, expected: str | None
) -> None:
    owner, ids = load(db, PRINT_SHOP)
    assert key_of(ids, match(db, owner, text)) == expected


def test_elsewhere_a_card_is_a_payment_card(db: Connection) -> None:
    owner, ids = load(
        db,
        {
            "pagos": ("¿Aceptan tarjetas?", "Sí, débito y crédito."),
            "horario": ("¿A qué hora abren?", "Todos los días de 7 a 20 h."),
        },
    )
    assert key_of(ids, match(db, owner, "reciben tarjetas?")) == "pagos"


def test_the_faqs_sense_of_their_own_words(db: Connection) -> None:
    """At a shoe repairer's an "arreglo" is a repair (another FAQ asks about them), not flowers."""
    owner, ids = load(
        db,
        {
            "reparan": ("¿Reparan zapatillas?", "Sí, zapatillas y zapatos de cuero."),
            "demora": (
                "¿Cuánto tarda un arreglo?",
                "Los simples, 2 días; cambio de suela, una semana.",
            ),
            "ubicacion": ("¿Dónde quedan?", "Calle Bolívar 120."),
        },
    )
    assert key_of(ids, match(db, owner, "en cuantos dias esta lista la reparacion?")) == "demora"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Ages told, in Spanish and Portuguese.
        ("mi hija tiene 3 años, la reciben?", "edades"),
        ("tenho um filho de 2 anos, vocês aceitam?", "edades"),
        # Where they deliver: a district they do not list.
        ("llegan hasta maipu?", "zonas"),
        ("hacen envios a la florida?", "zonas"),
        # A wallet the business never mentions.
        ("se puede yapear?", None),
    ],
)
def test_ages_and_delivery_areas(db: Connection, text: str, expected: str | None) -> None:
    owner, ids = load(
        db,
        {
            "edades": ("¿Para qué edades es el jardín?", "Recibimos niños de 1 a 5 años."),
            "zonas": (
                "¿A qué comunas llegan?",
                "Providencia, Ñuñoa y Las Condes sin costo; otras comunas con recargo.",
            ),
            "horario": ("¿Cuál es el horario?", "De 7:30 a 18 h, de lunes a viernes."),
        },
    )
    assert key_of(ids, match(db, owner, text)) == expected


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("cuánto me cobrarían?", "c:price"),
        ("se puede plinear?", "c:payment"),
        ("me dan boleta?", "c:invoice"),
        ("emitem nota fiscal no cnpj?", "c:invoice"),
        ("en qué estación me bajo?", "c:location"),
        ("tem aula experimental?", "c:trial"),
        ("a partir de qué edad?", "c:age"),
        ("el tatuaje duele?", "c:tattoo"),
        ("cuánto tiempo antes hay que reservar?", "c:lead_time"),
    ],
)
def test_regional_phrasings_read_as_their_concept(db: Connection, text: str, concept: str) -> None:
    assert concept in primary_terms(db, text)


# -- landmarks, jobs, missed classes, trials ----------------------------------------------

CLIMBING_GYM = {
    "horario": ("¿Qué horario tienen?", "De lunes a sábado de 8 a 22 h; domingos de 9 a 14 h."),
    "ubicacion": (
        "¿Dónde están?",
        "Calle Lamadrid 820, frente al Cinépolis y a una cuadra del Bompreço.",
    ),
    "servicios": ("¿Qué incluye la entrada?", "Muro de boulder, zona de cuerdas y sauna."),
    "precios": ("¿Cuánto cuesta la entrada?", "La entrada por día cuesta $9.000."),
    "prueba": ("¿Tienen clase de prueba?", "Sí, la primera clase con instructor es gratis."),
    "recuperar": (
        "Si falto, ¿puedo recuperar la clase?",
        "Sí, avisando con un día de anticipación, dentro del mismo mes.",
    ),
    "turnos": (
        "¿Cómo reservo un turno con instructor?",
        "Por acá, con día y hora. Si cancelás con menos de 12 horas, se cobra la clase.",
    ),
}


@pytest.fixture
def climbing_gym(db: Connection) -> Tenant:
    return load(db, CLIMBING_GYM)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Landmarks of the address are other places when their hours are asked.
        ("hasta que hora abre el cinepolis?", None),
        ("ate que horas o bompreço fica aberto no domingo?", None),
        ("a q hora cierra la farmacia que esta en la esquina?", None),
        # The business's own hours, and what an FAQ other than the address names.
        ("a que hora abren los domingos?", "horario"),
        ("hasta que hora funciona el sauna?", "horario"),
        # A pronoun after "a qué hora" is the business, not a place.
        ("a que hora la encuentro abierta el domingo?", "horario"),
        # Looking for work, in regional words.
        ("hay chamba de recepcionista? tengo experiencia", None),
        ("tem trampo pra instrutor ai?", None),
        # Not being able to go, asked as a rule.
        ("y si al final no puedo ir a mi turno me lo cobran?", "turnos"),
        # Making up a missed class.
        ("me voy de viaje y pierdo la clase del jueves, se puede reponer?", "recuperar"),
        ("se eu perder a aula dá pra repor depois?", "recuperar"),
        # Trying before paying.
        ("puedo ir una vez a ver si me gusta antes de pagar?", "prueba"),
    ],
)
def test_landmarks_jobs_missed_classes_and_trials(
    db: Connection, climbing_gym: Tenant, text: str, expected: str | None
) -> None:
    owner, ids = climbing_gym
    assert key_of(ids, match(db, owner, text)) == expected


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("hay pega de garzón?", "c:jobs"),
        ("ya no puedo ir el martes", "c:cancel"),
        ("tem como repor a aula de sexta?", "c:class_makeup"),
        ("¿se puede reponer la clase que perdí?", "c:class_makeup"),
        ("quero ir testar antes de fechar o plano", "c:trial"),
        ("¿me guardás una mesa para el sábado?", "c:booking"),
        ("se puede pagar con mp?", "c:payment"),
    ],
)
def test_more_regional_phrasings_read_as_their_concept(
    db: Connection, text: str, concept: str
) -> None:
    assert concept in primary_terms(db, text)


# -- anger, other businesses, weak evidence, moving a booking -----------------------------

DOG_GROOMER = {
    "turnos": ("¿Cómo saco turno para el baño?", "Por acá, con el día y el tamaño del perro."),
    "cambios": (
        "¿Puedo cambiar o cancelar el turno?",
        "Sí, avisando con 24 horas de anticipación.",
    ),
    "precios": (
        "¿Cuánto sale el baño y corte?",
        "Perro chico $12.000, mediano $15.000, grande $19.000.",
    ),
    "horario": ("¿A qué hora abren?", "De martes a sábado de 9 a 18 h."),
    "direccion": ("¿Dónde están?", "Av. Rivadavia 5200, a media cuadra de la plaza Flores."),
    "pagos": ("¿Cómo se paga?", "Efectivo, transferencia o Mercado Pago."),
    "estacionamiento": ("¿Hay estacionamiento?", "Sí, dos lugares en la puerta."),
}


@pytest.fixture
def dog_groomer(db: Connection) -> Tenant:
    return load(db, DOG_GROOMER)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Moving a booking meets the FAQ about changing or cancelling it.
        ("perdón, se puede pasar mi hora para otro día?", "cambios"),
        ("surgiu um imprevisto, da pra mudar o horario?", "cambios"),
        # Asking for an appointment in the first person.
        ("como pido hora para el baño?", "turnos"),
        # Somewhere to leave the car, however it is asked.
        ("hay lugar para estacionar?", "estacionamiento"),
        ("tem lugar pra parar o carro?", "estacionamiento"),
        # The business's own place named before the verb, and a third person
        # that is the business.
        ("el local de rivadavia abre el sabado?", "horario"),
        ("sabes si atienden el sabado?", "horario"),
        # Hours asked with words close to new phrasings stay hours.
        ("hasta cuando atienden hoy?", "horario"),
        ("vcs nao atendem sabado?", "horario"),
        ("el otro dia les pregunte y nada, a que hora abren?", "horario"),
    ],
)
def test_moving_bookings_first_person_and_the_business_itself(
    db: Connection, dog_groomer: Tenant, text: str, expected: str
) -> None:
    owner, ids = dog_groomer
    assert key_of(ids, match(db, owner, text)) == expected


@pytest.mark.parametrize(
    "text",
    [
        # Thanks and praise with typos and affection.
        "grasias, el perro quedó precioso",
        "obgd, ela amou o banho",
        # Complaints in words of dirt, shame, nobody answering.
        "la sala de espera estaba mugrosa, que asco",
        "llamé tres veces y nadie me contesta, y el turno?",
        # Renting the place is not its hours.
        "alquilan el local para un cumpleaños el domingo?",
        # Another place named before the verb with what it belongs to.
        "la cancha del club ferro abre el domingo?",
        # What another business does.
        "sabes si rappi esta cobrando el envio?",
        # A day alone meets hours only through a related concept.
        "y el domingo?",
    ],
)
def test_thanks_complaints_rentals_and_other_businesses_get_no_faq(
    db: Connection, dog_groomer: Tenant, text: str
) -> None:
    owner, _ = dog_groomer
    assert match(db, owner, text) is None


def test_an_angry_message_goes_to_a_person(db: Connection, dog_groomer: Tenant) -> None:
    owner, ids = dog_groomer
    assert key_of(ids, match(db, owner, "a que hora abren los sabados")) == "horario"
    assert match(db, owner, "a que hora abren los sabados 😡") is None
    assert match(db, owner, "cuanto sale el baño? 🤬") is None


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("se puede mover la hora pa otro dia?", "c:cancel"),
        ("me surgio algo, lo pasamos?", "c:cancel"),
        ("como saco turno?", "c:booking"),
        ("¿pueden venir el jueves?", "c:booking"),
        ("arriendan el salón?", "c:rental"),
        ("me sacan un duplicado de la llave?", "c:printing"),
        ("el baño estaba imundo", "c:complaint"),
        ("brigadu!!", "c:thanks"),
    ],
)
def test_complaints_thanks_rescheduling_and_renting_read_as_their_concept(
    db: Connection, text: str, concept: str
) -> None:
    assert concept in primary_terms(db, text)


def test_a_time_already_named_is_not_an_hours_question(db: Connection, dog_groomer: Tenant) -> None:
    owner, ids = dog_groomer
    assert match(db, owner, "es normal que se rasque tanto en la noche, a esa hora?") is None
    # An hours verb still asks the hours.
    text = "se lo llevo a las 8, ya estan abiertos a esa hora?"
    assert key_of(ids, match(db, owner, text)) == "horario"


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("a esa hora ya duermo", "c:day"),
        ("até quando posso pagar?", "c:lead_time"),
        ("se eu pedir hoje chega sexta?", "c:lead_time"),
        ("busco na feira pra não pagar frete", "c:pickup"),
        ("paso yo para no pagar el envío", "c:pickup"),
    ],
)
def test_time_references_deadlines_and_avoiding_a_fee_read_as_their_concept(
    db: Connection, text: str, concept: str
) -> None:
    assert concept in primary_terms(db, text)


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("me quedé por fuera de la casa", "c:lockout"),
        ("piden certificado médico para nadar?", "c:medical_note"),
        ("cuándo vence la cuota?", "c:due_date"),
        ("a água da piscina é aquecida?", "c:temperature"),
        ("trabajan los domingos?", "c:hours"),
        ("levam até Olinda?", "c:area"),
        ("vcs conseguem buscarem o sofá?", "c:pickup"),
        # "abrir" alone is still opening hours: locked out is read from phrases.
        ("cuanto cobran por abrir?", "c:hours"),
    ],
)
def test_lockouts_medical_notes_due_dates_and_reach_read_as_their_concept(
    db: Connection, text: str, concept: str
) -> None:
    assert concept in primary_terms(db, text)


def test_a_medical_note_and_a_due_date_find_their_faq(db: Connection) -> None:
    owner, ids = load(
        db,
        {
            "inscripcion": (
                "¿Hay que presentar atestado?",
                "Documento y un apto físico firmado por tu médico.",
            ),
            "pagos": ("¿Cómo se paga la cuota?", "Por transferencia; vence el día 5 de cada mes."),
            "horario": ("¿Qué horario tiene la pileta?", "De lunes a sábado de 7 a 22 h."),
        },
    )
    assert key_of(ids, match(db, owner, "piden certificado medico?")) == "inscripcion"
    assert key_of(ids, match(db, owner, "que dia vence la cuota?")) == "pagos"


STUDIO = {
    "materiales": ("¿Hay que traer toalla?", "No, te prestamos toalla y colchoneta."),
    "precios": ("¿Cuánto sale la clase?", "$5.000 la clase suelta."),
    "feria": (
        "¿Tienen puesto en alguna feria?",
        "Sí, los domingos estamos en la feria del Parque Rodó.",
    ),
    "ubicacion": ("¿Dónde queda el estudio?", "Calle Jackson 1120, Cordón."),
}


def test_buying_what_an_faq_only_lends_gets_no_faq(db: Connection) -> None:
    owner, ids = load(db, STUDIO)
    assert key_of(ids, match(db, owner, "hay que traer toalla?")) == "materiales"
    assert match(db, owner, "venden toallas? quiero comprar una") is None


def test_asking_to_buy_what_an_faq_offers_still_gets_it(db: Connection) -> None:
    owner, ids = load(
        db,
        {
            "pintura": ("¿Tienen pintura?", "Sí, látex y esmalte en varios colores."),
            "horario": ("¿A qué hora abren?", "De 8 a 18 h."),
            "envios": ("¿Hacen envíos?", "Sí, en la ciudad."),
        },
    )
    assert key_of(ids, match(db, owner, "venden pintura?")) == "pintura"


def test_where_about_a_place_only_another_answer_names_is_not_the_address(
    db: Connection,
) -> None:
    owner, ids = load(db, STUDIO)
    assert key_of(ids, match(db, owner, "donde queda el estudio?")) == "ubicacion"
    assert match(db, owner, "donde estan en el parque rodo?") is None
    # Where the customer comes from is not where the business is asked to be.
    text = "donde queda el estudio? voy desde el parque rodo"
    assert key_of(ids, match(db, owner, text)) == "ubicacion"


@pytest.mark.parametrize("text", ["levam até Olinda?", "¿llevan hasta Chorrillos?"])
def test_how_far_they_go_is_also_read_as_delivery(db: Connection, text: str) -> None:
    assert "c:delivery" in [term for _, term, _, _ in read(db, text)]


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("ya no viajo, me devuelven la plata?", "c:cancel"),
        ("a festa foi adiada, e agora?", "c:cancel"),
        ("o pão veio estragado", "c:complaint"),
        ("tô bem chateada com vocês", "c:complaint"),
    ],
)
def test_changed_plans_and_spoiled_goods_read_as_their_concept(
    db: Connection, text: str, concept: str
) -> None:
    assert concept in primary_terms(db, text)


def test_not_showing_up_is_a_missed_class_or_a_cancellation_as_the_faqs_say(
    db: Connection,
) -> None:
    owner, ids = load(
        db,
        {
            "cancelacion": (
                "¿Puedo cancelar mi hora?",
                "Sí, con 24 horas de aviso; si no llegas se cobra la mitad de la consulta.",
            ),
            "reserva": ("¿Cómo agendo una hora?", "Por este WhatsApp, con tu nombre y RUT."),
            "horario": ("¿Qué horario tienen?", "De lunes a viernes de 9 a 19 h."),
        },
    )
    assert key_of(ids, match(db, owner, "y si falto me cobran igual?")) == "cancelacion"
    gym, gym_ids = load(db, CLIMBING_GYM)
    text = "si falto el jueves, puedo recuperar la clase?"
    assert key_of(gym_ids, match(db, gym, text)) == "recuperar"


def test_an_identity_document_is_a_document(db: Connection) -> None:
    owner, ids = load(
        db,
        {
            "documentos": (
                "¿Cuánto cuestan las fotos para documentos?",
                "Seis fotos impresas y el archivo digital: $20.000.",
            ),
            "sesiones": ("¿Cuánto cuesta una sesión de fotos?", "Sesión de una hora: $150.000."),
            "horario": ("¿Qué horario tienen?", "De lunes a sábado de 9 a 19 h."),
        },
    )
    assert key_of(ids, match(db, owner, "cuanto salen las fotos pal pasaporte?")) == "documentos"
    assert "c:requirements" in [term for _, term, _, _ in read(db, "fotos pa la cédula")]


def test_whether_a_product_is_safe_finds_the_safety_faq(db: Connection) -> None:
    owner, ids = load(
        db,
        {
            "seguridad": (
                "¿El líquido es peligroso para los perros?",
                "Es de baja toxicidad: pasadas 2 horas y con la casa ventilada no hay riesgo.",
            ),
            "danos": (
                "¿Qué pasa si rompen algo?",
                "Si dañamos un mueble durante el trabajo, lo reponemos.",
            ),
            "precios": ("¿Cuánto cuesta la desinfección?", "Desde $30.000 el departamento."),
        },
    )
    assert key_of(ids, match(db, owner, "tengo un gatito, no le hace daño?")) == "seguridad"
    assert key_of(ids, match(db, owner, "deja mucho olor?")) == "seguridad"


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("nunca hice pilates, puedo ir igual?", "c:level"),
        ("nunca fiz musculação, tem problema?", "c:level"),
        ("em vez de cenoura, pode mandar outra coisa?", "c:replace"),
        ("llevo mi colchoneta?", "c:exercise_mat"),
        ("la laptop se recalienta mucho", "c:malfunction"),
        ("e o valor que paguei de entrada?", "c:deposit"),
    ],
)
def test_beginners_swaps_and_mats_read_as_their_concept(
    db: Connection, text: str, concept: str
) -> None:
    assert concept in primary_terms(db, text)


def test_a_mat_by_another_name_is_the_same_thing(db: Connection) -> None:
    owner, ids = load(
        db,
        {
            "materiales": ("¿Hay que llevar mat?", "No, tenemos mats y bloques para todos."),
            "precios": ("¿Cuánto sale la clase?", "$6.000 la clase suelta."),
            "horarios": ("¿Qué horarios tienen?", "De lunes a viernes a las 8, 13 y 19 h."),
        },
    )
    assert key_of(ids, match(db, owner, "tengo que traer esterilla?")) == "materiales"


def test_dirty_and_broken_things_to_fix_are_not_complaints(db: Connection) -> None:
    owner, ids = load(
        db,
        {
            "lavagem": ("Quanto custa a lavagem?", "Lavagem simples R$ 40, completa R$ 70."),
            "conserto": ("Vocês consertam celular?", "Sim, trocamos tela e bateria na hora."),
            "horario": ("Que horas vocês abrem?", "De segunda a sábado, das 8h às 18h."),
        },
    )
    text = "o carro ta muito sujo, quanto custa a lavagem?"
    assert key_of(ids, match(db, owner, text)) == "lavagem"
    assert key_of(ids, match(db, owner, "meu celular ta estragado, vcs consertam?")) == "conserto"


def test_a_fever_a_first_purchase_and_a_rash_keep_their_meaning(db: Connection) -> None:
    """Phrases near the new ones ("temperatura", "primera vez", "me salió algo") stay."""
    assert "c:temperature" not in primary_terms(db, "traigo temperatura desde ayer")
    assert "c:level" not in primary_terms(db, "es mi primera vez comprando aca")
    assert "c:cancel" not in primary_terms(db, "me salio algo en la piel")
