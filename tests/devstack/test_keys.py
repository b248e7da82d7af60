"""Local JWTs: shaped like Supabase's, stable API keys, and verifiable."""

from __future__ import annotations

import jwt
import pytest

from devstack import keys

SECRET = "a-test-secret-that-is-at-least-32-characters"


def test_api_keys_are_stable_and_carry_their_role() -> None:
    assert keys.anon_key(SECRET) == keys.anon_key(SECRET)
    assert keys.decode(keys.anon_key(SECRET), SECRET)["role"] == "anon"
    assert keys.decode(keys.service_role_key(SECRET), SECRET)["role"] == "service_role"
    assert keys.anon_key(SECRET) != keys.anon_key(SECRET + "x")


def test_user_token_has_the_claims_postgrest_and_rls_read() -> None:
    claims = keys.decode(
        keys.user_token("5eed0000-0000-4000-8000-000000000001", "a@b.mx", SECRET), SECRET
    )
    assert claims["sub"] == "5eed0000-0000-4000-8000-000000000001"
    assert claims["role"] == "authenticated"
    assert claims["aud"] == "authenticated"
    assert claims["email"] == "a@b.mx"
    assert isinstance(claims["exp"], int) and claims["exp"] > claims["iat"]  # type: ignore[operator]


def test_expired_or_foreign_tokens_do_not_verify() -> None:
    expired = keys.user_token("5eed0000-0000-4000-8000-000000000001", secret=SECRET, ttl=-10)
    with pytest.raises(jwt.ExpiredSignatureError):
        keys.decode(expired, SECRET)
    with pytest.raises(jwt.InvalidSignatureError):
        keys.decode(keys.anon_key(SECRET), SECRET + "x")
