"""`facilchat dev`: the product's local stack, up until Ctrl-C."""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path

import psycopg

from devstack import keys
from devstack.logs import LogFollower
from devstack.paths import LOCAL_DIR
from devstack.process import ServiceError
from devstack.seed import (
    SEED_OWNER_EMAIL,
    SEED_OWNER_ID,
    SEED_OWNER_PASSWORD,
    SEED_WHATSAPP_NUMBER,
)
from devstack.stack import APP_PORT, LocalStack


def write_env_file(env: dict[str, str], path: Path) -> None:
    lines = ["# Written by `facilchat dev` for the local stack; safe to delete."]
    lines += [f"{name}={value}" for name, value in env.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def run(database_url: str | None, api_port: int, env_file: Path, app_port: int = APP_PORT) -> int:
    stack = LocalStack(database_url=database_url, gateway_port=api_port, app_port=app_port)
    stopping = threading.Event()
    # Handled explicitly: a shell that starts us in the background ignores SIGINT.
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, lambda *_: stopping.set())
    try:
        stack.start()
    except (ServiceError, RuntimeError, OSError, psycopg.Error) as error:
        print(f"error: the local stack did not start: {error}", file=sys.stderr)
        return 1
    try:
        env = stack.env()
        write_env_file(env, env_file)
        owner_token = keys.user_token(
            SEED_OWNER_ID, SEED_OWNER_EMAIL, stack.jwt_secret, ttl=24 * 3600
        )
        print(
            "\nFácilChat local stack is up.\n"
            f"  Supabase API (gateway) {stack.api_url}\n"
            f"  Dashboard              {stack.app_url}/\n"
            f"  App (webhook)          {stack.app_url}  (POST /api/twilio/webhook)\n"
            f"  WhatsApp simulator     {stack.app_url}/simulator\n"
            f"  Live inbox             {stack.app_url}/inbox\n"
            f"  Dev sign-in            {SEED_OWNER_EMAIL} / {SEED_OWNER_PASSWORD}\n"
            f"  Postgres               {env['DATABASE_URL']}\n"
            f"  anon key               {stack.anon_key}\n"
            f"  service_role key       {stack.service_role_key}\n"
            f"  seed business WhatsApp {SEED_WHATSAPP_NUMBER}\n"
            f"  seed owner ({SEED_OWNER_EMAIL}) JWT, valid 24 h:\n    {owner_token}\n"
            f"  environment written to {env_file}; logs in {LOCAL_DIR}\n\n"
            "Try it (the anon key alone sees nothing; the owner's JWT sees the seed clients):\n"
            f"  curl -s '{stack.api_url}/rest/v1/clients' -H 'apikey: {stack.anon_key}'\n"
            f"  curl -s '{stack.api_url}/rest/v1/clients?select=name,phone'"
            f" -H 'apikey: {stack.anon_key}' -H 'Authorization: Bearer {owner_token}'\n"
            "Follow the bakery's inbox live from another terminal:\n"
            f"  .venv/bin/facilchat tail --email {SEED_OWNER_EMAIL}"
            f" --password {SEED_OWNER_PASSWORD}\n"
            "Write to the bakery as a customer (replies come from the Twilio stand-in):\n"
            f'  .venv/bin/facilchat simulate "a que hora abren?" --from +5213311112222'
            f" --to {SEED_WHATSAPP_NUMBER}\n\n"
            "Press Ctrl-C to stop.",
            flush=True,
        )
        follower = LogFollower(stack.log_files(), sys.stdout)
        follower.start()
        stopping.wait()
        follower.stop()
    finally:
        print("\nStopping the local stack...", flush=True)
        stack.stop()
        print("Stopped.", flush=True)
    return 0
