"""Who may run the outbox sweeper: only a caller with the cron secret, whatever else is sent."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from pydantic import SecretStr

from tests.webhook.conftest import CRON_SECRET, PUBLIC_URL
from webhook.application import create_app
from webhook.config import Settings
from webhook.routes.cron import carries_cron_secret

SWEEPER = "/api/cron/outbox"

# Header values as raw bytes: HTTP allows any byte above 0x7F in a header value.
NON_ASCII_AUTHORIZATIONS = {
    "utf8": "Bearer café".encode(),
    "latin1": "Bearer café".encode("latin-1"),
    "secret-plus-utf8": f"Bearer {CRON_SECRET}é".encode(),
    "emoji": "Bearer 🔑".encode(),
}


def run_sweeper(settings: Settings, authorization: bytes) -> httpx.Response:
    """GET the sweeper with these exact header bytes.

    Not through TestClient: it re-encodes header values as UTF-8, so latin-1 bytes would
    not arrive as sent.
    """

    async def get() -> httpx.Response:
        transport = httpx.ASGITransport(app=create_app(settings))
        async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as client:
            return await client.get(SWEEPER, headers={b"Authorization": authorization})

    return asyncio.run(get())


@pytest.mark.parametrize("case", sorted(NON_ASCII_AUTHORIZATIONS))
def test_non_ascii_authorization_is_refused_like_a_wrong_secret(
    case: str, settings: Settings
) -> None:
    response = run_sweeper(settings, NON_ASCII_AUTHORIZATIONS[case])
    assert response.status_code == 401
    assert response.json() == {"detail": "missing or wrong cron secret"}


def test_non_ascii_secret_sent_as_utf8_runs_the_sweeper(settings: Settings) -> None:
    secret = "contraseña-del-cron-ñandú"
    with_secret = settings.model_copy(update={"cron_secret": SecretStr(secret)})
    refused = run_sweeper(with_secret, f"Bearer {secret}".encode("latin-1"))
    response = run_sweeper(with_secret, f"Bearer {secret}".encode())
    assert refused.status_code == 401
    assert response.status_code == 200, response.text
    assert set(response.json()) == {"claimed", "accepted", "failed", "errors"}


def as_starlette_reads(raw: bytes) -> str:
    """A header value as the app sees it: Starlette decodes header bytes as latin-1."""
    return raw.decode("latin-1")


@pytest.mark.parametrize(
    ("authorization", "secret", "expected"),
    [
        (f"Bearer {CRON_SECRET}", CRON_SECRET, True),
        (f"Bearer {CRON_SECRET}", "", False),
        (None, CRON_SECRET, False),
        ("", "", False),
        (as_starlette_reads("Bearer café".encode()), CRON_SECRET, False),
        (as_starlette_reads("Bearer café".encode()), "café", True),
        (as_starlette_reads("Bearer café".encode("latin-1")), "café", False),
    ],
)
def test_carries_cron_secret(authorization: str | None, secret: str, expected: bool) -> None:
    assert carries_cron_secret(authorization, secret) is expected
