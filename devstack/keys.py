"""HS256 JWTs for the local stack, shaped like the keys Supabase issues.

The secret is the Supabase CLI's well-known local default unless
SUPABASE_JWT_SECRET says otherwise; it signs nothing outside this machine.
"""

from __future__ import annotations

import os
import time
import uuid

import jwt

DEFAULT_JWT_SECRET = "super-secret-jwt-token-with-at-least-32-characters-long"  # noqa: S105
# API keys, like Supabase's, are long-lived (2032-11-12); user sessions are not.
API_KEY_EXPIRES_AT = 1983812996
SESSION_TTL_SECONDS = 3600


def jwt_secret() -> str:
    return os.environ.get("SUPABASE_JWT_SECRET") or DEFAULT_JWT_SECRET


def mint(
    claims: dict[str, object], secret: str | None = None, ttl: int = SESSION_TTL_SECONDS
) -> str:
    now = int(time.time())
    payload: dict[str, object] = {"iss": "supabase-local", "iat": now, "exp": now + ttl, **claims}
    return jwt.encode(payload, secret or jwt_secret(), algorithm="HS256")


def _api_key(role: str, secret: str | None) -> str:
    # Fixed claims, so a key stays the same across restarts (with the default
    # secret these are the Supabase CLI's well-known local demo keys).
    claims = {"iss": "supabase-demo", "role": role, "exp": API_KEY_EXPIRES_AT}
    return jwt.encode(claims, secret or jwt_secret(), algorithm="HS256")


def anon_key(secret: str | None = None) -> str:
    return _api_key("anon", secret)


def service_role_key(secret: str | None = None) -> str:
    return _api_key("service_role", secret)


def user_token(
    user_id: uuid.UUID | str,
    email: str | None = None,
    secret: str | None = None,
    ttl: int = SESSION_TTL_SECONDS,
) -> str:
    """An access token for a signed-in user, as GoTrue issues it."""
    claims: dict[str, object] = {
        "sub": str(user_id),
        "role": "authenticated",
        "aud": "authenticated",
        "email": email or "",
        "app_metadata": {"provider": "email", "providers": ["email"]},
        "user_metadata": {},
        "session_id": str(uuid.uuid4()),
    }
    return mint(claims, secret, ttl=ttl)


def decode(token: str, secret: str | None = None) -> dict[str, object]:
    """Verify and decode a token; raises jwt.InvalidTokenError when it is not ours or expired."""
    claims: dict[str, object] = jwt.decode(
        token, secret or jwt_secret(), algorithms=["HS256"], options={"verify_aud": False}
    )
    return claims
