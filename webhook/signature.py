"""Twilio request signatures, checked against the URL Twilio actually called."""

from __future__ import annotations

from starlette.requests import Request
from twilio.request_validator import RequestValidator


def public_base_url(request: Request, configured_base: str | None) -> str:
    """scheme://host as Twilio sees this deployment: behind Vercel's proxy, not the request's."""
    if configured_base:
        return configured_base.rstrip("/")
    proto = request.headers.get("x-forwarded-proto", request.url.scheme).split(",")[0].strip()
    host = request.headers.get("x-forwarded-host") or request.headers.get("host") or ""
    return f"{proto}://{host.split(',')[0].strip() or request.url.netloc}"


def public_url(request: Request, configured_base: str | None) -> str:
    """The full URL Twilio called, which its signature covers."""
    query = f"?{request.url.query}" if request.url.query else ""
    return public_base_url(request, configured_base) + request.url.path + query


def is_valid(auth_token: str, url: str, form: dict[str, str], signature: str | None) -> bool:
    if not signature:
        return False
    return bool(RequestValidator(auth_token).validate(url, form, signature))
