"""Start and stop the local Supabase-compatible stack: Postgres, PostgREST, gateway."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx
import psycopg
from psycopg.conninfo import make_conninfo

from devstack import keys
from devstack.paths import LOCAL_DIR, PROJECT_ROOT, SEED_SQL
from devstack.postgres import LocalPostgres, port_is_free
from devstack.postgrest import PostgrestServer
from facilchat import migrate

GATEWAY_PORT = 54321


class StackError(RuntimeError):
    """A part of the local stack could not start."""


@dataclass
class Gateway:
    postgrest_url: str
    jwt_secret: str
    port: int = GATEWAY_PORT
    log_path: Path = LOCAL_DIR / "gateway.log"
    process: subprocess.Popen[bytes] | None = None
    _log: IO[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 20.0) -> None:
        if not port_is_free(self.port):
            raise StackError(
                f"port {self.port} is in use: is another `make dev` running? Stop it first."
            )
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("ab")
        env = {**os.environ, "SUPABASE_JWT_SECRET": self.jwt_secret}
        self.process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "devstack.gateway",
                "--port",
                str(self.port),
                "--postgrest-url",
                self.postgrest_url,
            ],
            env=env,
            cwd=PROJECT_ROOT,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise StackError(f"the gateway exited early; see {self.log_path}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/health", timeout=1).is_success:
                    return
            time.sleep(0.1)
        self.stop()
        raise StackError(f"the gateway was not ready after {timeout:.0f}s; see {self.log_path}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._log:
            self._log.close()
            self._log = None


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
    gateway: Gateway | None = None

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
            migrate.migrate(self.database_url, local=True)
            if seed:
                load_seed(self.database_url)
            self.postgrest = PostgrestServer(
                db_url=authenticator_url(self.database_url),
                jwt_secret=self.jwt_secret,
                log_path=LOCAL_DIR / "postgrest.log",
            )
            self.postgrest.start()
            self.gateway = Gateway(self.postgrest.url, self.jwt_secret, port=self.gateway_port)
            self.gateway.start()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        if self.gateway:
            self.gateway.stop()
        if self.postgrest:
            self.postgrest.stop()
        if self.postgres:
            self.postgres.stop()

    def env(self) -> dict[str, str]:
        """The environment the app and the tools use against this stack."""
        assert self.database_url is not None
        return {
            "SUPABASE_URL": self.api_url,
            "SUPABASE_ANON_KEY": self.anon_key,
            "SUPABASE_SERVICE_ROLE_KEY": self.service_role_key,
            "SUPABASE_JWT_SECRET": self.jwt_secret,
            "DATABASE_URL": self.database_url,
        }
