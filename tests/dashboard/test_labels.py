"""The labels screen in real Chromium against the local stack: creating, renaming,
recolouring, deactivating and deleting labels; an automatic label's keyword rule, applied
by a customer's message sent through the simulator once the owner saved it; built-in
labels that are renamed but never deleted; the counts, live, and the link that opens the
inbox filtered by a label; a phone's width.

Each test works on a business of its own (a new Google account given a WhatsApp number),
so the demo bakery the other modules share stays as it is; only the screenshot reads the
bakery.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, expect

from devstack.seed import SEED_OWNER_EMAIL, SEED_OWNER_ID
from tests.browser import ARTIFACTS_DIR
from tests.dashboard.conftest import Dashboard
from tests.dashboard.helpers import new_email, send_as_customer, sign_in_with_google
from tests.factories import random_phone

DESKTOP: ViewportSize = {"width": 1280, "height": 860}
PHONE: ViewportSize = {"width": 375, "height": 740}
LIVE_TIMEOUT = 10_000


@dataclass
class Business:
    """A business signed in in the browser, with its own WhatsApp number."""

    id: str
    email: str
    number: str


def query(database_url: str, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(database_url, autocommit=True) as conn:
        return conn.execute(sql, params).fetchall()


def execute(database_url: str, sql: str, *params: Any) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(sql, params)


def sign_in_new_business(page: Page, dashboard: Dashboard, name: str) -> Business:
    """A new owner through Google sign-in, set up as the operator and onboarding would:
    a business name, a WhatsApp number, onboarding done. The inbox is open and live."""
    email = new_email()
    sign_in_with_google(page, dashboard.url, email)
    expect(page.locator("#step-count")).to_have_text("Paso 1 de 4")
    number = random_phone()
    [(owner_id,)] = query(
        dashboard.database_url,
        "update public.users set business_name = %s, whatsapp_number = %s,"
        " onboarding_complete = true where email = %s returning id",
        name,
        number,
        email,
    )
    page.reload()
    expect(page.locator("#nav-labels")).to_be_visible()
    expect(page.locator("body")).to_have_attribute("data-live", "live", timeout=LIVE_TIMEOUT)
    return Business(str(owner_id), email, number)


def open_labels(page: Page) -> None:
    page.locator("#nav-labels").click()
    expect(page.get_by_role("heading", name="Etiquetas", exact=True)).to_be_visible()
    expect(page.locator(".labels-card").first).to_be_visible()


def card(page: Page, name: str) -> Any:
    return page.locator(".labels-card", has=page.locator(".chip", has_text=name))


def label_row(database_url: str, owner_id: str, name: str) -> dict[str, Any]:
    rows = query(
        database_url,
        "select id, color, type, keywords, active, builtin from public.labels"
        " where owner_id = %s and name = %s",
        owner_id,
        name,
    )
    assert len(rows) == 1, (name, rows)
    label_id, color, type_, keywords, active, builtin = rows[0]
    return {
        "id": str(label_id),
        "color": color,
        "type": type_,
        "keywords": keywords,
        "active": active,
        "builtin": builtin,
    }


def labels_of(database_url: str, owner_id: str, phone: str) -> list[str]:
    rows = query(
        database_url,
        "select l.name from public.client_labels cl join public.clients c on c.id = cl.client_id"
        " join public.labels l on l.id = cl.label_id where c.owner_id = %s and c.phone = %s"
        " order by l.name",
        owner_id,
        phone,
    )
    return [name for (name,) in rows]


def screenshot_section(page: Page, name: str) -> None:
    """The whole screen, for the docs: the section scrolls inside the window, so the window
    grows to hold it (a full-page capture would cut it)."""
    height = page.evaluate(
        "(pane => pane.getBoundingClientRect().top + pane.scrollHeight)"
        "(document.getElementById('section-main'))"
    )
    page.set_viewport_size({"width": DESKTOP["width"], "height": int(height)})
    page.screenshot(path=str(ARTIFACTS_DIR / name))


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
    open_labels(page)
    return page, business


def test_a_manual_label_is_created_renamed_recoloured_deactivated_and_deleted(
    business_page: tuple[Page, Business], dashboard: Dashboard
) -> None:
    page, business = business_page
    expect(page.locator(".labels-empty")).to_contain_text("Todavía no tienes etiquetas propias")

    # Create: the name is required, then a manual label in orange.
    page.get_by_role("button", name="Nueva etiqueta").click()
    page.get_by_role("button", name="Crear etiqueta").click()
    expect(page.locator("#new-label-name-error")).to_have_text(
        "Escribe un nombre para la etiqueta."
    )
    page.get_by_label("Nombre").fill("  Mayoreo  ")
    page.get_by_label("Naranja").check()
    expect(page.locator(".labels-preview .chip")).to_have_text("Mayoreo")
    page.get_by_role("button", name="Crear etiqueta").click()
    expect(card(page, "Mayoreo")).to_contain_text("Manual")
    expect(card(page, "Mayoreo")).to_contain_text("Ningún cliente la tiene")
    created = label_row(dashboard.database_url, business.id, "Mayoreo")
    assert created["color"] == "#c2410c"
    assert created["type"] == "manual" and created["active"] is True
    # The chip's text keeps its contrast on the colour: white on orange.
    chip = card(page, "Mayoreo").locator(".chip")
    assert chip.evaluate("el => getComputedStyle(el).color") == "rgb(255, 255, 255)"

    # A second label with the same name, whatever its capitals, is refused in the form.
    page.get_by_role("button", name="Nueva etiqueta").click()
    page.get_by_label("Nombre").fill("MAYOREO")
    page.get_by_role("button", name="Crear etiqueta").click()
    expect(page.locator("#new-label-name-error")).to_have_text(
        "Ya tienes una etiqueta con ese nombre. Elige otro."
    )
    page.get_by_role("button", name="Cancelar").click()

    # Rename and recolour.
    page.get_by_role("button", name="Editar Mayoreo").click()
    page.get_by_label("Nombre").fill("Mayoristas")
    page.get_by_label("Amarillo").check()
    page.get_by_role("button", name="Guardar", exact=True).click()
    expect(card(page, "Mayoristas")).to_be_visible()
    expect(page.get_by_role("button", name="Editar Mayoristas")).to_be_focused()
    renamed = label_row(dashboard.database_url, business.id, "Mayoristas")
    assert renamed["id"] == created["id"] and renamed["color"] == "#eab308"
    # Dark text on yellow.
    assert (
        card(page, "Mayoristas").locator(".chip").evaluate("el => getComputedStyle(el).color")
        == "rgb(17, 27, 33)"
    )

    # Deactivate and activate again.
    page.get_by_role("button", name="Desactivar Mayoristas").click()
    expect(card(page, "Mayoristas")).to_contain_text("Desactivada")
    assert label_row(dashboard.database_url, business.id, "Mayoristas")["active"] is False
    page.get_by_role("button", name="Activar Mayoristas").click()
    expect(card(page, "Mayoristas").locator(".labels-off-tag")).to_have_count(0)
    assert label_row(dashboard.database_url, business.id, "Mayoristas")["active"] is True

    # A client carries it; deleting it asks first and says how many clients have it.
    phone = random_phone()
    send_as_customer(dashboard.url, business.number, phone, "Hola, buenas tardes")
    execute(
        dashboard.database_url,
        "insert into public.client_labels (client_id, label_id)"
        " select id, %s from public.clients where owner_id = %s and phone = %s",
        renamed["id"],
        business.id,
        phone,
    )
    expect(card(page, "Mayoristas").locator(".labels-count")).to_have_text(
        "1 cliente", timeout=LIVE_TIMEOUT
    )
    page.get_by_role("button", name="Borrar Mayoristas").click()
    dialog = page.get_by_role("dialog", name="¿Borrar la etiqueta «Mayoristas»?")
    expect(dialog).to_contain_text("La tiene 1 cliente: se le quitará.")
    expect(dialog).to_contain_text("Las conversaciones no se borran.")
    dialog.get_by_role("button", name="Cancelar").click()
    expect(dialog).to_be_hidden()
    assert label_row(dashboard.database_url, business.id, "Mayoristas")["id"] == created["id"]
    page.get_by_role("button", name="Borrar Mayoristas").click()
    dialog.get_by_role("button", name="Borrar etiqueta").click()
    expect(card(page, "Mayoristas")).to_have_count(0)
    assert (
        query(dashboard.database_url, "select 1 from public.labels where id = %s", created["id"])
        == []
    )
    # The client and its conversation stay, with their other labels.
    assert labels_of(dashboard.database_url, business.id, phone) == [
        "Cliente nuevo",
        "Requiere atención",
    ]


def test_an_automatic_label_applies_to_the_next_message_and_its_count_opens_the_inbox(
    business_page: tuple[Page, Business], dashboard: Dashboard
) -> None:
    page, business = business_page
    page.get_by_role("button", name="Nueva etiqueta").click()
    page.get_by_label("Nombre").fill("Pasteles de fiesta")
    page.get_by_label("Rosa").check()
    page.get_by_label("Automática").check()
    keyword = page.get_by_label("Palabras que la ponen")

    # An automatic label needs words; a word must have letters, and repeats are refused as
    # the matcher folds them (capitals and accents do not count).
    page.get_by_role("button", name="Crear etiqueta").click()
    expect(page.locator("#new-label-keywords-help")).to_contain_text("Añade al menos una palabra")
    keyword.fill("¡¡!!")
    keyword.press("Enter")
    expect(page.locator("#new-label-keywords-help")).to_have_text(
        "«¡¡!!» no tiene letras ni números: nunca coincidiría con un mensaje."
    )
    keyword.fill("Cumpleaños")
    keyword.press("Enter")
    keyword.fill("CUMPLEANOS")
    keyword.press("Enter")
    expect(page.locator("#new-label-keywords-help")).to_have_text(
        "«CUMPLEANOS» ya está en la lista como «Cumpleaños»."
    )
    keyword.fill("pastel de boda, xv años")
    keyword.press("Enter")
    expect(page.locator(".labels-keyword-list .labels-keyword span")).to_have_text(
        ["Cumpleaños", "pastel de boda", "xv años"]
    )
    page.screenshot(path=str(ARTIFACTS_DIR / "dashboard-labels-form.png"))
    page.get_by_role("button", name="Quitar la palabra xv años").click()
    # A word still in the field counts when the form is sent.
    keyword.fill("bautizo")
    page.get_by_role("button", name="Crear etiqueta").click()
    expect(card(page, "Pasteles de fiesta")).to_contain_text("Automática")
    expect(card(page, "Pasteles de fiesta").locator(".labels-rule .labels-keyword")).to_have_text(
        ["Cumpleaños", "pastel de boda", "bautizo"]
    )
    label = label_row(dashboard.database_url, business.id, "Pasteles de fiesta")
    assert label["type"] == "auto"
    assert label["keywords"] == ["Cumpleaños", "pastel de boda", "bautizo"]

    # A customer writes it without the tilde, in capitals: the rule applies, and the count
    # on the screen follows live.
    phone = random_phone()
    send_as_customer(
        dashboard.url, business.number, phone, "¿Hacen pasteles para un CUMPLEANOS?", "Lucía"
    )
    # (The business has no FAQs yet: its fallback answered, so "Requiere atención" too.)
    assert labels_of(dashboard.database_url, business.id, phone) == [
        "Cliente nuevo",
        "Pasteles de fiesta",
        "Requiere atención",
    ]
    other = random_phone()
    send_as_customer(dashboard.url, business.number, other, "Quiero un pastel", "Mario")
    assert "Pasteles de fiesta" not in labels_of(dashboard.database_url, business.id, other)
    count = card(page, "Pasteles de fiesta").locator(".labels-count-link")
    expect(count).to_have_text("1 cliente", timeout=LIVE_TIMEOUT)
    expect(card(page, "Cliente nuevo").locator(".labels-count-link")).to_have_text(
        "2 clientes", timeout=LIVE_TIMEOUT
    )

    # The count opens the inbox filtered by the label: only Lucía's conversation.
    count.click()
    expect(page).to_have_url(f"{dashboard.url}/#/label/{label['id']}")
    expect(page.locator("#label-filter")).to_have_value(label["id"])
    expect(page.locator(".row-name")).to_have_text(["Lucía"])


def test_built_in_labels_are_renamed_and_deactivated_but_never_deleted(
    business_page: tuple[Page, Business], dashboard: Dashboard
) -> None:
    page, business = business_page
    builtins = page.locator(".labels-list[aria-labelledby=builtin-labels-title] .labels-card")
    expect(builtins).to_have_count(2)
    # No delete button on either; edit and deactivate only.
    expect(builtins.get_by_role("button", name="Borrar")).to_have_count(0)
    expect(builtins.first).to_contain_text("Integrada")

    page.get_by_role("button", name="Editar Cliente nuevo").click()
    # Its kind is fixed: no manual/automatic choice, no keywords.
    expect(page.get_by_label("Automática")).to_have_count(0)
    page.get_by_label("Nombre").fill("Primera vez")
    page.get_by_label("Morado").check()
    page.get_by_role("button", name="Guardar", exact=True).click()
    expect(card(page, "Primera vez")).to_contain_text("Integrada")
    renamed = label_row(dashboard.database_url, business.id, "Primera vez")
    assert renamed["builtin"] == "new_client" and renamed["color"] == "#7c3aed"

    # The pipeline finds it by its role, not its name: a new client gets it.
    phone = random_phone()
    send_as_customer(dashboard.url, business.number, phone, "Hola")
    assert "Primera vez" in labels_of(dashboard.database_url, business.id, phone)
    expect(card(page, "Primera vez").locator(".labels-count-link")).to_have_text(
        "1 cliente", timeout=LIVE_TIMEOUT
    )

    # Deactivated, it marks new clients no more.
    page.get_by_role("button", name="Desactivar Primera vez").click()
    expect(card(page, "Primera vez")).to_contain_text("Desactivada")
    later = random_phone()
    send_as_customer(dashboard.url, business.number, later, "Hola")
    assert "Primera vez" not in labels_of(dashboard.database_url, business.id, later)

    # And the database itself refuses to delete it (tests/dashboard/test_labels_rpc.py
    # covers the API's answer); it is still there.
    assert label_row(dashboard.database_url, business.id, "Primera vez")["id"] == renamed["id"]


def test_the_labels_screen_fits_a_phone(browser: Browser, dashboard: Dashboard) -> None:
    context = browser.new_context(viewport=PHONE)
    try:
        page = context.new_page()
        sign_in_new_business(page, dashboard, "Salón Bella Vista")
        open_labels(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        new = page.get_by_role("button", name="Nueva etiqueta")
        expect(new).to_be_in_viewport()
        new.click()
        page.get_by_label("Automática").check()
        for control in (
            page.get_by_label("Nombre"),
            page.get_by_label("Azul", exact=True),
            page.get_by_label("Palabras que la ponen"),
            page.get_by_role("button", name="Crear etiqueta"),
        ):
            control.scroll_into_view_if_needed()
            expect(control).to_be_in_viewport()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.screenshot(path=str(ARTIFACTS_DIR / "dashboard-labels-form-phone.png"))
        page.get_by_label("Nombre").fill("Urgente")
        page.get_by_label("Palabras que la ponen").fill("urgente")
        page.get_by_role("button", name="Crear etiqueta").click()
        expect(card(page, "Urgente")).to_be_visible()
        for name in ("Editar Urgente", "Desactivar Urgente", "Borrar Urgente"):
            expect(page.get_by_role("button", name=name)).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.screenshot(path=str(ARTIFACTS_DIR / "dashboard-labels-phone.png"), full_page=True)
    finally:
        context.close()


def test_the_bakery_sees_its_labels_with_their_counts(
    context: BrowserContext, dashboard: Dashboard
) -> None:
    """Read only: the demo bakery's labels and counts, as the database counts them."""
    page = context.new_page()
    sign_in_with_google(page, dashboard.url, SEED_OWNER_EMAIL)
    expect(page.locator(".row").first).to_be_visible()
    open_labels(page)
    expected = query(
        dashboard.database_url,
        "select l.name, count(cl.client_id) from public.labels l"
        " left join public.client_labels cl on cl.label_id = l.id"
        " where l.owner_id = %s group by l.name",
        SEED_OWNER_ID,
    )
    assert len(expected) >= 9
    expect(page.locator(".labels-card")).to_have_count(len(expected))
    for name, clients in expected:
        text = "Ningún cliente la tiene" if clients == 0 else f"{clients} cliente"
        expect(card(page, name).locator(".labels-count")).to_contain_text(text)
    expect(card(page, "Pasteles").locator(".labels-rule")).to_contain_text("cumpleaños")
    screenshot_section(page, "labels.png")
