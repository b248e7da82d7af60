"""The owner's data rights in real Chromium against the local stack: a conversation and
every client downloaded as CSV files (read back with Python's csv module: the byte order
mark, accents, quoting and formula neutralising), and a client erased on request (typed
confirmation, every row of theirs gone from every table, nobody else's touched, the
conversation gone from another open inbox live).

The tests work on a business of their own, with more clients than one page of the export
reads and a conversation longer than one page, so the demo bakery stays as it is.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, expect
from psycopg import sql

from tests.browser import ARTIFACTS_DIR
from tests.dashboard.conftest import Dashboard
from tests.dashboard.helpers import new_email, sign_in_with_google
from tests.factories import random_phone

DESKTOP: ViewportSize = {"width": 1280, "height": 860}
PHONE: ViewportSize = {"width": 375, "height": 740}
LIVE_TIMEOUT = 10_000
BOM = b"\xef\xbb\xbf"
# More clients than one page of the export (1,000).
EXTRA_CLIENTS = 1_050
# More messages than one page of a conversation's export (200).
LONG_CONVERSATION = 430
# What customers may write that a spreadsheet would run, and what must survive intact.
TRICKY = [
    '=HYPERLINK("http://example.test/x","clic aquí")',
    "+52 33 1234 5678 es mi otro número",
    "-20% de descuento, ¿aplica?",
    "@Lupita ¿me apartas 3 conchas?",
    'Dijo "sí", pero luego, "no"',
    "Primera línea\nSegunda línea, con coma",
    "Ñandú, pingüino, acción: ¿qué más?",
]


@dataclass
class Business:
    id: str
    email: str
    long_client: str
    leaving: str
    staying: str
    leaving_phone: str


def query(database_url: str, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(database_url, autocommit=True) as conn:
        return conn.execute(sql, params).fetchall()


def add_client(
    conn: psycopg.Connection[Any], owner: str, name: str, phone: str | None = None
) -> str:
    [(client,)] = conn.execute(
        "insert into public.clients (owner_id, phone, name) values (%s, %s, %s) returning id",
        (owner, phone or random_phone(), name),
    ).fetchall()
    return str(client)


def add_messages(conn: psycopg.Connection[Any], owner: str, client: str, texts: list[str]) -> None:
    """Alternating customer and business messages, a minute apart, ending now."""
    start = datetime.now(UTC) - timedelta(minutes=len(texts))
    with conn.cursor() as cursor:
        cursor.executemany(
            "insert into public.messages (owner_id, client_id, direction, content, status,"
            ' reply_kind, "timestamp") values (%s, %s, %s, %s, %s, %s, %s)',
            [
                (
                    owner,
                    client,
                    "in" if index % 2 == 0 else "out",
                    text,
                    "received" if index % 2 == 0 else "read",
                    None if index % 2 == 0 else "manual",
                    start + timedelta(minutes=index),
                )
                for index, text in enumerate(texts)
            ],
        )


@pytest.fixture(scope="module")
def business(browser: Browser, dashboard: Dashboard) -> Business:
    """A new owner signed up through Google, with clients, labels and messages."""
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    email = new_email()
    sign_in_with_google(page, dashboard.url, email)
    expect(page.locator("#step-count")).to_have_text("Paso 1 de 4")
    context.close()
    with psycopg.connect(dashboard.database_url, autocommit=True) as conn:
        [(owner,)] = conn.execute(
            "update public.users set business_name = 'Pastelería Núñez', whatsapp_number = %s,"
            " onboarding_complete = true where email = %s returning id::text",
            (random_phone(), email),
        ).fetchall()
        [(big,)] = conn.execute(
            "insert into public.labels (owner_id, name) values (%s, 'Pedido grande') returning id",
            (owner,),
        ).fetchall()
        [(frequent,)] = conn.execute(
            "insert into public.labels (owner_id, name) values (%s, 'Cliente frecuente, VIP')"
            " returning id",
            (owner,),
        ).fetchall()
        long_client = add_client(conn, owner, "Valeria Íñiguez Núñez")
        texts = [f"Mensaje número {i + 1}" for i in range(LONG_CONVERSATION - len(TRICKY))]
        add_messages(conn, owner, long_client, TRICKY[:3] + texts + TRICKY[3:])
        leaving_phone = random_phone()
        leaving = add_client(conn, owner, "Ramón Pérez", leaving_phone)
        add_messages(conn, owner, leaving, ["Hola, ¿hacen pasteles?", "Sí, claro", "BAJA"])
        # His opt-out, and a reply still waiting in the outbox.
        conn.execute("update public.clients set opted_out = true where id = %s", (leaving,))
        conn.execute(
            "insert into public.messages (owner_id, client_id, direction, content, status,"
            " reply_kind, next_attempt_at) values (%s, %s, 'out', 'Listo', 'queued', 'opt_out',"
            " now())",
            (owner, leaving),
        )
        staying = add_client(conn, owner, "=1+1 José Ñandú")
        add_messages(conn, owner, staying, ["¿Abren el domingo?", "Sí, de 8 a 14"])
        for client, label in ((long_client, big), (long_client, frequent), (leaving, big)):
            conn.execute(
                "insert into public.client_labels (client_id, label_id) values (%s, %s)",
                (client, label),
            )
        conn.execute(
            "insert into public.clients (owner_id, phone, name)"
            " select %s, '+5219' || lpad(i::text, 9, '0') || '', 'Cliente ' || i"
            " from generate_series(1, %s) i",
            (owner, EXTRA_CLIENTS),
        )
        conn.execute(
            "insert into public.client_labels (client_id, label_id)"
            " select id, %s from public.clients where owner_id = %s and name like 'Cliente %%'"
            " and right(phone, 1) = '7'",
            (frequent, owner),
        )
    return Business(owner, email, long_client, leaving, staying, leaving_phone)


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    opened = browser.new_context(viewport=DESKTOP, accept_downloads=True)
    yield opened
    opened.close()


def signed_in(context: BrowserContext, dashboard: Dashboard, business: Business) -> Page:
    page = context.new_page()
    sign_in_with_google(page, dashboard.url, business.email)
    expect(page.locator(".row").first).to_be_visible()
    expect(page.locator("body")).to_have_attribute("data-live", "live", timeout=LIVE_TIMEOUT)
    return page


def read_csv(data: bytes) -> list[list[str]]:
    """The rows of a downloaded CSV: UTF-8 with a byte order mark, CRLF line ends."""
    assert data.startswith(BOM)
    assert data.endswith(b"\r\n")
    text = data.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), strict=True))


def downloaded(page: Page, click: Any) -> tuple[str, bytes]:
    with page.expect_download() as info:
        click()
    download = info.value
    path = download.path()
    assert path is not None
    return download.suggested_filename, path.read_bytes()


def neutralised(text: str) -> str:
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


def test_a_conversation_downloads_as_csv_whole_and_safe(
    context: BrowserContext, dashboard: Dashboard, business: Business
) -> None:
    page = signed_in(context, dashboard, business)
    page.goto(f"{dashboard.url}/#/c/{business.long_client}")
    expect(page.locator("#conversation-title")).to_have_text("Valeria Íñiguez Núñez")
    page.locator("#client-data-menu summary").click()
    name, data = downloaded(page, lambda: page.locator("#export-conversation").click())
    assert name.startswith("conversacion-valeria-iniguez-nunez-") and name.endswith(".csv")
    expect(page.locator("#client-data-status")).to_have_text(
        f"Listo: se descargó la conversación con {LONG_CONVERSATION} mensajes."
    )

    rows = read_csv(data)
    assert rows[0] == [
        "Fecha y hora (America/Mexico_City)",
        "De",
        "Mensaje",
        "Adjuntos",
        "Tipo de respuesta",
        "Estado del mensaje",
    ]
    stored = query(
        dashboard.database_url,
        "select content, direction, to_char(\"timestamp\" at time zone 'America/Mexico_City',"
        " 'YYYY-MM-DD HH24:MI') from public.messages where client_id = %s"
        ' order by "timestamp", id',
        business.long_client,
    )
    assert len(rows) - 1 == LONG_CONVERSATION == len(stored)
    for row, (content, direction, local_time) in zip(rows[1:], stored, strict=True):
        assert row[0] == local_time
        assert row[1] == ("Valeria Íñiguez Núñez" if direction == "in" else "Tu negocio")
        assert row[2] == neutralised(content)
        assert row[4] == ("" if direction == "in" else "Respuesta tuya")
        assert row[5] == ("Recibido" if direction == "in" else "Leído")
    contents = [row[2] for row in rows[1:]]
    assert contents[0] == '\'=HYPERLINK("http://example.test/x","clic aquí")'
    assert contents[1] == "'+52 33 1234 5678 es mi otro número"
    assert contents[2] == "'-20% de descuento, ¿aplica?"
    assert "'@Lupita ¿me apartas 3 conchas?" in contents
    assert 'Dijo "sí", pero luego, "no"' in contents
    assert "Primera línea\nSegunda línea, con coma" in contents
    assert "Ñandú, pingüino, acción: ¿qué más?" in contents
    # RFC 4180 on the wire: quotes doubled inside a quoted field.
    assert '"Dijo ""sí"", pero luego, ""no"""'.encode() in data


def test_every_client_downloads_as_csv_with_their_labels(
    context: BrowserContext, dashboard: Dashboard, business: Business
) -> None:
    page = signed_in(context, dashboard, business)
    page.locator("#nav-metrics").click()
    expect(page.locator("#export-clients")).to_be_visible()
    name, data = downloaded(page, lambda: page.locator("#export-clients").click())
    assert name.startswith("clientes-") and name.endswith(".csv")

    rows = read_csv(data)
    assert rows[0] == [
        "Nombre",
        "Teléfono",
        "Estado",
        "Etiquetas",
        "Respuestas automáticas",
        "Cliente desde (America/Mexico_City)",
        "Último mensaje (America/Mexico_City)",
    ]
    stored = query(
        dashboard.database_url,
        "select c.name, c.phone, c.opted_out,"
        " coalesce(string_agg(l.name, '; ' order by l.name), '')"
        " from public.clients c left join public.client_labels cl on cl.client_id = c.id"
        " left join public.labels l on l.id = cl.label_id"
        " where c.owner_id = %s group by c.id",
        business.id,
    )
    # Every client once, across the pages the export read.
    assert len(rows) - 1 == len(stored) > 1_000
    shown = {row[0]: row for row in rows[1:]}
    assert len(shown) == len(stored)
    for client_name, phone, opted_out, labels in stored:
        row = shown[neutralised(client_name)]
        assert row[1] == f"'{phone}"
        assert row[2] == "Activo"
        assert row[3] == labels
        assert row[4] == ("No (pidió la baja)" if opted_out else "Sí")
    assert shown["Valeria Íñiguez Núñez"][3] == "Cliente frecuente, VIP; Pedido grande"
    assert "'=1+1 José Ñandú" in shown
    expect(page.locator("#export-status")).to_have_text(
        f"Listo: se descargaron {len(stored)} clientes."
    )


def client_everywhere(database_url: str, client: str) -> dict[str, int]:
    """The client's rows in every table of public that names a client, and in clients."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        tables = conn.execute(
            "select table_name from information_schema.columns"
            " where table_schema = 'public' and column_name = 'client_id'"
            " and table_name in (select table_name from information_schema.tables"
            "                    where table_schema = 'public' and table_type = 'BASE TABLE')"
        ).fetchall()
        counts = {
            table: conn.execute(
                sql.SQL("select count(*) from {} where client_id = %s").format(
                    sql.Identifier("public", table)
                ),
                (client,),
            ).fetchall()[0][0]
            for (table,) in tables
        }
        counts["clients"] = conn.execute(
            "select count(*) from public.clients where id = %s", (client,)
        ).fetchall()[0][0]
    return counts


def test_erasing_a_client_removes_every_row_and_the_conversation_live(
    browser: Browser, dashboard: Dashboard, business: Business
) -> None:
    before = client_everywhere(dashboard.database_url, business.leaving)
    assert before["clients"] == 1 and before["messages"] == 4 and before["client_labels"] == 1
    others_before = {
        client: client_everywhere(dashboard.database_url, client)
        for client in (business.long_client, business.staying)
    }
    [(everyone_before,)] = query(
        dashboard.database_url,
        "select count(*) from public.messages where owner_id = %s",
        business.id,
    )

    # Another window shows the inbox, with his conversation in it.
    watching = browser.new_context(viewport=DESKTOP)
    inbox = signed_in(watching, dashboard, business)
    inbox.locator("#inbox-search").fill("Ramón")
    leaving_row = inbox.locator(f'.row[data-client-id="{business.leaving}"]')
    expect(leaving_row).to_be_visible()
    inbox.evaluate("window.__sameLoad = true")

    erasing = browser.new_context(viewport=DESKTOP)
    page = signed_in(erasing, dashboard, business)
    page.goto(f"{dashboard.url}/#/c/{business.leaving}")
    expect(page.locator("#conversation-title")).to_have_text("Ramón Pérez")

    # Cancelling changes nothing.
    page.locator("#client-data-menu summary").click()
    page.locator("#erase-client").click()
    dialog = page.get_by_role("dialog", name="¿Borrar a Ramón Pérez y todos sus mensajes?")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Cancelar").click()
    expect(dialog).to_be_hidden()
    assert client_everywhere(dashboard.database_url, business.leaving) == before

    # The button waits for the name or the word.
    page.locator("#client-data-menu summary").click()
    page.locator("#erase-client").click()
    confirm = dialog.get_by_role("button", name="Borrar para siempre")
    field = dialog.get_by_label(
        "Para confirmar, escribe su nombre (Ramón Pérez) o la palabra BORRAR"
    )
    expect(confirm).to_be_disabled()
    field.fill("Ramón")
    expect(confirm).to_be_disabled()
    field.fill("ramón pérez")
    expect(confirm).to_be_enabled()
    field.fill("borrar")
    expect(confirm).to_be_enabled()
    confirm.click()

    expect(page).to_have_url(f"{dashboard.url}/#/", timeout=LIVE_TIMEOUT)
    expect(page.locator(f'.row[data-client-id="{business.leaving}"]')).to_have_count(0)
    # The other window drops the conversation live, without a reload.
    expect(leaving_row).to_have_count(0, timeout=LIVE_TIMEOUT)
    assert inbox.evaluate("window.__sameLoad === true")
    watching.close()
    erasing.close()

    after = client_everywhere(dashboard.database_url, business.leaving)
    assert set(after) == set(before) and all(count == 0 for count in after.values()), after
    for client, counts in others_before.items():
        assert client_everywhere(dashboard.database_url, client) == counts
    [(everyone_after,)] = query(
        dashboard.database_url,
        "select count(*) from public.messages where owner_id = %s",
        business.id,
    )
    assert everyone_after == everyone_before - before["messages"]
    # The reply that was waiting in the outbox went with him.
    assert (
        query(
            dashboard.database_url,
            "select 1 from public.messages where owner_id = %s and status = 'queued'",
            business.id,
        )
        == []
    )
    # Kept on purpose: the phone's opt-out, so he gets no automatic replies if he writes again.
    assert query(
        dashboard.database_url,
        "select 1 from private.opt_outs where owner_id = %s and phone = %s",
        business.id,
        business.leaving_phone,
    ) == [(1,)]


def test_the_data_actions_fit_a_phone(
    browser: Browser, dashboard: Dashboard, business: Business
) -> None:
    context = browser.new_context(viewport=PHONE, accept_downloads=True)
    page = signed_in(context, dashboard, business)
    page.goto(f"{dashboard.url}/#/c/{business.staying}")
    expect(page.locator("#conversation-title")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    summary = page.locator("#client-data-menu summary")
    expect(summary).to_be_in_viewport()
    summary.click()
    for button in (page.locator("#export-conversation"), page.locator("#erase-client")):
        expect(button).to_be_in_viewport(ratio=1)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(ARTIFACTS_DIR / "dashboard-data-actions-phone.png"))
    page.locator("#erase-client").click()
    dialog = page.locator("#erase-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("#erase-confirm")).to_be_in_viewport()
    expect(dialog.get_by_role("button", name="Cancelar")).to_be_in_viewport()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    context.close()
