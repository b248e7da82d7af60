"""The webhook in-process, against the real stack: PostgREST, Postgres and the Twilio stand-in."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from devstack.stack import LocalStack
from devstack.twilio_api import TwilioStandIn
from devstack.twilio_inbound import inbound_form
from tests.factories import Connection, Tenant, create_faq, create_tenant
from webhook.application import create_app
from webhook.config import Settings

ACCOUNT_SID = "AC" + "1" * 32
AUTH_TOKEN = "test-auth-token-0123456789abcdef"
PUBLIC_URL = "https://facilchat.example.test"
CRON_SECRET = "cron-secret-for-tests"


@pytest.fixture(scope="session")
def twilio_api() -> Iterator[TwilioStandIn]:
    stand_in = TwilioStandIn(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN)
    stand_in.start()
    try:
        yield stand_in
    finally:
        stand_in.stop()


@pytest.fixture
def twilio(twilio_api: TwilioStandIn) -> TwilioStandIn:
    """The stand-in, reset, answering 201, with no status callbacks of its own."""
    twilio_api.reset()
    twilio_api.set_callbacks(False)
    return twilio_api


@pytest.fixture
def settings(stack: LocalStack, twilio: TwilioStandIn) -> Settings:
    return Settings(
        supabase_url=stack.api_url,
        supabase_service_role_key=SecretStr(stack.service_role_key),
        twilio_account_sid=ACCOUNT_SID,
        twilio_auth_token=SecretStr(AUTH_TOKEN),
        twilio_api_url=twilio.url,
        public_url=PUBLIC_URL,
        cron_secret=SecretStr(CRON_SECRET),
        twilio_timeout_seconds=1.0,
    )


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@dataclass
class Business:
    tenant: Tenant
    hours_faq: str
    hours_answer: str = "Abrimos de lunes a sábado de 7:00 a 20:00."

    @property
    def number(self) -> str:
        return self.tenant.whatsapp_number


@pytest.fixture
def business(db: Connection) -> Business:
    tenant = create_tenant(db, business_name="Panadería La Prueba")
    faq_id = create_faq(
        db, tenant.id, question="¿Cuál es su horario?", answer=Business.hours_answer
    )
    return Business(tenant, str(faq_id))


def customer_form(text: str, *, sender: str, to: str, **overrides: str) -> dict[str, str]:
    form = inbound_form(text, sender=sender, to=to, account_sid=ACCOUNT_SID)
    form.update(overrides)
    return form
