"""`facilchat tail`: a business's inbox, live in the terminal, through the Realtime stand-in."""

from __future__ import annotations

import io
import os
import queue
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import IO, Any

import pytest

import supabase
from devstack import keys
from devstack.stack import LocalStack
from facilchat import tail
from tests.devstack.test_realtime import Gateway, inbound_message, serve_gateway
from tests.factories import Connection, Tenant, create_tenant, random_phone

WAIT = 15.0


@pytest.fixture(scope="module")
def gateway(stack: LocalStack) -> Iterator[Gateway]:
    with serve_gateway(stack) as served:
        yield served


def wait_until(check: Callable[[], bool], timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def start_tail(**options: Any) -> tuple[threading.Thread, list[int]]:
    """`tail.run(**options)` in a thread; the list receives its exit status."""
    result: list[int] = []
    runner = threading.Thread(target=lambda: result.append(tail.run(**options)))
    runner.start()
    return runner, result


class Lines:
    """A subprocess stream, read line by line in the background."""

    def __init__(self, stream: IO[str]) -> None:
        self.seen: list[str] = []
        self._queue: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._pump, args=(stream,), daemon=True).start()

    def _pump(self, stream: IO[str]) -> None:
        for line in stream:
            self._queue.put(line.rstrip("\n"))

    def wait_for(self, text: str, timeout: float = WAIT) -> str:
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self._queue.get(timeout=max(deadline - time.monotonic(), 0.01))
            except queue.Empty:
                raise AssertionError(f"no line with {text!r}; saw {self.seen}") from None
            self.seen.append(line)
            if text in line:
                return line

    def rest(self) -> str:
        while not self._queue.empty():
            self.seen.append(self._queue.get())
        return "\n".join(self.seen)


def test_tail_prints_an_inbound_message_and_stops_on_ctrl_c(
    gateway: Gateway, stack: LocalStack, db: Connection
) -> None:
    owner = create_tenant(db)
    process = subprocess.Popen(
        [sys.executable, "-m", "facilchat.tail", "--access-token", gateway.user_token(owner)],
        env={
            **os.environ,
            "SUPABASE_URL": gateway.url,
            "SUPABASE_ANON_KEY": gateway.anon_key,
            "PYTHONUNBUFFERED": "1",
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        # A suite started in the background (`make test &`) runs with SIGINT ignored, and
        # children inherit that: give the command the Ctrl-C a terminal would.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        assert process.stdout is not None and process.stderr is not None
        out, err = Lines(process.stdout), Lines(process.stderr)
        err.wait_for(f"Following inbox:{owner.id}")
        inbound_message(stack, owner, "Hola, ¿tienen conchas?")
        # A new client gets the built-in label: the line names both, not their ids. The
        # message's changes come in one broadcast: the client, its labels, the message.
        labelled = out.wait_for("client_labels")
        assert "María (" in labelled, labelled
        assert "Cliente nuevo" in labelled, labelled
        line = out.wait_for("Hola, ¿tienen conchas?")
        assert " messages " in line
        assert " INSERT " in line
        assert " in " in line
        out.wait_for(" out ")  # the automatic reply, queued for Twilio
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
        assert "Traceback" not in err.rest()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_tail_signs_in_with_email_and_password(stack: LocalStack, db: Connection) -> None:
    """Password sign-in through supabase-py, against the Auth stand-in."""
    auth = pytest.importorskip("devstack.auth")
    email, password = f"tail-{uuid.uuid4().hex[:8]}@example.test", "contraseña-segura-123"
    with serve_gateway(stack, others=[auth.mount]) as served:
        signed_up = supabase.create_client(served.url, served.anon_key).auth.sign_up(
            {"email": email, "password": password}
        )
        assert signed_up.user is not None
        owner = Tenant(uuid.UUID(signed_up.user.id), email, random_phone())
        db.execute(
            "update public.users set whatsapp_number = %s where id = %s",
            (owner.whatsapp_number, owner.id),
        )
        out, err, stop = io.StringIO(), io.StringIO(), threading.Event()
        runner, result = start_tail(
            url=served.url,
            anon_key=served.anon_key,
            email=email,
            password=password,
            stop=stop,
            out=out,
            err=err,
        )
        try:
            wait_until(lambda: "Following" in err.getvalue() or not runner.is_alive())
            assert f"Following inbox:{owner.id}" in err.getvalue()
            inbound_message(stack, owner, "Hola con contraseña")
            wait_until(lambda: "Hola con contraseña" in out.getvalue())
        finally:
            stop.set()
            runner.join(timeout=WAIT)
        assert result == [0]


def test_tail_reports_a_refused_channel(gateway: Gateway, db: Connection) -> None:
    owner = create_tenant(db)
    err = io.StringIO()
    status = tail.run(
        url=gateway.url,
        anon_key=gateway.anon_key,
        access_token=gateway.user_token(owner, ttl=-10),
        out=io.StringIO(),
        err=err,
    )
    assert status == 1
    assert f"Realtime refused inbox:{owner.id}: InvalidJWTToken: Token has expired" in (
        err.getvalue()
    )


def test_tail_exits_when_its_token_expires_and_until_then_follows(
    gateway: Gateway, stack: LocalStack, db: Connection
) -> None:
    owner = create_tenant(db)
    out, err = io.StringIO(), io.StringIO()
    runner, result = start_tail(
        url=gateway.url,
        anon_key=gateway.anon_key,
        access_token=gateway.user_token(owner, ttl=3),
        out=out,
        err=err,
    )
    wait_until(lambda: "Following" in err.getvalue())
    inbound_message(stack, owner, "Antes de expirar")
    runner.join(timeout=WAIT)
    assert not runner.is_alive()
    assert result == [1]
    assert "Antes de expirar" in out.getvalue()
    assert f"Realtime closed inbox:{owner.id}: Token has expired" in err.getvalue()


def test_tail_stops_when_asked(gateway: Gateway, db: Connection) -> None:
    owner = create_tenant(db)
    err = io.StringIO()
    stop = threading.Event()
    runner, result = start_tail(
        url=gateway.url,
        anon_key=gateway.anon_key,
        access_token=gateway.user_token(owner),
        stop=stop,
        out=io.StringIO(),
        err=err,
    )
    wait_until(lambda: "Following" in err.getvalue())
    assert gateway.relay.subscriber_count(f"inbox:{owner.id}") == 1
    stop.set()
    runner.join(timeout=WAIT)
    assert result == [0]
    assert gateway.relay.subscriber_count(f"inbox:{owner.id}") == 0


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"anon_key": "key", "access_token": "token"}, "give --url or set SUPABASE_URL"),
        ({"url": "http://x", "access_token": "token"}, "give --anon-key or set SUPABASE_ANON_KEY"),
        ({"url": "http://x", "anon_key": "key"}, "give either --access-token, or --email"),
        (
            {"url": "http://x", "anon_key": "key", "access_token": "t", "email": "a@b.c"},
            "give either --access-token, or --email",
        ),
    ],
)
def test_tail_needs_a_project_and_a_user(
    monkeypatch: pytest.MonkeyPatch, arguments: dict[str, str], message: str
) -> None:
    monkeypatch.delenv("SUPABASE_URL", raising=False)
    monkeypatch.delenv("SUPABASE_ANON_KEY", raising=False)
    err = io.StringIO()
    assert tail.run(**arguments, err=err) == 2  # type: ignore[arg-type]
    assert message in err.getvalue()


def test_an_access_token_without_a_user_is_refused_before_connecting() -> None:
    err = io.StringIO()
    status = tail.run(
        url="http://127.0.0.1:9", anon_key="key", access_token=keys.anon_key(), err=err
    )
    assert status == 1
    assert "has no user (sub)" in err.getvalue()


def test_an_inbound_message_s_batch_prints_one_line_per_change_in_order() -> None:
    at = datetime(2026, 11, 26, 14, 3, 7)
    batch = {
        "event": "BATCH",
        "payload": {
            "changes": [
                {
                    "table": "clients",
                    "operation": "UPDATE",
                    "record": {"name": "María", "phone": "+5213312345678"},
                    "old_record": {"name": "María", "phone": "+5213312345678"},
                },
                {
                    "table": "messages",
                    "operation": "INSERT",
                    "record": {"direction": "in", "status": "received", "content": "Hola"},
                    "old_record": None,
                },
                {
                    "table": "messages",
                    "operation": "INSERT",
                    "record": {"direction": "out", "status": "sending", "content": "¡Hola!"},
                    "old_record": None,
                },
            ]
        },
    }
    lines = [tail.format_event(change, at) for change in tail.split_batch(batch)]
    assert lines == [
        "14:03:07  clients        UPDATE  María (+5213312345678)",
        "14:03:07  messages       INSERT  in   received   Hola",
        "14:03:07  messages       INSERT  out  sending    ¡Hola!",
    ]
    single = {"event": "DELETE", "payload": {"table": "labels", "old_record": {"name": "VIP"}}}
    assert tail.split_batch(single) == [single]


def test_lines_show_time_table_operation_and_the_message() -> None:
    at = datetime(2026, 11, 26, 14, 3, 7)
    inbound = {
        "event": "INSERT",
        "payload": {
            "table": "messages",
            "operation": "INSERT",
            "record": {"direction": "in", "status": "received", "content": "Hola,\n¿abren hoy?"},
            "old_record": None,
        },
    }
    assert tail.format_event(inbound, at) == (
        "14:03:07  messages       INSERT  in   received   Hola, ¿abren hoy?"
    )
    deleted_label = {
        "event": "DELETE",
        "payload": {
            "table": "labels",
            "operation": "DELETE",
            "record": None,
            "old_record": {"name": "VIP"},
        },
    }
    assert tail.format_event(deleted_label, at) == "14:03:07  labels         DELETE  VIP"
    client = {
        "event": "UPDATE",
        "payload": {
            "table": "clients",
            "operation": "UPDATE",
            "record": {"name": "María", "phone": "+5213312345678"},
        },
    }
    assert tail.format_event(client, at) == (
        "14:03:07  clients        UPDATE  María (+5213312345678)"
    )
    long_body = {
        "payload": {
            "table": "messages",
            "operation": "INSERT",
            "record": {"direction": "out", "status": "queued", "content": "a" * 500},
        }
    }
    assert tail.format_event(long_body, at).endswith("a" * 119 + "…")


def test_label_lines_name_the_client_and_the_label() -> None:
    at = datetime(2026, 11, 26, 14, 3, 7)
    names = tail.InboxNames()
    names.remember(
        {
            "payload": {
                "table": "clients",
                "record": {"id": "c1", "name": "María", "phone": "+5213312345678"},
            }
        }
    )
    names.remember({"payload": {"table": "labels", "record": {"id": "l1", "name": "VIP"}}})
    labelled = {
        "payload": {
            "table": "client_labels",
            "operation": "INSERT",
            "record": {"client_id": "c1", "label_id": "l1"},
        }
    }
    assert names.missing(labelled) == (None, None)
    assert tail.format_event(labelled, at, names) == (
        "14:03:07  client_labels  INSERT  María (+5213312345678)  VIP"
    )
    unknown = {
        "payload": {
            "table": "client_labels",
            "operation": "DELETE",
            "old_record": {"client_id": "c2", "label_id": "l1"},
        }
    }
    assert names.missing(unknown) == ("c2", None)
