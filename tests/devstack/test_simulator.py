"""The local app (`devstack.app:app`) and its WhatsApp simulator, in real Chromium.

The app runs under uvicorn as `make dev` runs it, against the session's real
Postgres + PostgREST + gateway and a Twilio stand-in over loopback. The page sends
through the real webhook and shows the replies the stand-in received.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import psycopg
import pytest
from playwright.sync_api import Browser, Page, Request, expect

from devstack.stack import LocalStack
from devstack.twilio_api import TwilioStandIn
from tests.app_server import serving_app
from tests.browser import ARTIFACTS_DIR, PHONE_VIEWPORT
from tests.factories import Tenant, create_faq, create_tenant, random_phone

QUESTION = "¿A qué hora abren?"
ANSWER = "Abrimos a las 7:00."
# Fixed paths, so a person can look at what the browser showed after a run.
SCREENSHOT = ARTIFACTS_DIR / "simulator.png"
MOBILE_SCREENSHOT = ARTIFACTS_DIR / "simulator-mobile.png"
ERROR_SCREENSHOT = ARTIFACTS_DIR / "simulator-error.png"
E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")


@dataclass
class App:
    url: str
    twilio: TwilioStandIn
    business: Tenant
    database_url: str


@pytest.fixture(scope="module")
def business(database_url: str) -> Tenant:
    with psycopg.connect(database_url, autocommit=True) as conn:
        tenant = create_tenant(conn, business_name="Panadería La Espiga")
        create_faq(conn, tenant.id, question=QUESTION, answer=ANSWER)
    return tenant


@pytest.fixture(scope="module")
def app(
    stack: LocalStack,
    business: Tenant,
    database_url: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[App]:
    logs = tmp_path_factory.mktemp("simulator-logs")
    twilio = TwilioStandIn(log_path=logs / "twilio.log", callback_delay=0.1)
    with serving_app(stack, twilio, app="devstack.app:app", log_dir=logs) as url:
        yield App(url, twilio, business, database_url)


def open_simulator(page: Page, app: App) -> None:
    page.goto(f"{app.url}/simulator")
    expect(page.locator("body[data-ready=true]")).to_be_attached()
    page.get_by_label("Escribir a").select_option(app.business.whatsapp_number)


def stored_messages(app: App, customer: str) -> list[tuple[str, str]]:
    with psycopg.connect(app.database_url) as conn:
        rows = conn.execute(
            "select m.direction, m.content from public.messages m"
            " join public.clients c on c.id = m.client_id"
            " where c.phone = %s and m.owner_id = %s order by m.created_at, m.direction",
            (customer, app.business.id),
        ).fetchall()
    return [(str(direction), str(body)) for direction, body in rows]


def test_landing_page_and_webhook_routes(app: App) -> None:
    landing = httpx.get(f"{app.url}/dev")
    assert landing.status_code == 200
    assert 'href="/simulator"' in landing.text
    assert "Simulador de WhatsApp" in landing.text
    assert httpx.get(f"{app.url}/api/health").json() == {"status": "ok"}
    # The webhook's own routes are served unchanged: an unsigned post is refused.
    assert httpx.post(f"{app.url}/api/twilio/webhook", data={"Body": "hola"}).status_code == 403
    assert httpx.get(f"{app.url}/simulator/static/simulator.css").status_code == 200


def test_customer_asks_and_sees_the_faq_answer(app: App, browser: Browser) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        open_simulator(page, app)
        customer_field = page.get_by_label("Tu número (cliente)")
        customer = customer_field.input_value()
        assert E164.match(customer) and customer.startswith("+52133"), customer
        expect(page.locator("#chat-title")).to_have_text("Panadería La Espiga")

        page.get_by_placeholder("Escribe un mensaje").fill("a que hora abren?")
        page.get_by_role("button", name="Enviar").click()

        mine = page.locator(".bubble.me")
        expect(mine).to_have_count(1)
        expect(mine.first).to_contain_text("a que hora abren?")
        reply = page.locator(".bubble.them")
        expect(reply).to_have_count(1, timeout=5_000)
        expect(reply.first.locator(".text")).to_have_text(ANSWER)
        # The stand-in reports sent → delivered → read; the page turns the ticks blue.
        expect(reply.first.locator(".ticks.read")).to_be_visible(timeout=5_000)
        expect(page.locator("#error")).to_be_hidden()

        # Right for the customer, left for the business, as on a phone.
        me_box, them_box = mine.first.bounding_box(), reply.first.bounding_box()
        chat_box = page.locator("#messages").bounding_box()
        assert me_box and them_box and chat_box
        assert me_box["x"] + me_box["width"] > chat_box["x"] + chat_box["width"] - 30
        assert them_box["x"] < chat_box["x"] + 30
        assert chat_box["width"] <= 420
        page.screenshot(path=str(SCREENSHOT))

        # A reload keeps the customer, the business and the conversation, in order.
        page.reload()
        expect(page.locator("body[data-ready=true]")).to_be_attached()
        expect(customer_field).to_have_value(customer)
        expect(page.locator(".bubble .text")).to_have_text(["a que hora abren?", ANSWER])
    finally:
        page.close()

    # It went through the real webhook: stored, answered, and sent via the stand-in.
    assert stored_messages(app, customer) == [
        ("in", "a que hora abren?"),
        ("out", ANSWER),
    ]
    sent = [m for m in app.twilio.messages() if m["to"] == f"whatsapp:{customer}"]
    assert [(m["from"], m["body"]) for m in sent] == [
        (f"whatsapp:{app.business.whatsapp_number}", ANSWER)
    ]


def test_simulator_on_a_phone(app: App, browser: Browser) -> None:
    context = browser.new_context(viewport=PHONE_VIEWPORT, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        open_simulator(page, app)
        customer = random_phone()
        # Typed with spaces, confirmed with Enter: normalised, and the page stays put.
        spaced = f"{customer[:3]} {customer[3:5]} {customer[5:9]} {customer[9:]}"
        page.get_by_label("Tu número (cliente)").fill(spaced)
        page.get_by_label("Tu número (cliente)").press("Enter")
        expect(page.get_by_label("Tu número (cliente)")).to_have_value(customer)
        assert page.url == f"{app.url}/simulator"
        page.get_by_placeholder("Escribe un mensaje").fill("A QUE HORA ABREN")
        page.get_by_role("button", name="Enviar").tap()
        expect(page.locator(".bubble.them .text")).to_have_text(ANSWER, timeout=5_000)
        expect(page.locator(".bubble.them .ticks.read")).to_be_visible(timeout=5_000)

        # Fills the phone's width without sideways scrolling; big enough to tap.
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE_VIEWPORT["width"]
        phone = page.locator(".phone").bounding_box()
        assert phone and phone["width"] == PHONE_VIEWPORT["width"]
        for control in ("#send", "#text", "#customer", "#business"):
            box = page.locator(control).bounding_box()
            assert box and box["height"] >= 44, control
            assert box["y"] + box["height"] <= PHONE_VIEWPORT["height"], control
        page.screenshot(path=str(MOBILE_SCREENSHOT))
    finally:
        context.close()
    assert stored_messages(app, customer)[0] == ("in", "A QUE HORA ABREN")


def test_invalid_customer_number_is_refused_and_nothing_sent(app: App, browser: Browser) -> None:
    page = browser.new_page()
    posted: list[str] = []

    def record(request: Request) -> None:
        if request.method != "GET":
            posted.append(f"{request.method} {request.url}")

    page.on("request", record)
    attempts_before = len(app.twilio.attempts())
    try:
        open_simulator(page, app)
        page.get_by_label("Tu número (cliente)").fill("33 1234")
        page.get_by_placeholder("Escribe un mensaje").fill("hola")
        page.get_by_role("button", name="Enviar").click()

        error = page.get_by_role("alert")
        expect(error).to_be_visible()
        expect(error).to_contain_text("No se pudo enviar")
        expect(error).to_contain_text("no es válido")
        expect(page.get_by_label("Tu número (cliente)")).to_have_attribute("aria-invalid", "true")
        expect(page.locator(".bubble")).to_have_count(0)
        expect(page.get_by_placeholder("Escribe un mensaje")).to_have_value("hola")
        page.screenshot(path=str(ERROR_SCREENSHOT))
        time.sleep(0.3)
    finally:
        page.close()
    assert posted == []
    assert len(app.twilio.attempts()) == attempts_before


def test_send_api_explains_bad_requests_in_spanish(app: App) -> None:
    send = f"{app.url}/simulator/api/send"
    number = app.business.whatsapp_number
    bad_customer = httpx.post(send, json={"customer": "5512", "business": number, "text": "hola"})
    assert bad_customer.status_code == 422
    assert "Tu número no es válido" in bad_customer.json()["detail"]

    nobody = random_phone()
    unknown = httpx.post(send, json={"customer": random_phone(), "business": nobody, "text": "x"})
    assert unknown.status_code == 404
    assert f"Ningún negocio tiene el número {nobody}" in unknown.json()["detail"]

    empty = httpx.post(send, json={"customer": random_phone(), "business": number, "text": " "})
    assert empty.status_code == 422
    assert "Escribe un mensaje" in empty.json()["detail"]

    businesses = httpx.get(f"{app.url}/simulator/api/businesses").json()["businesses"]
    assert {"name": "Panadería La Espiga", "number": number} in businesses
