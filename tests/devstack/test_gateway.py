"""The local API gateway: key checks like Supabase's, and transparent forwarding."""

from __future__ import annotations

import uuid
from typing import cast

import httpx
import pytest

from devstack import keys
from devstack.stack import LocalStack
from supabase import create_client
from tests.factories import Connection, create_tenant_with_rows


def test_request_without_api_key_is_refused(stack: LocalStack) -> None:
    response = httpx.get(f"{stack.api_url}/rest/v1/clients")
    assert response.status_code == 401
    assert response.json() == {"message": "No API key found in request"}


@pytest.mark.parametrize(
    "api_key",
    [
        "not-a-jwt",
        keys.anon_key("some-other-secret-that-is-long-enough-1234"),
        # A user's session token is not an API key.
        keys.user_token("5eed0000-0000-4000-8000-00000000abcd"),
    ],
    ids=["garbage", "wrong-secret", "user-token"],
)
def test_invalid_api_key_is_refused(stack: LocalStack, api_key: str) -> None:
    response = httpx.get(f"{stack.api_url}/rest/v1/clients", headers={"apikey": api_key})
    assert response.status_code == 401
    assert response.json() == {"message": "Invalid authentication credentials"}


def test_unknown_service_is_404(stack: LocalStack) -> None:
    response = httpx.get(f"{stack.api_url}/storage/v1/bucket", headers={"apikey": stack.anon_key})
    assert response.status_code == 404


def test_api_key_in_query_string_is_accepted_and_not_forwarded(
    stack: LocalStack, db: Connection
) -> None:
    tenant = create_tenant_with_rows(db)
    response = httpx.get(
        f"{stack.api_url}/rest/v1/clients",
        params={"apikey": stack.service_role_key, "owner_id": f"eq.{tenant.id}", "select": "id"},
    )
    assert response.status_code == 200, response.text
    assert response.json() == [{"id": str(tenant.rows["client"])}]


def test_anon_key_is_refused_the_clients(stack: LocalStack, db: Connection) -> None:
    create_tenant_with_rows(db)
    response = httpx.get(f"{stack.api_url}/rest/v1/clients", headers={"apikey": stack.anon_key})
    # anon holds no privilege on the table: a clear refusal, not an empty list.
    assert response.status_code == 401, response.text
    assert response.json()["code"] == "42501"
    assert "permission denied for table clients" in response.json()["message"]


def test_supabase_py_reads_only_its_own_rows(stack: LocalStack, db: Connection) -> None:
    """The official client works against the gateway unchanged."""
    mine, theirs = create_tenant_with_rows(db), create_tenant_with_rows(db)
    client = create_client(stack.api_url, stack.anon_key)
    client.postgrest.auth(keys.user_token(mine.id, mine.email, stack.jwt_secret))

    clients = client.table("clients").select("id, owner_id").execute().data
    assert clients == [{"id": str(mine.rows["client"]), "owner_id": str(mine.id)}]
    faq_rows = cast(list[dict[str, str]], client.table("faqs").select("owner_id").execute().data)
    faq_owners = {row["owner_id"] for row in faq_rows}
    assert faq_owners == {str(mine.id)}
    assert str(theirs.id) not in faq_owners

    service = create_client(stack.api_url, stack.service_role_key)
    both = service.table("clients").select("id").in_("owner_id", [str(mine.id), str(theirs.id)])
    assert len(both.execute().data) == 2


def test_browsers_get_cors_answers(stack: LocalStack) -> None:
    origin = {"Origin": "http://127.0.0.1:3000"}
    preflight = httpx.options(
        f"{stack.api_url}/rest/v1/clients",
        headers={
            **origin,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "apikey, authorization",
        },
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "apikey" in preflight.headers["access-control-allow-headers"]
    signed_in = keys.user_token(uuid.uuid4(), secret=stack.jwt_secret)
    response = httpx.get(
        f"{stack.api_url}/rest/v1/clients",
        headers={**origin, "apikey": stack.anon_key, "Authorization": f"Bearer {signed_in}"},
    )
    assert response.status_code == 200, response.text
    assert response.headers["access-control-allow-origin"] == "*"
    refused = httpx.get(f"{stack.api_url}/rest/v1/clients", headers=origin)
    assert refused.status_code == 401
    assert refused.headers["access-control-allow-origin"] == "*"


def test_the_gateway_serves_auth_so_supabase_py_signs_up_and_reads_its_rows(
    stack: LocalStack,
) -> None:
    client = create_client(stack.api_url, stack.anon_key)
    email = f"nueva-{uuid.uuid4().hex[:8]}@example.test"
    session = client.auth.sign_up({"email": email, "password": "clave-segura-1"}).session
    assert session is not None
    claims = keys.decode(session.access_token, stack.jwt_secret)
    assert claims["email"] == email and claims["role"] == "authenticated"
    rows = cast(list[dict[str, str]], client.table("users").select("id, email").execute().data)
    assert rows == [{"id": claims["sub"], "email": email}]
