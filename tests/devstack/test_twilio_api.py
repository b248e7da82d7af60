"""The Twilio stand-in, driven over loopback HTTP by the official `twilio` client.

`twilio_client()` below is how the webhook points the official client at
TWILIO_API_URL: a `TwilioHttpClient` subclass (the library's documented extension
point for custom HTTP clients) that swaps the scheme and host of every request,
and that carries the request timeout.
"""

from __future__ import annotations

import queue
import re
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import httpx
import pytest
import requests
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from devstack.postgres import free_port
from devstack.twilio_api import DEFAULT_ACCOUNT_SID, TwilioStandIn, TwilioStandInError

TWILIO_API_URL = "https://api.twilio.com"
CUSTOMER = "whatsapp:+5215512345678"
BUSINESS = "whatsapp:+14155238886"
RFC2822 = re.compile(r"[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000")


# --- how the webhook builds its client ----------------------------------------------


class ApiUrlHttpClient(TwilioHttpClient):  # type: ignore[misc]
    """Sends each request to `api_url` instead of https://api.twilio.com, path unchanged.

    The rewrite runs after the client has applied TWILIO_EDGE/TWILIO_REGION, so those
    cannot mangle a loopback host.
    """

    def __init__(self, api_url: str, timeout: float | None = None) -> None:
        super().__init__(timeout=timeout)
        self.api_url = urlsplit(api_url.rstrip("/"))

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        parts = urlsplit(url)
        url = urlunsplit(
            parts._replace(
                scheme=self.api_url.scheme,
                netloc=self.api_url.netloc,
                path=self.api_url.path + parts.path,
            )
        )
        return super().request(method, url, *args, **kwargs)


def twilio_client(
    account_sid: str, auth_token: str, api_url: str = TWILIO_API_URL, timeout: float = 10.0
) -> Any:
    """The official client, sending to `api_url` (TWILIO_API_URL) with a request timeout."""
    if api_url.rstrip("/") == TWILIO_API_URL:
        http_client = TwilioHttpClient(timeout=timeout)
    else:
        http_client = ApiUrlHttpClient(api_url, timeout=timeout)
    return Client(account_sid, auth_token, http_client=http_client)


# --- fixtures -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def standin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TwilioStandIn]:
    server = TwilioStandIn(
        auth_token="a-test-auth-token-for-the-stand-in",
        callback_delay=0.05,
        log_path=tmp_path_factory.mktemp("twilio") / "twilio.log",
    )
    server.start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def clean(standin: TwilioStandIn) -> None:
    standin.reset()


@pytest.fixture
def client(standin: TwilioStandIn) -> Any:
    return twilio_client(standin.account_sid, standin.auth_token, standin.url, timeout=5)


class Receiver:
    """A status-callback endpoint on loopback that records what it receives."""

    def __init__(self, answer: int = 204) -> None:
        self.received: queue.Queue[tuple[str, dict[str, str], dict[str, str]]] = queue.Queue()
        received, status = self.received, answer

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                form = dict(parse_qsl(self.rfile.read(length).decode(), keep_blank_values=True))
                received.put((self.path, dict(self.headers.items()), form))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/twilio/status?o=1"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def take(
        self, n: int, timeout: float = 3.0
    ) -> list[tuple[str, dict[str, str], dict[str, str]]]:
        return [self.received.get(timeout=timeout) for _ in range(n)]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def send(client: Any, **overrides: Any) -> Any:
    fields: dict[str, Any] = {"to": CUSTOMER, "from_": BUSINESS, "body": "¡Hola! Abrimos a las 9."}
    return client.messages.create(**{**fields, **overrides})


# --- creating messages --------------------------------------------------------------


def test_official_client_creates_a_message(standin: TwilioStandIn, client: Any) -> None:
    message = send(client, status_callback="http://127.0.0.1:9/unused")

    assert re.fullmatch(r"SM[0-9a-f]{32}", message.sid)
    assert message.status == "queued"
    assert message.account_sid == standin.account_sid
    assert (message.to, message.from_, message.body) == (
        CUSTOMER,
        BUSINESS,
        "¡Hola! Abrimos a las 9.",
    )
    assert message.direction == "outbound-api"
    assert message.date_created is not None and message.date_created.tzinfo is not None
    [record] = standin.messages()
    assert record["sid"] == message.sid
    assert record["status_callback"] == "http://127.0.0.1:9/unused"
    [attempt] = standin.attempts()
    assert (attempt["status"], attempt["sid"], attempt["fault"]) == (201, message.sid, None)


def test_create_answers_201_with_twilios_message_resource(standin: TwilioStandIn) -> None:
    response = httpx.post(
        f"{standin.url}/2010-04-01/Accounts/{standin.account_sid}/Messages.json",
        auth=(standin.account_sid, standin.auth_token),
        data={
            "To": CUSTOMER,
            "From": BUSINESS,
            "Body": "foto",
            "MediaUrl": ["https://example.com/a.jpg", "https://example.com/b.jpg"],
        },
    )

    assert response.status_code == 201
    body = response.json()
    sid = body["sid"]
    uri = f"/2010-04-01/Accounts/{standin.account_sid}/Messages/{sid}"
    assert body == {
        "account_sid": standin.account_sid,
        "api_version": "2010-04-01",
        "body": "foto",
        "date_created": body["date_created"],
        "date_sent": None,
        "date_updated": body["date_updated"],
        "direction": "outbound-api",
        "error_code": None,
        "error_message": None,
        "from": BUSINESS,
        "messaging_service_sid": None,
        "num_media": "2",
        "num_segments": "1",
        "price": None,
        "price_unit": "USD",
        "sid": sid,
        "status": "queued",
        "subresource_uris": {"media": f"{uri}/Media.json"},
        "to": CUSTOMER,
        "uri": f"{uri}.json",
    }
    assert RFC2822.fullmatch(body["date_created"]) and RFC2822.fullmatch(body["date_updated"])
    [record] = standin.messages()
    assert record["media_urls"] == ["https://example.com/a.jpg", "https://example.com/b.jpg"]


@pytest.mark.parametrize(
    ("account_sid", "auth_token", "path_sid"),
    [
        (DEFAULT_ACCOUNT_SID, "not-the-token", None),
        ("AC" + "f" * 32, None, None),
        (DEFAULT_ACCOUNT_SID, None, "AC" + "1" * 32),
    ],
    ids=["wrong-token", "wrong-sid", "other-account-in-path"],
)
def test_bad_credentials_are_401_and_store_nothing(
    standin: TwilioStandIn, account_sid: str, auth_token: str | None, path_sid: str | None
) -> None:
    client = twilio_client(account_sid, auth_token or standin.auth_token, standin.url)
    if path_sid:
        client.account_sid = path_sid

    with pytest.raises(TwilioRestException) as caught:
        send(client)

    assert (caught.value.status, caught.value.code) == (401, 20003)
    assert standin.messages() == []
    assert [a["status"] for a in standin.attempts()] == [401]


def test_missing_credentials_get_twilios_error_json(standin: TwilioStandIn) -> None:
    response = httpx.post(
        f"{standin.url}/2010-04-01/Accounts/{standin.account_sid}/Messages.json",
        data={"To": CUSTOMER, "From": BUSINESS, "Body": "x"},
    )
    assert response.status_code == 401
    assert response.json() == {
        "code": 20003,
        "message": "Authenticate",
        "more_info": "https://www.twilio.com/docs/errors/20003",
        "status": 401,
    }


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"to": "+5215512345678"}, 21211),
        ({"to": "whatsapp:5215512345678"}, 21211),
        ({"from_": "whatsapp:+0123"}, 21212),
        ({"body": ""}, 21602),
        ({"body": "x" * 1601}, 21617),
    ],
    ids=["to-without-channel", "to-not-e164", "bad-from", "empty-body", "body-too-long"],
)
def test_invalid_messages_are_refused_like_twilio(
    standin: TwilioStandIn, client: Any, overrides: dict[str, str], code: int
) -> None:
    with pytest.raises(TwilioRestException) as caught:
        send(client, **overrides)

    assert (caught.value.status, caught.value.code) == (400, code)
    assert standin.messages() == []


def test_media_without_body_and_the_longest_body_are_accepted(
    standin: TwilioStandIn, client: Any
) -> None:
    assert send(client, body="", media_url=["https://example.com/menu.pdf"]).num_media == "1"
    assert send(client, body="x" * 1600).status == "queued"
    assert len(standin.messages()) == 2


def test_a_message_can_be_fetched(client: Any) -> None:
    sid = send(client).sid
    assert client.messages(sid).fetch().sid == sid
    with pytest.raises(TwilioRestException) as caught:
        client.messages("SM" + "0" * 32).fetch()
    assert (caught.value.status, caught.value.code) == (404, 20404)


# --- fault injection ----------------------------------------------------------------


def test_mode_429_for_one_request(standin: TwilioStandIn, client: Any) -> None:
    standin.set_mode("429", count=1)

    with pytest.raises(TwilioRestException) as caught:
        send(client)
    assert (caught.value.status, caught.value.code) == (429, 20429)
    assert "Too Many Requests" in caught.value.msg

    assert send(client).status == "queued"
    assert [(a["status"], a["fault"]) for a in standin.attempts()] == [(429, "429"), (201, None)]
    assert len(standin.messages()) == 1


def test_mode_500_lasts_until_cleared(standin: TwilioStandIn, client: Any) -> None:
    standin.set_mode("500")
    for _ in range(3):
        with pytest.raises(TwilioRestException) as caught:
            send(client)
        assert (caught.value.status, caught.value.code) == (500, 20500)

    standin.set_mode("ok")
    assert send(client).status == "queued"
    assert [a["status"] for a in standin.attempts()] == [500, 500, 500, 201]


def test_faults_are_not_spent_on_unauthenticated_requests(standin: TwilioStandIn) -> None:
    standin.set_mode("500", count=1)
    with pytest.raises(TwilioRestException) as caught:
        send(twilio_client(standin.account_sid, "wrong", standin.url))
    assert caught.value.status == 401
    with pytest.raises(TwilioRestException) as caught:
        send(twilio_client(standin.account_sid, standin.auth_token, standin.url))
    assert caught.value.status == 500


def test_hang_times_the_client_out_and_the_server_keeps_serving(standin: TwilioStandIn) -> None:
    standin.set_mode("hang", count=1)
    impatient = twilio_client(standin.account_sid, standin.auth_token, standin.url, timeout=0.3)

    started = time.monotonic()
    with pytest.raises(requests.exceptions.Timeout):
        send(impatient)
    assert time.monotonic() - started < 2

    assert send(impatient).status == "queued"
    [hung, ok] = standin.attempts()
    assert (hung["fault"], hung["status"], hung["sid"]) == ("hang", None, None)
    assert ok["status"] == 201
    assert len(standin.messages()) == 1


def test_control_api_refuses_unknown_modes(standin: TwilioStandIn) -> None:
    with pytest.raises(TwilioStandInError):
        standin.set_mode("503")
    with pytest.raises(TwilioStandInError):
        standin.set_mode("429", count=0)


# --- status callbacks ---------------------------------------------------------------


def test_status_callbacks_are_sent_in_order_and_signed(
    standin: TwilioStandIn, client: Any, receiver: Receiver
) -> None:
    message = send(client, status_callback=receiver.url)

    callbacks = receiver.take(3)
    validator = RequestValidator(standin.auth_token)
    for (path, headers, form), status in zip(callbacks, ["sent", "delivered", "read"], strict=True):
        assert path == "/api/twilio/status?o=1"
        assert headers["Content-Type"] == "application/x-www-form-urlencoded"
        signature = headers["X-Twilio-Signature"]
        assert validator.validate(receiver.url, form, signature)
        assert not RequestValidator("another-token").validate(receiver.url, form, signature)
        assert form["MessageStatus"] == form["SmsStatus"] == status
        assert form["MessageSid"] == form["SmsSid"] == message.sid
        assert form["AccountSid"] == standin.account_sid
        assert (form["To"], form["From"]) == (CUSTOMER, BUSINESS)
        assert (form["ApiVersion"], form["ChannelPrefix"]) == ("2010-04-01", "whatsapp")

    [record] = standin.messages()
    assert record["status"] == "read"
    assert RFC2822.fullmatch(record["date_sent"])
    assert [(c["status"], c["http_status"]) for c in record["callbacks"]] == [
        ("sent", 204),
        ("delivered", 204),
        ("read", 204),
    ]


def test_callbacks_can_be_disabled(standin: TwilioStandIn, client: Any, receiver: Receiver) -> None:
    standin.set_callbacks(enabled=False)
    send(client, status_callback=receiver.url)

    time.sleep(0.3)
    assert receiver.received.empty()
    assert standin.messages()[0]["status"] == "queued"


def test_failure_statuses_carry_an_error_code(
    standin: TwilioStandIn, client: Any, receiver: Receiver
) -> None:
    standin.set_callbacks(enabled=True, delay=0.01, statuses=["failed"], error_code=63016)
    send(client, status_callback=receiver.url)

    [(_, _, form)] = receiver.take(1)
    assert (form["MessageStatus"], form["ErrorCode"]) == ("failed", "63016")


def test_failing_callback_receivers_do_not_hurt_the_server(
    standin: TwilioStandIn, client: Any
) -> None:
    refusing = Receiver(answer=500)
    try:
        send(client, status_callback=refusing.url)
        send(client, status_callback=f"http://127.0.0.1:{free_port()}/nobody-listens")
        refusing.take(3)
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            records = standin.messages()
            if all(len(r["callbacks"]) == 3 for r in records):
                break
            time.sleep(0.05)
    finally:
        refusing.close()

    answered, unreachable = standin.messages()
    assert [c["http_status"] for c in answered["callbacks"]] == [500, 500, 500]
    assert [c["http_status"] for c in unreachable["callbacks"]] == [None, None, None]
    assert all("error" in c for c in unreachable["callbacks"])
    assert send(client).status == "queued"


# --- the runner and the alternative way to aim the client ---------------------------


def test_client_base_url_attribute_also_reaches_the_stand_in(standin: TwilioStandIn) -> None:
    plain = Client(standin.account_sid, standin.auth_token, http_client=TwilioHttpClient(timeout=5))
    plain.api.base_url = standin.url
    assert send(plain).status == "queued"


def test_stand_in_refuses_a_port_in_use(standin: TwilioStandIn, tmp_path: Path) -> None:
    with pytest.raises(TwilioStandInError, match="in use"):
        TwilioStandIn(port=standin.port, log_path=tmp_path / "twilio.log").start()


def test_stop_is_prompt_while_a_request_hangs(tmp_path: Path) -> None:
    server = TwilioStandIn(log_path=tmp_path / "twilio.log")
    server.start()
    outcome: list[BaseException] = []

    def hang() -> None:
        client = twilio_client(server.account_sid, server.auth_token, server.url, timeout=30)
        try:
            send(client)
        except Exception as exc:
            outcome.append(exc)

    hanging = threading.Thread(target=hang, daemon=True)
    try:
        server.set_mode("hang")
        hanging.start()
        deadline = time.monotonic() + 3
        while not server.attempts() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert server.attempts()[0]["fault"] == "hang"
    finally:
        started = time.monotonic()
        server.stop()
    assert time.monotonic() - started < 3
    assert server.service is not None and server.service.process is not None
    assert server.service.process.returncode == 0
    hanging.join(timeout=3)
    # Shutdown releases the hung request with Twilio's 503 rather than waiting it out.
    [error] = outcome
    assert isinstance(error, TwilioRestException) and error.status == 503


# --- Twilio's side of an inbound message --------------------------------------------


class ScriptedWebhook:
    """A webhook on loopback that answers each POST with the next (status, body) scripted."""

    def __init__(self, answers: list[tuple[int, str]]) -> None:
        self.received: queue.Queue[tuple[str, dict[str, str], dict[str, str]]] = queue.Queue()
        received, script = self.received, list(answers)

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                form = dict(parse_qsl(self.rfile.read(length).decode(), keep_blank_values=True))
                received.put((self.path, dict(self.headers.items()), form))
                status, body = script.pop(0) if len(script) > 1 else script[0]
                payload = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/xml")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *_: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.url = f"{self.base}/api/twilio/webhook"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def requests(self) -> list[tuple[str, dict[str, str], dict[str, str]]]:
        found = []
        while not self.received.empty():
            found.append(self.received.get())
        return found

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def inbound(text: str = "¿a qué hora abren?") -> dict[str, str]:
    sid = "SM" + "c" * 32
    return {
        "MessageSid": sid,
        "SmsMessageSid": sid,
        "AccountSid": DEFAULT_ACCOUNT_SID,
        "From": CUSTOMER,
        "To": BUSINESS,
        "Body": text,
        "NumMedia": "0",
    }


def reply_twiml(text: str, action: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><Response>'
        f'<Message action="{action}" method="POST">{text}</Message></Response>'
    )


def test_an_inbound_message_is_posted_signed_and_its_twiml_reply_is_sent(
    standin: TwilioStandIn, receiver: Receiver
) -> None:
    webhook = ScriptedWebhook([(200, reply_twiml("Abrimos a las 9.", receiver.url))])
    try:
        delivery = standin.deliver_inbound(webhook.url, inbound())
        [(path, headers, form)] = webhook.requests()
    finally:
        webhook.close()
    assert path == "/api/twilio/webhook"
    assert RequestValidator(standin.auth_token).validate(
        webhook.url, form, headers["X-Twilio-Signature"]
    )
    assert form == inbound()
    assert delivery["status"] == 200 and len(delivery["attempts"]) == 1
    [sent] = delivery["messages"]
    assert (sent["to"], sent["from"], sent["body"]) == (CUSTOMER, BUSINESS, "Abrimos a las 9.")
    assert sent["direction"] == "outbound-reply"
    # The reply's statuses go to its action URL, signed, with its new sid.
    callbacks = receiver.take(3)
    assert [form["MessageStatus"] for _, _, form in callbacks] == ["sent", "delivered", "read"]
    assert {form["MessageSid"] for _, _, form in callbacks} == {sent["sid"]}
    validator = RequestValidator(standin.auth_token)
    assert all(
        validator.validate(receiver.url, f, h["X-Twilio-Signature"]) for _, h, f in callbacks
    )


def test_an_empty_answer_sends_nothing(standin: TwilioStandIn) -> None:
    webhook = ScriptedWebhook([(200, '<?xml version="1.0" encoding="UTF-8"?><Response />')])
    try:
        delivery = standin.deliver_inbound(webhook.url, inbound())
    finally:
        webhook.close()
    assert (delivery["status"], delivery["messages"]) == (200, [])
    assert standin.messages() == []


@pytest.mark.parametrize(
    ("fragment", "attempts", "status"),
    [
        ("", 1, 503),  # Twilio's default policy retries only failed connections
        ("#rc=2&rp=5xx", 2, 200),
        ("#rc=2&rp=ct,rt,5xx", 2, 200),
        ("#rp=all", 2, 200),  # one retry by default
        ("#rc=0&rp=5xx", 1, 503),
    ],
)
def test_retries_follow_the_urls_connection_overrides(
    standin: TwilioStandIn, fragment: str, attempts: int, status: int
) -> None:
    webhook = ScriptedWebhook([(503, ""), (200, reply_twiml("Hola", "http://127.0.0.1:9/s"))])
    try:
        delivery = standin.deliver_inbound(webhook.url + fragment, inbound())
        received = webhook.requests()
    finally:
        webhook.close()
    assert len(received) == len(delivery["attempts"]) == attempts
    assert delivery["status"] == status
    assert len(delivery["messages"]) == (1 if status == 200 else 0)
    # The fragment is Twilio's, never sent: the signature covers the URL without it.
    for _, headers, form in received:
        assert RequestValidator(standin.auth_token).validate(
            webhook.url, form, headers["X-Twilio-Signature"]
        )


def test_a_refused_connection_is_retried_by_default(standin: TwilioStandIn) -> None:
    delivery = standin.deliver_inbound(f"http://127.0.0.1:{free_port()}/hook", inbound())
    assert delivery["status"] is None
    assert [attempt["kind"] for attempt in delivery["attempts"]] == ["ct", "ct"]


def test_a_read_timeout_is_retried_only_when_asked(standin: TwilioStandIn) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)  # accepts connections, never answers
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/hook"
    try:
        silent = standin.deliver_inbound(url + "#rt=300", inbound())
        retried = standin.deliver_inbound(url + "#rt=300&rc=1&rp=rt", inbound())
    finally:
        listener.close()
    assert [a["kind"] for a in silent["attempts"]] == ["rt"]
    assert [a["kind"] for a in retried["attempts"]] == ["rt", "rt"]


def test_lost_answers_are_retried_and_marked_as_injected(
    standin: TwilioStandIn, receiver: Receiver
) -> None:
    standin.set_chaos(lose_answer=1.0)
    url = receiver.url.split("?")[0] + "#rc=2&rp=rt"
    delivery = standin.deliver_inbound(url, inbound())
    # The webhook answered every time; Twilio never read an answer, so it gave up.
    assert len(receiver.take(3)) == 3
    assert delivery["status"] is None
    assert [a["status"] for a in delivery["attempts"]] == [204, 204, 204]
    assert {a["injected"] for a in delivery["attempts"]} == {"lose_answer"}
    assert standin.chaos()["injected"] == {"lose_answer": 3}


# --- random faults ------------------------------------------------------------------


def test_an_accepted_send_can_be_answered_500(standin: TwilioStandIn, client: Any) -> None:
    standin.set_chaos(accept_then_500=1.0)
    with pytest.raises(TwilioRestException) as refused:
        send(client)
    assert refused.value.status == 500
    # The sender cannot know, but Twilio has the message: only its list tells.
    [listed] = client.messages.list(to=CUSTOMER, limit=5)
    assert listed.body == "¡Hola! Abrimos a las 9."
    assert standin.chaos()["injected"] == {"accept_then_500": 1}


def test_callbacks_can_be_lost(standin: TwilioStandIn, client: Any, receiver: Receiver) -> None:
    standin.set_chaos(lose_callbacks=1.0)
    send(client, status_callback=receiver.url)
    time.sleep(0.5)
    assert receiver.received.empty()
    [record] = standin.messages()
    assert record["status"] == "read" and record["callbacks"] == []


def test_callbacks_can_arrive_twice_and_out_of_order(
    standin: TwilioStandIn, client: Any, receiver: Receiver
) -> None:
    standin.set_chaos(disorder_callbacks=1.0, seed=7)
    message = send(client, status_callback=receiver.url)
    callbacks = [form for _, _, form in receiver.take(6)]
    statuses = [form["MessageStatus"] for form in callbacks]
    assert sorted(statuses) == sorted(["sent", "delivered", "read"] * 2)
    assert statuses != ["sent", "delivered", "read"] * 2  # seed 7 shuffles them
    assert {form["MessageSid"] for form in callbacks} == {message.sid}


def test_random_faults_replay_with_their_seed(standin: TwilioStandIn, client: Any) -> None:
    def outcomes(seed: int) -> list[int]:
        standin.reset()
        standin.set_chaos(seed=seed, rest_429=0.3, rest_500=0.3)
        found = []
        for _ in range(20):
            try:
                send(client)
                found.append(201)
            except TwilioRestException as error:
                found.append(error.status)
        return found

    first, again, other = outcomes(11), outcomes(11), outcomes(12)
    assert first == again
    assert first != other
    assert {429, 500, 201} <= set(first + other)


@pytest.mark.parametrize(
    "chances",
    [{"rest_429": 1.5}, {"rest_429": 0.6, "hang": 0.6}, {"hang": -1}, {"rest_4290": 0.1}],
)
def test_impossible_chances_are_refused(standin: TwilioStandIn, chances: dict[str, float]) -> None:
    response = httpx.post(f"{standin.url}/_control/chaos", json=chances, timeout=5)
    assert response.status_code == 400
