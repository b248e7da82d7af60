"""Builds the FastAPI app; webhook.app holds the instance Vercel serves."""

from __future__ import annotations

from fastapi import FastAPI

from webhook.config import Settings, get_settings
from webhook.routes import cron, health, twilio


def create_app(settings: Settings | None = None) -> FastAPI:
    """The app; without `settings` it reads the environment now, failing on what is missing."""
    resolved = settings or get_settings()
    app = FastAPI(title="FácilChat webhook", docs_url=None, redoc_url=None, openapi_url=None)

    async def resolved_settings() -> Settings:  # async: no worker thread for a constant
        return resolved

    app.dependency_overrides[get_settings] = resolved_settings
    app.include_router(health.router)
    app.include_router(twilio.router)
    app.include_router(cron.router)
    return app
