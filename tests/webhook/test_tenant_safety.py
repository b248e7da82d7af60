"""An inbound message for one business never touches another's rows, and the webhook's
RPCs are callable only with the service role, even after it has called them."""

from __future__ import annotations

import httpx
import pytest
from fastapi.testclient import TestClient

from devstack import keys
from devstack.stack import LocalStack
from devstack.twilio_inbound import sign
from tests.factories import Connection, create_tenant_with_rows, random_phone
from tests.webhook.conftest import AUTH_TOKEN, PUBLIC_URL, Business, customer_form

TABLES = ("clients", "labels", "client_labels", "faqs", "messages")


def snapshot(db: Connection, owner_id: object) -> dict[str, list[tuple[object, ...]]]:
    """Every row another business owns, in full."""
    queries = {
        "clients": "select * from public.clients where owner_id = %s order by id",
        "labels": "select * from public.labels where owner_id = %s order by id",
        "client_labels": "select cl.* from public.client_labels cl join public.clients c"
        " on c.id = cl.client_id where c.owner_id = %s order by 1, 2",
        "faqs": "select * from public.faqs where owner_id = %s order by id",
        "messages": "select * from public.messages where owner_id = %s order by id",
        "users": "select * from public.users where id = %s",
    }
    return {name: db.execute(sql, (owner_id,)).fetchall() for name, sql in queries.items()}


def test_inbound_for_one_business_leaves_another_untouched(
    client: TestClient, business: Business, db: Connection
) -> None:
    other = create_tenant_with_rows(db)
    # Same customer phone at both businesses: routing is by the To number only.
    shared_phone = db.execute(
        "select phone from public.clients where id = %s", (other.rows["client"],)
    ).fetchone()
    assert shared_phone is not None
    before = snapshot(db, other.id)
    form = customer_form("a que hora abren?", sender=shared_phone[0], to=business.number)
    url = PUBLIC_URL + "/api/twilio/webhook"
    response = client.post(
        "/api/twilio/webhook",
        data=form,
        headers={"X-Twilio-Signature": sign(url, form, AUTH_TOKEN)},
    )
    assert response.status_code == 200
    assert snapshot(db, other.id) == before
    mine = db.execute(
        "select count(*) from public.messages where owner_id = %s", (business.tenant.id,)
    ).fetchone()
    assert mine == (2,)


RPCS = {
    "handle_inbound_message": {
        "p_to": "+5213300000000",
        "p_from": "+5213311111111",
        "p_message_sid": "SM" + "0" * 32,
        "p_content": "hola",
    },
    "record_outbound_result": {
        "p_message_id": "00000000-0000-4000-8000-000000000000",
        "p_claim_token": 1,
    },
    "record_reconciled_reply": {
        "p_message_id": "00000000-0000-4000-8000-000000000000",
        "p_claim_token": 1,
        "p_candidates": [],
    },
    "claim_due_outbound_messages": {"p_limit": 1, "p_max_attempts": 5},
    "apply_message_status": {"p_twilio_sid": "SM" + "0" * 32, "p_status": "sent"},
}


@pytest.mark.parametrize("function", sorted(RPCS))
def test_webhook_rpcs_refuse_anon_and_users_even_after_service_role_called_them(
    function: str, stack: LocalStack, db: Connection
) -> None:
    tenant = create_tenant_with_rows(db)
    url = f"{stack.api_url}/rest/v1/rpc/{function}"
    service = {"apikey": stack.service_role_key}
    # Warm PostgREST's prepared statements with the service role first (DESIGN: inlined
    # SQL functions skip the EXECUTE check on a cached generic plan).
    for _ in range(6):
        assert httpx.post(url, json=RPCS[function], headers=service).status_code == 200

    anon = {"apikey": stack.anon_key}
    user = {
        **anon,
        "Authorization": f"Bearer {keys.user_token(tenant.id, secret=stack.jwt_secret)}",
    }
    for headers, expected_status in ((anon, 401), (user, 403)):
        for _ in range(3):
            response = httpx.post(url, json=RPCS[function], headers=headers)
            assert response.status_code == expected_status, response.text
            assert response.json()["code"] == "42501"


def test_customer_phone_is_unique_per_business_not_globally(
    client: TestClient, business: Business, db: Connection
) -> None:
    other = create_tenant_with_rows(db)
    phone = random_phone()
    for to in (business.number, other.whatsapp_number):
        form = customer_form("hola", sender=phone, to=to)
        url = PUBLIC_URL + "/api/twilio/webhook"
        client.post(
            "/api/twilio/webhook",
            data=form,
            headers={"X-Twilio-Signature": sign(url, form, AUTH_TOKEN)},
        )
    owners = db.execute(
        "select owner_id from public.clients where phone = %s order by 1", (phone,)
    ).fetchall()
    assert sorted(str(o[0]) for o in owners) == sorted([str(business.tenant.id), str(other.id)])
