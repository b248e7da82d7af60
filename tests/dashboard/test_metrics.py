"""The Metrics screen in real Chromium against the local stack, with the demo bakery: every
number it shows equals a count written here in plain SQL (or Python), apart from the
screen's own SQL functions; the 7/30/90-day control; charts with titles, axes and a table;
the heat map as a real table; a business without replies of its own; a phone's width.

The expected numbers are computed for exactly the days the page shows, read from it, so a
test that runs across midnight compares the same period.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import psycopg
import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, ViewportSize, expect

from devstack.seed import SEED_OWNER_EMAIL, SEED_OWNER_ID
from tests.browser import ARTIFACTS_DIR
from tests.dashboard.conftest import Dashboard
from tests.dashboard.helpers import new_email, sign_in_with_google
from tests.factories import random_phone

DESKTOP: ViewportSize = {"width": 1280, "height": 860}
TALL: ViewportSize = {"width": 1280, "height": 2300}
PHONE: ViewportSize = {"width": 375, "height": 740}


def query(database_url: str, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(database_url, autocommit=True) as conn:
        return conn.execute(sql, params).fetchall()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    opened = browser.new_context(viewport=DESKTOP)
    yield opened
    opened.close()


@pytest.fixture
def bakery(context: BrowserContext, dashboard: Dashboard) -> Page:
    """The demo bakery's owner, signed in."""
    page = context.new_page()
    sign_in_with_google(page, dashboard.url, SEED_OWNER_EMAIL)
    expect(page.locator(".row").first).to_be_visible()
    return page


def open_metrics(page: Page, days: int | None = None) -> None:
    """The Metrics screen, loaded for `days` (30 unless given)."""
    page.locator("#nav-metrics").click()
    if days is not None:
        page.locator(".period-option", has_text=f"{days} días").click()
        expect(page).to_have_url(f"{page.url.split('#')[0]}#/metrics?days={days}")
    expect(page.get_by_role("heading", name="Métricas", exact=True)).to_be_visible()
    loaded(page, days or 30)


def loaded(page: Page, days: int) -> None:
    expect(page.locator(".metrics")).to_have_attribute("data-days", str(days))
    expect(page.locator(".metrics")).to_have_attribute("aria-busy", "false")
    expect(page.locator("#per-day-table")).to_be_attached()


# --- what the page shows ------------------------------------------------------------


def shown_days(page: Page) -> list[tuple[str, int, int]]:
    rows: list[list[str]] = page.locator("#per-day-table tbody tr").evaluate_all(
        "rows => rows.map(r => [r.dataset.day, r.dataset.received, r.dataset.sent])"
    )
    return [(day, int(received), int(sent)) for day, received, sent in rows]


def shown_shares(page: Page) -> dict[str, int]:
    rows: list[list[str]] = page.locator("#reply-share tr[data-kind]").evaluate_all(
        "rows => rows.map(r => [r.dataset.kind, r.dataset.count])"
    )
    return {kind: int(count) for kind, count in rows}


def shown_hours(page: Page) -> dict[tuple[int, int], int]:
    cells: list[list[str]] = page.locator("#busiest-hours td").evaluate_all(
        "cells => cells.map(c => [c.dataset.weekday, c.dataset.hour, c.dataset.count])"
    )
    return {(int(d), int(h)): int(n) for d, h, n in cells if int(n) > 0}


def shown_weeks(page: Page) -> dict[str, int]:
    rows: list[list[str]] = page.locator("#new-clients-table tbody tr").evaluate_all(
        "rows => rows.map(r => [r.dataset.week, r.dataset.count])"
    )
    return {week: int(count) for week, count in rows}


def shown_top_faqs(page: Page) -> list[tuple[str, int]]:
    rows: list[list[str]] = page.locator("#top-faqs tbody tr").evaluate_all(
        "rows => rows.map(r => [r.dataset.faqId, r.dataset.count])"
    )
    return [(faq, int(count)) for faq, count in rows]


def drawn_pixels(canvas: Locator) -> int:
    """How many of the canvas's pixels are not blank: the chart was drawn."""
    count: int = canvas.evaluate(
        """c => {
          const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          let drawn = 0;
          for (let i = 3; i < data.length; i += 4) if (data[i] > 0) drawn += 1;
          return drawn;
        }"""
    )
    return count


def tile(page: Page, name: str) -> int:
    value = page.locator(f"#tile-{name}").get_attribute("data-value")
    assert value is not None
    return int(value)


# --- the same numbers, counted here ---------------------------------------------------


def expected_metrics(database_url: str, owner: str, first: str, last: str) -> dict[str, Any]:
    """Counts for the local days first..last, in plain SQL and Python."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        params = {"owner": owner, "first": first, "last": last}
        local_day = """(m."timestamp" at time zone (select timezone from public.users
                                                       where id = %(owner)s))::date"""
        per_day = conn.execute(
            f"select {local_day}::text, count(*) filter (where m.direction = 'in'),"
            "        count(*) filter (where m.direction = 'out')"
            " from public.messages m where m.owner_id = %(owner)s"
            f"  and {local_day} between %(first)s and %(last)s group by 1",
            params,
        ).fetchall()
        kinds: dict[str, int] = dict(
            conn.execute(
                "select coalesce(m.reply_kind, m.direction), count(*) from public.messages m"
                f" where m.owner_id = %(owner)s and {local_day} between %(first)s and %(last)s"
                " group by 1",
                params,
            ).fetchall()
        )
        hours = conn.execute(
            "select extract(isodow from local)::int, extract(hour from local)::int, count(*)"
            ' from (select m."timestamp" at time zone u.timezone as local'
            "       from public.messages m join public.users u on u.id = m.owner_id"
            "       where m.owner_id = %(owner)s and m.direction = 'in') x"
            " where local::date between %(first)s and %(last)s group by 1, 2",
            params,
        ).fetchall()
        created = conn.execute(
            "select (c.created_at at time zone u.timezone)::date from public.clients c"
            " join public.users u on u.id = c.owner_id where c.owner_id = %(owner)s",
            params,
        ).fetchall()
        faqs = conn.execute(
            "select f.id::text, count(*) from public.messages m"
            " join public.faqs f on f.id = m.faq_id"
            f" where m.owner_id = %(owner)s and {local_day} between %(first)s and %(last)s"
            " group by f.id, f.position order by count(*) desc, f.position, f.id limit 5",
            params,
        ).fetchall()
        messages = conn.execute(
            'select m.id, m.client_id, m.direction, m.reply_kind, m.status, m."timestamp",'
            f" m.in_reply_to, {local_day} from public.messages m where m.owner_id = %(owner)s",
            params,
        ).fetchall()

    days = {day: (received, sent) for day, received, sent in per_day}
    received = sum(n for n, _ in days.values())
    first_day, last_day = date.fromisoformat(first), date.fromisoformat(last)
    weeks = Counter(
        (day - timedelta(days=day.weekday())).isoformat()
        for (day,) in created
        if first_day <= day <= last_day
    )
    automatic = sum(kinds.get(kind, 0) for kind in ("faq", "fallback", "away", "opt_out", "opt_in"))
    return {
        "days": days,
        "received": received,
        "sent": sum(n for _, n in days.values()),
        "shares": {
            "faq": kinds.get("faq", 0),
            "fallback": kinds.get("fallback", 0),
            "away": kinds.get("away", 0),
            "other": kinds.get("opt_out", 0) + kinds.get("opt_in", 0),
            "none": received - automatic,
            "received": received,
        },
        "hours": {(d, h): n for d, h, n in hours},
        "weeks": dict(weeks),
        "faqs": [(faq, n) for faq, n in faqs],
        "human": human_waits(messages, first_day, last_day),
    }


def human_waits(
    messages: list[tuple[Any, ...]], first: date, last: date
) -> tuple[int, float | None]:
    """The owner's first replies in the period and the median wait, counted in Python: a
    reply answers the message it names, or else the client's latest before it; it counts
    when no other reply of the owner came since that message; failed ones do not count."""
    by_id = {m[0]: m for m in messages}
    inbound: dict[Any, list[datetime]] = {}
    human: dict[Any, list[datetime]] = {}
    for _, client, direction, kind, status, at, _, _ in messages:
        if direction == "in":
            inbound.setdefault(client, []).append(at)
        elif kind == "manual" and status not in ("failed", "undelivered"):
            human.setdefault(client, []).append(at)
    waits = []
    for _, client, _, kind, status, at, in_reply_to, day in messages:
        if kind != "manual" or status in ("failed", "undelivered") or not first <= day <= last:
            continue
        named = by_id.get(in_reply_to)
        if named is not None and named[2] == "in" and named[5] <= at:
            asked = named[5]
        else:
            before = [q for q in inbound.get(client, []) if q <= at]
            if not before:
                continue
            asked = max(before)
        if any(asked <= other < at for other in human.get(client, [])):
            continue
        waits.append((at - asked).total_seconds())
    return len(waits), (statistics.median(waits) if waits else None)


def check_against_sql(page: Page, database_url: str, owner: str) -> dict[str, Any]:
    days = shown_days(page)
    expected = expected_metrics(database_url, owner, days[0][0], days[-1][0])
    assert {day: (r, s) for day, r, s in days if r or s} == expected["days"]
    assert tile(page, "received") == expected["received"]
    assert tile(page, "sent") == expected["sent"]
    assert shown_shares(page) == expected["shares"]
    assert shown_hours(page) == expected["hours"]
    assert {w: n for w, n in shown_weeks(page).items() if n} == expected["weeks"]
    assert tile(page, "new-clients") == sum(expected["weeks"].values())
    assert shown_top_faqs(page) == expected["faqs"]
    replies, median = expected["human"]
    card = page.locator("#human-reply")
    if replies:
        expect(card).to_have_attribute("data-replies", str(replies))
        shown = card.get_attribute("data-median-seconds")
        assert shown is not None and abs(float(shown) - median) < 0.01
    else:
        expect(card).to_have_count(0)
    return expected


# --- the tests ----------------------------------------------------------------------


def test_the_metrics_equal_counts_made_in_sql(bakery: Page, dashboard: Dashboard) -> None:
    open_metrics(bakery)
    assert bakery.url.endswith("#/metrics")
    expect(bakery.locator(".period-option input:checked")).to_have_value("30")
    days = shown_days(bakery)
    assert len(days) == 30
    expected = check_against_sql(bakery, dashboard.database_url, SEED_OWNER_ID)
    # The seed has three weeks of conversations, FAQ answers and the owner's own replies.
    assert expected["received"] > 50
    assert len(expected["faqs"]) == 5
    assert expected["human"][0] > 0
    expect(bakery.locator("#human-reply .big-number")).not_to_be_empty()
    expect(bakery.locator("#metrics-period")).to_contain_text("America/Mexico_City")

    bakery.set_viewport_size(TALL)
    expect(bakery.locator("#chart-per-day canvas").first).to_be_visible()
    bakery.locator(".metrics").screenshot(path=str(ARTIFACTS_DIR / "dashboard-metrics.png"))


def test_the_period_control_shows_7_30_and_90_days(bakery: Page, dashboard: Dashboard) -> None:
    open_metrics(bakery, 7)
    expect(bakery.locator("#per-day-table tbody tr")).to_have_count(7)
    check_against_sql(bakery, dashboard.database_url, SEED_OWNER_ID)
    open_metrics(bakery, 90)
    expect(bakery.locator("#per-day-table tbody tr")).to_have_count(90)
    check_against_sql(bakery, dashboard.database_url, SEED_OWNER_ID)

    # From the keyboard: the arrow keys move along the period's radio buttons.
    bakery.locator(".period-option input:checked").focus()
    bakery.keyboard.press("ArrowLeft")
    expect(bakery).to_have_url(f"{dashboard.url}/#/metrics?days=30")
    loaded(bakery, 30)
    expect(bakery.locator("#per-day-table tbody tr")).to_have_count(30)


def test_charts_have_a_title_axes_and_a_table(bakery: Page) -> None:
    open_metrics(bakery)
    chart = bakery.locator("#chart-per-day")
    expect(chart.locator("canvas").first).to_be_visible()
    expect(chart.locator(".chart-canvas")).to_have_attribute("role", "img")
    canvas = chart.locator(".chart-canvas")
    expect(canvas).to_have_attribute(
        "aria-label", re.compile(r"^Gráfica de líneas de los mensajes por día: \d+ recibidos")
    )
    # uPlot draws the axes on the canvas, with these titles; the legend names the series.
    expect(canvas).to_have_attribute("data-x-axis", "Día")
    expect(canvas).to_have_attribute("data-y-axis", "Mensajes")
    expect(chart.locator(".u-axis")).to_have_count(2)
    expect(chart.locator(".u-legend .u-label")).to_have_text(["Día", "Recibidos", "Enviados"])
    assert drawn_pixels(chart.locator("canvas").first) > 1000
    expect(bakery.get_by_role("figure", name="Mensajes por día")).to_be_attached()

    table = bakery.locator("#per-day-table")
    expect(table).to_be_hidden()
    chart.get_by_text("Ver como tabla").click()
    expect(table).to_be_visible()
    expect(table.locator("thead th")).to_have_text(["Día", "Recibidos", "Enviados"])

    bars = bakery.locator("#chart-new-clients")
    expect(bars.locator("canvas").first).to_be_visible()
    expect(bars.locator(".chart-canvas")).to_have_attribute("data-x-axis", "Semana")
    expect(bars.locator(".chart-canvas")).to_have_attribute("data-y-axis", "Clientes nuevos")
    assert drawn_pixels(bars.locator("canvas").first) > 1000

    # The heat map is a table: a header per hour, a row header per weekday, a count per cell.
    heat = bakery.locator("#busiest-hours")
    expect(heat.locator("thead th[scope=col]")).to_have_count(25)
    expect(heat.locator("tbody th[scope=row]")).to_have_count(7)
    expect(heat.locator("tbody td")).to_have_count(7 * 24)
    expect(heat.locator("tbody th[scope=row]").first).to_contain_text("lunes")
    busiest = max(shown_hours(bakery).values())
    expect(heat.locator(f'td[data-count="{busiest}"]').first).to_have_class("heat-4")
    expect(bakery.locator(".heat-legend .heat-key")).not_to_have_count(0)


def sign_in_new_business(page: Page, dashboard: Dashboard) -> str:
    """A new owner through Google sign-in, set up as the operator and onboarding would."""
    email = new_email()
    sign_in_with_google(page, dashboard.url, email)
    expect(page.locator("#step-count")).to_have_text("Paso 1 de 4")
    [(owner_id,)] = query(
        dashboard.database_url,
        "update public.users set business_name = 'Estética Lupita', whatsapp_number = %s,"
        " onboarding_complete = true where email = %s returning id",
        random_phone(),
        email,
    )
    page.reload()
    expect(page.locator("#nav-metrics")).to_be_visible()
    return str(owner_id)


def test_without_replies_of_its_own_a_business_sees_no_reply_time(
    context: BrowserContext, dashboard: Dashboard
) -> None:
    page = context.new_page()
    owner = sign_in_new_business(page, dashboard)
    open_metrics(page)
    expect(page.locator("#metrics-empty")).to_be_visible()
    expect(page.locator("#top-faqs-empty")).to_be_visible()
    expect(page.locator("#human-reply")).to_have_count(0)

    with psycopg.connect(dashboard.database_url, autocommit=True) as conn:
        [(client,)] = conn.execute(
            "insert into public.clients (owner_id, phone, name) values (%s, %s, 'Lupita')"
            " returning id",
            (owner, random_phone()),
        ).fetchall()
        conn.execute(
            "insert into public.messages (owner_id, client_id, direction, content, status,"
            " \"timestamp\") values (%s, %s, 'in', '¿Tienen cita mañana?', 'received',"
            " now() - interval '30 minutes')",
            (owner, client),
        )
        conn.execute(
            "insert into public.messages (owner_id, client_id, direction, content, status,"
            " reply_kind, \"timestamp\") values (%s, %s, 'out', 'Sí, a las 10', 'read',"
            " 'manual', now() - interval '5 minutes')",
            (owner, client),
        )
    page.reload()
    loaded(page, 30)
    expect(page.locator("#human-reply")).to_have_attribute("data-replies", "1")
    expect(page.locator("#human-reply .big-number")).to_have_text("25 min")
    check_against_sql(page, dashboard.database_url, owner)


def test_metrics_fit_a_phone(browser: Browser, dashboard: Dashboard) -> None:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    sign_in_with_google(page, dashboard.url, SEED_OWNER_EMAIL)
    expect(page.locator(".row").first).to_be_visible()
    page.goto(f"{dashboard.url}/#/metrics?days=90")
    loaded(page, 90)
    expect(page.locator("#chart-per-day canvas").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    for control in (page.locator(".metrics-periods"), page.locator("#tile-received")):
        expect(control).to_be_in_viewport()
    for control in (
        page.locator("#chart-per-day canvas").first,
        page.locator("#busiest-hours"),
        page.locator("#export-clients"),
    ):
        control.scroll_into_view_if_needed()
        expect(control).to_be_in_viewport()
    # Nothing spills out of its card; the heat map scrolls sideways inside its own box.
    spilling = page.locator(".metric-card, .metric-tile").evaluate_all(
        "boxes => boxes.filter(b => b.scrollWidth > b.clientWidth + 1"
        " || b.getBoundingClientRect().right > window.innerWidth).map(b => b.className)"
    )
    assert spilling == []
    assert page.locator(".heatmap-scroll").evaluate("e => e.scrollWidth > e.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(ARTIFACTS_DIR / "dashboard-metrics-phone.png"))
    context.close()
