"""The webhook's configuration, read once from the environment and `.env`."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    supabase_url: str
    supabase_service_role_key: SecretStr
    twilio_account_sid: str
    twilio_auth_token: SecretStr
    twilio_api_url: str = "https://api.twilio.com"
    # The URL Twilio calls; signatures are computed over it. Without it the URL is
    # rebuilt from X-Forwarded-Proto/X-Forwarded-Host (Vercel's proxy sets them).
    public_url: str | None = None
    # Vercel Cron sends it as a bearer token to the outbox sweeper.
    cron_secret: SecretStr | None = None
    # Twilio waits 15 s for our answer: the send must finish well within it.
    twilio_timeout_seconds: float = Field(default=5.0, gt=0, le=10)
    # How long an inbound message keeps retrying a database that is briefly unreachable
    # before the webhook answers 503: under the 6 s a Twilio attempt waits (the webhook
    # URL's rt=6000), so that Twilio's own retries follow within its 15 s.
    inbound_retry_seconds: float = Field(default=5.0, ge=0, le=12)
    # At most this many replies per sweep, and no new claim once this much time is spent:
    # Vercel stops the function at 15 s.
    outbox_batch_size: int = Field(default=25, ge=1, le=200)
    sweep_budget_seconds: float = Field(default=12.0, gt=0, le=14)
    # Retries back off to 30 minutes apart: 20 attempts span about eight hours of Twilio
    # trouble, well inside WhatsApp's 24-hour reply window.
    max_send_attempts: int = Field(default=20, ge=1, le=50)


class ConfigurationError(RuntimeError):
    """Required configuration is missing or invalid."""


def load_settings() -> Settings:
    """Settings from the environment, or an error that names each missing variable."""
    try:
        return Settings()  # type: ignore[call-arg]  # fields come from the environment
    except ValidationError as error:
        problems = []
        for detail in error.errors():
            name = str(detail["loc"][0]).upper() if detail["loc"] else "?"
            if detail["type"] == "missing":
                problems.append(f"{name} is not set")
            else:
                problems.append(f"{name}: {detail['msg']}")
        raise ConfigurationError("webhook configuration: " + "; ".join(problems)) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
