"""The outbox sweeper, called on a schedule with the cron secret."""

from __future__ import annotations

import hmac
from dataclasses import asdict

from fastapi import APIRouter, Header, HTTPException

from webhook import outbox
from webhook.database import DatabaseUnavailable
from webhook.deps import DatabaseDep, SenderDep, SettingsDep, StatusCallbackDep

router = APIRouter()


def carries_cron_secret(authorization: str | None, secret: str) -> bool:
    """Whether the Authorization header is `Bearer <secret>`; never without a secret."""
    if not secret or authorization is None:
        return False
    # Compared as bytes, which compare_digest accepts whatever they hold. Starlette decodes
    # header bytes as latin-1, so encoding back gives the bytes as sent; the secret is
    # expected as UTF-8.
    sent = authorization.encode("latin-1")
    return hmac.compare_digest(sent, f"Bearer {secret}".encode())


@router.get("/api/cron/outbox")
def sweep_outbox(
    db: DatabaseDep,
    sender: SenderDep,
    settings: SettingsDep,
    status_callback: StatusCallbackDep,
    authorization: str | None = Header(default=None),
) -> dict[str, int]:
    secret = settings.cron_secret.get_secret_value() if settings.cron_secret else ""
    if not carries_cron_secret(authorization, secret):
        raise HTTPException(status_code=401, detail="missing or wrong cron secret")
    try:
        report = outbox.sweep(
            db,
            sender,
            limit=settings.outbox_batch_size,
            max_attempts=settings.max_send_attempts,
            status_callback=status_callback,
            budget_seconds=settings.sweep_budget_seconds,
            send_timeout=settings.twilio_timeout_seconds,
        )
    except DatabaseUnavailable:
        raise HTTPException(status_code=503, detail="database unavailable") from None
    return asdict(report)
