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
    # The request may have reached Twilio although we got no answer we can trust:
    # the next attempt must ask Twilio before sending again.
    outcome_unknown: bool = False

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
            code, text = str(error.code or error.status), error.msg
            if error.status == 429:
                # Refused before anything was created: simply try again later.
                return SendResult(None, None, code, text, retry=True)
            if error.status >= 500:
                # Twilio's trouble, and it may have created the message before failing.
                return SendResult(None, None, code, text, retry=True, outcome_unknown=True)
            return SendResult(None, None, code, text)
        except (requests.ConnectTimeout, requests.exceptions.SSLError) as error:
            # The request never left: nothing can have been created.
            return SendResult(None, None, None, f"Twilio could not be reached: {error}", True)
        except requests.ReadTimeout as error:
            return SendResult(
                None, None, TIMEOUT, f"Twilio did not answer in time: {error}", True, True
            )
        except requests.ConnectionError as error:
            # A refused connection never carried the request; a dropped one may have.
            never_left = _connection_refused(error)
            return SendResult(
                None, None, None, f"Twilio could not be reached: {error}", True, not never_left
            )
        except (requests.RequestException, TwilioException) as error:
            return SendResult(None, None, None, f"Twilio could not be reached: {error}", True, True)
        return SendResult(message.sid, message.status)

    def sent_candidates(
        self, to: str, from_: str, body: str, since: datetime
    ) -> list[dict[str, str | None]]:
        """Messages Twilio accepted with this body since `since`, oldest first."""
        import requests
        from twilio.base.exceptions import TwilioException

        try:
            recent = self.client.messages.list(
                to=f"whatsapp:{to}", from_=f"whatsapp:{from_}", limit=50
            )
        except (requests.RequestException, TwilioException) as error:
            # Unknown: do not risk a duplicate now; the reply stays claimable for later.
            raise SenderUnavailable(str(error)) from error
        found = [
            message
            for message in recent
            if message.body == body
            and message.date_created is not None
            and message.date_created >= since
        ]
        found.sort(key=lambda message: message.date_created)
        return [{"sid": message.sid, "status": message.status} for message in found]


def _connection_refused(error: Exception) -> bool:
    """Whether a connection error happened before any byte of the request was sent."""
    from urllib3.exceptions import NewConnectionError

    seen: set[int] = set()
    cause: BaseException | None = error
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, NewConnectionError | ConnectionRefusedError):
            return True
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__ or _first_arg(cause)
    return False


def _first_arg(error: BaseException) -> BaseException | None:
    # requests and urllib3 wrap the underlying error as their first argument.
    reason = getattr(error, "reason", None)
    if isinstance(reason, BaseException):
        return reason
    first = error.args[0] if error.args else None
    return first if isinstance(first, BaseException) else None


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
