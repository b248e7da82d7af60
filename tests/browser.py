"""Debian's Chromium driven by Python playwright, for the browser tests.

`playwright install` cannot download here, so the tests use the system browser that
`make install` puts at /usr/bin/chromium (Debian package `chromium`). When it or the
`playwright` package is missing, the tests fail with a message that says how to fix
it; they never skip.

The pages' tests get it as the `browser` fixture of tests/devstack/conftest.py:

    with chromium() as browser:
        page = browser.new_page()

Screenshots go to ARTIFACTS_DIR (.local/test-artifacts/), which the test session creates.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Error, ViewportSize, sync_playwright

from devstack.paths import LOCAL_DIR

# Screenshots and other files tests keep for a person to look at; git ignores .local/.
ARTIFACTS_DIR = LOCAL_DIR / "test-artifacts"

CHROMIUM = Path(os.environ.get("FACILCHAT_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
# A phone-sized viewport (iPhone 12-15) for the mobile checks.
PHONE_VIEWPORT: ViewportSize = {"width": 390, "height": 844}


@contextmanager
def chromium(*, timeout_ms: float = 15_000) -> Iterator[Browser]:
    """Headless Chromium from the system; closed on exit."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}: run `make install` "
            "(apt package `chromium`), or set FACILCHAT_CHROMIUM to its path.",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM),
                headless=True,
                args=CHROMIUM_ARGS,
                timeout=timeout_ms,
            )
        except Error as error:
            pytest.fail(f"Chromium at {CHROMIUM} did not start: {error}", pytrace=False)
        try:
            yield browser
        finally:
            browser.close()
