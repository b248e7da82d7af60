"""Signing in to the dashboard with Google (the local stand-in), onboarding, sessions,
deep links and the language choice, in real Chromium against the local stack."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest
from playwright.sync_api import Browser, BrowserContext, ViewportSize, expect

from devstack.seed import SEED_OWNER_EMAIL, SEED_OWNER_ID
from tests.browser import ARTIFACTS_DIR
from tests.dashboard.conftest import Dashboard
from tests.dashboard.helpers import new_email, open_menu, sign_in_with_google

DESKTOP: ViewportSize = {"width": 1280, "height": 860}
NARROW: ViewportSize = {"width": 375, "height": 740}


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh browser profile: no session, no saved language."""
    opened = browser.new_context(viewport=DESKTOP)
    yield opened
    opened.close()


def seed_client_id(database_url: str, phone: str) -> str:
    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            "select id from public.clients where owner_id = %s and phone = %s",
            (SEED_OWNER_ID, phone),
        ).fetchone()
    assert row is not None
    return str(row[0])


def owner_row(database_url: str, email: str) -> dict[str, object]:
    with psycopg.connect(database_url) as conn:
        cursor = conn.execute(
            "select id, business_name, fallback_message, away_message, timezone, business_hours,"
            " onboarding_complete from public.users where email = %s",
            (email,),
        )
        row = cursor.fetchone()
        assert row is not None and cursor.description is not None
        return dict(zip([c.name for c in cursor.description], row, strict=True))


def test_a_signed_out_visitor_sees_only_the_sign_in_page(
    context: BrowserContext, dashboard: Dashboard
) -> None:
    page = context.new_page()
    data_requests: list[str] = []
    page.on("request", lambda r: data_requests.append(r.url) if "/rest/v1/" in r.url else None)
    page.goto(f"{dashboard.url}/#/c/{uuid.uuid4()}")
    expect(page.locator("#google-sign-in")).to_have_text("Continuar con Google")
    expect(page.locator("#deep-link-note")).to_be_visible()
    expect(page.locator(".workspace")).to_have_count(0)
    expect(page).to_have_title("FácilChat")
    page.screenshot(path=str(ARTIFACTS_DIR / "dashboard-sign-in.png"))
    assert data_requests == []


def test_a_new_owner_signs_in_with_google_and_completes_onboarding(
    context: BrowserContext, dashboard: Dashboard
) -> None:
    email = new_email()
    page = context.new_page()
    sign_in_with_google(page, dashboard.url, email)

    # 1. The business name; the WhatsApp number is not assigned yet, and the page says how.
    expect(page.locator("#step-count")).to_have_text("Paso 1 de 4")
    expect(page.locator("#whatsapp-number")).to_contain_text("Aún no tienes un número de WhatsApp")
    page.get_by_role("button", name="Siguiente").click()
    expect(page.locator("#business-name-error")).to_have_text("Escribe el nombre de tu negocio.")
    page.get_by_label("Nombre del negocio").fill("Salón Bella Vista")
    page.screenshot(path=str(ARTIFACTS_DIR / "dashboard-onboarding-1.png"))
    page.get_by_role("button", name="Siguiente").click()

    # 2. The fallback message.
    expect(page.locator("#step-count")).to_have_text("Paso 2 de 4")
    fallback = page.get_by_label("Mensaje de respaldo")
    # The step shows the business's current fallback once it has loaded; clear it then.
    expect(fallback).not_to_have_value("")
    fallback.fill("")
    page.get_by_role("button", name="Siguiente").click()
    expect(page.locator("#fallback-help")).to_contain_text("Escribe un mensaje de respaldo")
    fallback.fill("Gracias por escribir a Salón Bella Vista 💇 En un momento te atendemos.")
    page.get_by_role("button", name="Siguiente").click()

    # 3. Hours and the away message: Monday to Friday, 10:00 to 19:00.
    expect(page.locator("#step-count")).to_have_text("Paso 3 de 4")
    for day in ("mon", "tue", "wed", "thu", "fri"):
        page.locator(f"#open-{day}").check()
        page.locator(f"#from-{day}").fill("10:00")
        page.locator(f"#to-{day}").fill("19:00")
    page.locator("#to-fri").fill("09:00")
    page.get_by_role("button", name="Siguiente").click()
    expect(page.get_by_role("alert")).to_contain_text("Revisa el horario del Viernes")
    page.locator("#to-fri").fill("19:00")
    page.get_by_label("Mensaje de ausencia (opcional)").fill(
        "Estamos cerrados; te respondemos mañana."
    )
    page.get_by_role("button", name="Siguiente").click()

    # 4. The first FAQs, from the salon suggestions.
    expect(page.locator("#step-count")).to_have_text("Paso 4 de 4")
    page.get_by_role("button", name="Salón de belleza").click()
    expect(page.locator("#faq-question-0")).to_have_value("¿Cuál es su horario?")
    page.screenshot(path=str(ARTIFACTS_DIR / "dashboard-onboarding-4.png"), full_page=True)
    page.get_by_role("button", name="Guardar y terminar").click()
    # A suggestion still holds "[precio]": the owner must fill it in or untick it.
    expect(page.get_by_role("alert")).to_contain_text("Completa la pregunta 3")
    page.locator("#faq-answer-2").fill("El corte de dama cuesta $350 y el de caballero $200.")
    page.locator("#faq-use-1").uncheck()
    page.get_by_role("button", name="Guardar y terminar").click()

    # The inbox, empty for a new business.
    expect(page.locator("#inbox-empty")).to_contain_text("Aún no tienes conversaciones.")
    expect(page.locator(".business")).to_have_text("Salón Bella Vista")

    owner = owner_row(dashboard.database_url, email)
    assert owner["business_name"] == "Salón Bella Vista"
    assert (
        owner["fallback_message"]
        == "Gracias por escribir a Salón Bella Vista 💇 En un momento te atendemos."
    )
    assert owner["away_message"] == "Estamos cerrados; te respondemos mañana."
    hours = {day: [["10:00", "19:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
    assert owner["business_hours"] == hours
    assert owner["onboarding_complete"] is True
    with psycopg.connect(dashboard.database_url) as conn:
        faqs = conn.execute(
            "select question, answer from public.faqs where owner_id = %s order by position",
            (owner["id"],),
        ).fetchall()
    assert [question for question, _ in faqs] == [
        "¿Cuál es su horario?",
        "¿Cuánto cuesta un corte?",
        "¿Qué formas de pago aceptan?",
    ]
    assert faqs[1][1] == "El corte de dama cuesta $350 y el de caballero $200."

    # Onboarding is done: a reload opens the inbox.
    page.reload()
    expect(page.locator("#inbox-empty")).to_be_visible()


def test_onboarding_can_be_left_and_resumed(browser: Browser, dashboard: Dashboard) -> None:
    email = new_email()
    context = browser.new_context(viewport=NARROW)
    page = context.new_page()
    sign_in_with_google(page, dashboard.url, email)
    page.get_by_label("Nombre del negocio").fill("Consultorio Dra. Núñez")
    page.get_by_role("button", name="Siguiente").click()
    expect(page.locator("#step-count")).to_have_text("Paso 2 de 4")
    page.screenshot(path=str(ARTIFACTS_DIR / "dashboard-onboarding-phone.png"), full_page=True)

    # The operator connects a WhatsApp number meanwhile; the owner comes back later.
    number = f"+52155{uuid.uuid4().int % 10**8:08d}"
    with psycopg.connect(dashboard.database_url, autocommit=True) as conn:
        conn.execute(
            "update public.users set whatsapp_number = %s where email = %s", (number, email)
        )
    page.close()
    page = context.new_page()
    page.goto(dashboard.url)
    expect(page.locator("#step-count")).to_have_text("Paso 2 de 4")
    page.get_by_role("button", name="Atrás").click()
    expect(page.get_by_label("Nombre del negocio")).to_have_value("Consultorio Dra. Núñez")
    expect(page.locator("#whatsapp-number")).to_have_text(f"Tu número de WhatsApp: {number}")
    assert owner_row(dashboard.database_url, email)["onboarding_complete"] is False
    context.close()


def test_the_session_survives_a_reload_and_signing_out_ends_it(
    context: BrowserContext, dashboard: Dashboard
) -> None:
    page = context.new_page()
    sign_in_with_google(page, dashboard.url, SEED_OWNER_EMAIL)
    expect(page.locator(".business")).to_have_text("Panadería La Espiga")
    # The code from Google's redirect is exchanged and removed from the address.
    assert "code=" not in page.url
    page.reload()
    expect(page.locator(".business")).to_have_text("Panadería La Espiga")
    expect(page.locator(".row").first).to_be_visible()

    open_menu(page)
    expect(page.locator("#account-menu")).to_contain_text(f"Sesión: {SEED_OWNER_EMAIL}")
    page.locator("#sign-out").click()
    expect(page.locator("#google-sign-in")).to_be_visible()
    page.reload()
    expect(page.locator("#google-sign-in")).to_be_visible()
    expect(page.locator(".workspace")).to_have_count(0)


def test_an_expired_session_is_refreshed_without_signing_in_again(
    context: BrowserContext, dashboard: Dashboard
) -> None:
    page = context.new_page()
    sign_in_with_google(page, dashboard.url, SEED_OWNER_EMAIL)
    expect(page.locator(".row").first).to_be_visible()
    stored = """() => JSON.parse(localStorage.getItem(
        Object.keys(localStorage).find((name) => name.endsWith("-auth-token"))))"""
    before = page.evaluate(stored)
    # The stored session says its access token expired a minute ago.
    page.evaluate(
        """() => {
            const key = Object.keys(localStorage).find((name) => name.endsWith("-auth-token"));
            const session = JSON.parse(localStorage.getItem(key));
            session.expires_at = Math.floor(Date.now() / 1000) - 60;
            localStorage.setItem(key, JSON.stringify(session));
        }"""
    )
    refreshes: list[int] = []
    page.on(
        "response",
        lambda r: refreshes.append(r.status) if "grant_type=refresh_token" in r.url else None,
    )
    page.reload()
    expect(page.locator(".row").first).to_be_visible()
    expect(page.locator("body")).to_have_attribute("data-live", "live", timeout=10_000)
    after = page.evaluate(stored)
    assert refreshes == [200]
    # Refresh tokens rotate: the session is a new one, valid for the next hour.
    assert after["refresh_token"] != before["refresh_token"]
    assert after["expires_at"] >= before["expires_at"]
    expect(page.locator("#google-sign-in")).to_have_count(0)


def test_a_deep_link_survives_sign_in(context: BrowserContext, dashboard: Dashboard) -> None:
    client_id = seed_client_id(dashboard.database_url, "+5213336610482")
    page = context.new_page()
    sign_in_with_google(page, dashboard.url, SEED_OWNER_EMAIL, path=f"/#/c/{client_id}")
    expect(page.locator("#conversation-title")).to_have_text("Ana Sofía Delgado")
    assert page.url.endswith(f"#/c/{client_id}")


def test_cancelling_on_google_shows_why_in_spanish(
    context: BrowserContext, dashboard: Dashboard
) -> None:
    page = context.new_page()
    page.goto(dashboard.url)
    page.locator("#google-sign-in").click()
    page.get_by_role("button", name="Cancelar · Cancel").click()
    expect(page.locator("#signin-error")).to_have_text(
        "Cancelaste el inicio de sesión con Google. Puedes intentarlo otra vez."
    )
    assert "error=" not in page.url


def test_the_chosen_language_is_used_and_remembered(
    context: BrowserContext, dashboard: Dashboard
) -> None:
    page = context.new_page()
    page.goto(dashboard.url)
    expect(page.locator("html")).to_have_attribute("lang", "es")
    page.get_by_label("Idioma").select_option("pt")
    expect(page.locator("#google-sign-in")).to_have_text("Continuar com o Google")
    page.reload()
    expect(page.locator("#google-sign-in")).to_have_text("Continuar com o Google")
    expect(page.locator("html")).to_have_attribute("lang", "pt")
    sign_in_with_google(page, dashboard.url, SEED_OWNER_EMAIL)
    expect(page.locator("#inbox-title")).to_have_text("Conversas")
    open_menu(page)
    page.get_by_label("Idioma").select_option("en")
    expect(page.locator("#inbox-title")).to_have_text("Conversations")
    expect(page.locator("#status-archived")).to_have_text("Archived")
