"""A local service run as a child process, ready once its health URL answers."""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx

from devstack.paths import PROJECT_ROOT
from devstack.postgres import port_is_free


class ServiceError(RuntimeError):
    """A local service could not start."""


@dataclass
class ServiceProcess:
    name: str
    command: list[str]
    port: int
    health_path: str
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)
    # When the health check lives on another port (PostgREST's admin server).
    health_port: int | None = None
    # Start from an empty environment (plus PATH) instead of this process's.
    isolated_env: bool = False
    process: subprocess.Popen[bytes] | None = None
    _log: IO[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> None:
        if not port_is_free(self.port):
            raise ServiceError(f"port {self.port} is in use: is another `make dev` running?")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("ab")
        base_env = {"PATH": os.environ.get("PATH", "")} if self.isolated_env else dict(os.environ)
        self.process = subprocess.Popen(  # noqa: S603
            self.command,
            cwd=PROJECT_ROOT,
            env={**base_env, **self.env},
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.stop()
                raise ServiceError(f"{self.name} exited early; see {self.log_path}")
            with contextlib.suppress(httpx.HTTPError):
                health_port = self.health_port or self.port
                health_url = f"http://127.0.0.1:{health_port}{self.health_path}"
                if httpx.get(health_url, timeout=1).is_success:
                    return
            time.sleep(0.1)
        self.stop()
        raise ServiceError(f"{self.name} was not ready after {timeout:.0f}s; see {self.log_path}")

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
