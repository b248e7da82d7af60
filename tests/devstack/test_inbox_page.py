"""supabase-js in real Chromium against the local stack: a page signs in through the
auth stand-in, joins the private channel inbox:<uid> through the realtime relay, and
shows a message posted through the signed webhook as it arrives."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import psycopg
import pytest
from playwright.sync_api import Browser, expect

from devstack.stack import LocalStack
from devstack.twilio_api import DEFAULT_AUTH_TOKEN, TwilioStandIn
from devstack.twilio_inbound import WEBHOOK_PATH, inbound_form, sign
from tests.app_server import serving_app
from tests.browser import ARTIFACTS_DIR
from tests.factories import random_phone

PASSWORD = "clave-secreta-123"
SCREENSHOT = ARTIFACTS_DIR / "inbox-live.png"


@pytest.fixture(scope="module")
def owner(database_url: str) -> tuple[str, str]:
    """A business owner who signs in with a password; returns (email, WhatsApp number)."""
    email = f"duena-{uuid.uuid4().hex[:8]}@example.test"
    number = random_phone()
    with psycopg.connect(database_url, autocommit=True) as conn:
        user_id = uuid.uuid4()
        conn.execute(
            "insert into auth.users (id, email, aud, role, encrypted_password, email_confirmed_at,"
            " raw_app_meta_data) values (%s, %s, 'authenticated', 'authenticated',"
            " extensions.crypt(%s, extensions.gen_salt('bf')), now(),"
            ' \'{"provider": "email", "providers": ["email"]}\')',
            (user_id, email, PASSWORD),
        )
        conn.execute(
            "update public.users set whatsapp_number = %s where id = %s", (number, user_id)
        )
    return email, number


@pytest.fixture(scope="module")
def app_url(stack: LocalStack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    logs = tmp_path_factory.mktemp("inbox-logs")
    twilio = TwilioStandIn(log_path=logs / "twilio.log", callbacks=False)
    with serving_app(stack, twilio, app="devstack.app:app", log_dir=logs) as url:
        yield url


def test_signed_in_page_sees_an_inbound_message_live(
    browser: Browser, app_url: str, owner: tuple[str, str]
) -> None:
    email, number = owner
    page = browser.new_page()
    page.goto(f"{app_url}/inbox")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("#sign-in button[type=submit]")
    expect(page.locator("#status")).to_have_text(
        "Escuchando mensajes nuevos en vivo.", timeout=15_000
    )
    expect(page.locator("#sign-in")).to_be_hidden()

    text = f"¿Tienen roscas hoy? {uuid.uuid4().hex[:6]}"
    form = inbound_form(text, sender=random_phone(), to=number, account_sid="AC" + "0" * 32)
    url = app_url + WEBHOOK_PATH
    response = httpx.post(
        url, data=form, headers={"X-Twilio-Signature": sign(url, form, DEFAULT_AUTH_TOKEN)}
    )
    assert response.status_code == 200

    live = page.locator("#messages li", has_text=text)
    expect(live).to_be_visible(timeout=10_000)
    expect(live).to_contain_text("en vivo")
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    page.close()


def test_wrong_password_shows_a_spanish_error(
    browser: Browser, app_url: str, owner: tuple[str, str]
) -> None:
    page = browser.new_page()
    page.goto(f"{app_url}/inbox")
    page.fill("#email", owner[0])
    page.fill("#password", "no-es-la-clave")
    page.click("#sign-in button[type=submit]")
    expect(page.locator("#error")).to_contain_text("No se pudo entrar", timeout=10_000)
    expect(page.locator("#inbox")).to_be_hidden()
    page.close()
