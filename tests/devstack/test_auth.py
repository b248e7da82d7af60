"""The Auth stand-in: GoTrue's wire format, checked with the official client over real HTTP.

The gateway subprocess of the `stack` fixture does not load stand-ins that are
not registered yet, so these tests serve the gateway app in-process, with the
Auth stand-in mounted and /rest/v1 forwarded to the stack's real PostgREST.
"""

from __future__ import annotations

import asyncio
import re
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from aiohttp import web
from psycopg.types.json import Jsonb
from supabase_auth.errors import AuthApiError, AuthWeakPasswordError
from supabase_auth.helpers import generate_pkce_challenge, generate_pkce_verifier

from devstack import auth, keys
from devstack.gateway import GatewayConfig, StandIn, create_app
from devstack.stack import LocalStack
from supabase import Client, create_client
from tests.factories import Connection, create_tenant_with_rows

PASSWORD = "correcto-horse-9"
APP_CALLBACK = "http://127.0.0.1:3000/auth/callback"


class ServedApp:
    """An aiohttp app on a free loopback port, in a thread with its own event loop."""

    def __init__(self, app: web.Application) -> None:
        self.app = app
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.ready = threading.Event()
        self.port = 0
        self.error: BaseException | None = None

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        runner = web.AppRunner(self.app, access_log=None)
        try:
            self.loop.run_until_complete(runner.setup())
            site = web.TCPSite(runner, "127.0.0.1", 0)
            self.loop.run_until_complete(site.start())
            self.port = runner.addresses[0][1]
        except BaseException as error:
            self.error = error
            self.ready.set()
            return
        self.ready.set()
        try:
            self.loop.run_forever()
        finally:
            self.loop.run_until_complete(runner.cleanup())
            self.loop.close()

    def __enter__(self) -> str:
        self.thread.start()
        self.ready.wait(15)
        if self.error is not None:
            raise self.error
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *_: object) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(15)


@dataclass
class Api:
    url: str
    anon_key: str
    secret: str

    @property
    def auth_url(self) -> str:
        return f"{self.url}/auth/v1"

    def client(self) -> Client:
        return create_client(self.url, self.anon_key)

    def post(self, path: str, body: dict[str, Any], **kwargs: Any) -> httpx.Response:
        headers = {"apikey": self.anon_key, **kwargs.pop("headers", {})}
        return httpx.post(f"{self.auth_url}{path}", json=body, headers=headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"apikey": self.anon_key, **kwargs.pop("headers", {})}
        return httpx.get(f"{self.auth_url}{path}", headers=headers, **kwargs)


# The default `mount` is a gateway stand-in as the gateway declares them.
DEFAULT_MOUNT: StandIn = auth.mount


@pytest.fixture(scope="module")
def api(stack: LocalStack, database_url: str) -> Iterator[Api]:
    assert stack.postgrest is not None
    config = GatewayConfig(stack.jwt_secret, stack.postgrest.url, database_url)
    # No reuse interval, so a replayed refresh token is refused at once.
    mount = auth.mount_with(auth.AuthSettings(refresh_token_reuse_interval=0))
    with ServedApp(create_app(config, [mount])) as url:
        yield Api(url, stack.anon_key, stack.jwt_secret)


def new_email(prefix: str = "owner") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.test"


def sign_up(api: Api, email: str | None = None) -> tuple[Client, str]:
    client = api.client()
    email = email or new_email()
    client.auth.sign_up({"email": email, "password": PASSWORD})
    return client, email


def error_of(response: httpx.Response) -> tuple[int, str]:
    body = response.json()
    return response.status_code, body.get("error_code") or body.get("code")


# -- password sign-up and sign-in ------------------------------------------------


def test_sign_up_returns_a_session_with_gotrue_claims(api: Api, db: Connection) -> None:
    client = api.client()
    email = new_email()
    response = client.auth.sign_up(
        {"email": email, "password": PASSWORD, "options": {"data": {"full_name": "Ana Pérez"}}}
    )
    session, user = response.session, response.user
    assert session is not None and user is not None
    assert session.token_type == "bearer"
    assert session.expires_in == 3600
    assert user.email == email and user.aud == "authenticated" and user.role == "authenticated"
    assert user.email_confirmed_at is not None
    assert user.app_metadata == {"provider": "email", "providers": ["email"]}
    assert user.user_metadata["full_name"] == "Ana Pérez"
    assert user.identities is not None and [i.provider for i in user.identities] == ["email"]
    assert user.identities[0].identity_data["email"] == email

    claims = keys.decode(session.access_token, api.secret)
    assert claims["sub"] == user.id
    assert claims["role"] == "authenticated" and claims["aud"] == "authenticated"
    assert claims["email"] == email
    assert claims["is_anonymous"] is False and claims["aal"] == "aal1"
    assert claims["app_metadata"] == {"provider": "email", "providers": ["email"]}
    assert cast(dict[str, Any], claims["user_metadata"])["full_name"] == "Ana Pérez"
    assert cast(int, claims["exp"]) - cast(int, claims["iat"]) == 3600
    assert session.expires_at == claims["exp"]
    assert claims["iss"] == f"{api.auth_url}"
    stored = db.execute(
        "select user_id::text from auth.sessions where id = %s", (claims["session_id"],)
    ).fetchone()
    assert stored == (user.id,)

    # The auth.users trigger made the business: its public.users row and built-in labels.
    business = db.execute(
        "select email, name from public.users where id = %s", (user.id,)
    ).fetchone()
    assert business == (email, "Ana Pérez")
    builtins = db.execute(
        "select count(*) from public.labels where owner_id = %s and builtin is not null",
        (user.id,),
    ).fetchone()
    assert builtins == (2,)


def test_signed_in_owner_reads_only_their_rows_through_rest(api: Api, db: Connection) -> None:
    other = create_tenant_with_rows(db)
    _, email = sign_up(api)

    client = api.client()
    session = client.auth.sign_in_with_password({"email": email, "password": PASSWORD}).session
    assert session is not None
    me = client.auth.get_user()
    assert me is not None and me.user.email == email

    users = cast(list[dict[str, Any]], client.table("users").select("*").execute().data)
    assert [row["id"] for row in users] == [me.user.id]
    labels = cast(list[dict[str, Any]], client.table("labels").select("*").execute().data)
    assert sorted(row["builtin"] for row in labels) == ["needs_attention", "new_client"]
    assert {row["owner_id"] for row in labels} == {me.user.id}
    assert client.table("clients").select("id").eq("owner_id", str(other.id)).execute().data == []
    assert client.table("faqs").select("id").execute().data == []


def test_refresh_rotates_and_sign_out_ends_the_session(api: Api) -> None:
    client, _ = sign_up(api)
    first = client.auth.get_session()
    assert first is not None

    refreshed = client.auth.refresh_session().session
    assert refreshed is not None
    assert refreshed.refresh_token != first.refresh_token
    first_claims = keys.decode(first.access_token, api.secret)
    new_claims = keys.decode(refreshed.access_token, api.secret)
    assert new_claims["session_id"] == first_claims["session_id"]
    assert new_claims["sub"] == first_claims["sub"]
    user = client.auth.get_user()
    assert user is not None and user.user.id == new_claims["sub"]

    # As GoTrue: the token just rotated out returns the current one (a lost answer).
    again = api.post("/token?grant_type=refresh_token", {"refresh_token": first.refresh_token})
    assert again.status_code == 200, again.text
    assert again.json()["refresh_token"] == refreshed.refresh_token

    client.auth.sign_out()
    assert client.auth.get_session() is None
    refused = api.post(
        "/token?grant_type=refresh_token", {"refresh_token": refreshed.refresh_token}
    )
    assert error_of(refused) == (400, "refresh_token_not_found")
    stale = api.get("/user", headers={"Authorization": f"Bearer {refreshed.access_token}"})
    assert error_of(stale) == (403, "session_not_found")


def test_replayed_refresh_token_revokes_its_family(api: Api) -> None:
    client, _ = sign_up(api)
    session = client.auth.get_session()
    assert session is not None
    first = session.refresh_token

    def refresh(token: str) -> httpx.Response:
        return api.post("/token?grant_type=refresh_token", {"refresh_token": token})

    second = refresh(first).json()["refresh_token"]
    third = refresh(second).json()["refresh_token"]
    replay = refresh(first)
    assert error_of(replay) == (400, "refresh_token_already_used")
    assert replay.json()["msg"] == "Invalid Refresh Token: Already Used"
    # The family is revoked: even the newest token is now refused.
    assert error_of(refresh(third)) == (400, "refresh_token_already_used")
    assert error_of(refresh("never-issued")) == (400, "refresh_token_not_found")

    with pytest.raises(AuthApiError) as caught:
        api.client().auth.refresh_session(third)
    # (supabase-py's ErrorCode literal lacks this newer GoTrue code.)
    assert str(caught.value.code) == "refresh_token_already_used"


def test_local_sign_out_keeps_other_sessions(api: Api) -> None:
    laptop, email = sign_up(api)
    phone = api.client()
    phone.auth.sign_in_with_password({"email": email, "password": PASSWORD})
    laptop.auth.sign_out({"scope": "local"})

    still = phone.auth.get_session()
    assert still is not None
    assert phone.auth.refresh_session().session is not None


def test_wrong_password_is_an_auth_api_error(api: Api) -> None:
    _, email = sign_up(api)
    client = api.client()
    for credentials in (
        {"email": email, "password": "not-the-password"},
        {"email": new_email("nobody"), "password": PASSWORD},
    ):
        with pytest.raises(AuthApiError) as caught:
            client.auth.sign_in_with_password(credentials)  # type: ignore[arg-type]
        assert caught.value.message == "Invalid login credentials"
        assert caught.value.status == 400
        assert caught.value.code == "invalid_credentials"


def test_duplicate_and_weak_sign_ups_are_refused(api: Api) -> None:
    _, email = sign_up(api)
    with pytest.raises(AuthApiError) as caught:
        api.client().auth.sign_up({"email": email.upper(), "password": PASSWORD})
    assert (caught.value.status, caught.value.code) == (422, "user_already_exists")
    assert caught.value.message == "User already registered"

    with pytest.raises(AuthWeakPasswordError) as weak:
        api.client().auth.sign_up({"email": new_email(), "password": "12345"})
    assert (weak.value.status, weak.value.code) == (422, "weak_password")
    assert weak.value.reasons == ["length"]


def test_seed_style_user_signs_in_with_password(api: Api, db: Connection) -> None:
    """A user inserted the way supabase/seed.sql does, with no identity row."""
    user_id, email = uuid.uuid4(), new_email("seed")
    db.execute(
        "insert into auth.users (instance_id, id, aud, role, email, encrypted_password,"
        " email_confirmed_at, raw_app_meta_data, raw_user_meta_data, is_super_admin,"
        " created_at, updated_at)"
        " values ('00000000-0000-0000-0000-000000000000', %s, 'authenticated', 'authenticated',"
        " %s, extensions.crypt('facilchat-demo', extensions.gen_salt('bf')), now(), %s, %s,"
        " false, now(), now())",
        (
            user_id,
            email,
            Jsonb({"provider": "email", "providers": ["email"]}),
            Jsonb({"full_name": "Lucía Hernández"}),
        ),
    )
    response = api.client().auth.sign_in_with_password(
        {"email": email, "password": "facilchat-demo"}
    )
    assert response.user is not None and response.user.id == str(user_id)
    assert response.user.identities == []
    assert response.user.user_metadata == {"full_name": "Lucía Hernández"}


def test_unconfirmed_and_passwordless_users_cannot_sign_in(api: Api, db: Connection) -> None:
    email = new_email("unconfirmed")
    db.execute(
        "insert into auth.users (id, email, aud, role, encrypted_password)"
        " values (%s, %s, 'authenticated', 'authenticated',"
        " extensions.crypt(%s, extensions.gen_salt('bf')))",
        (uuid.uuid4(), email, PASSWORD),
    )
    response = api.post("/token?grant_type=password", {"email": email, "password": PASSWORD})
    assert error_of(response) == (400, "email_not_confirmed")

    # A factory tenant has no password at all.
    tenant = create_tenant_with_rows(db)
    response = api.post("/token?grant_type=password", {"email": tenant.email, "password": ""})
    assert error_of(response) == (400, "invalid_credentials")


# -- wire details ----------------------------------------------------------------


def test_errors_take_the_shape_of_the_requested_api_version(api: Api) -> None:
    body = {"email": new_email("nobody"), "password": PASSWORD}
    legacy = api.post("/token?grant_type=password", body)
    assert legacy.status_code == 400
    assert legacy.json() == {
        "code": 400,
        "error_code": "invalid_credentials",
        "msg": "Invalid login credentials",
    }
    versioned = api.post(
        "/token?grant_type=password", body, headers={"X-Supabase-Api-Version": "2024-01-01"}
    )
    assert versioned.status_code == 400
    assert versioned.json() == {
        "code": "invalid_credentials",
        "message": "Invalid login credentials",
    }
    assert versioned.headers["X-Supabase-Api-Version"] == "2024-01-01"


def test_json_endpoints_need_an_api_key_and_browser_ones_do_not(api: Api) -> None:
    missing = httpx.post(f"{api.auth_url}/token?grant_type=password", json={})
    assert missing.status_code == 401
    assert missing.json() == {"message": "No API key found in request"}
    user_token = keys.user_token(uuid.uuid4(), secret=api.secret)
    wrong = httpx.get(f"{api.auth_url}/settings", headers={"apikey": user_token})
    assert wrong.status_code == 401

    settings = api.get("/settings")
    assert settings.status_code == 200
    assert settings.json()["external"]["google"] is True
    assert settings.json()["external"]["email"] is True
    assert api.get("/nowhere").status_code == 404

    page = httpx.get(
        f"{api.auth_url}/authorize", params={"provider": "google", "redirect_to": APP_CALLBACK}
    )
    assert page.status_code == 200


def test_get_user_refuses_bad_tokens_like_gotrue(api: Api) -> None:
    assert error_of(api.get("/user")) == (401, "no_authorization")
    for token in (
        "not-a-jwt",
        keys.user_token(uuid.uuid4(), secret="another-secret-that-is-long-enough-1234"),
        keys.user_token(uuid.uuid4(), secret=api.secret, ttl=-60),
        api.anon_key,
    ):
        response = api.get("/user", headers={"Authorization": f"Bearer {token}"})
        assert error_of(response) == (403, "bad_jwt"), token
    unknown_user = keys.user_token(uuid.uuid4(), secret=api.secret)
    response = api.get("/user", headers={"Authorization": f"Bearer {unknown_user}"})
    assert error_of(response) == (403, "user_not_found")


def test_cors_for_a_browser_app(api: Api) -> None:
    origin = "http://127.0.0.1:3000"
    preflight = httpx.options(
        f"{api.auth_url}/token?grant_type=pkce",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "apikey, authorization, content-type, x-client-info",
        },
    )
    assert preflight.status_code == 204
    # Any origin, as Supabase's gateway answers.
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    allowed = preflight.headers["Access-Control-Allow-Headers"].lower()
    assert {"apikey", "authorization", "content-type", "x-client-info"} <= {
        name.strip() for name in allowed.split(",")
    }

    for response in (
        api.get("/settings", headers={"Origin": origin}),
        api.post("/token?grant_type=password", {}, headers={"Origin": origin}),
        httpx.post(f"{api.auth_url}/token?grant_type=password", headers={"Origin": origin}),
    ):
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert "x-supabase-api-version" in response.headers["Access-Control-Expose-Headers"].lower()


# -- the Google stand-in ---------------------------------------------------------


def form_fields(page: str) -> dict[str, str]:
    """The hidden fields of the first form on the page (they all carry the same state)."""
    state = re.search(r'name="state" value="([^"]+)"', page)
    assert state is not None, page
    return {"state": state.group(1)}


def pick_account(api: Api, authorize_url: str, email: str, name: str = "") -> httpx.Response:
    page = httpx.get(authorize_url)
    assert page.status_code == 200, page.text
    assert "Elige una cuenta de prueba" in page.text
    return httpx.post(
        f"{api.auth_url}/callback", data={**form_fields(page.text), "email": email, "name": name}
    )


def test_google_pkce_flow_with_supabase_py(api: Api, db: Connection) -> None:
    _, existing = sign_up(api)
    client = api.client()
    oauth = client.auth.sign_in_with_oauth(
        {"provider": "google", "options": {"redirect_to": APP_CALLBACK}}
    )
    query = parse_qs(urlsplit(oauth.url).query)
    assert query["code_challenge_method"] == ["s256"]

    page = httpx.get(oauth.url)
    assert existing in page.text  # the account chooser lists existing users

    email = new_email("google")
    redirect = pick_account(api, oauth.url, email, "Marta Gómez")
    assert redirect.status_code == 302
    location = urlsplit(redirect.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == APP_CALLBACK
    code = parse_qs(location.query)["code"][0]

    wrong = api.post(
        "/token?grant_type=pkce", {"auth_code": code, "code_verifier": generate_pkce_verifier()}
    )
    assert error_of(wrong) == (400, "bad_code_verifier")

    response = client.auth.exchange_code_for_session({"auth_code": code, "redirect_to": ""})
    assert response.session is not None and response.user is not None
    assert response.user.email == email
    assert response.user.app_metadata == {"provider": "google", "providers": ["google"]}
    assert response.user.user_metadata["full_name"] == "Marta Gómez"
    assert response.user.identities is not None
    assert [i.provider for i in response.user.identities] == ["google"]
    claims = keys.decode(response.session.access_token, api.secret)
    assert claims["amr"] == [{"method": "oauth", "timestamp": claims["amr"][0]["timestamp"]}]  # type: ignore[index]
    assert db.execute("select 1 from public.users where email = %s", (email,)).fetchone()

    with pytest.raises(AuthApiError) as reused:
        api.client().auth.exchange_code_for_session(
            {"auth_code": code, "code_verifier": "x" * 64, "redirect_to": ""}
        )
    assert (reused.value.status, reused.value.code) == (404, "flow_state_not_found")


def test_google_sign_in_links_an_existing_password_account(api: Api) -> None:
    _, email = sign_up(api)
    verifier = generate_pkce_verifier()
    url = httpx.URL(
        f"{api.auth_url}/authorize",
        params={
            "provider": "google",
            "redirect_to": "http://localhost:3000/?next=/inbox",
            "code_challenge": verifier,
            "code_challenge_method": "plain",
        },
    )
    redirect = pick_account(api, str(url), email)
    assert redirect.status_code == 302
    location = urlsplit(redirect.headers["Location"])
    assert location.netloc == "localhost:3000"
    params = parse_qs(location.query)
    assert params["next"] == ["/inbox"]

    session = api.post(
        "/token?grant_type=pkce", {"auth_code": params["code"][0], "code_verifier": verifier}
    )
    assert session.status_code == 200, session.text
    user = session.json()["user"]
    assert user["email"] == email
    assert user["app_metadata"]["providers"] == ["email", "google"]
    assert sorted(i["provider"] for i in user["identities"]) == ["email", "google"]


def test_google_implicit_flow_puts_the_session_in_the_fragment(api: Api) -> None:
    url = httpx.URL(
        f"{api.auth_url}/authorize", params={"provider": "google", "redirect_to": APP_CALLBACK}
    )
    redirect = pick_account(api, str(url), new_email("implicit"))
    assert redirect.status_code == 302
    location = urlsplit(redirect.headers["Location"])
    assert location.query == ""
    fragment = {key: values[0] for key, values in parse_qs(location.fragment).items()}
    assert fragment["token_type"] == "bearer"
    assert fragment["expires_in"] == "3600"
    assert int(fragment["expires_at"]) > time.time()

    client = api.client()
    client.auth.set_session(fragment["access_token"], fragment["refresh_token"])
    user = client.auth.get_user()
    assert user is not None and user.user.app_metadata["provider"] == "google"


def test_authorize_refuses_what_gotrue_or_the_stand_in_would(api: Api, db: Connection) -> None:
    def authorize(**params: str) -> httpx.Response:
        return httpx.get(f"{api.auth_url}/authorize", params={"provider": "google", **params})

    challenge = generate_pkce_challenge(generate_pkce_verifier())
    before = db.execute("select count(*) from auth.flow_state").fetchone()
    for target in (
        "https://evil.example/callback",
        "http://127.0.0.1@evil.example/callback",
        "http://localhost.evil.example/",
        "javascript:alert(1)",
    ):
        refused = authorize(
            redirect_to=target, code_challenge=challenge, code_challenge_method="s256"
        )
        assert error_of(refused) == (400, "validation_failed"), target
    assert db.execute("select count(*) from auth.flow_state").fetchone() == before

    assert error_of(authorize(redirect_to=APP_CALLBACK, code_challenge=challenge)) == (
        400,
        "validation_failed",
    )
    assert error_of(httpx.get(f"{api.auth_url}/authorize", params={"provider": "github"})) == (
        400,
        "validation_failed",
    )

    forged = httpx.post(f"{api.auth_url}/callback", data={"state": "forged", "email": "a@b.co"})
    assert error_of(forged) == (400, "bad_oauth_state")


def test_cancelling_on_the_account_page_returns_an_error_to_the_app(api: Api) -> None:
    challenge = generate_pkce_challenge(generate_pkce_verifier())
    page = httpx.get(
        f"{api.auth_url}/authorize",
        params={
            "provider": "google",
            "redirect_to": APP_CALLBACK,
            "code_challenge": challenge,
            "code_challenge_method": "s256",
        },
    )
    cancel = httpx.post(
        f"{api.auth_url}/callback", data={**form_fields(page.text), "action": "cancel"}
    )
    assert cancel.status_code == 302
    params = parse_qs(urlsplit(cancel.headers["Location"]).query)
    assert params["error"] == ["access_denied"]

    invalid = httpx.post(
        f"{api.auth_url}/callback", data={**form_fields(page.text), "email": "not-an-email"}
    )
    assert invalid.status_code == 400
    assert "Escribe un correo válido" in invalid.text
