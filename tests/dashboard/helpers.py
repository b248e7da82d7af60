"""Helpers for the dashboard's browser tests: the build, Google sign-in through the local
stand-in, and customer messages sent as the simulator sends them."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
from playwright.sync_api import Page, expect

from devstack.paths import PROJECT_ROOT

DASHBOARD_DIR = PROJECT_ROOT / "dashboard"
DIST_DIR = DASHBOARD_DIR / "dist"
# What the build reads: a change to any of these needs a new build.
BUILD_INPUTS = ("src", "index.html", "vite.config.js", "package.json", "package-lock.json")


def newest_source() -> Path:
    files: list[Path] = []
    for name in BUILD_INPUTS:
        path = DASHBOARD_DIR / name
        if path.is_dir():
            files.extend(p for p in path.rglob("*") if p.is_file())
        else:
            files.append(path)
    return max(files, key=lambda p: p.stat().st_mtime)


def stale_build_reason() -> str | None:
    """Why dashboard/dist cannot be tested as it is, or None when it is current."""
    index = DIST_DIR / "index.html"
    if not index.is_file():
        return f"the dashboard is not built ({index} is missing)"
    newest = newest_source()
    if newest.stat().st_mtime > index.stat().st_mtime:
        return f"the dashboard build is older than {newest.relative_to(PROJECT_ROOT)}"
    return None


def sign_in_with_google(page: Page, app_url: str, email: str, *, path: str = "/") -> None:
    """Through the dashboard's "Continuar con Google" and the stand-in's account page.

    An existing account is picked from the list; a new email creates the account.
    """
    page.goto(app_url + path)
    page.locator("#google-sign-in").click()
    expect(page.get_by_role("heading", name="Elige una cuenta de prueba")).to_be_visible()
    existing = page.locator("li form", has=page.locator(f'input[name="email"][value="{email}"]'))
    if existing.count():
        existing.locator("button").click()
    else:
        page.locator("#email").fill(email)
        page.get_by_role("button", name="Crear y continuar · Create and continue").click()


def open_menu(page: Page) -> None:
    """Opens the top bar's menu: language, sound and signing out."""
    menu = page.locator("#account-menu")
    if menu.get_attribute("open") is None:
        menu.locator("summary").click()
    expect(page.locator("#sign-out")).to_be_visible()


def new_email() -> str:
    return f"duena-{uuid.uuid4().hex[:8]}@example.test"


def send_as_customer(
    app_url: str, business: str, customer: str, text: str, profile_name: str | None = None
) -> None:
    """A customer's WhatsApp message, through the simulator's API: the signed webhook, and
    the reply sent through the Twilio stand-in with its status callbacks."""
    body: dict[str, str] = {"customer": customer, "business": business, "text": text}
    if profile_name:
        body["profile_name"] = profile_name
    response = httpx.post(f"{app_url}/simulator/api/send", json=body, timeout=30)
    assert response.status_code == 200, response.text
