"""The settings screen in real Chromium against the local stack: the business's settings
saved and kept across a reload; the form's own checks; what the database refuses shown on
the field concerned; how sure an FAQ answer must be, chosen by the owner; the away message
going out outside the hours and the FAQ and fallback inside them, with the hours set around
the database's own clock; a phone's width.

Each test works on a business of its own (see test_labels.py), so the demo bakery stays
as it is; only the screenshot reads the bakery.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, ViewportSize, expect

from devstack.seed import SEED_OWNER_EMAIL
from tests.browser import ARTIFACTS_DIR
from tests.dashboard.conftest import Dashboard
from tests.dashboard.helpers import send_as_customer, sign_in_with_google
from tests.dashboard.test_labels import (
    Business,
    execute,
    query,
    screenshot_section,
    sign_in_new_business,
)
from tests.factories import random_phone

DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 375, "height": 740}
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    # An owner's browser in Mexico: dates and times as they see them.
    opened = browser.new_context(
        viewport=DESKTOP, locale="es-MX", timezone_id="America/Mexico_City"
    )
    yield opened
    opened.close()


@pytest.fixture
def business_page(context: BrowserContext, dashboard: Dashboard) -> tuple[Page, Business]:
    page = context.new_page()
    business = sign_in_new_business(page, dashboard, f"Pastelería {uuid.uuid4().hex[:4]}")
    open_settings(page)
    return page, business


def open_settings(page: Page) -> None:
    page.locator("#nav-settings").click()
    expect(page.get_by_role("heading", name="Ajustes", exact=True)).to_be_visible()
    expect(page.locator("#settings-fallback")).to_be_visible()


def settings_row(database_url: str, owner_id: str) -> dict[str, Any]:
    [row] = query(
        database_url,
        "select business_name, fallback_message, fallback_window, timezone, business_hours,"
        " away_message, updated_at from public.users where id = %s",
        owner_id,
    )
    keys = ("business_name", "fallback", "window", "timezone", "hours", "away", "updated_at")
    return dict(zip(keys, row, strict=True))


def save(page: Page, expected: str = "Cambios guardados.") -> None:
    page.get_by_role("button", name="Guardar cambios").click()
    expect(page.locator(".settings-status")).to_have_text(expected)


def set_range(page: Page, day: str, index: int, opens: str, closes: str) -> None:
    page.locator(f"#hours-{day}-{index}-from").fill(opens)
    page.locator(f"#hours-{day}-{index}-to").fill(closes)


def test_settings_are_saved_and_kept_across_a_reload(
    business_page: tuple[Page, Business], dashboard: Dashboard
) -> None:
    page, business = business_page
    # The WhatsApp number is shown, not editable, with who assigns it.
    expect(page.locator("#settings-number")).to_have_text(business.number)
    expect(page.get_by_role("textbox", name="Número de WhatsApp")).to_have_count(0)
    expect(page.locator(".settings-card").first).to_contain_text(
        "Lo asigna el equipo de FácilChat al conectar tu número de WhatsApp Business"
    )
    # A new business is always open (no hours): the screen says so.
    expect(page.locator("#settings-hours-note")).to_contain_text("siempre estás abierto")

    page.get_by_label("Nombre del negocio").fill("Pastelería Dulce Hogar")
    page.get_by_label("Mensaje", exact=True).fill(
        "Gracias por escribir 🍰 Te respondemos en un momento."
    )
    page.get_by_label("No repetirlo al mismo cliente antes de").fill("2")
    page.get_by_label("Zona horaria").fill("America/Bogota")

    # Monday morning and afternoon, copied to Tuesday to Friday; Friday then a night that
    # ends on Saturday; Sunday all day.
    page.get_by_role("button", name="Abrir el Lunes").click()
    set_range(page, "mon", 0, "09:00", "13:00")
    page.get_by_role("button", name="Añadir otro horario el Lunes").click()
    expect(page.locator("#hours-mon-1-from")).to_be_focused()
    set_range(page, "mon", 1, "16:00", "20:00")
    page.get_by_role("button", name="Usar este horario de martes a viernes").click()
    expect(page.locator("#hours-thu-1-to")).to_have_value("20:00")
    page.get_by_role("button", name="Quitar el horario 2 del Viernes").click()
    set_range(page, "fri", 0, "22:00", "02:00")
    expect(page.locator("#hours-fri")).to_contain_text("termina al día siguiente")
    page.get_by_role("button", name="Abrir el Domingo").click()
    set_range(page, "sun", 0, "00:00", "00:00")
    expect(page.locator("#hours-sun")).to_contain_text("todo el día")
    page.get_by_label("Mensaje de ausencia (opcional)").fill(
        "Estamos cerrados 🌙 Te respondemos al abrir."
    )
    save(page)

    weekday = [["09:00", "13:00"], ["16:00", "20:00"]]
    expected_hours = {
        "mon": weekday,
        "tue": weekday,
        "wed": weekday,
        "thu": weekday,
        "fri": [["22:00", "02:00"]],
        "sun": [["00:00", "24:00"]],
    }
    saved = settings_row(dashboard.database_url, business.id)
    assert saved["business_name"] == "Pastelería Dulce Hogar"
    assert saved["fallback"] == "Gracias por escribir 🍰 Te respondemos en un momento."
    assert saved["window"] == timedelta(hours=2)
    assert saved["timezone"] == "America/Bogota"
    assert saved["hours"] == expected_hours
    assert saved["away"] == "Estamos cerrados 🌙 Te respondemos al abrir."
    # The app took the saved profile: the top bar shows the new name.
    expect(page.locator(".business")).to_have_text("Pastelería Dulce Hogar")

    page.reload()
    expect(page.locator("#settings-fallback")).to_have_value(
        "Gracias por escribir 🍰 Te respondemos en un momento."
    )
    expect(page.get_by_label("Nombre del negocio")).to_have_value("Pastelería Dulce Hogar")
    expect(page.get_by_label("No repetirlo al mismo cliente antes de")).to_have_value("2")
    expect(page.get_by_label("Zona horaria")).to_have_value("America/Bogota")
    expect(page.locator("#hours-mon-1-from")).to_have_value("16:00")
    expect(page.locator("#hours-wed-0-to")).to_have_value("13:00")
    expect(page.locator("#hours-fri-0-to")).to_have_value("02:00")
    expect(page.locator("#hours-sat")).to_contain_text("Cerrado")
    expect(page.locator("#hours-sun-0-to")).to_have_value("00:00")
    expect(page.get_by_label("Mensaje de ausencia (opcional)")).to_have_value(
        "Estamos cerrados 🌙 Te respondemos al abrir."
    )
    # Nothing changed since: nothing is written.
    save(page, "No hay cambios que guardar.")
    assert settings_row(dashboard.database_url, business.id)["updated_at"] == saved["updated_at"]

    # The dashboard's language, from here too.
    page.get_by_label("Idioma del panel").select_option("en")
    expect(page.get_by_role("heading", name="Settings", exact=True)).to_be_visible()
    page.get_by_label("Dashboard language").select_option("es")
    expect(page.get_by_role("heading", name="Ajustes", exact=True)).to_be_visible()


def test_the_form_says_what_is_wrong_and_saves_nothing(
    business_page: tuple[Page, Business], dashboard: Dashboard
) -> None:
    page, business = business_page
    before = settings_row(dashboard.database_url, business.id)

    page.get_by_label("Mensaje", exact=True).fill("   ")
    page.get_by_label("No repetirlo al mismo cliente antes de").fill("200")
    page.get_by_label("Zona horaria").fill("Marte/Base_Olimpo")
    page.get_by_role("button", name="Abrir el Martes").click()
    set_range(page, "tue", 0, "09:00", "14:00")
    page.get_by_role("button", name="Añadir otro horario el Martes").click()
    set_range(page, "tue", 1, "13:00", "18:00")
    page.get_by_role("button", name="Guardar cambios").click()

    expect(page.locator("#settings-fallback-error")).to_have_text(
        "Escribe el mensaje de respaldo: sin él, el cliente no recibiría respuesta."
    )
    expect(page.locator("#settings-fallback")).to_be_focused()
    expect(page.locator("#settings-window-error")).to_have_text(
        "Escribe un número de horas entre 0 y 168."
    )
    expect(page.locator("#settings-timezone-error")).to_contain_text(
        "«Marte/Base_Olimpo» no es una zona horaria que conozcamos"
    )
    expect(page.locator("#settings-hours-error")).to_have_text(
        "Martes: el horario 2 se encima con otro del mismo día."
    )
    # A range that opens and closes at once.
    set_range(page, "tue", 1, "15:00", "15:00")
    page.get_by_role("button", name="Guardar cambios").click()
    expect(page.locator("#settings-hours-error")).to_have_text(
        "Martes: el horario 2 abre y cierra a la misma hora."
    )
    assert settings_row(dashboard.database_url, business.id) == before


def test_what_the_database_refuses_shows_on_its_field(
    business_page: tuple[Page, Business], dashboard: Dashboard
) -> None:
    """The form's checks pass; the request is then altered on its way, so the database's
    own checks answer and the screen translates them."""
    page, business = business_page
    before = settings_row(dashboard.database_url, business.id)
    override: dict[str, Any] = {}

    def alter(route: Route) -> None:
        request = route.request
        if request.method == "PATCH" and override:
            body = json.loads(request.post_data or "{}")
            body.update(override)
            route.continue_(post_data=json.dumps(body))
        else:
            route.continue_()

    page.route(re.compile(r"/rest/v1/users\?"), alter)

    override.update({"timezone": "America/Foo+3"})
    page.get_by_label("Zona horaria").fill("America/Lima")
    page.get_by_role("button", name="Guardar cambios").click()
    expect(page.locator("#settings-timezone-error")).to_have_text(
        "Esa zona horaria no existe. Elige una de la lista, por ejemplo America/Mexico_City."
    )
    expect(page.locator("#settings-timezone")).to_be_focused()

    override.clear()
    override.update({"business_hours": {"lun": [["09:00", "18:00"]]}})
    page.get_by_role("button", name="Abrir el Lunes").click()
    page.get_by_role("button", name="Guardar cambios").click()
    expect(page.locator("#settings-hours-error")).to_contain_text("El horario no es válido")

    override.clear()
    override.update({"fallback_window": "8 days"})
    page.get_by_label("No repetirlo al mismo cliente antes de").fill("3")
    page.get_by_role("button", name="Guardar cambios").click()
    expect(page.locator("#settings-window-error")).to_have_text(
        "El tiempo para no repetir el mensaje debe estar entre 0 horas y 7 días."
    )
    assert settings_row(dashboard.database_url, business.id) == before

    # Unaltered, the same form saves.
    override.clear()
    save(page)
    saved = settings_row(dashboard.database_url, business.id)
    assert saved["timezone"] == "America/Lima"
    assert saved["window"] == timedelta(hours=3)
    assert saved["hours"] == {"mon": [["09:00", "18:00"]]}


def faq_caution(database_url: str, owner_id: str) -> str:
    [(caution,)] = query(
        database_url, "select faq_caution from public.users where id = %s", owner_id
    )
    return str(caution)


def test_the_owner_chooses_how_cautious_automatic_answers_are(
    business_page: tuple[Page, Business], dashboard: Dashboard
) -> None:
    page, business = business_page
    choices = page.get_by_role("group", name="Respuestas automáticas")
    balanced = choices.get_by_role("radio", name="Equilibradas (recomendado)")
    cautious = choices.get_by_role("radio", name="Prudentes")
    # A new business answers as before, and each choice says what it means.
    assert faq_caution(dashboard.database_url, business.id) == "balanced"
    expect(balanced).to_be_checked()
    expect(cautious).not_to_be_checked()
    expect(balanced).to_have_accessible_description(re.compile("Responde más preguntas"))
    expect(cautious).to_have_accessible_description(
        re.compile("Solo responde cuando está muy seguro.*mensaje de respaldo")
    )
    expect(choices).not_to_contain_text(re.compile(r"\d"))

    # From the keyboard: the arrow moves the choice within the group.
    balanced.focus()
    page.keyboard.press("ArrowDown")
    expect(cautious).to_be_checked()
    expect(cautious).to_be_focused()
    save(page)
    assert faq_caution(dashboard.database_url, business.id) == "cautious"

    page.reload()
    expect(page.get_by_role("radio", name="Prudentes")).to_be_checked()
    expect(page.get_by_role("radio", name="Equilibradas (recomendado)")).not_to_be_checked()
    save(page, "No hay cambios que guardar.")

    # Back to balanced, with a click on the option's words.
    page.get_by_text("Equilibradas (recomendado)", exact=True).click()
    expect(page.get_by_role("radio", name="Equilibradas (recomendado)")).to_be_checked()
    save(page)
    assert faq_caution(dashboard.database_url, business.id) == "balanced"
    page.reload()
    expect(page.get_by_role("radio", name="Equilibradas (recomendado)")).to_be_checked()


def test_a_refused_caution_shows_on_its_choices(
    business_page: tuple[Page, Business], dashboard: Dashboard
) -> None:
    """The request altered on its way: the database's check answers, in the owner's words,
    and nothing is saved."""
    page, business = business_page
    before = settings_row(dashboard.database_url, business.id)

    def alter(route: Route) -> None:
        body = json.loads(route.request.post_data or "{}")
        if route.request.method == "PATCH" and "faq_caution" in body:
            body["faq_caution"] = "muy_prudente"
            route.continue_(post_data=json.dumps(body))
        else:
            route.continue_()

    page.route(re.compile(r"/rest/v1/users\?"), alter)
    page.get_by_role("radio", name="Prudentes").check()
    page.get_by_role("button", name="Guardar cambios").click()
    expect(page.locator("#settings-caution-error")).to_have_text(
        "Elige cómo enviar las respuestas automáticas: Equilibradas o Prudentes."
    )
    expect(page.locator("#settings-caution-title")).to_be_focused()
    assert settings_row(dashboard.database_url, business.id) == before
    assert faq_caution(dashboard.database_url, business.id) == "balanced"


def clock_around_now(database_url: str, zone: str) -> dict[str, str]:
    """The database's now() in `zone`: today's and yesterday's weekday keys, and times
    an hour before and after, and two and three hours after."""
    [row] = query(
        database_url,
        "select lower(to_char(l, 'dy')), lower(to_char(l - interval '1 day', 'dy')),"
        " to_char(l - interval '1 hour', 'HH24:MI'), to_char(l + interval '1 hour', 'HH24:MI'),"
        " to_char(l + interval '2 hours', 'HH24:MI'), to_char(l + interval '3 hours', 'HH24:MI')"
        " from (select timezone(%s, now()) as l) now_there",
        zone,
    )
    keys = ("today", "yesterday", "minus1", "plus1", "plus2", "plus3")
    return dict(zip(keys, row, strict=True))


def last_reply(database_url: str, owner_id: str, phone: str) -> tuple[str, str]:
    [row] = query(
        database_url,
        "select m.reply_kind, m.content from public.messages m"
        " join public.clients c on c.id = m.client_id"
        " where c.owner_id = %s and c.phone = %s and m.direction = 'out'"
        " order by m.timestamp desc limit 1",
        owner_id,
        phone,
    )
    return str(row[0]), str(row[1])


def test_the_away_message_goes_out_outside_the_hours_and_the_fallback_inside(
    business_page: tuple[Page, Business], dashboard: Dashboard
) -> None:
    """The pipeline reads the database's clock, so the hours are set around it: today
    from two to three hours from now (closed now), then from an hour ago to an hour from
    now, yesterday too in case that range crosses midnight (open now)."""
    page, business = business_page
    execute(
        dashboard.database_url,
        "insert into public.faqs (owner_id, question, answer, keywords)"
        " values (%s, '¿A qué hora abren?', 'Abrimos de 9 a 18 h.', '{horario,abren}')",
        business.id,
    )
    fallback = "Gracias por escribir 🍰 En un momento te atendemos."
    away = "Estamos cerrados 🌙 Te respondemos en cuanto abramos."
    zone = "America/Mexico_City"
    expect(page.get_by_label("Zona horaria")).to_have_value(zone)
    clock = clock_around_now(dashboard.database_url, zone)

    page.get_by_label("Mensaje", exact=True).fill(fallback)
    page.get_by_label("No repetirlo al mismo cliente antes de").fill("0")
    page.locator(f"#hours-{clock['today']}-add").click()
    set_range(page, clock["today"], 0, clock["plus2"], clock["plus3"])
    page.get_by_label("Mensaje de ausencia (opcional)").fill(away)
    expect(page.locator("#settings-open-now")).to_contain_text("estás cerrado")
    save(page)

    closed_question, closed_faq = random_phone(), random_phone()
    send_as_customer(dashboard.url, business.number, closed_question, "Quiero hablar con alguien")
    assert last_reply(dashboard.database_url, business.id, closed_question) == ("away", away)
    send_as_customer(dashboard.url, business.number, closed_faq, "a que hora abren?")
    assert last_reply(dashboard.database_url, business.id, closed_faq) == (
        "faq",
        "Abrimos de 9 a 18 h.",
    )

    set_range(page, clock["today"], 0, clock["minus1"], clock["plus1"])
    page.locator(f"#hours-{clock['yesterday']}-add").click()
    set_range(page, clock["yesterday"], 0, clock["minus1"], clock["plus1"])
    expect(page.locator("#settings-open-now")).to_contain_text("estás abierto")
    save(page)
    [(hours,)] = query(
        dashboard.database_url, "select business_hours from public.users where id = %s", business.id
    )
    assert hours[clock["today"]] == [[clock["minus1"], clock["plus1"]]]

    open_question, open_faq = random_phone(), random_phone()
    send_as_customer(dashboard.url, business.number, open_question, "Quiero hablar con alguien")
    assert last_reply(dashboard.database_url, business.id, open_question) == ("fallback", fallback)
    send_as_customer(dashboard.url, business.number, open_faq, "a que hora abren?")
    assert last_reply(dashboard.database_url, business.id, open_faq) == (
        "faq",
        "Abrimos de 9 a 18 h.",
    )

    # The owner sees which was which in the conversation.
    page.locator("#nav-inbox").click()
    [(client_id,)] = query(
        dashboard.database_url,
        "select id from public.clients where owner_id = %s and phone = %s",
        business.id,
        closed_question,
    )
    page.locator(f'.row[data-client-id="{client_id}"]').click()
    expect(page.locator(".bubble.out[data-kind=away] .reply-kind")).to_have_text(
        "Respuesta automática · Fuera de horario"
    )


def test_the_settings_screen_fits_a_phone(browser: Browser, dashboard: Dashboard) -> None:
    context = browser.new_context(viewport=PHONE)
    try:
        page = context.new_page()
        sign_in_new_business(page, dashboard, "Consultorio Dra. Núñez")
        open_settings(page)
        page.get_by_role("button", name="Abrir el Lunes").click()
        page.get_by_role("button", name="Añadir otro horario el Lunes").click()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        for control in (
            page.get_by_label("Nombre del negocio"),
            page.get_by_label("Mensaje", exact=True),
            page.get_by_label("No repetirlo al mismo cliente antes de"),
            page.get_by_role("radio", name="Equilibradas (recomendado)"),
            page.get_by_role("radio", name="Prudentes"),
            page.get_by_label("Zona horaria"),
            page.locator("#hours-mon-1-to"),
            page.get_by_role("button", name="Quitar el horario 2 del Lunes"),
            page.get_by_label("Mensaje de ausencia (opcional)"),
            page.get_by_label("Idioma del panel"),
            page.get_by_role("button", name="Guardar cambios"),
        ):
            control.scroll_into_view_if_needed()
            expect(control).to_be_in_viewport()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        caution = page.get_by_role("group", name="Respuestas automáticas")
        caution.screenshot(path=str(ARTIFACTS_DIR / "dashboard-settings-caution-phone.png"))
        set_range(page, "mon", 0, "09:00", "13:00")
        set_range(page, "mon", 1, "16:00", "20:00")
        save(page)
        page.screenshot(path=str(ARTIFACTS_DIR / "dashboard-settings-phone.png"), full_page=True)
    finally:
        context.close()


def test_the_bakery_sees_its_settings(context: BrowserContext, dashboard: Dashboard) -> None:
    """Read only: the demo bakery's settings as the seed wrote them."""
    page = context.new_page()
    sign_in_with_google(page, dashboard.url, SEED_OWNER_EMAIL)
    expect(page.locator(".row").first).to_be_visible()
    open_settings(page)
    expect(page.get_by_label("Nombre del negocio")).to_have_value("Panadería La Espiga")
    expect(page.locator("#settings-number")).to_have_text("+5213312345678")
    expect(page.get_by_label("Zona horaria")).to_have_value("America/Mexico_City")
    for day in DAYS[:6]:
        expect(page.locator(f"#hours-{day}-0-from")).to_have_value("07:00")
        expect(page.locator(f"#hours-{day}-0-to")).to_have_value("20:00")
    expect(page.locator("#hours-sun-0-from")).to_have_value("08:00")
    expect(page.get_by_label("Mensaje de ausencia (opcional)")).to_have_value(
        re.compile("Ahorita estamos cerrados")
    )
    screenshot_section(page, "settings.png")
