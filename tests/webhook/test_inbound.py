"""Parsing Twilio's inbound and status forms: plain functions, no HTTP."""

from __future__ import annotations

import pytest

from webhook.forms import MAX_FORM_BYTES, InvalidForm, parse_form
from webhook.inbound import InvalidInbound, parse_inbound, parse_status

SID = "SM" + "a" * 32
FORM_TYPE = "application/x-www-form-urlencoded"


def form(**overrides: str) -> dict[str, str]:
    base = {
        "MessageSid": SID,
        "From": "whatsapp:+5213311112222",
        "To": "whatsapp:+5213312345678",
        "Body": "¿a qué hora abren?",
        "NumMedia": "0",
        "ProfileName": "  Lucía  ",
    }
    base.update(overrides)
    return base


def test_text_message() -> None:
    message = parse_inbound(form())
    assert (message.sender, message.to, message.content) == (
        "+5213311112222",
        "+5213312345678",
        "¿a qué hora abren?",
    )
    assert message.profile_name == "Lucía"
    assert message.media == []
    assert message.rpc_params()["p_message_sid"] == SID


def test_media_and_location() -> None:
    message = parse_inbound(
        form(
            Body="",
            NumMedia="2",
            MediaUrl0="https://a/0",
            MediaContentType0="image/jpeg",
            MediaUrl1="https://a/1",
            Latitude="-23.5",
            Longitude="-46.6",
        )
    )
    assert [item["type"] for item in message.media] == ["media", "media", "location"]
    assert message.media[1] == {
        "type": "media",
        "url": "https://a/1",
        "content_type": "application/octet-stream",
    }


def test_a_nul_in_a_secondary_field_is_dropped_and_the_message_kept() -> None:
    message = parse_inbound(
        form(
            ProfileName="Lu\x00cía\x00",
            NumMedia="1",
            MediaUrl0="https://a/0",
            MediaContentType0="image/\x00png",
            Latitude="4.6",
            Longitude="-74.1",
            Address="Cra 7 \x00# 45-10",
            Label="\x00",
        )
    )
    assert message.profile_name == "Lucía"
    assert message.media == [
        {"type": "media", "url": "https://a/0", "content_type": "image/png"},
        {"type": "location", "latitude": 4.6, "longitude": -74.1, "address": "Cra 7 # 45-10"},
    ]


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"MessageSid": "SM123"}, "MessageSid"),
        ({"From": "whatsapp:+0123456789"}, "From must be"),
        ({"To": "sms:+5213312345678"}, "To must be"),
        ({"Body": "", "NumMedia": "0"}, "no text, media or location"),
        ({"Body": "x" * 4097}, "longer than 4096"),
        ({"Body": "a\x00b"}, "NUL"),
        ({"NumMedia": "11"}, "NumMedia"),
        ({"NumMedia": "1", "MediaUrl0": "ftp://x"}, "MediaUrl0"),
        ({"NumMedia": "1", "MediaUrl0": "https://a/\x00b"}, "MediaUrl0"),
        ({"NumMedia": "1", "MediaUrl0": "https://a/b c"}, "MediaUrl0"),
        ({"Latitude": "91", "Longitude": "0"}, "out of range"),
        ({"Latitude": "1"}, "Latitude and Longitude"),
    ],
)
def test_invalid_messages_say_why(overrides: dict[str, str], reason: str) -> None:
    with pytest.raises(InvalidInbound, match=reason):
        parse_inbound(form(**overrides))


def test_status_callbacks_map_twilio_statuses() -> None:
    assert parse_status({"MessageSid": SID, "MessageStatus": "delivered"}).status == "delivered"  # type: ignore[union-attr]
    assert parse_status({"MessageSid": SID, "MessageStatus": "accepted"}).status == "queued"  # type: ignore[union-attr]
    update = parse_status({"MessageSid": SID, "MessageStatus": "failed", "ErrorCode": "30008"})
    assert update is not None and update.error_code == "30008"
    assert parse_status({"MessageSid": SID, "MessageStatus": "receiving"}) is None
    with pytest.raises(InvalidInbound):
        parse_status({"MessageSid": SID})


def test_form_parsing_limits() -> None:
    assert parse_form(b"Body=%C2%BFhola%3F&To=x", FORM_TYPE) == {"Body": "¿hola?", "To": "x"}
    assert parse_form(b"", FORM_TYPE) == {}
    with pytest.raises(InvalidForm, match="too large"):
        parse_form(b"a=" + b"x" * MAX_FORM_BYTES, FORM_TYPE)
    with pytest.raises(InvalidForm, match="UTF-8"):
        parse_form(b"Body=%FF", FORM_TYPE)
    with pytest.raises(InvalidForm, match="UTF-8"):
        parse_form("Body=ñ".encode(), FORM_TYPE)
    with pytest.raises(InvalidForm, match="Content-Type"):
        parse_form(b"{}", "application/json")
    with pytest.raises(InvalidForm, match="more than once"):
        parse_form(b"Body=a&Body=b", FORM_TYPE)
