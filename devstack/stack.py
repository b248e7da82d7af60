"""Start and stop the local Supabase-compatible stack: Postgres, PostgREST, gateway."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg.conninfo import make_conninfo

from devstack import keys, migrations
from devstack.paths import LOCAL_DIR, SEED_SQL
from devstack.postgres import LocalPostgres, free_port
from devstack.postgrest import PostgrestServer
from devstack.process import ServiceProcess
from devstack.twilio_api import TwilioStandIn

GATEWAY_PORT = 54321
APP_PORT = 3000
# Local only: lets `curl` play Vercel Cron against the outbox sweeper.
DEV_CRON_SECRET = "dev-cron-secret"  # noqa: S105


def gateway_process(
    postgrest_url: str, jwt_secret: str, port: int, database_url: str
) -> ServiceProcess:
    return ServiceProcess(
        name="the API gateway",
        command=[
            sys.executable,
            "-m",
            "devstack.gateway",
            "--port",
            str(port),
            "--postgrest-url",
            postgrest_url,
            "--database-url",
            database_url,
        ],
        port=port,
        health_path="/health",
        log_path=LOCAL_DIR / "gateway.log",
        env={"SUPABASE_JWT_SECRET": jwt_secret},
    )


def webhook_process(port: int, env: dict[str, str], app: str = "webhook.app:app") -> ServiceProcess:
    """The product's app (the webhook) under uvicorn, as Vercel would serve it."""
    return ServiceProcess(
        name="the webhook",
        command=[
            sys.executable,
            "-m",
            "uvicorn",
            app,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        port=port,
        health_path="/api/health",
        log_path=LOCAL_DIR / "webhook.log",
        env=env,
    )


def authenticator_url(database_url: str) -> str:
    """PostgREST logs in as `authenticator`, as on Supabase, and takes each JWT's role."""
    return make_conninfo(database_url, user="authenticator", password="")


def load_seed(db_url: str, seed_path: Path = SEED_SQL) -> None:
    """Load the demo business; the seed skips itself when already loaded."""
    with psycopg.connect(db_url, autocommit=True) as conn, conn.transaction():
        conn.execute(seed_path.read_text(encoding="utf-8"))


@dataclass
class LocalStack:
    """Everything `make dev` needs from Supabase, running on this machine."""

    database_url: str | None = None
    gateway_port: int = GATEWAY_PORT
    jwt_secret: str = field(default_factory=keys.jwt_secret)
    postgres: LocalPostgres | None = None
    postgrest: PostgrestServer | None = None
    gateway: ServiceProcess | None = None
    # The app on app_port: the webhook, sending through the Twilio stand-in.
    app_port: int | None = None
    twilio: TwilioStandIn | None = None
    webhook: ServiceProcess | None = None

    @property
    def anon_key(self) -> str:
        return keys.anon_key(self.jwt_secret)

    @property
    def service_role_key(self) -> str:
        return keys.service_role_key(self.jwt_secret)

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.gateway_port}"

    def start(self, *, seed: bool = True) -> None:
        try:
            if self.database_url is None:
                self.postgres = LocalPostgres.for_dev()
                self.postgres.start()
                self.database_url = self.postgres.url()
            migrations.migrate(self.database_url, local=True)
            if seed:
                load_seed(self.database_url)
            self.postgrest = PostgrestServer(
                db_url=authenticator_url(self.database_url),
                jwt_secret=self.jwt_secret,
                log_path=LOCAL_DIR / "postgrest.log",
            )
            self.postgrest.start()
            self.gateway = gateway_process(
                self.postgrest.url, self.jwt_secret, self.gateway_port, self.database_url
            )
            self.gateway.start()
            if self.app_port is not None:
                self.twilio = TwilioStandIn(port=free_port())
                self.twilio.start()
                # The webhook plus the dev pages (the simulator) on one port.
                self.webhook = webhook_process(
                    self.app_port, self.app_env(), app="devstack.app:app"
                )
                self.webhook.start()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        if self.webhook:
            self.webhook.stop()
        if self.twilio:
            self.twilio.stop()
        if self.gateway:
            self.gateway.stop()
        if self.postgrest:
            self.postgrest.stop()
        # A server another `make dev` started (same folder) is theirs to stop.
        if self.postgres and self.postgres.started_here:
            self.postgres.stop()

    def log_files(self) -> dict[str, Path]:
        """Each running service's log, by a short name for the terminal."""
        logs: dict[str, Path] = {}
        if self.postgres:
            logs["postgres"] = self.postgres.log_file
        for name, service in (
            ("postgrest", self.postgrest),
            ("gateway", self.gateway),
            ("twilio", self.twilio),
            ("app", self.webhook),
        ):
            if service is not None:
                logs[name] = service.log_path
        return logs

    @property
    def app_url(self) -> str | None:
        return f"http://127.0.0.1:{self.app_port}" if self.app_port is not None else None

    def app_env(
        self, twilio: TwilioStandIn | None = None, public_url: str | None = None
    ) -> dict[str, str]:
        """What the app (webhook and dev pages) reads: this stack's Supabase, a Twilio
        stand-in and the app's public URL (by default this stack's own)."""
        twilio = twilio or self.twilio
        public_url = public_url or self.app_url
        assert twilio is not None and public_url is not None
        return {
            "SUPABASE_URL": self.api_url,
            "SUPABASE_ANON_KEY": self.anon_key,
            "SUPABASE_SERVICE_ROLE_KEY": self.service_role_key,
            **twilio.env(),
            "PUBLIC_URL": public_url,
            "CRON_SECRET": DEV_CRON_SECRET,
        }

    def env(self) -> dict[str, str]:
        """The environment the app and the tools use against this stack."""
        assert self.database_url is not None
        env = {
            "SUPABASE_URL": self.api_url,
            "SUPABASE_ANON_KEY": self.anon_key,
            "SUPABASE_SERVICE_ROLE_KEY": self.service_role_key,
            "SUPABASE_JWT_SECRET": self.jwt_secret,
            "DATABASE_URL": self.database_url,
        }
        if self.twilio is not None:
            env.update(self.app_env())
        return env
