"""A local stand-in for Supabase Auth (GoTrue), mounted on the gateway at /auth/v1.

It speaks GoTrue's wire format for the subset FácilChat uses, so supabase-py and
supabase-js work against it unchanged:

- `POST /signup`: email and password; email confirmation is off locally, so it
  answers with a session at once.
- `POST /token?grant_type=password|refresh_token|pkce`: sign-in, refresh (the
  token rotates, and reusing a spent one revokes its family) and the PKCE code
  exchange.
- `GET /user`, `POST /logout?scope=global|local|others`, `GET /settings`,
  `GET /health`, `GET /.well-known/jwks.json`.
- `GET /authorize?provider=google`: instead of Google, a local page to pick a
  test account or create one; `POST /callback` then redirects to the app's
  loopback `redirect_to` with `?code=` (PKCE) or `#access_token=...` (implicit).

State lives where GoTrue keeps it (auth.users, auth.identities, auth.sessions,
auth.refresh_tokens, auth.mfa_amr_claims, auth.flow_state; see
supabase/local/platform.sql). Access tokens are HS256 JWTs signed with the local
secret and carry GoTrue's claims, so PostgREST and RLS treat them as Supabase's.

Errors follow GoTrue's API versions: a request with `X-Supabase-Api-Version:
2024-01-01` or later (both official clients send it) gets
`{"code": "<error_code>", "message": ...}` and the header back; any other gets
the initial shape `{"code": <status>, "error_code": ..., "msg": ...}`.

Like Supabase's gateway, the JSON endpoints require an `apikey`; the browser
endpoints (/authorize, /callback) do not. CORS is answered as Supabase's gateway
does (any origin), also when the gateway's own CORS middleware is absent.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import ipaddress
import json
import logging
import re
import secrets
import time
import uuid
from base64 import urlsafe_b64encode
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import jwt
import psycopg
from aiohttp import web
from psycopg.rows import DictRow, dict_row
from psycopg.types.json import Jsonb

from devstack import keys
from devstack.gateway_config import GatewayConfig

log = logging.getLogger("auth")

Json = dict[str, Any]
Conn = psycopg.AsyncConnection[DictRow]

PREFIX = "/auth/v1"
API_VERSION_HEADER = "X-Supabase-Api-Version"
API_VERSION_2024_01_01 = "2024-01-01"
API_KEY_ROLES = {"anon", "service_role"}
AUDIENCE = "authenticated"
NIL_UUID = "00000000-0000-0000-0000-000000000000"
GO_ZERO_TIME = "0001-01-01T00:00:00Z"
MAX_PASSWORD_LENGTH = 72  # bcrypt reads no further
MIN_CODE_CHALLENGE_LENGTH = 43
MAX_CODE_CHALLENGE_LENGTH = 128
OAUTH_STATE_TTL = 15 * 60  # the person may take a while on the account page
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
BEARER_PATTERN = re.compile(r"^\s*bearer\s+(\S+)\s*$", re.IGNORECASE)
GOOGLE_ISSUER = "https://accounts.google.com"
CORS_ALLOW_HEADERS = "authorization, x-client-info, apikey, content-type, x-supabase-api-version"
CORS_ALLOW_METHODS = "GET, POST, PUT, PATCH, DELETE, OPTIONS"


@dataclass(frozen=True)
class AuthSettings:
    """The GoTrue settings the stand-in honours (defaults as supabase/config.toml)."""

    # Where to send the browser when /authorize gets no redirect_to.
    site_url: str = "http://127.0.0.1:3000"
    jwt_expiry: int = keys.SESSION_TTL_SECONDS
    password_min_length: int = 6
    # GOTRUE_SECURITY_REFRESH_TOKEN_REUSE_INTERVAL: a spent refresh token still
    # works this many seconds after it was rotated.
    refresh_token_reuse_interval: int = 10
    # GOTRUE_EXTERNAL_FLOW_STATE_EXPIRY_DURATION: an auth code's lifetime.
    flow_state_expiry: int = 300


# -- errors ----------------------------------------------------------------------


class ApiError(Exception):
    """GoTrue's HTTPError: an HTTP status, an error code and a message."""

    def __init__(self, status: int, error_code: str, message: str, extra: Json | None = None):
        super().__init__(message)
        self.status = status
        self.error_code = error_code
        self.message = message
        self.extra = extra or {}


class OAuthError(Exception):
    """GoTrue's OAuthError: `{"error", "error_description"}` with status 400."""

    def __init__(self, error: str, description: str):
        super().__init__(description)
        self.error = error
        self.description = description


def uses_api_2024(request: web.Request) -> bool:
    value = request.headers.get(API_VERSION_HEADER, "")
    try:
        version = datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        return False
    return version >= datetime(2024, 1, 1).date()


def error_response(request: web.Request, error: ApiError | OAuthError) -> web.Response:
    if isinstance(error, OAuthError):
        body: Json = {"error": error.error, "error_description": error.description}
        return web.json_response(body, status=400)
    if uses_api_2024(request):
        body = {"code": error.error_code, "message": error.message, **error.extra}
        headers = {API_VERSION_HEADER: API_VERSION_2024_01_01}
        return web.json_response(body, status=error.status, headers=headers)
    body = {"code": error.status, "error_code": error.error_code, "msg": error.message}
    return web.json_response({**body, **error.extra}, status=error.status)


def api_key_refusal(request: web.Request, secret: str) -> web.Response | None:
    """What Supabase's gateway answers before Auth sees a request without a valid key."""
    api_key = request.headers.get("apikey") or request.query.get("apikey")
    if not api_key:
        return web.json_response({"message": "No API key found in request"}, status=401)
    try:
        claims = keys.decode(api_key, secret)
    except jwt.InvalidTokenError:
        claims = {}
    if claims.get("role") not in API_KEY_ROLES:
        return web.json_response({"message": "Invalid authentication credentials"}, status=401)
    return None


# -- small helpers ---------------------------------------------------------------


def timestamp(value: datetime | None) -> str | None:
    """A time as GoTrue (Go) writes it: RFC 3339 in UTC."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def without_none(body: Json) -> Json:
    return {key: value for key, value in body.items() if value is not None}


def normalize_email(value: object) -> str:
    return value.strip().lower() if isinstance(value, str) else ""


def is_loopback_url(url: str) -> bool:
    """An http(s) URL on this machine: the only place the stand-in sends a browser."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        _ = parts.port  # raises on a malformed port
    except ValueError:
        return False
    if parts.scheme not in {"http", "https"} or not host or any(c.isspace() for c in url):
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def with_query(url: str, params: dict[str, str]) -> str:
    parts = urlsplit(url)
    query = [*parse_qsl(parts.query, keep_blank_values=True), *params.items()]
    return urlunsplit(parts._replace(query=urlencode(query)))


def with_fragment(url: str, params: dict[str, str]) -> str:
    return urlunsplit(urlsplit(url)._replace(fragment=urlencode(params)))


def pkce_challenge(verifier: str, method: str) -> str:
    if method == "plain":
        return verifier
    digest = hashlib.sha256(verifier.encode()).digest()
    return urlsafe_b64encode(digest).rstrip(b"=").decode()


def google_subject(email: str) -> str:
    """A stable, Google-shaped (21-digit) account id for a test email."""
    return str(int.from_bytes(hashlib.sha256(email.encode()).digest()[:9], "big") % 10**21).zfill(
        21
    )


def new_refresh_token() -> str:
    return secrets.token_urlsafe(24)


async def read_json(request: web.Request) -> Json:
    raw = await request.read()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError as error:
        raise ApiError(400, "bad_json", f"Could not parse request body as JSON: {error}") from error
    if not isinstance(body, dict):
        raise ApiError(400, "bad_json", "Could not parse request body as JSON: not an object")
    return body


# -- database --------------------------------------------------------------------


class ConnectionPool:
    """A few reusable superuser connections for the handlers (autocommit)."""

    def __init__(self, url: str, size: int = 4) -> None:
        self._url = url
        self._size = size
        self._idle: list[Conn] = []

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[Conn]:
        conn = self._idle.pop() if self._idle else await self._connect()
        try:
            yield conn
        finally:
            idle = conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
            if conn.closed or conn.broken or not idle or len(self._idle) >= self._size:
                await conn.close()
            else:
                self._idle.append(conn)

    async def _connect(self) -> Conn:
        return await psycopg.AsyncConnection.connect(
            self._url, autocommit=True, row_factory=dict_row
        )

    async def close(self) -> None:
        while self._idle:
            await self._idle.pop().close()


async def fetch_user(conn: Conn, user_id: uuid.UUID | str) -> DictRow | None:
    cur = await conn.execute(
        "select u.id, u.aud, u.role, u.email, u.email_confirmed_at, u.phone,"
        " u.phone_confirmed_at, u.last_sign_in_at, u.raw_app_meta_data, u.raw_user_meta_data,"
        " u.created_at, u.updated_at, u.is_anonymous, u.deleted_at,"
        " coalesce(u.banned_until > now(), false) as banned"
        " from auth.users u where u.id = %s",
        (user_id,),
    )
    return await cur.fetchone()


async def fetch_identities(conn: Conn, user_id: uuid.UUID) -> list[DictRow]:
    cur = await conn.execute(
        "select id, provider_id, user_id, identity_data, provider, last_sign_in_at,"
        " created_at, updated_at, email"
        " from auth.identities where user_id = %s order by created_at, id",
        (user_id,),
    )
    return await cur.fetchall()


def identity_json(row: DictRow) -> Json:
    return without_none(
        {
            # GoTrue's historical naming: `id` is the provider's id for the account.
            "identity_id": str(row["id"]),
            "id": row["provider_id"],
            "user_id": str(row["user_id"]),
            "identity_data": row["identity_data"] or {},
            "provider": row["provider"],
            "last_sign_in_at": timestamp(row["last_sign_in_at"]),
            "created_at": timestamp(row["created_at"]) or GO_ZERO_TIME,
            "updated_at": timestamp(row["updated_at"]) or GO_ZERO_TIME,
            "email": row["email"],
        }
    )


def user_json(user: DictRow, identities: list[DictRow]) -> Json:
    confirmations = [t for t in (user["email_confirmed_at"], user["phone_confirmed_at"]) if t]
    return without_none(
        {
            "id": str(user["id"]),
            "aud": user["aud"] or AUDIENCE,
            "role": user["role"] or AUDIENCE,
            "email": user["email"] or "",
            "email_confirmed_at": timestamp(user["email_confirmed_at"]),
            "phone": user["phone"] or "",
            "phone_confirmed_at": timestamp(user["phone_confirmed_at"]),
            "confirmed_at": timestamp(min(confirmations)) if confirmations else None,
            "last_sign_in_at": timestamp(user["last_sign_in_at"]),
            "app_metadata": user["raw_app_meta_data"] or {},
            "user_metadata": user["raw_user_meta_data"] or {},
            "identities": [identity_json(row) for row in identities],
            "created_at": timestamp(user["created_at"]) or GO_ZERO_TIME,
            "updated_at": timestamp(user["updated_at"]) or GO_ZERO_TIME,
            "is_anonymous": bool(user["is_anonymous"]),
        }
    )


# -- the service -----------------------------------------------------------------


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class Route:
    methods: frozenset[str]
    handler: Handler
    needs_api_key: bool = True


class AuthService:
    def __init__(self, secret: str, database_url: str, settings: AuthSettings) -> None:
        self.secret = secret
        self.settings = settings
        self.pool = ConnectionPool(database_url)
        self.routes: dict[str, Route] = {
            "/signup": Route(frozenset({"POST"}), self.signup),
            "/token": Route(frozenset({"POST"}), self.token),
            "/user": Route(frozenset({"GET"}), self.get_user),
            "/logout": Route(frozenset({"POST"}), self.logout),
            "/settings": Route(frozenset({"GET"}), self.get_settings),
            "/health": Route(frozenset({"GET"}), self.health),
            "/.well-known/jwks.json": Route(frozenset({"GET"}), self.jwks),
            # Opened by the browser itself, so (as on Supabase) without an apikey.
            "/authorize": Route(frozenset({"GET"}), self.authorize, needs_api_key=False),
            "/callback": Route(frozenset({"POST"}), self.callback, needs_api_key=False),
        }

    # -- dispatch ----------------------------------------------------------------

    async def dispatch(self, request: web.Request) -> web.StreamResponse:
        if request.method == "OPTIONS":
            response: web.StreamResponse = self.preflight(request)
        else:
            response = await self.route(request)
        self.add_cors(request, response)
        return response

    async def route(self, request: web.Request) -> web.StreamResponse:
        route = self.routes.get("/" + request.match_info["tail"].rstrip("/"))
        if route is None:
            return web.Response(status=404, text="404 page not found")
        if request.method not in route.methods and not (
            request.method == "HEAD" and "GET" in route.methods
        ):
            return web.Response(status=405)
        if route.needs_api_key:
            refusal = api_key_refusal(request, self.secret)
            if refusal is not None:
                return refusal
        try:
            return await route.handler(request)
        except (ApiError, OAuthError) as error:
            return error_response(request, error)
        except psycopg.Error:
            log.exception("auth: database error on %s %s", request.method, request.path)
            failure = ApiError(
                500,
                "unexpected_failure",
                "Unexpected failure, please check server logs for more information",
            )
            return error_response(request, failure)

    def preflight(self, request: web.Request) -> web.Response:
        headers = {
            "Access-Control-Allow-Methods": CORS_ALLOW_METHODS,
            "Access-Control-Allow-Headers": request.headers.get(
                "Access-Control-Request-Headers", CORS_ALLOW_HEADERS
            ),
            "Access-Control-Max-Age": "86400",
        }
        return web.Response(status=204, headers=headers)

    @staticmethod
    def add_cors(request: web.Request, response: web.StreamResponse) -> None:
        # As Supabase's gateway: any origin, no credentials (the clients send none).
        if "Origin" in request.headers or request.method == "OPTIONS":
            response.headers["Access-Control-Allow-Origin"] = "*"
            response.headers["Access-Control-Expose-Headers"] = API_VERSION_HEADER.lower()

    # -- sessions ----------------------------------------------------------------

    async def issue_session(
        self, conn: Conn, request: web.Request, user_id: uuid.UUID, method: str
    ) -> Json:
        """A new session with its first refresh token, as after any sign-in."""
        session_id = uuid.uuid4()
        await conn.execute(
            "insert into auth.sessions (id, user_id, created_at, updated_at, aal, user_agent, ip)"
            " values (%s, %s, now(), now(), 'aal1', %s, %s::inet)",
            (session_id, user_id, request.headers.get("User-Agent"), request.remote),
        )
        await conn.execute(
            "insert into auth.mfa_amr_claims"
            " (id, session_id, created_at, updated_at, authentication_method)"
            " values (gen_random_uuid(), %s, now(), now(), %s)",
            (session_id, method),
        )
        refresh_token = new_refresh_token()
        await conn.execute(
            "insert into auth.refresh_tokens"
            " (instance_id, token, user_id, revoked, session_id, created_at, updated_at)"
            " values (%s, %s, %s, false, %s, now(), now())",
            (NIL_UUID, refresh_token, str(user_id), session_id),
        )
        await conn.execute(
            "update auth.users set last_sign_in_at = now(), updated_at = now() where id = %s",
            (user_id,),
        )
        return await self.session_json(conn, request, user_id, session_id, refresh_token)

    async def session_json(
        self,
        conn: Conn,
        request: web.Request,
        user_id: uuid.UUID,
        session_id: uuid.UUID,
        refresh_token: str,
    ) -> Json:
        user = await fetch_user(conn, user_id)
        if user is None:
            raise ApiError(404, "user_not_found", "User not found")
        identities = await fetch_identities(conn, user_id)
        cur = await conn.execute(
            "select authentication_method, created_at from auth.mfa_amr_claims"
            " where session_id = %s order by created_at",
            (session_id,),
        )
        amr = [
            {
                "method": row["authentication_method"],
                "timestamp": int(row["created_at"].timestamp()),
            }
            for row in await cur.fetchall()
        ]
        issued_at = int(time.time())
        expires_at = issued_at + self.settings.jwt_expiry
        claims: dict[str, object] = {
            "iss": f"{request.scheme}://{request.host}{PREFIX}",
            "sub": str(user_id),
            "aud": user["aud"] or AUDIENCE,
            "exp": expires_at,
            "iat": issued_at,
            "email": user["email"] or "",
            "phone": user["phone"] or "",
            "app_metadata": user["raw_app_meta_data"] or {},
            "user_metadata": user["raw_user_meta_data"] or {},
            "role": user["role"] or AUDIENCE,
            "aal": "aal1",
            "amr": amr,
            "session_id": str(session_id),
            "is_anonymous": bool(user["is_anonymous"]),
        }
        return {
            "access_token": keys.mint(claims, self.secret, ttl=self.settings.jwt_expiry),
            "token_type": "bearer",
            "expires_in": self.settings.jwt_expiry,
            "expires_at": expires_at,
            "refresh_token": refresh_token,
            "user": user_json(user, identities),
        }

    async def authenticate(self, request: web.Request) -> tuple[DictRow, uuid.UUID | None]:
        """The user (and session) of the request's bearer token, checked like GoTrue."""
        match = BEARER_PATTERN.match(request.headers.get("Authorization", ""))
        if match is None:
            raise ApiError(401, "no_authorization", "This endpoint requires a valid Bearer token")
        try:
            claims = keys.decode(match.group(1), self.secret)
        except jwt.InvalidTokenError as error:
            raise ApiError(
                403, "bad_jwt", f"invalid JWT: unable to parse or verify signature, {error}"
            ) from error
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject:
            raise ApiError(403, "bad_jwt", "invalid claim: missing sub claim")
        try:
            user_id = uuid.UUID(subject)
        except ValueError as error:
            raise ApiError(400, "bad_jwt", "invalid claim: sub claim must be a UUID") from error
        async with self.pool.connection() as conn:
            user = await fetch_user(conn, user_id)
            if user is None:
                raise ApiError(403, "user_not_found", "User from sub claim in JWT does not exist")
            session_id: uuid.UUID | None = None
            claimed_session = claims.get("session_id")
            if isinstance(claimed_session, str) and claimed_session not in ("", NIL_UUID):
                try:
                    session_id = uuid.UUID(claimed_session)
                except ValueError as error:
                    raise ApiError(
                        403, "bad_jwt", "invalid claim: session_id claim must be a UUID"
                    ) from error
                cur = await conn.execute("select 1 from auth.sessions where id = %s", (session_id,))
                if await cur.fetchone() is None:
                    raise ApiError(
                        403,
                        "session_not_found",
                        "Session from session_id claim in JWT does not exist",
                    )
        if user["banned"]:
            raise ApiError(403, "user_banned", "User is banned")
        return user, session_id

    # -- JSON endpoints ----------------------------------------------------------

    def check_password(self, password: str) -> None:
        if len(password) > MAX_PASSWORD_LENGTH:
            raise ApiError(
                422,
                "validation_failed",
                f"Password cannot be longer than {MAX_PASSWORD_LENGTH} characters",
            )
        minimum = self.settings.password_min_length
        if len(password) < minimum:
            raise ApiError(
                422,
                "weak_password",
                f"Password should be at least {minimum} characters.",
                {"weak_password": {"reasons": ["length"]}},
            )

    async def signup(self, request: web.Request) -> web.Response:
        body = await read_json(request)
        email = normalize_email(body.get("email"))
        password = body.get("password")
        data = body.get("data") or {}
        if not email and body.get("phone"):
            raise ApiError(400, "phone_provider_disabled", "Phone signups are disabled")
        if not email:
            raise ApiError(422, "validation_failed", "To signup, please provide your email")
        if not isinstance(password, str) or not password:
            raise ApiError(422, "validation_failed", "Signup requires a valid password")
        if not EMAIL_PATTERN.match(email):
            raise ApiError(
                400, "validation_failed", "Unable to validate email address: invalid format"
            )
        if not isinstance(data, dict):
            raise ApiError(400, "bad_json", "Could not parse request body as JSON: bad data")
        self.check_password(password)

        user_id = uuid.uuid4()
        identity_data = {
            "sub": str(user_id),
            "email": email,
            "email_verified": True,
            "phone_verified": False,
        }
        try:
            async with self.pool.connection() as conn, conn.transaction():
                cur = await conn.execute(
                    "select 1 from auth.users where lower(email) = %s", (email,)
                )
                if await cur.fetchone() is not None:
                    raise ApiError(422, "user_already_exists", "User already registered")
                await conn.execute(
                    "insert into auth.users (instance_id, id, aud, role, email, encrypted_password,"
                    " email_confirmed_at, raw_app_meta_data, raw_user_meta_data, is_super_admin,"
                    " created_at, updated_at)"
                    " values (%s, %s, %s, %s, %s,"
                    " extensions.crypt(%s, extensions.gen_salt('bf')),"
                    " now(), %s, %s, false, now(), now())",
                    (
                        NIL_UUID,
                        user_id,
                        AUDIENCE,
                        AUDIENCE,
                        email,
                        password,
                        Jsonb({"provider": "email", "providers": ["email"]}),
                        Jsonb({**data, **identity_data}),
                    ),
                )
                await conn.execute(
                    "insert into auth.identities (provider_id, user_id, identity_data, provider,"
                    " last_sign_in_at, created_at, updated_at)"
                    " values (%s, %s, %s, 'email', now(), now(), now())",
                    (str(user_id), user_id, Jsonb(identity_data)),
                )
                session = await self.issue_session(conn, request, user_id, "password")
        except psycopg.errors.UniqueViolation as error:
            raise ApiError(422, "user_already_exists", "User already registered") from error
        return web.json_response(session)

    async def token(self, request: web.Request) -> web.Response:
        grant_type = request.query.get("grant_type", "")
        grants = {
            "password": self.password_grant,
            "refresh_token": self.refresh_token_grant,
            "pkce": self.pkce_grant,
        }
        grant = grants.get(grant_type)
        if grant is None:
            raise ApiError(400, "invalid_credentials", "unsupported_grant_type")
        return web.json_response(await grant(request, await read_json(request)))

    async def password_grant(self, request: web.Request, body: Json) -> Json:
        email = normalize_email(body.get("email"))
        password = body.get("password")
        if not email and body.get("phone"):
            raise ApiError(400, "phone_provider_disabled", "Phone logins are disabled")
        if not email or not isinstance(password, str):
            raise ApiError(400, "invalid_credentials", "Invalid login credentials")
        async with self.pool.connection() as conn, conn.transaction():
            cur = await conn.execute(
                "select u.id, u.email_confirmed_at,"
                " coalesce(u.banned_until > now(), false) as banned,"
                " case when coalesce(u.encrypted_password, '') like '$2%%'"
                "      then u.encrypted_password = extensions.crypt(%s, u.encrypted_password)"
                "      else false end as password_ok"
                " from auth.users u"
                " where lower(u.email) = %s and u.deleted_at is null and not u.is_sso_user"
                " order by u.created_at limit 1",
                (password, email),
            )
            user = await cur.fetchone()
            if user is None or user["banned"] or not user["password_ok"]:
                raise ApiError(400, "invalid_credentials", "Invalid login credentials")
            if user["email_confirmed_at"] is None:
                raise ApiError(400, "email_not_confirmed", "Email not confirmed")
            return await self.issue_session(conn, request, user["id"], "password")

    async def refresh_token_grant(self, request: web.Request, body: Json) -> Json:
        presented = body.get("refresh_token")
        if not isinstance(presented, str) or not presented:
            raise OAuthError("invalid_request", "refresh_token required")
        refused: ApiError | None = None
        session: Json | None = None
        async with self.pool.connection() as conn, conn.transaction():
            cur = await conn.execute(
                "select t.id, t.token, t.user_id, t.revoked, t.session_id, t.updated_at,"
                " s.id is not null as has_session,"
                " s.not_after is not null and s.not_after < now() as session_expired,"
                " t.updated_at + make_interval(secs => %s) < now() as past_reuse_interval"
                " from auth.refresh_tokens t left join auth.sessions s on s.id = t.session_id"
                " where t.token = %s for update of t",
                (self.settings.refresh_token_reuse_interval, presented),
            )
            token = await cur.fetchone()
            user = await fetch_user(conn, token["user_id"]) if token is not None else None
            if token is None or user is None:
                raise ApiError(
                    400,
                    "refresh_token_not_found",
                    "Invalid Refresh Token: Refresh Token Not Found",
                )
            if user["banned"]:
                raise ApiError(400, "user_banned", "Invalid Refresh Token: User Banned")
            if not token["has_session"]:
                await conn.execute("delete from auth.refresh_tokens where id = %s", (token["id"],))
                refused = ApiError(
                    400, "session_not_found", "Invalid Refresh Token: No Valid Session Found"
                )
            elif token["session_expired"]:
                raise ApiError(400, "session_expired", "Invalid Refresh Token: Session Expired")
            else:
                session_id: uuid.UUID = token["session_id"]
                issued: str | None = None
                if token["revoked"]:
                    cur = await conn.execute(
                        "select token, parent from auth.refresh_tokens"
                        " where session_id = %s and not revoked order by id desc limit 1",
                        (session_id,),
                    )
                    active = await cur.fetchone()
                    if active is not None and active["parent"] == token["token"]:
                        # The client lost the answer to its last refresh: hand the
                        # current token back instead of minting another.
                        issued = active["token"]
                    elif token["past_reuse_interval"]:
                        # A spent token, replayed: revoke the whole family.
                        await conn.execute(
                            "update auth.refresh_tokens set revoked = true, updated_at = now()"
                            " where session_id = %s and not revoked",
                            (session_id,),
                        )
                        refused = ApiError(
                            400,
                            "refresh_token_already_used",
                            "Invalid Refresh Token: Already Used",
                        )
                if refused is None:
                    if issued is None:
                        await conn.execute(
                            "update auth.refresh_tokens set revoked = true, updated_at = now()"
                            " where id = %s",
                            (token["id"],),
                        )
                        issued = new_refresh_token()
                        await conn.execute(
                            "insert into auth.refresh_tokens (instance_id, token, user_id,"
                            " revoked, parent, session_id, created_at, updated_at)"
                            " values (%s, %s, %s, false, %s, %s, now(), now())",
                            (NIL_UUID, issued, token["user_id"], token["token"], session_id),
                        )
                    await conn.execute(
                        "update auth.sessions set refreshed_at = now() at time zone 'utc',"
                        " updated_at = now() where id = %s",
                        (session_id,),
                    )
                    session = await self.session_json(conn, request, user["id"], session_id, issued)
        # Refusals that revoke or delete are raised after the commit, like GoTrue's.
        if refused is not None:
            raise refused
        assert session is not None
        return session

    async def pkce_grant(self, request: web.Request, body: Json) -> Json:
        auth_code = body.get("auth_code")
        verifier = body.get("code_verifier")
        if not isinstance(auth_code, str) or not auth_code:
            auth_code = ""
        if not auth_code or not isinstance(verifier, str) or not verifier:
            raise ApiError(
                400,
                "validation_failed",
                "invalid request: both auth code and code verifier should be non-empty",
            )
        async with self.pool.connection() as conn, conn.transaction():
            cur = await conn.execute(
                "select id, user_id, code_challenge, code_challenge_method::text as method,"
                " authentication_method, provider_access_token, provider_refresh_token,"
                " coalesce(auth_code_issued_at, created_at) + make_interval(secs => %s) < now()"
                "   as expired"
                " from auth.flow_state where auth_code = %s for update",
                (self.settings.flow_state_expiry, auth_code),
            )
            flow = await cur.fetchone()
            if flow is None or flow["user_id"] is None:
                raise ApiError(
                    404, "flow_state_not_found", "invalid flow state, no valid flow state found"
                )
            if flow["expired"]:
                raise ApiError(
                    422, "flow_state_expired", "invalid flow state, flow state has expired"
                )
            expected = pkce_challenge(verifier, flow["method"])
            if not hmac.compare_digest(expected.encode(), flow["code_challenge"].encode()):
                raise ApiError(
                    400,
                    "bad_code_verifier",
                    "code challenge does not match previously saved code verifier",
                )
            await conn.execute("delete from auth.flow_state where id = %s", (flow["id"],))
            session = await self.issue_session(
                conn, request, flow["user_id"], flow["authentication_method"]
            )
        if flow["provider_access_token"]:
            session["provider_token"] = flow["provider_access_token"]
        if flow["provider_refresh_token"]:
            session["provider_refresh_token"] = flow["provider_refresh_token"]
        return session

    async def get_user(self, request: web.Request) -> web.Response:
        user, _ = await self.authenticate(request)
        async with self.pool.connection() as conn:
            identities = await fetch_identities(conn, user["id"])
        return web.json_response(user_json(user, identities))

    async def logout(self, request: web.Request) -> web.Response:
        scope = request.query.get("scope", "global") or "global"
        if scope not in ("global", "local", "others"):
            raise ApiError(400, "validation_failed", f'Unsupported logout scope "{scope}"')
        user, session_id = await self.authenticate(request)
        async with self.pool.connection() as conn, conn.transaction():
            if session_id is None:
                await conn.execute(
                    "update auth.refresh_tokens set revoked = true, updated_at = now()"
                    " where user_id = %s and not revoked",
                    (str(user["id"]),),
                )
            elif scope == "local":
                await conn.execute("delete from auth.sessions where id = %s", (session_id,))
            elif scope == "others":
                await conn.execute(
                    "delete from auth.sessions where user_id = %s and id <> %s",
                    (user["id"], session_id),
                )
            else:
                await conn.execute("delete from auth.sessions where user_id = %s", (user["id"],))
                await conn.execute(
                    "delete from auth.refresh_tokens where user_id = %s", (str(user["id"]),)
                )
        return web.Response(status=204)

    async def get_settings(self, _: web.Request) -> web.Response:
        providers = (
            *("anonymous_users", "apple", "azure", "bitbucket", "discord", "facebook", "figma"),
            *("fly", "github", "gitlab", "keycloak", "kakao", "linkedin_oidc", "notion"),
            *("slack", "slack_oidc", "spotify", "twitch", "twitter", "workos", "zoom", "phone"),
        )
        external = {name: False for name in providers} | {"email": True, "google": True}
        return web.json_response(
            {
                "external": dict(sorted(external.items())),
                "disable_signup": False,
                "mailer_autoconfirm": True,
                "phone_autoconfirm": False,
                "sms_provider": "",
                "saml_enabled": False,
            }
        )

    async def health(self, _: web.Request) -> web.Response:
        return web.json_response(
            {
                "version": "local-stand-in",
                "name": "GoTrue",
                "description": "FácilChat's local stand-in for Supabase Auth",
            }
        )

    async def jwks(self, _: web.Request) -> web.Response:
        # HS256 only: there is no public key to publish, as on a legacy-secret project.
        return web.json_response({"keys": []})

    # -- the Google stand-in -----------------------------------------------------

    async def authorize(self, request: web.Request) -> web.Response:
        query = request.query
        provider = query.get("provider", "")
        if provider != "google":
            raise ApiError(
                400, "validation_failed", "Unsupported provider: provider is not enabled"
            )
        redirect_to = query.get("redirect_to") or self.settings.site_url
        if not is_loopback_url(redirect_to):
            raise ApiError(
                400,
                "validation_failed",
                "redirect_to must be a loopback URL (127.0.0.1 or localhost) on the local stand-in",
            )
        challenge = query.get("code_challenge", "")
        method = query.get("code_challenge_method", "")
        if bool(challenge) != bool(method):
            raise ApiError(
                400,
                "validation_failed",
                "PKCE flow requires code_challenge_method and code_challenge",
            )
        flow_state_id: str | None = None
        if challenge:
            if not MIN_CODE_CHALLENGE_LENGTH <= len(challenge) <= MAX_CODE_CHALLENGE_LENGTH:
                raise ApiError(
                    400,
                    "validation_failed",
                    f"code challenge has to be between {MIN_CODE_CHALLENGE_LENGTH}"
                    f" and {MAX_CODE_CHALLENGE_LENGTH} characters",
                )
            if method.lower() not in ("s256", "plain"):
                raise ApiError(
                    400, "validation_failed", f'unsupported code_challenge method "{method}"'
                )
            flow_state_id = str(uuid.uuid4())
            async with self.pool.connection() as conn:
                await conn.execute(
                    "insert into auth.flow_state (id, auth_code, code_challenge_method,"
                    " code_challenge, provider_type, authentication_method, created_at,"
                    " updated_at) values (%s, %s, %s, %s, %s, 'oauth', now(), now())",
                    (flow_state_id, str(uuid.uuid4()), method.lower(), challenge, provider),
                )
        now = int(time.time())
        state = jwt.encode(
            {
                "exp": now + OAUTH_STATE_TTL,
                "iat": now,
                "provider": provider,
                "referrer": redirect_to,
                "flow_state_id": flow_state_id or "",
            },
            self.secret,
            algorithm="HS256",
        )
        return await self.account_page(state, redirect_to)

    async def account_page(
        self, state: str, redirect_to: str, error: str | None = None, status: int = 200
    ) -> web.Response:
        async with self.pool.connection() as conn:
            cur = await conn.execute(
                "select email, coalesce(raw_user_meta_data ->> 'full_name',"
                " raw_user_meta_data ->> 'name', '') as name"
                " from auth.users where email is not null and deleted_at is null"
                " order by last_sign_in_at desc nulls last, created_at desc limit 50"
            )
            accounts = await cur.fetchall()
        return web.Response(
            status=status,
            text=render_account_page(state, redirect_to, accounts, error),
            content_type="text/html",
            headers={"Cache-Control": "no-store"},
        )

    async def callback(self, request: web.Request) -> web.Response:
        form = await request.post()
        raw_state = form.get("state")
        try:
            state = jwt.decode(str(raw_state or ""), self.secret, algorithms=["HS256"])
        except jwt.InvalidTokenError as error:
            raise ApiError(400, "bad_oauth_state", f"OAuth state is invalid: {error}") from error
        referrer = str(state.get("referrer", ""))
        flow_state_id = str(state.get("flow_state_id") or "") or None
        if not is_loopback_url(referrer):
            raise ApiError(400, "bad_oauth_state", "OAuth state is invalid: bad referrer")

        if form.get("action") == "cancel":
            params = {
                "error": "access_denied",
                "error_code": "access_denied",
                "error_description": "The user cancelled the Google sign-in",
            }
            target = with_query if flow_state_id else with_fragment
            return redirect(target(referrer, params))

        email = normalize_email(form.get("email"))
        name = str(form.get("name") or "").strip()
        if not EMAIL_PATTERN.match(email):
            return await self.account_page(
                str(raw_state), referrer, "Escribe un correo válido · Enter a valid email", 400
            )
        provider_token = "local-google-" + secrets.token_urlsafe(16)
        async with self.pool.connection() as conn, conn.transaction():
            user_id = await self.google_user(conn, email, name)
            if flow_state_id is not None:
                cur = await conn.execute(
                    "update auth.flow_state set user_id = %s, provider_access_token = %s,"
                    " auth_code_issued_at = now(), updated_at = now()"
                    " where id = %s and user_id is null returning auth_code",
                    (user_id, provider_token, flow_state_id),
                )
                flow = await cur.fetchone()
                if flow is None:
                    raise ApiError(
                        404,
                        "flow_state_not_found",
                        "invalid flow state, no valid flow state found",
                    )
                return redirect(with_query(referrer, {"code": flow["auth_code"]}))
            session = await self.issue_session(conn, request, user_id, "oauth")
        fragment = {
            "access_token": session["access_token"],
            "expires_at": str(session["expires_at"]),
            "expires_in": str(session["expires_in"]),
            "provider_token": provider_token,
            "refresh_token": session["refresh_token"],
            "token_type": "bearer",
            "sb": "",
        }
        return redirect(with_fragment(referrer, fragment))

    async def google_user(self, conn: Conn, email: str, name: str) -> uuid.UUID:
        """The user behind a Google account: found by email and linked, or created."""
        subject = google_subject(email)
        cur = await conn.execute(
            "select id, coalesce(banned_until > now(), false) as banned, raw_app_meta_data"
            " from auth.users where lower(email) = %s and deleted_at is null"
            " order by created_at limit 1 for update",
            (email,),
        )
        user = await cur.fetchone()
        if user is None:
            user_id = uuid.uuid4()
            display = name or email.split("@")[0]
            identity_data = {
                "iss": GOOGLE_ISSUER,
                "sub": subject,
                "provider_id": subject,
                "email": email,
                "email_verified": True,
                "phone_verified": False,
                "name": display,
                "full_name": display,
            }
            await conn.execute(
                "insert into auth.users (instance_id, id, aud, role, email, encrypted_password,"
                " email_confirmed_at, raw_app_meta_data, raw_user_meta_data, is_super_admin,"
                " created_at, updated_at)"
                " values (%s, %s, %s, %s, %s, '', now(), %s, %s, false, now(), now())",
                (
                    NIL_UUID,
                    user_id,
                    AUDIENCE,
                    AUDIENCE,
                    email,
                    Jsonb({"provider": "google", "providers": ["google"]}),
                    Jsonb(identity_data),
                ),
            )
        else:
            if user["banned"]:
                raise ApiError(403, "user_banned", "User is banned")
            user_id = user["id"]
            identity_data = {
                "iss": GOOGLE_ISSUER,
                "sub": subject,
                "provider_id": subject,
                "email": email,
                "email_verified": True,
                "phone_verified": False,
            }
            app_metadata = dict(user["raw_app_meta_data"] or {})
            providers = list(app_metadata.get("providers") or [])
            if "google" not in providers:
                providers.append("google")
            app_metadata.setdefault("provider", "google")
            app_metadata["providers"] = providers
            await conn.execute(
                "update auth.users set raw_app_meta_data = %s,"
                " email_confirmed_at = coalesce(email_confirmed_at, now()), updated_at = now()"
                " where id = %s",
                (Jsonb(app_metadata), user_id),
            )
        await conn.execute(
            "insert into auth.identities (provider_id, user_id, identity_data, provider,"
            " last_sign_in_at, created_at, updated_at)"
            " values (%s, %s, %s, 'google', now(), now(), now())"
            " on conflict (provider_id, provider) do update"
            " set last_sign_in_at = now(), updated_at = now()",
            (subject, user_id, Jsonb(identity_data)),
        )
        return user_id


def redirect(location: str) -> web.Response:
    return web.Response(status=302, headers={"Location": location, "Cache-Control": "no-store"})


def render_account_page(
    state: str, redirect_to: str, accounts: list[DictRow], error: str | None
) -> str:
    """Google's account chooser, played locally: Spanish first, English beneath."""
    e = html.escape
    hidden_state = f'<input type="hidden" name="state" value="{e(state)}">'
    items = "".join(
        f"""
      <li><form method="post" action="{PREFIX}/callback">{hidden_state}
        <input type="hidden" name="email" value="{e(row["email"])}">
        <button type="submit" class="account">
          <span class="avatar">{e((row["name"] or row["email"])[:1].upper())}</span>
          <span><strong>{e(row["name"] or row["email"])}</strong><br>
          <small>{e(row["email"])}</small></span>
        </button></form></li>"""
        for row in accounts
    )
    if not items:
        items = "<li class='empty'>Aún no hay cuentas · No accounts yet</li>"
    alert = f'<p class="error" role="alert">{e(error)}</p>' if error else ""
    return f"""<!doctype html>
<html lang="es">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Elige una cuenta de prueba · Google (local)</title>
<style>
  body {{ font-family: system-ui, sans-serif; background: #f1f3f4; margin: 0; color: #202124; }}
  main {{ max-width: 28rem; margin: 3rem auto; background: #fff; border-radius: 8px;
         padding: 2rem; box-shadow: 0 1px 3px rgba(0,0,0,.2); }}
  h1 {{ font-size: 1.4rem; margin: 0 0 .25rem; }}
  .en {{ color: #5f6368; font-size: .85rem; margin: 0 0 1.25rem; }}
  ul {{ list-style: none; padding: 0; margin: 0 0 1.5rem; }}
  li {{ border-top: 1px solid #e0e0e0; }}
  .account {{ display: flex; gap: .75rem; align-items: center; width: 100%; padding: .75rem;
             background: none; border: 0; text-align: left; cursor: pointer; font: inherit; }}
  .account:hover {{ background: #f8f9fa; }}
  .avatar {{ width: 2rem; height: 2rem; border-radius: 50%; background: #1a73e8; color: #fff;
            display: inline-flex; align-items: center; justify-content: center; }}
  label {{ display: block; margin: .5rem 0 .25rem; font-size: .9rem; }}
  input[type=email], input[type=text] {{ width: 100%; box-sizing: border-box; padding: .5rem;
            border: 1px solid #dadce0; border-radius: 4px; font: inherit; }}
  .primary {{ margin-top: .75rem; background: #1a73e8; color: #fff; border: 0;
             border-radius: 4px; padding: .6rem 1rem; font: inherit; cursor: pointer; }}
  .cancel {{ background: none; border: 0; color: #1a73e8; cursor: pointer; font: inherit;
            padding: 0; }}
  .error {{ color: #d93025; }}
  .empty {{ padding: .75rem; color: #5f6368; }}
  footer {{ margin-top: 1.5rem; font-size: .8rem; color: #5f6368; }}
</style>
</head>
<body>
<main>
  <h1>Elige una cuenta de prueba</h1>
  <p class="en">Choose a test account · Inicio de sesión con Google simulado en tu equipo</p>
  {alert}
  <ul>{items}
  </ul>
  <h2 style="font-size:1.05rem">Crear una cuenta de prueba</h2>
  <p class="en">Create a dev account</p>
  <form method="post" action="{PREFIX}/callback">{hidden_state}
    <label for="email">Correo · Email</label>
    <input id="email" name="email" type="email" required placeholder="negocio@ejemplo.com">
    <label for="name">Nombre (opcional) · Name</label>
    <input id="name" name="name" type="text" placeholder="Lucía Hernández">
    <button type="submit" class="primary">Crear y continuar · Create and continue</button>
  </form>
  <form method="post" action="{PREFIX}/callback" style="margin-top:1rem">{hidden_state}
    <input type="hidden" name="action" value="cancel">
    <button type="submit" class="cancel">Cancelar · Cancel</button>
  </form>
  <footer>Solo para desarrollo local: no se contacta a Google. Volverás a
    <code>{e(redirect_to)}</code>.</footer>
</main>
</body>
</html>
"""


# -- mounting --------------------------------------------------------------------

SERVICE_KEY = web.AppKey("auth_service", AuthService)


def mount_with(settings: AuthSettings) -> Callable[[web.Application, GatewayConfig], None]:
    """A gateway stand-in serving Auth with these settings."""

    def mount_auth(app: web.Application, config: GatewayConfig) -> None:
        if not config.database_url:
            raise ValueError("the Auth stand-in needs the gateway's database URL")
        service = AuthService(config.jwt_secret, config.database_url, settings)
        app[SERVICE_KEY] = service

        async def close_pool(_: web.Application) -> None:
            await service.pool.close()

        app.on_cleanup.append(close_pool)
        app.router.add_route("*", PREFIX + "/{tail:.*}", service.dispatch)

    return mount_auth


def mount(app: web.Application, config: GatewayConfig) -> None:
    """The gateway stand-in for Supabase Auth at /auth/v1, with the local defaults."""
    mount_with(AuthSettings())(app, config)
