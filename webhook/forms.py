"""Reading Twilio's form posts safely: bounded size, strict UTF-8."""

from __future__ import annotations

from collections.abc import AsyncIterable
from urllib.parse import parse_qsl

from webhook.inbound import MAX_BODY_CHARS, MAX_MEDIA

# Percent-encoding writes each UTF-8 byte as "%XX", so a 4-byte character (an emoji, a rare
# CJK ideograph) takes 12 bytes of form.
MAX_ENCODED_BYTES_PER_CHAR = 3 * 4
# Body at its longest, every character a 4-byte one: 49,157 bytes.
MAX_BODY_FIELD_BYTES = len("Body=") + MAX_BODY_CHARS * MAX_ENCODED_BYTES_PER_CHAR
# Twilio's other fields, generously. About 25 fixed ones (SIDs, From, To, WaId, NumMedia,
# SmsStatus, ApiVersion, referral ids...), most under 100 bytes encoded: room for 32.
FIXED_FIELDS_BYTES = 32 * 100
# A MediaUrlN/MediaContentTypeN pair: "MediaUrl0=" and Twilio's 162-character media URL take
# 192 bytes encoded, a long content type about 90: 512 leaves room for longer ones.
MEDIA_PAIR_BYTES = 512
# Free text besides Body: ProfileName, a location's Address and Label, a button's text, the
# headline and text of the ad a customer came from. 512 characters, all of them 4-byte ones.
OTHER_TEXT_BYTES = 512 * MAX_ENCODED_BYTES_PER_CHAR
# 63,621 bytes: the longest Body fits with room to spare; no request is read beyond it.
MAX_FORM_BYTES = (
    MAX_BODY_FIELD_BYTES + FIXED_FIELDS_BYTES + MAX_MEDIA * MEDIA_PAIR_BYTES + OTHER_TEXT_BYTES
)


class InvalidForm(ValueError):
    """The request body is not a form we accept; the message says why."""


def too_large(limit: int) -> InvalidForm:
    return InvalidForm(f"request body too large (limit {limit} bytes)")


async def read_body(
    chunks: AsyncIterable[bytes], content_length: str | None, limit: int = MAX_FORM_BYTES
) -> bytes:
    """The request body, refused as soon as it is known to exceed `limit` bytes.

    A Content-Length over the limit is refused before reading anything; without one (or
    with a wrong one) reading stops at the chunk that crosses the limit.
    """
    if content_length is not None:
        declared = content_length.strip()
        if not (declared.isascii() and declared.isdigit()):
            raise InvalidForm("invalid Content-Length header")
        if int(declared) > limit:
            raise too_large(limit)
    body = bytearray()
    async for chunk in chunks:
        if len(body) + len(chunk) > limit:
            raise too_large(limit)
        body += chunk
    return bytes(body)


def parse_form(body: bytes, content_type: str | None) -> dict[str, str]:
    if len(body) > MAX_FORM_BYTES:
        raise too_large(MAX_FORM_BYTES)
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
