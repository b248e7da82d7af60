"""`facilchat tail`: a business's inbox, live, in the terminal.

It does what the dashboard does, with the official Python clients: sign in
with supabase-py (or take a user's access token), hand the token to Realtime
(realtime-py, through the client) and join the private broadcast channel
`inbox:<user id>`. The database broadcasts every change to the inbox tables
there, and each one is printed as one line:

    14:03:07  messages       INSERT  in   received   Hola, ¿tienen conchas?
    14:03:07  messages       INSERT  out  queued     Abrimos de 8 a 20 h.
    14:03:07  clients        UPDATE  María (+5213312345678)
    14:03:07  client_labels  INSERT  María (+5213312345678)  Cliente nuevo

A label change names its client and label: those seen in earlier broadcasts
are remembered, the others are read once through the API, under the same
row-level security as the dashboard.

Ctrl-C stops it (exit status 0). It exits with 1 when Realtime refuses the
channel or closes it (an expired `--access-token`; a signed-in session is
refreshed by supabase-py and keeps going).
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import os
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, TextIO

import jwt

if TYPE_CHECKING:
    from supabase import AsyncClient

BODY_WIDTH = 120
POLL_SECONDS = 0.1


class TailError(Exception):
    """Something the user can fix; the message says what."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The command line of `facilchat tail`."""
    parser.add_argument("--url", help="the Supabase URL (default: $SUPABASE_URL)")
    parser.add_argument("--anon-key", help="the project's anon key (default: $SUPABASE_ANON_KEY)")
    parser.add_argument("--access-token", help="a signed-in user's access token (JWT)")
    parser.add_argument("--email", help="sign in as this user (with --password)")
    parser.add_argument("--password", help="the user's password (asked for when omitted)")


def run_from_args(args: argparse.Namespace) -> int:
    return run(
        url=args.url,
        anon_key=args.anon_key,
        access_token=args.access_token,
        email=args.email,
        password=args.password,
    )


def run(
    *,
    url: str | None = None,
    anon_key: str | None = None,
    access_token: str | None = None,
    email: str | None = None,
    password: str | None = None,
    stop: threading.Event | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Print the inbox's changes until Ctrl-C, `stop` is set, or Realtime closes the channel."""
    out = out or sys.stdout
    err = err or sys.stderr
    url = url or os.environ.get("SUPABASE_URL")
    anon_key = anon_key or os.environ.get("SUPABASE_ANON_KEY")
    if not url:
        print("error: give --url or set SUPABASE_URL", file=err)
        return 2
    if not anon_key:
        print("error: give --anon-key or set SUPABASE_ANON_KEY", file=err)
        return 2
    if bool(access_token) == bool(email):
        print("error: give either --access-token, or --email (and --password)", file=err)
        return 2
    if email and not password:
        password = getpass.getpass(f"Password for {email}: ")
    tail = Tail(url, anon_key, out=out, err=err, stop=stop or threading.Event())
    try:
        return asyncio.run(tail.run(access_token=access_token, email=email, password=password))
    except KeyboardInterrupt:
        print(file=err)
        return 0
    except TailError as error:
        print(f"error: {error}", file=err)
        return 1


@dataclass
class InboxNames:
    """Client and label names by id, for lines about client_labels, whose rows hold only ids."""

    clients: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)

    def remember(self, broadcast: Mapping[str, Any]) -> None:
        change = broadcast.get("payload") or {}
        row = change.get("record") or change.get("old_record") or {}
        row_id = row.get("id")
        if not row_id:
            return
        if change.get("table") == "clients":
            self.clients[str(row_id)] = client_name(row)
        elif change.get("table") == "labels":
            self.labels[str(row_id)] = _one_line(row.get("name"), 60)

    def missing(self, broadcast: Mapping[str, Any]) -> tuple[str | None, str | None]:
        """The client and label ids a client_labels line needs and we cannot name yet."""
        change = broadcast.get("payload") or {}
        if change.get("table") != "client_labels":
            return None, None
        row = change.get("record") or change.get("old_record") or {}
        client_id, label_id = str(row.get("client_id") or ""), str(row.get("label_id") or "")
        return (
            client_id if client_id and client_id not in self.clients else None,
            label_id if label_id and label_id not in self.labels else None,
        )


@dataclass
class Tail:
    url: str
    anon_key: str
    out: TextIO
    err: TextIO
    stop: threading.Event
    names: InboxNames = field(default_factory=InboxNames)

    async def run(
        self, *, access_token: str | None, email: str | None, password: str | None
    ) -> int:
        # Imported here: the rest of the command line starts without supabase-py.
        from supabase import acreate_client

        client = await acreate_client(self.url, self.anon_key)
        try:
            token, user_id = await self._sign_in(client, access_token, email, password)
            return await self._follow(client, token, user_id)
        finally:
            await client.realtime.close()

    async def _sign_in(
        self,
        client: AsyncClient,
        access_token: str | None,
        email: str | None,
        password: str | None,
    ) -> tuple[str, str]:
        if email is not None:
            try:
                response = await client.auth.sign_in_with_password(
                    {"email": email, "password": password or ""}
                )
            except Exception as error:  # supabase-py's AuthError, or no auth service at all
                raise TailError(f"could not sign in as {email}: {error}") from None
            if response.session is None or response.user is None:
                raise TailError(f"could not sign in as {email}: no session")
            # supabase-py also hands refreshed tokens to Realtime as they come.
            return response.session.access_token, str(response.user.id)
        assert access_token is not None
        return access_token, user_id_of(access_token)

    async def _follow(self, client: AsyncClient, token: str, user_id: str) -> int:
        # Let the client's own start-up auth events settle before setting the token.
        await asyncio.sleep(0)
        await client.realtime.set_auth(token)
        topic = f"inbox:{user_id}"
        states: asyncio.Queue[tuple[str, Exception | None]] = asyncio.Queue()

        def on_state(state: Any, error: Exception | None) -> None:
            states.put_nowait((str(getattr(state, "value", state)), error))

        # One consumer prints in arrival order, even while it waits for a name lookup.
        events: asyncio.Queue[Mapping[str, Any]] = asyncio.Queue()

        def on_broadcast(payload: Mapping[str, Any]) -> None:
            events.put_nowait(payload)

        printer = asyncio.create_task(self._print_events(client, token, events))

        channel = client.channel(
            topic,
            {
                "config": {
                    "private": True,
                    "broadcast": {"ack": False, "self": False},
                    "presence": {"key": "", "enabled": False},
                }
            },
        )
        channel.on_broadcast("*", on_broadcast)
        try:
            await channel.subscribe(on_state)
        except Exception as failure:
            raise TailError(f"could not connect to Realtime at {self.url}: {failure}") from None
        state, error = await states.get()
        if state != "SUBSCRIBED":
            raise TailError(f"Realtime refused {topic}: {_reason(error) or state}")
        print(f"Following {topic} (Ctrl-C to stop)", file=self.err, flush=True)

        last_error: Exception | None = None
        try:
            while not self.stop.is_set():
                try:
                    state, error = await asyncio.wait_for(states.get(), POLL_SECONDS)
                except TimeoutError:
                    continue
                if state == "CHANNEL_ERROR":
                    last_error = error
                    print(
                        f"warning: {topic}: {_reason(error)}; rejoining", file=self.err, flush=True
                    )
                elif state == "CLOSED":
                    raise TailError(f"Realtime closed {topic}: {_reason(last_error) or 'closed'}")
                elif state == "SUBSCRIBED":
                    print(f"Following {topic} again", file=self.err, flush=True)
        finally:
            printer.cancel()
        return 0

    async def _print_events(
        self, client: AsyncClient, token: str, events: asyncio.Queue[Mapping[str, Any]]
    ) -> None:
        while True:
            for broadcast in split_batch(await events.get()):
                self.names.remember(broadcast)
                client_id, label_id = self.names.missing(broadcast)
                if client_id or label_id:
                    await self._look_up(client, token, client_id, label_id)
                print(
                    format_event(broadcast, datetime.now(), self.names), file=self.out, flush=True
                )

    async def _look_up(
        self, client: AsyncClient, token: str, client_id: str | None, label_id: str | None
    ) -> None:
        """Read a client's or label's name through the API, as the signed-in owner."""
        client.postgrest.auth(token)
        try:
            if client_id:
                found = (
                    await client.table("clients")
                    .select("id,name,phone")
                    .eq("id", client_id)
                    .execute()
                )
                for row in _rows(found.data):
                    self.names.clients[str(row["id"])] = client_name(row)
            if label_id:
                found = await client.table("labels").select("id,name").eq("id", label_id).execute()
                for row in _rows(found.data):
                    self.names.labels[str(row["id"])] = _one_line(row.get("name"), 60)
        except Exception as error:  # the line still prints, with the ids
            print(f"warning: could not read names: {error}", file=self.err, flush=True)


def _rows(data: object) -> list[Mapping[str, Any]]:
    return [row for row in data if isinstance(row, Mapping)] if isinstance(data, list) else []


def user_id_of(access_token: str) -> str:
    """The user a token was issued to (its `sub`); Realtime verifies the token itself."""
    try:
        claims = jwt.decode(access_token, options={"verify_signature": False})
    except jwt.InvalidTokenError:
        raise TailError("--access-token is not a JWT") from None
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub:
        raise TailError("--access-token has no user (sub): use a signed-in user's token")
    return sub


def _reason(error: Exception | None) -> str:
    """realtime-py wraps the server's reply in Exception(json); show just the reason."""
    if error is None:
        return ""
    text = str(error)
    try:
        detail = json.loads(text)
    except ValueError:
        return text
    if isinstance(detail, dict):
        return str(detail.get("reason") or detail.get("message") or text)
    return text


def _one_line(text: object, width: int = BODY_WIDTH) -> str:
    flat = " ".join(str(text or "").split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def client_name(row: Mapping[str, Any]) -> str:
    return f"{_one_line(row.get('name') or '(sin nombre)', 60)} ({row.get('phone', '?')})"


def split_batch(broadcast: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """One broadcast per change: an inbound message's batch lists all of its changes."""
    changes = (broadcast.get("payload") or {}).get("changes")
    if not isinstance(changes, list):
        return [broadcast]
    return [
        {"event": change.get("operation"), "payload": change}
        for change in changes
        if isinstance(change, Mapping)
    ]


def format_event(
    broadcast: Mapping[str, Any], now: datetime, names: InboxNames | None = None
) -> str:
    """One line for one database broadcast: time, table, operation, and what changed."""
    change = broadcast.get("payload") or {}
    table = str(change.get("table") or "?")
    operation = str(change.get("operation") or broadcast.get("event") or "?")
    row = change.get("record") or change.get("old_record") or {}
    if table == "messages":
        detail = (
            f"{row.get('direction', '?'):<3}  {row.get('status', '?'):<9} "
            f" {_one_line(row.get('content'))}"
        )
    elif table == "clients":
        detail = client_name(row)
    elif table == "labels":
        detail = _one_line(row.get("name"), 60)
    elif table == "faqs":
        detail = _one_line(row.get("question"))
    elif table == "client_labels":
        names = names or InboxNames()
        client_id, label_id = str(row.get("client_id", "?")), str(row.get("label_id", "?"))
        client = names.clients.get(client_id) or f"client {client_id[:8]}"
        label = names.labels.get(label_id) or f"label {label_id[:8]}"
        detail = f"{client}  {label}"
    else:
        detail = ""
    return f"{now:%H:%M:%S}  {table:<13}  {operation:<6}  {detail}".rstrip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="facilchat tail", description="Follow a business's inbox live through Realtime"
    )
    add_arguments(parser)
    return run_from_args(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
