"""Sending a reply through Twilio's REST API with the official client."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from twilio.rest import Client


# The error code recorded when Twilio's answer never came (the database reconciles on it).
TIMEOUT = "timeout"


class SenderUnavailable(RuntimeError):
    """Twilio could not be asked; nothing was decided."""


@dataclass(frozen=True)
class SendResult:
    sid: str | None
    status: str | None
    error_code: str | None = None
    error: str | None = None
    retry: bool = False

    @property
    def accepted(self) -> bool:
        return self.sid is not None


class Sender:
    def __init__(self, client: Client) -> None:
        self.client = client

    def send_whatsapp(
        self, to: str, from_: str, body: str, status_callback: str | None = None
    ) -> SendResult:
        import requests
        from twilio.base.exceptions import TwilioException, TwilioRestException

        try:
            message = self.client.messages.create(
                to=f"whatsapp:{to}",
                from_=f"whatsapp:{from_}",
                body=body,
                **({"status_callback": status_callback} if status_callback else {}),
            )
        except TwilioRestException as error:
            # 429 and 5xx are Twilio's own trouble: worth retrying. Other 4xx are final.
            retry = error.status == 429 or error.status >= 500
            return SendResult(None, None, str(error.code or error.status), error.msg, retry)
        except requests.ReadTimeout as error:
            # Twilio may have accepted it before we gave up: the retry checks first.
            return SendResult(None, None, TIMEOUT, f"Twilio did not answer in time: {error}", True)
        except (requests.RequestException, TwilioException) as error:
            return SendResult(None, None, None, f"Twilio could not be reached: {error}", True)
        return SendResult(message.sid, message.status)

    def find_sent(self, to: str, from_: str, body: str, since: datetime) -> SendResult | None:
        """A message Twilio already accepted with this body since `since`, if any."""
        import requests
        from twilio.base.exceptions import TwilioException

        try:
            recent = self.client.messages.list(
                to=f"whatsapp:{to}", from_=f"whatsapp:{from_}", limit=20
            )
        except (requests.RequestException, TwilioException) as error:
            # Unknown: do not risk a duplicate now; the reply stays claimable for later.
            raise SenderUnavailable(str(error)) from error
        for message in recent:
            created = message.date_created
            if message.body == body and created is not None and created >= since:
                return SendResult(message.sid, message.status)
        return None


TWILIO_API_URL = "https://api.twilio.com"


def connect(account_sid: str, auth_token: str, api_url: str, timeout: float) -> Sender:
    from urllib.parse import urlsplit, urlunsplit

    from twilio.http.http_client import TwilioHttpClient
    from twilio.rest import Client

    class ApiUrlHttpClient(TwilioHttpClient):  # type: ignore[misc]
        """Sends Twilio's REST calls to another base URL (the local stand-in)."""

        def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
            parts, base = urlsplit(url), urlsplit(api_url.rstrip("/"))
            rebased = parts._replace(
                scheme=base.scheme, netloc=base.netloc, path=base.path + parts.path
            )
            return super().request(method, urlunsplit(rebased), *args, **kwargs)

    http_client = (
        TwilioHttpClient(timeout=timeout)
        if api_url.rstrip("/") == TWILIO_API_URL
        else ApiUrlHttpClient(timeout=timeout)
    )
    return Sender(Client(account_sid, auth_token, http_client=http_client))
