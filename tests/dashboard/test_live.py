"""Live updates in the dashboard: it reconnects after the Realtime relay restarts and
catches up on what it missed without a reload; another business's owner gets none of
this business's conversations or live events."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, expect

from devstack.seed import SEED_OWNER_EMAIL, SEED_OWNER_ID, SEED_WHATSAPP_NUMBER
from tests.browser import ARTIFACTS_DIR
from tests.dashboard.conftest import Dashboard
from tests.dashboard.helpers import new_email, send_as_customer, sign_in_with_google
from tests.factories import random_phone, random_twilio_sid

DESKTOP: ViewportSize = {"width": 1280, "height": 860}
# supabase-js retries the socket after 1, 2, 5 and then every 10 seconds.
RECONNECT_TIMEOUT = 30_000
LIVE_TIMEOUT = 10_000


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    opened = browser.new_context(viewport=DESKTOP)
    yield opened
    opened.close()


def signed_in(context: BrowserContext, dashboard: Dashboard, email: str) -> Page:
    page = context.new_page()
    sign_in_with_google(page, dashboard.url, email)
    expect(page.locator("body")).to_have_attribute("data-live", "live", timeout=LIVE_TIMEOUT)
    page.evaluate("window.__sameLoad = true")
    return page


def seed_client(database_url: str, name: str) -> tuple[str, str]:
    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            "select id, phone from public.clients where owner_id = %s and name = %s",
            (SEED_OWNER_ID, name),
        ).fetchone()
    assert row is not None
    return str(row[0]), str(row[1])


def store_inbound(database_url: str, client_id: str, text: str) -> None:
    """An inbound message written as the webhook writes it, straight to the database."""
    with psycopg.connect(database_url, autocommit=True) as conn, conn.transaction():
        conn.execute(
            "update public.clients set last_message_at = now(), unread_count = unread_count + 1,"
            " status = 'active' where id = %s",
            (client_id,),
        )
        conn.execute(
            "insert into public.messages (owner_id, client_id, direction, content, status,"
            " twilio_message_id) values (%s, %s, 'in', %s, 'received', %s)",
            (SEED_OWNER_ID, client_id, text, random_twilio_sid()),
        )


def test_the_dashboard_reconnects_after_the_relay_restarts_and_catches_up(
    context: BrowserContext, dashboard: Dashboard
) -> None:
    page = signed_in(context, dashboard, SEED_OWNER_EMAIL)
    open_id, _ = seed_client(dashboard.database_url, "José Luis Ramírez")
    other_id, _ = seed_client(dashboard.database_url, "Patricia Gómez Villaseñor")  # archived
    page.goto(f"{dashboard.url}/#/c/{open_id}")
    expect(page.locator("#conversation-title")).to_have_text("José Luis Ramírez")
    gateway = dashboard.stack.gateway
    assert gateway is not None

    gateway.stop()
    try:
        banner = page.locator("#offline-banner")
        expect(banner).to_contain_text("Sin conexión en vivo.", timeout=LIVE_TIMEOUT)
        page.screenshot(path=str(ARTIFACTS_DIR / "dashboard-offline.png"))
        # Written while nobody relays the broadcasts: only a catch-up can show them.
        store_inbound(dashboard.database_url, other_id, "¿Siguen teniendo pan de muerto?")
        store_inbound(dashboard.database_url, open_id, "Paso por los bolillos a las 6")
    finally:
        gateway.start()

    expect(page.locator("#offline-banner")).to_have_count(0, timeout=RECONNECT_TIMEOUT)
    expect(page.locator("body")).to_have_attribute("data-live", "live")
    # The open conversation shows what it missed, and reads it.
    expect(page.locator(".bubble.in", has_text="Paso por los bolillos a las 6")).to_be_visible(
        timeout=LIVE_TIMEOUT
    )
    top = page.locator(".row").first
    expect(top).to_have_attribute("data-client-id", open_id, timeout=LIVE_TIMEOUT)
    expect(top.locator(".badge")).to_have_count(0, timeout=LIVE_TIMEOUT)
    # The archived client wrote again: back among the active ones, unread.
    second = page.locator(".row").nth(1)
    expect(second).to_have_attribute("data-client-id", other_id)
    expect(second.locator(".row-preview")).to_have_text("¿Siguen teniendo pan de muerto?")
    expect(second.locator(".badge")).to_have_text("1")
    assert page.evaluate("window.__sameLoad === true"), "the page was reloaded"

    # And it is live again.
    send_as_customer(
        dashboard.url, SEED_WHATSAPP_NUMBER, random_phone(), "Hola, ¿abren el lunes?", "Rosa Elena"
    )
    expect(page.locator(".row").first.locator(".row-name")).to_have_text(
        "Rosa Elena", timeout=LIVE_TIMEOUT
    )


def test_another_owner_sees_none_of_this_business_and_gets_none_of_its_events(
    browser: Browser, dashboard: Dashboard
) -> None:
    # A second business, already set up.
    other_email = new_email()
    other_id = uuid.uuid4()
    with psycopg.connect(dashboard.database_url, autocommit=True) as conn:
        conn.execute(
            "insert into auth.users (id, email, aud, role)"
            " values (%s, %s, 'authenticated', 'authenticated')",
            (other_id, other_email),
        )
        conn.execute(
            "update public.users set business_name = 'Estética Luna', onboarding_complete = true,"
            " whatsapp_number = %s where id = %s",
            (random_phone(), other_id),
        )

    bakery_context = browser.new_context(viewport=DESKTOP)
    other_context = browser.new_context(viewport=DESKTOP)
    try:
        bakery = signed_in(bakery_context, dashboard, SEED_OWNER_EMAIL)
        frames: list[str] = []
        other_page = other_context.new_page()
        other_page.on(
            "websocket",
            lambda socket: socket.on(
                "framereceived",
                lambda frame: frames.append(frame if isinstance(frame, str) else ""),
            ),
        )
        sign_in_with_google(other_page, dashboard.url, other_email)
        expect(other_page.locator("body")).to_have_attribute(
            "data-live", "live", timeout=LIVE_TIMEOUT
        )
        expect(other_page.locator(".business")).to_have_text("Estética Luna")
        expect(other_page.locator("#inbox-empty")).to_contain_text("Aún no tienes conversaciones.")
        other_page.locator("#status-archived").click()
        expect(other_page.locator("#inbox-empty")).to_contain_text(
            "No hay conversaciones archivadas."
        )
        other_page.locator("#status-active").click()

        # A bakery conversation, by its link: not there for the other owner.
        bakery_client, _ = seed_client(dashboard.database_url, "María Guadalupe Torres")
        other_page.goto(f"{dashboard.url}/#/c/{bakery_client}")
        expect(other_page.locator("#conversation-title")).to_have_text(
            "Esta conversación no existe o ya no está disponible."
        )
        other_page.goto(f"{dashboard.url}/#/")

        text = f"Mensaje solo para la panadería {uuid.uuid4().hex[:6]}"
        send_as_customer(dashboard.url, SEED_WHATSAPP_NUMBER, random_phone(), text, "Cliente Nuevo")
        expect(bakery.locator(".row").first.locator(".row-preview")).to_contain_text(
            "Auto:", timeout=LIVE_TIMEOUT
        )
        expect(bakery.locator(".row").first.locator(".row-name")).to_have_text("Cliente Nuevo")
        # The bakery saw it; give the other page the same time, then look at what it got.
        other_page.wait_for_timeout(1_000)
        expect(other_page.locator(".row")).to_have_count(0)
        broadcasts = [frame for frame in frames if '"broadcast"' in frame]
        assert broadcasts == []
        assert not any(text in frame or SEED_OWNER_ID in frame for frame in frames), json.dumps(
            frames
        )[:500]
        assert any("phx_reply" in frame for frame in frames), (
            "the other page never joined its channel"
        )
    finally:
        bakery_context.close()
        other_context.close()
