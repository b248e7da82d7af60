"""The inbox and conversations of the demo bakery, in real Chromium against the local
stack: the seed's conversations, live messages and their FAQ replies with ticks, unread
counts, labels, archive, search, the conversation's details, keyboard use and a phone.

Expectations are read from the database at the time of each test, since tests before
it may have read or labelled conversations.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, expect

from devstack.seed import SEED_OWNER_EMAIL, SEED_OWNER_ID, SEED_WHATSAPP_NUMBER
from tests.browser import ARTIFACTS_DIR
from tests.dashboard.conftest import Dashboard
from tests.dashboard.helpers import open_menu, send_as_customer, sign_in_with_google
from tests.factories import random_phone

DESKTOP: ViewportSize = {"width": 1280, "height": 860}
PHONE: ViewportSize = {"width": 375, "height": 760}
LIVE_TIMEOUT = 10_000


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    opened = browser.new_context(viewport=DESKTOP)
    yield opened
    opened.close()


@pytest.fixture
def inbox(context: BrowserContext, dashboard: Dashboard) -> Page:
    """The seed owner, signed in, with the live channel joined."""
    page = context.new_page()
    sign_in_with_google(page, dashboard.url, SEED_OWNER_EMAIL)
    expect(page.locator(".row").first).to_be_visible()
    expect(page.locator("body")).to_have_attribute("data-live", "live", timeout=LIVE_TIMEOUT)
    return page


def query(database_url: str, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(database_url, autocommit=True) as conn:
        return conn.execute(sql, params).fetchall()


def client_named(database_url: str, name: str) -> dict[str, Any]:
    rows = query(
        database_url,
        "select id, phone, unread_count, status from public.clients"
        " where owner_id = %s and name = %s",
        SEED_OWNER_ID,
        name,
    )
    assert len(rows) == 1, name
    client_id, phone, unread, status = rows[0]
    return {"id": str(client_id), "phone": phone, "unread": unread, "status": status}


def row(page: Page, client_id: str) -> Any:
    return page.locator(f'.row[data-client-id="{client_id}"]')


def mark_page(page: Page) -> None:
    """Marks this page load, to tell later that no reload happened."""
    page.evaluate("window.__sameLoad = true")


def assert_same_load(page: Page) -> None:
    assert page.evaluate("window.__sameLoad === true"), "the page was reloaded"


def test_the_inbox_shows_the_seed_conversations_newest_first(
    inbox: Page, dashboard: Dashboard
) -> None:
    expected = query(
        dashboard.database_url,
        "select name, unread_count, phone from public.clients"
        " where owner_id = %s and status = 'active'"
        " order by coalesce(last_message_at, created_at) desc, id desc",
        SEED_OWNER_ID,
    )
    expect(inbox.locator(".row-name")).to_have_text([name for name, _, _ in expected])
    for index, (_, unread, _) in enumerate(expected):
        badge = inbox.locator(".row").nth(index).locator(".badge")
        if unread:
            expect(badge).to_have_text(str(unread))
        else:
            expect(badge).to_have_count(0)
    total = sum(unread for _, unread, _ in expected)
    expect(inbox).to_have_title(f"({total}) Panadería La Espiga · FácilChat")
    # Each row: phone, a preview of the last message with its time, and the labels.
    # The newest conversation: the seed's, or one another test added before this one.
    first, first_phone = inbox.locator(".row").first, expected[0][2]
    expect(first.locator(".row-phone")).to_have_text(first_phone)
    expect(first.locator(".row-time")).not_to_be_empty()
    expect(first.locator(".row-preview")).not_to_be_empty()
    labels = query(
        dashboard.database_url,
        "select l.name from public.client_labels cl join public.labels l on l.id = cl.label_id"
        " join public.clients c on c.id = cl.client_id where c.owner_id = %s and c.phone = %s"
        " order by cl.created_at, cl.label_id",
        SEED_OWNER_ID,
        first_phone,
    )
    expect(first.locator(".chip")).to_have_text([name for (name,) in labels])
    inbox.screenshot(path=str(ARTIFACTS_DIR / "dashboard-inbox.png"))


def test_a_new_message_comes_to_the_top_live_and_its_faq_reply_follows_with_ticks(
    inbox: Page, dashboard: Dashboard
) -> None:
    mark_page(inbox)
    # A conversation lower down stays open meanwhile.
    open_client = client_named(dashboard.database_url, "Jorge Alberto Castillo")
    row(inbox, open_client["id"]).click()
    expect(inbox.locator("#conversation-title")).to_have_text("Jorge Alberto Castillo")

    # Opening it read it: wait for that before counting what is unread.
    expect(row(inbox, open_client["id"]).locator(".badge")).to_have_count(0)

    # A message from another client: to the top of the inbox, with its unread badge, and
    # the unread total in the title.
    other = client_named(dashboard.database_url, "Carlos Mendoza Ávila")
    send_as_customer(
        dashboard.url, SEED_WHATSAPP_NUMBER, other["phone"], "¿Tienen conchas de chocolate?"
    )
    top = inbox.locator(".row").first
    expect(top).to_have_attribute("data-client-id", other["id"], timeout=LIVE_TIMEOUT)
    expect(top.locator(".badge")).to_have_text(str(other["unread"] + 1))
    ((unread,),) = query(
        dashboard.database_url,
        "select coalesce(sum(unread_count), 0) from public.clients where owner_id = %s",
        SEED_OWNER_ID,
    )
    expect(inbox).to_have_title(f"({unread}) Panadería La Espiga · FácilChat")

    # A question from the open conversation's client: it shows there, then the FAQ answer
    # with its ticks as Twilio (the stand-in) reports it sent, delivered and read.
    send_as_customer(dashboard.url, SEED_WHATSAPP_NUMBER, open_client["phone"], "a que hora abren?")
    question = inbox.locator(".bubble.in", has_text="a que hora abren?")
    expect(question).to_be_visible(timeout=LIVE_TIMEOUT)
    answer = inbox.locator(".bubble.out[data-kind=faq]").last
    expect(answer).to_contain_text("Abrimos de lunes a sábado de 7:00 a 20:00")
    expect(answer.locator(".reply-kind")).to_have_text("Respuesta automática · Pregunta frecuente")
    expect(answer.locator(".ticks")).to_have_attribute("data-status", "read", timeout=LIVE_TIMEOUT)
    expect(row(inbox, open_client["id"])).to_have_attribute("aria-current", "page")
    expect(inbox.locator(".row").first).to_have_attribute("data-client-id", open_client["id"])
    # Open and visible: read at once, so no badge.
    expect(row(inbox, open_client["id"]).locator(".badge")).to_have_count(0)
    assert client_named(dashboard.database_url, "Jorge Alberto Castillo")["unread"] == 0
    inbox.screenshot(path=str(ARTIFACTS_DIR / "dashboard-live-reply.png"))
    assert_same_load(inbox)


def test_opening_a_conversation_clears_its_unread_count(inbox: Page, dashboard: Dashboard) -> None:
    client = client_named(dashboard.database_url, "Daniela Ochoa Lara")
    send_as_customer(
        dashboard.url, SEED_WHATSAPP_NUMBER, client["phone"], "Hola, ¿hacen pasteles de fresa?"
    )
    badge = row(inbox, client["id"]).locator(".badge")
    expect(badge).to_have_text(str(client["unread"] + 1), timeout=LIVE_TIMEOUT)
    row(inbox, client["id"]).click()
    expect(inbox.locator("#conversation-title")).to_have_text("Daniela Ochoa Lara")
    expect(badge).to_have_count(0, timeout=LIVE_TIMEOUT)
    assert client_named(dashboard.database_url, "Daniela Ochoa Lara")["unread"] == 0
    [(total,)] = query(
        dashboard.database_url,
        "select coalesce(sum(unread_count), 0) from public.clients where owner_id = %s",
        SEED_OWNER_ID,
    )
    title = "Panadería La Espiga · FácilChat"
    expect(inbox).to_have_title(f"({total}) {title}" if total else title)


def test_labels_can_be_added_and_removed(inbox: Page, dashboard: Dashboard) -> None:
    client = client_named(dashboard.database_url, "Valeria Íñiguez Pérez")
    row(inbox, client["id"]).click()
    expect(inbox.locator("#conversation-title")).to_have_text("Valeria Íñiguez Pérez")
    inbox.get_by_label("Añadir una etiqueta").select_option(label="Mayoreo")
    inbox.get_by_role("button", name="Añadir", exact=True).click()
    expect(inbox.locator("#client-labels .chip", has_text="Mayoreo")).to_be_visible()
    expect(row(inbox, client["id"]).locator(".chip", has_text="Mayoreo")).to_be_visible(
        timeout=LIVE_TIMEOUT
    )
    assert query(
        dashboard.database_url,
        "select 1 from public.client_labels cl join public.labels l on l.id = cl.label_id"
        " where cl.client_id = %s and l.name = 'Mayoreo'",
        client["id"],
    ) == [(1,)]

    # The label filter now finds this conversation, among those with the label only.
    [(labelled,)] = query(
        dashboard.database_url,
        "select count(*) from public.client_labels cl join public.labels l on l.id = cl.label_id"
        " join public.clients c on c.id = cl.client_id"
        " where l.owner_id = %s and l.name = 'Mayoreo' and c.status = 'active'",
        SEED_OWNER_ID,
    )
    inbox.get_by_label("Filtrar por etiqueta").select_option(label="Mayoreo")
    expect(inbox.locator(".row")).to_have_count(labelled)
    expect(row(inbox, client["id"])).to_be_visible()
    expect(inbox.locator(".row .chip", has_text="Mayoreo")).to_have_count(labelled)
    inbox.get_by_label("Filtrar por etiqueta").select_option(label="Todas las etiquetas")

    inbox.get_by_role("button", name="Quitar la etiqueta Mayoreo").click()
    expect(inbox.locator("#client-labels .chip", has_text="Mayoreo")).to_have_count(0)
    expect(row(inbox, client["id"]).locator(".chip", has_text="Mayoreo")).to_have_count(
        0, timeout=LIVE_TIMEOUT
    )
    assert (
        query(
            dashboard.database_url,
            "select 1 from public.client_labels cl join public.labels l on l.id = cl.label_id"
            " where cl.client_id = %s and l.name = 'Mayoreo'",
            client["id"],
        )
        == []
    )


def test_a_conversation_can_be_archived_and_unarchived(inbox: Page, dashboard: Dashboard) -> None:
    client = client_named(dashboard.database_url, "Alejandro Fuentes Rosas")
    row(inbox, client["id"]).click()
    inbox.locator("#archive-toggle").click()
    expect(inbox.locator("#archived-tag")).to_contain_text("Archivada")
    expect(inbox.locator("#archive-toggle")).to_have_text("Desarchivar")
    expect(row(inbox, client["id"])).to_have_count(0, timeout=LIVE_TIMEOUT)
    assert client_named(dashboard.database_url, "Alejandro Fuentes Rosas")["status"] == "archived"

    inbox.locator("#status-archived").click()
    expect(row(inbox, client["id"])).to_be_visible()
    inbox.locator("#archive-toggle").click()
    expect(inbox.locator("#archive-toggle")).to_have_text("Archivar")
    expect(row(inbox, client["id"])).to_have_count(0, timeout=LIVE_TIMEOUT)
    inbox.locator("#status-active").click()
    expect(row(inbox, client["id"])).to_be_visible()
    assert client_named(dashboard.database_url, "Alejandro Fuentes Rosas")["status"] == "active"


def test_search_finds_names_phones_and_messages_without_accents(
    inbox: Page, dashboard: Dashboard
) -> None:
    search = inbox.get_by_label("Buscar por nombre, teléfono o mensaje")
    search.fill("iniguez perez")
    expect(inbox.locator(".row-name")).to_have_text(["Valeria Íñiguez Pérez"])
    expect(inbox.locator(".results-note")).to_have_text("Resultados para «iniguez perez»")

    # A message's text: "¿Dónde queda la panadería?" and "Me pasa su ubicación…" in the seed.
    search.fill("ubicacion")
    expected = query(
        dashboard.database_url,
        "select distinct c.name from public.clients c join public.messages m on m.client_id = c.id"
        " where c.owner_id = %s and c.status = 'active' and m.content ilike '%%ubicación%%'",
        SEED_OWNER_ID,
    )
    assert expected
    expect(inbox.locator(".row-name")).to_have_count(len(expected))
    assert sorted(inbox.locator(".row-name").all_inner_texts()) == sorted(
        name for (name,) in expected
    )

    search.fill("331 847 2615")
    expect(inbox.locator(".row-name")).to_have_text(["María Guadalupe Torres"])

    search.fill("roscas de pascua xyz")
    expect(inbox.locator("#inbox-empty")).to_have_text("Nada coincide con «roscas de pascua xyz».")
    search.fill("")
    expect(inbox.locator(".row")).not_to_have_count(0)


def test_a_conversation_shows_replies_ticks_failures_media_and_opt_outs(
    inbox: Page, dashboard: Dashboard
) -> None:
    # Miguel wrote BAJA: the opt-out is marked, and so is its confirmation.
    miguel = client_named(dashboard.database_url, "Miguel Ángel Sandoval")
    row(inbox, miguel["id"]).click()
    expect(inbox.locator("#opted-out-notice")).to_contain_text(
        "pidió no recibir respuestas automáticas"
    )
    expect(inbox.locator(".bubble.out[data-kind=opt_out] .reply-kind")).to_have_text(
        "Confirmación de baja"
    )
    expect(inbox.locator(".day-separator").first).to_be_visible()
    whatsapp = inbox.locator("#reply-on-whatsapp")
    expect(whatsapp).to_have_attribute("href", "https://wa.me/5213327731860")
    expect(whatsapp).to_have_attribute("target", "_blank")

    # Ricardo (archived) has a reply that failed outside WhatsApp's 24-hour window.
    inbox.locator("#status-archived").click()
    ricardo = client_named(dashboard.database_url, "Ricardo Navarro Gil")
    row(inbox, ricardo["id"]).click()
    failed = inbox.locator(".bubble.failed", has_text="te apartamos tus bolillos")
    expect(failed.locator(".ticks")).to_have_attribute("data-status", "failed")
    expect(failed.locator(".failure-reason")).to_contain_text("pasaron más de 24 horas")
    inbox.locator("#status-active").click()

    # A location is a map link; delivered and read replies have their ticks.
    [(client_id, latitude, longitude)] = query(
        dashboard.database_url,
        "select m.client_id, m.media -> 0 ->> 'latitude', m.media -> 0 ->> 'longitude'"
        " from public.messages m join public.clients c on c.id = m.client_id"
        " where m.owner_id = %s and m.media -> 0 ? 'latitude' and c.status = 'active'"
        " order by m.timestamp desc limit 1",
        SEED_OWNER_ID,
    )
    inbox.goto(f"{dashboard.url}/#/c/{client_id}")
    location = inbox.locator(".media.location").last
    coordinates = f"{float(latitude)}%2C{float(longitude)}"
    expect(location).to_have_attribute("href", f"https://www.google.com/maps?q={coordinates}")
    expect(inbox.locator(".bubble.out .ticks[data-status=read]").first).to_be_visible()
    expect(inbox.locator(".bubble.in").first.locator(".ticks")).to_have_count(0)


def test_older_messages_load_as_the_owner_scrolls_up(inbox: Page, dashboard: Dashboard) -> None:
    phone = random_phone()
    with psycopg.connect(dashboard.database_url, autocommit=True) as conn:
        row_ = conn.execute(
            "insert into public.clients (owner_id, phone, name, last_message_at)"
            " values (%s, %s, 'Cliente con historia', now() - interval '1 minute') returning id",
            (SEED_OWNER_ID, phone),
        ).fetchone()
        assert row_ is not None
        client_id = str(row_[0])
        # History that was there before the page opened: written without the triggers, whose
        # live broadcasts, arriving once the conversation is open, would rightly merge into
        # it and change what the first page shows.
        conn.execute("set session_replication_role = replica")
        conn.execute(
            "insert into public.messages"
            " (owner_id, client_id, direction, content, status, timestamp)"
            " select %s, %s, 'in', 'Mensaje número ' || i, 'received',"
            " now() - interval '1 minute' - (70 - i) * interval '10 minutes'"
            " from generate_series(1, 70) i",
            (SEED_OWNER_ID, client_id),
        )
    inbox.goto(f"{dashboard.url}/#/c/{client_id}")
    bubbles = inbox.locator(".bubble")
    expect(bubbles).to_have_count(50)
    expect(bubbles.last).to_contain_text("Mensaje número 70")
    expect(bubbles.first).to_contain_text("Mensaje número 21")
    inbox.locator(".messages-scroller").evaluate("element => { element.scrollTop = 0; }")
    expect(bubbles).to_have_count(70)
    expect(bubbles.first).to_contain_text("Mensaje número 1")
    expect(inbox.locator(".history-start")).to_have_text("Inicio de la conversación")


def test_everything_works_from_the_keyboard_and_every_control_has_a_label(inbox: Page) -> None:
    unlabelled = inbox.evaluate(
        """() => [...document.querySelectorAll('input, select, textarea, button, a[href]')]
            .filter(el => {
              const labelled = (el.id && document.querySelector(`label[for="${el.id}"]`))
                || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
              return !labelled && !el.textContent.trim();
            })
            .map(el => el.outerHTML.slice(0, 80))"""
    )
    assert unlabelled == []

    inbox.locator("#inbox-search").focus()
    # Search, the two status buttons, the label filter, then the first conversation.
    for _ in range(4):
        inbox.keyboard.press("Tab")
    expect(inbox.locator(".row").first).to_be_focused()
    inbox.keyboard.press("Enter")
    expect(inbox.locator("#conversation-title")).to_be_focused()
    assert "#/c/" in inbox.url


def test_the_inbox_and_a_conversation_fit_a_phone(browser: Browser, dashboard: Dashboard) -> None:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    sign_in_with_google(page, dashboard.url, SEED_OWNER_EMAIL)
    expect(page.locator(".row").first).to_be_visible()
    expect(page.locator(".conversation-pane")).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(ARTIFACTS_DIR / "dashboard-inbox-phone.png"))
    open_menu(page)
    expect(page.get_by_label("Idioma")).to_be_in_viewport()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(ARTIFACTS_DIR / "dashboard-menu-phone.png"))
    page.keyboard.press("Escape")
    expect(page.locator("#sign-out")).to_be_hidden()

    page.locator(".row").first.click()
    expect(page.locator("#conversation-title")).to_be_visible()
    expect(page.locator(".inbox-pane")).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(ARTIFACTS_DIR / "dashboard-conversation-phone.png"))

    page.get_by_role("link", name="Volver a las conversaciones").click()
    expect(page.locator(".inbox-pane")).to_be_visible()
    context.close()


def test_a_conversation_that_is_not_there_says_so(inbox: Page, dashboard: Dashboard) -> None:
    inbox.goto(f"{dashboard.url}/#/c/{uuid.uuid4()}")
    expect(inbox.locator("#conversation-title")).to_have_text(
        "Esta conversación no existe o ya no está disponible."
    )
