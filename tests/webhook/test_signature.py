"""The public URL Twilio signed: configured, or rebuilt from the proxy's headers."""

from __future__ import annotations

from starlette.requests import Request

from webhook.signature import is_valid, public_url


def request(path: str, headers: dict[str, str], query: str = "") -> Request:
    return Request(
        {
            "type": "http",
            "method": "POST",
            "scheme": "http",
            "server": ("10.0.0.5", 8080),
            "path": path,
            "query_string": query.encode(),
            "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        }
    )


def test_configured_public_url_wins() -> None:
    req = request("/api/twilio/webhook", {"host": "internal:8080", "x-forwarded-host": "evil"})
    assert (
        public_url(req, "https://chat.example.mx/") == "https://chat.example.mx/api/twilio/webhook"
    )


def test_rebuilt_from_forwarded_headers() -> None:
    req = request(
        "/api/twilio/status",
        {
            "host": "internal:8080",
            "x-forwarded-proto": "https",
            "x-forwarded-host": "facilchat.vercel.app",
        },
        "a=1",
    )
    assert public_url(req, None) == "https://facilchat.vercel.app/api/twilio/status?a=1"


def test_without_proxy_headers_the_host_is_used() -> None:
    req = request("/api/twilio/webhook", {"host": "127.0.0.1:3000"})
    assert public_url(req, None) == "http://127.0.0.1:3000/api/twilio/webhook"


def test_signature_check() -> None:
    from twilio.request_validator import RequestValidator

    url, params = "https://x.mx/api/twilio/webhook", {"Body": "hola", "From": "whatsapp:+1"}
    good = RequestValidator("token").compute_signature(url, params)
    assert is_valid("token", url, params, good)
    assert not is_valid("other-token", url, params, good)
    assert not is_valid("token", url, {**params, "Body": "adiós"}, good)
    assert not is_valid("token", url, params, None)
