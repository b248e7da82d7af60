"""The FAQ screen in real Chromium against the local stack: creating, editing, reordering
(by keyboard too), switching off and deleting FAQs; the tester, whose answer is the one the
webhook then sends for the same message (an FAQ, the fallback, the away message); a missed
message whose words, added to an FAQ, make the next such message match (never a word another
FAQ already holds); a database refusal shown in Spanish; dates in the business's time zone; a
phone's width.

Each test works on a business of its own (a new Google account given a WhatsApp number and
four FAQs), so the demo bakery the other modules share stays as it is; only the screenshot
reads the bakery.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, ViewportSize, expect

from devstack.seed import SEED_OWNER_EMAIL
from tests.browser import ARTIFACTS_DIR
from tests.dashboard.conftest import Dashboard
from tests.dashboard.helpers import new_email, send_as_customer, sign_in_with_google
from tests.factories import random_phone

DESKTOP: ViewportSize = {"width": 1280, "height": 860}
PHONE: ViewportSize = {"width": 375, "height": 740}
LIVE_TIMEOUT = 10_000
FALLBACK = "Gracias por escribir; en un momento te atendemos."
# India's half-hour offset tells the business's time zone from the browser's (UTC here).
TIME_ZONE = "Asia/Kolkata"
FAQS = [
    ("¿Cuál es su horario?", "Abrimos de lunes a sábado de 8:00 a 20:00."),
    ("¿Dónde están ubicados?", "En Calle Libertad 1842, Guadalajara."),
    ("¿Hacen envíos a domicilio?", "Sí, llevamos tu pedido a domicilio en toda la ciudad."),
    ("¿Qué pan dulce tienen?", "Conchas, cuernitos y orejas, recién horneados."),
]


@dataclass
class Business:
    """A business signed in in the browser, with its own WhatsApp number and FAQs."""

    id: str
    number: str
    faqs: dict[str, str]


def query(database_url: str, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(database_url, autocommit=True) as conn:
        return conn.execute(sql, params).fetchall()


def execute(database_url: str, sql: str, *params: Any) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(sql, params)


def faq_rows(database_url: str, owner_id: str) -> list[dict[str, Any]]:
    rows = query(
        database_url,
        "select id, question, answer, keywords, active, position from public.faqs"
        " where owner_id = %s order by position, created_at, id",
        owner_id,
    )
    names = ("id", "question", "answer", "keywords", "active", "position")
    return [dict(zip(names, row, strict=True)) | {"id": str(row[0])} for row in rows]


def reply_to(database_url: str, owner_id: str, phone: str) -> tuple[str, str | None, str]:
    """The automatic reply the webhook stored for this customer's last message."""
    rows = query(
        database_url,
        "select o.reply_kind, o.faq_id, o.content from public.messages o"
        " join public.clients c on c.id = o.client_id"
        " where c.owner_id = %s and c.phone = %s and o.direction = 'out'"
        " order by o.created_at desc limit 1",
        owner_id,
        phone,
    )
    assert rows, f"no reply to {phone}"
    kind, faq_id, content = rows[0]
    return str(kind), (str(faq_id) if faq_id else None), str(content)


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    opened = browser.new_context(viewport=DESKTOP)
    yield opened
    opened.close()


def sign_in_new_business(page: Page, dashboard: Dashboard) -> Business:
    """A new owner through Google sign-in, set up as the operator and onboarding would, with
    four FAQs, always open; the FAQ screen is open and live."""
    email = new_email()
    sign_in_with_google(page, dashboard.url, email)
    expect(page.locator("#step-count")).to_have_text("Paso 1 de 4")
    number = random_phone()
    with psycopg.connect(dashboard.database_url, autocommit=True) as conn:
        row = conn.execute(
            "update public.users set business_name = 'Panadería de prueba', whatsapp_number = %s,"
            " fallback_message = %s, timezone = %s, onboarding_complete = true"
            " where email = %s returning id",
            (number, FALLBACK, TIME_ZONE, email),
        ).fetchone()
        assert row is not None
        owner_id = str(row[0])
        faqs = {}
        for position, (question, answer) in enumerate(FAQS, start=1):
            inserted = conn.execute(
                "insert into public.faqs (owner_id, position, question, answer)"
                " values (%s, %s, %s, %s) returning id",
                (owner_id, position, question, answer),
            ).fetchone()
            assert inserted is not None
            faqs[question] = str(inserted[0])
    page.goto(f"{dashboard.url}/#/faqs")
    page.reload()
    expect(page.locator("body")).to_have_attribute("data-live", "live", timeout=LIVE_TIMEOUT)
    expect(page.locator(".faq-question")).to_have_text([question for question, _ in FAQS])
    return Business(owner_id, number, faqs)


@pytest.fixture
def business(context: BrowserContext, dashboard: Dashboard) -> tuple[Page, Business]:
    page = context.new_page()
    return page, sign_in_new_business(page, dashboard)


def card(page: Page, faq_id: str) -> Any:
    return page.locator(f'.faq-card[data-faq-id="{faq_id}"]')


def expect_tester(page: Page, text: str, decision: str, faq_id: str = "") -> None:
    page.locator("#faq-test-input").fill(text)
    result = page.locator("#faq-test-result")
    expect(result).to_have_attribute("data-status", "done")
    expect(result).to_have_attribute("data-decision", decision)
    expect(result).to_have_attribute("data-faq-id", faq_id)


def test_an_owner_creates_edits_reorders_switches_off_and_deletes_faqs(
    business: tuple[Page, Business], dashboard: Dashboard
) -> None:
    page, shop = business
    db = dashboard.database_url

    # A new FAQ: the form refuses an empty question and writes nothing.
    page.locator("#faq-new").click()
    expect(page.locator("#faq-form-new-title")).to_be_focused()
    page.locator("#faq-form-new-answer").fill("Sí, tenemos estacionamiento gratis.")
    page.locator("#faq-form-new-save").click()
    expect(page.locator("#faq-form-new-question-help")).to_have_text("Escribe la pregunta.")
    expect(page.locator("#faq-form-new-question")).to_be_focused()
    assert len(faq_rows(db, shop.id)) == 4

    page.locator("#faq-form-new-question").fill("¿Tienen estacionamiento?")
    keywords = page.locator("#faq-form-new-keywords")
    keywords.fill("parqueo")
    keywords.press("Enter")
    keywords.fill("cochera,")
    keywords.fill("Parqueo")
    keywords.press("Enter")  # a repeat, ignoring case: added once
    expect(page.locator(".faq-editor .keyword-chip span")).to_have_text(["parqueo", "cochera"])
    page.get_by_role("button", name="Quitar la palabra clave «cochera»").click()
    keywords.fill("estacionar")
    keywords.press("Enter")
    page.locator("#faq-form-new-save").click()
    expect(page.locator("#faq-notice")).to_have_text(
        "Listo: «¿Tienen estacionamiento?» ya responde a tus clientes."
    )
    rows = faq_rows(db, shop.id)
    assert [row["question"] for row in rows][-1] == "¿Tienen estacionamiento?"
    new = rows[-1]
    assert new["answer"] == "Sí, tenemos estacionamiento gratis."
    assert new["keywords"] == ["parqueo", "estacionar"]
    assert (new["active"], new["position"]) == (True, 5)
    expect(card(page, new["id"]).locator(".keyword-chip")).to_have_text(["parqueo", "estacionar"])

    # Editing the answer.
    card(page, new["id"]).get_by_role("button", name="Editar").click()
    answer = page.locator(f"#faq-form-{new['id']}-answer")
    expect(answer).to_have_value("Sí, tenemos estacionamiento gratis.")
    answer.fill("Sí: diez lugares, gratis para clientes.")
    page.locator(f"#faq-form-{new['id']}-save").click()
    expect(card(page, new["id"]).locator(".faq-answer")).to_have_text(
        "Sí: diez lugares, gratis para clientes."
    )
    expect(page.locator(f"#faq-edit-{new['id']}")).to_be_focused()
    assert faq_rows(db, shop.id)[-1]["answer"] == "Sí: diez lugares, gratis para clientes."

    # Reordering by keyboard: the focus stays on the FAQ that moved.
    hours = shop.faqs["¿Cuál es su horario?"]
    page.locator(f"#faq-down-{hours}").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".faq-question").nth(1)).to_have_text("¿Cuál es su horario?")
    expect(page.locator(f"#faq-down-{hours}")).to_be_focused()
    expect(page.locator("#faq-notice")).to_have_text("«¿Cuál es su horario?» quedó en el lugar 2.")
    assert [row["question"] for row in faq_rows(db, shop.id)][:2] == [
        "¿Dónde están ubicados?",
        "¿Cuál es su horario?",
    ]
    assert [row["position"] for row in faq_rows(db, shop.id)] == [1, 2, 3, 4, 5]
    page.locator(f"#faq-up-{hours}").click()
    expect(page.locator(".faq-question").first).to_have_text("¿Cuál es su horario?")
    expect(page.locator(f"#faq-up-{hours}")).to_be_disabled()
    expect(page.locator(f"#faq-down-{hours}")).to_be_focused()

    # Switching off and on.
    page.locator(f"#faq-toggle-{new['id']}").click()
    expect(card(page, new["id"]).locator(".faq-off")).to_have_text("Desactivada")
    assert faq_rows(db, shop.id)[-1]["active"] is False
    page.locator(f"#faq-toggle-{new['id']}").click()
    expect(card(page, new["id"]).locator(".faq-off")).to_have_count(0)
    assert faq_rows(db, shop.id)[-1]["active"] is True

    # Deleting asks first; "no" keeps it.
    page.locator(f"#faq-delete-{new['id']}").click()
    expect(page.locator(f"#faq-confirm-delete-{new['id']}")).to_be_focused()
    expect(card(page, new["id"]).locator(".confirm")).to_contain_text(
        "¿Eliminar «¿Tienen estacionamiento?»? No se puede deshacer."
    )
    card(page, new["id"]).get_by_role("button", name="No, conservarla").click()
    expect(page.locator(f"#faq-delete-{new['id']}")).to_be_focused()
    assert len(faq_rows(db, shop.id)) == 5
    page.locator(f"#faq-delete-{new['id']}").click()
    page.locator(f"#faq-confirm-delete-{new['id']}").click()
    expect(card(page, new["id"])).to_have_count(0)
    expect(page.locator("#faq-notice")).to_have_text("Eliminaste «¿Tienen estacionamiento?».")
    assert new["id"] not in [row["id"] for row in faq_rows(db, shop.id)]


def test_a_refusal_of_the_database_reads_in_spanish_and_changes_nothing(
    business: tuple[Page, Business], dashboard: Dashboard
) -> None:
    """A request the form would never send (a 61-character keyword slipped into it on the
    way) reaches the real database, which refuses it; the owner reads why, in Spanish."""
    page, shop = business
    hours = shop.faqs["¿Cuál es su horario?"]

    def tamper(route: Route) -> None:
        if route.request.method != "PATCH":
            route.continue_()
            return
        body = json.loads(route.request.post_data or "{}")
        body["keywords"] = ["x" * 61]
        route.continue_(post_data=json.dumps(body))

    page.route(re.compile(r".*/rest/v1/faqs\?.*"), tamper)
    card(page, hours).get_by_role("button", name="Editar").click()
    page.locator(f"#faq-form-{hours}-answer").fill("Abrimos todos los días.")
    page.locator(f"#faq-form-{hours}-save").click()
    expect(card(page, hours).locator(".alert")).to_have_text(
        "Una respuesta puede tener hasta 30 palabras clave, de hasta 60 caracteres cada una."
    )
    page.unroute(re.compile(r".*/rest/v1/faqs\?.*"))
    row = next(r for r in faq_rows(dashboard.database_url, shop.id) if r["id"] == hours)
    assert (row["answer"], row["keywords"]) == ("Abrimos de lunes a sábado de 8:00 a 20:00.", [])


def test_the_tester_shows_the_reply_the_webhook_then_sends(
    business: tuple[Page, Business], dashboard: Dashboard
) -> None:
    page, shop = business
    db = dashboard.database_url
    hours = shop.faqs["¿Cuál es su horario?"]

    # An FAQ: the tester names it and why; the webhook answers the same message with it.
    expect_tester(page, "¿a qué hora abren?", "faq", hours)
    result = page.locator("#faq-test-result")
    expect(result.locator(".test-headline")).to_have_text("Respondería con «¿Cuál es su horario?»")
    expect(result.locator(".test-reply")).to_contain_text(FAQS[0][1])
    expect(result.locator(".test-why.place-1")).to_have_attribute("data-faq-id", hours)
    expect(result.locator(".test-why.place-1 .met").first).to_contain_text("«a qué hora»")
    customer = random_phone()
    send_as_customer(dashboard.url, shop.number, customer, "¿a qué hora abren?")
    assert reply_to(db, shop.id, customer) == ("faq", hours, FAQS[0][1])

    # No FAQ: the fallback, and why.
    expect_tester(page, "¿Hacen pasteles para bodas?", "fallback")
    expect(result.locator(".test-headline")).to_have_text("Se enviaría tu mensaje de respaldo")
    expect(result.locator(".test-reply")).to_contain_text(FALLBACK)
    expect(result.locator(".test-reason")).to_contain_text("Ninguna de tus respuestas habla de")
    customer = random_phone()
    send_as_customer(dashboard.url, shop.number, customer, "¿Hacen pasteles para bodas?")
    assert reply_to(db, shop.id, customer) == ("fallback", None, FALLBACK)

    # Closed now, with an away message: the tester says so, and so does the webhook.
    now = datetime.now(ZoneInfo(TIME_ZONE))
    other_day = "tue" if now.strftime("%a").lower()[:3] == "mon" else "mon"
    away = "Ahorita estamos cerrados; te respondemos al abrir."
    execute(
        db,
        "update public.users set away_message = %s, business_hours = %s where id = %s",
        away,
        json.dumps({other_day: [["09:00", "18:00"]]}),
        shop.id,
    )
    expect_tester(page, "¿Tienen pastel de elote?", "away")
    expect(result.locator(".test-headline")).to_have_text(
        "Se enviaría tu mensaje de fuera de horario"
    )
    expect(result).to_contain_text("Según tu horario, ahora estás cerrado")
    customer = random_phone()
    send_as_customer(dashboard.url, shop.number, customer, "¿Tienen pastel de elote?")
    assert reply_to(db, shop.id, customer) == ("away", None, away)

    # An FAQ still answers while closed.
    expect_tester(page, "horario del sábado?", "faq", hours)
    customer = random_phone()
    send_as_customer(dashboard.url, shop.number, customer, "horario del sábado?")
    assert reply_to(db, shop.id, customer)[:2] == ("faq", hours)


def test_a_missed_message_taught_as_keywords_is_answered_next_time(
    business: tuple[Page, Business], dashboard: Dashboard
) -> None:
    page, shop = business
    db = dashboard.database_url
    location = shop.faqs["¿Dónde están ubicados?"]

    send_as_customer(dashboard.url, shop.number, random_phone(), "¿Hay estacionamiento?")
    missed = page.locator(".missed-item", has_text="¿Hay estacionamiento?")
    expect(missed).to_be_visible(timeout=LIVE_TIMEOUT)
    ((at,),) = query(
        db,
        "select max(o.timestamp) from public.messages o"
        " where o.owner_id = %s and o.reply_kind = 'fallback'",
        shop.id,
    )
    local = at.astimezone(ZoneInfo(TIME_ZONE))
    expect(missed.locator("time")).to_contain_text(f"{local.hour % 12 or 12}:{local:%M}")
    expect(missed.locator(".message-meta")).to_contain_text("recibió el mensaje de respaldo")

    missed.get_by_role("button", name="Agregar sus palabras a una respuesta").click()
    panel = missed.locator(".keyword-panel")
    choose = panel.get_by_label("¿Qué respuesta le corresponde?")
    expect(choose).to_be_focused()
    choose.select_option(label="¿Dónde están ubicados?")
    # "hay" asks, "estacionamiento" is the subject: only the subject is offered.
    expect(panel.locator(".word-choices label")).to_have_text(["estacionamiento"])
    expect(panel.locator(".help").last).to_have_text(
        "Se agregarán estacionamiento a las palabras clave de «¿Dónde están ubicados?»."
    )
    panel.get_by_role("button", name="Agregar 1 palabra").click()
    expect(missed.locator(".notice")).to_have_text(
        "Listo: agregamos estacionamiento a «¿Dónde están ubicados?»."
    )
    row = next(r for r in faq_rows(db, shop.id) if r["id"] == location)
    assert row["keywords"] == ["estacionamiento"]
    expect(card(page, location).locator(".keyword-chip")).to_have_text(["estacionamiento"])

    # The next such message, from another customer: the tester and the webhook agree.
    expect_tester(page, "¿Tienen estacionamiento?", "faq", location)
    customer = random_phone()
    send_as_customer(dashboard.url, shop.number, customer, "¿Tienen estacionamiento?")
    assert reply_to(db, shop.id, customer)[:2] == ("faq", location)

    # A missed message can also start a new FAQ, its question written for the owner.
    send_as_customer(dashboard.url, shop.number, random_phone(), "¿Hacen pasteles para bodas?")
    other = page.locator(".missed-item", has_text="¿Hacen pasteles para bodas?")
    expect(other).to_be_visible(timeout=LIVE_TIMEOUT)
    other.get_by_role("button", name="Crear una respuesta nueva").click()
    expect(page.locator("#faq-form-new-question")).to_have_value("¿Hacen pasteles para bodas?")
    page.locator("#faq-form-new-answer").fill("Sí, pasteles de boda por encargo.")
    page.locator("#faq-form-new-save").click()
    expect(page.locator(".faq-question").last).to_have_text("¿Hacen pasteles para bodas?")
    assert faq_rows(db, shop.id)[-1]["answer"] == "Sí, pasteles de boda por encargo."


def test_a_word_another_faq_holds_is_not_taught_to_this_one(
    business: tuple[Page, Business], dashboard: Dashboard
) -> None:
    """A word another FAQ already holds would make the taught FAQ answer that one's questions:
    the panel shows it unchecked, disabled and why, and adds only the new word."""
    page, shop = business
    db = dashboard.database_url
    sweets = shop.faqs["¿Qué pan dulce tienen?"]
    parties_question = "¿Hacen pasteles para fiestas?"
    ((inserted,),) = query(
        db,
        "insert into public.faqs (owner_id, position, question, answer)"
        " values (%s, 5, %s, 'Sí, pasteles por encargo para cumpleaños y fiestas.') returning id",
        shop.id,
        parties_question,
    )
    parties = str(inserted)
    expect(card(page, parties)).to_be_visible(timeout=LIVE_TIMEOUT)

    # "gelatinas" is new to the business; "fiestas" is the other FAQ's word.
    send_as_customer(dashboard.url, shop.number, random_phone(), "¿Hacen gelatinas para fiestas?")
    missed = page.locator(".missed-item", has_text="¿Hacen gelatinas para fiestas?")
    expect(missed).to_be_visible(timeout=LIVE_TIMEOUT)
    missed.get_by_role("button", name="Agregar sus palabras a una respuesta").click()
    panel = missed.locator(".keyword-panel")
    choose = panel.get_by_label("¿Qué respuesta le corresponde?")
    choose.select_option(label="¿Qué pan dulce tienen?")
    expect(panel.locator(".word-choices label")).to_have_text(["gelatinas", "fiestas"])
    new_word = panel.get_by_label("gelatinas", exact=True)
    held_word = panel.get_by_label("fiestas", exact=True)
    expect(new_word).to_be_checked()
    expect(new_word).to_be_enabled()
    expect(held_word).not_to_be_checked()
    expect(held_word).to_be_disabled()
    note = (
        "«fiestas» ya está en otra respuesta («¿Hacen pasteles para fiestas?»): agregarla aquí"
        " haría que esta respuesta conteste preguntas de aquella."
    )
    expect(panel.locator(".word-note")).to_have_text([note])
    expect(held_word).to_have_accessible_description(note)
    expect(panel.locator(".help").last).to_have_text(
        "Se agregarán gelatinas a las palabras clave de «¿Qué pan dulce tienen?»."
    )

    # The note follows the owner's choice: the FAQ that holds the word may have it.
    choose.select_option(label=parties_question)
    expect(held_word).to_be_enabled()
    expect(held_word).to_be_checked()
    expect(panel.locator(".word-note")).to_have_count(0)
    choose.select_option(label="¿Qué pan dulce tienen?")
    expect(held_word).to_be_disabled()

    panel.get_by_role("button", name="Agregar 1 palabra").click()
    expect(missed.locator(".notice")).to_have_text(
        "Listo: agregamos gelatinas a «¿Qué pan dulce tienen?»."
    )
    rows = {row["id"]: row for row in faq_rows(db, shop.id)}
    assert rows[sweets]["keywords"] == ["gelatinas"]
    assert rows[parties]["keywords"] == []


def test_each_faq_lists_the_messages_it_answered(
    business: tuple[Page, Business], dashboard: Dashboard
) -> None:
    page, shop = business
    delivery = shop.faqs["¿Hacen envíos a domicilio?"]
    for text in ("¿hacen envíos a domicilio?", "¿me lo pueden llevar a mi casa?"):
        send_as_customer(dashboard.url, shop.number, random_phone(), text, profile_name="Lucía")
    expect(card(page, delivery).locator(".faq-usage")).to_contain_text(
        "Respondió 2 veces en los últimos 30 días", timeout=LIVE_TIMEOUT
    )
    show = page.locator(f"#faq-show-{delivery}")
    show.click()
    expect(show).to_have_attribute("aria-expanded", "true")
    expect(card(page, delivery).locator(".answered .message-text")).to_have_text(
        ["¿me lo pueden llevar a mi casa?", "¿hacen envíos a domicilio?"]
    )
    expect(card(page, delivery).locator(".answered .message-meta").first).to_contain_text("Lucía")


def test_the_screen_works_on_a_phone(browser: Browser, dashboard: Dashboard) -> None:
    context = browser.new_context(viewport=PHONE)
    try:
        page = context.new_page()
        shop = sign_in_new_business(page, dashboard)
        hours = shop.faqs["¿Cuál es su horario?"]

        def fits() -> None:
            widths = page.evaluate(
                "[document.documentElement.scrollWidth,"
                " document.getElementById('section-main').scrollWidth,"
                " document.getElementById('section-main').clientWidth]"
            )
            assert widths[0] <= 375, widths
            assert widths[1] <= widths[2], widths

        for control in ("#faq-new", "#faq-test-input", f"#faq-edit-{hours}"):
            page.locator(control).scroll_into_view_if_needed()
            expect(page.locator(control)).to_be_visible()
            expect(page.locator(control)).to_be_in_viewport()
        fits()
        expect_tester(page, "¿a qué hora abren el domingo?", "faq", hours)
        fits()
        page.locator(f"#faq-edit-{hours}").click()
        expect(page.locator(f"#faq-form-{hours}-save")).to_be_visible()
        fits()
        page.screenshot(path=str(ARTIFACTS_DIR / "dashboard-faqs-phone.png"), full_page=True)
    finally:
        context.close()


def test_the_bakery_screen_for_the_docs(context: BrowserContext, dashboard: Dashboard) -> None:
    """The screenshot of docs/dashboard.md: the demo bakery's FAQs and a test. Reads only."""
    page = context.new_page()
    page.set_viewport_size({"width": 1280, "height": 1100})
    sign_in_with_google(page, dashboard.url, SEED_OWNER_EMAIL)
    expect(page.locator(".row").first).to_be_visible()
    page.locator("#nav-faqs").click()
    expect(page.get_by_role("heading", name="Respuestas automáticas")).to_be_visible()
    page.locator("#faq-test-input").fill("llevan pedidos a domicilio el domingo?")
    result = page.locator("#faq-test-result")
    expect(result).to_have_attribute("data-decision", "faq")
    expect(result.locator(".test-why")).to_have_count(2)
    expect(page.locator(".missed-item").first).to_be_visible()
    page.locator("#faq-test-input").blur()
    page.screenshot(path=str(ARTIFACTS_DIR / "faqs.png"))
