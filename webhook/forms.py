"""Reading Twilio's form posts safely: bounded size, strict UTF-8."""

from __future__ import annotations

from urllib.parse import parse_qsl

# Twilio's inbound posts are a few KB; a WhatsApp text is at most 4,096 characters.
MAX_FORM_BYTES = 32 * 1024


class InvalidForm(ValueError):
    """The request body is not a form we accept; the message says why."""


def parse_form(body: bytes, content_type: str | None) -> dict[str, str]:
    if len(body) > MAX_FORM_BYTES:
        raise InvalidForm(f"request body too large ({len(body)} bytes; limit {MAX_FORM_BYTES})")
    if not content_type or not content_type.startswith("application/x-www-form-urlencoded"):
        raise InvalidForm("expected Content-Type application/x-www-form-urlencoded")
    try:
        text = body.decode("ascii")
        pairs = parse_qsl(
            text,
            keep_blank_values=True,
            strict_parsing=bool(text),
            encoding="utf-8",
            errors="strict",
        )
    except (UnicodeDecodeError, ValueError) as error:
        raise InvalidForm("request body is not valid form-encoded UTF-8") from error
    form: dict[str, str] = {}
    for name, value in pairs:
        if name in form:
            raise InvalidForm(f"parameter {name} appears more than once")
        form[name] = value
    return form
