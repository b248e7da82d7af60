"""An embedded PostgreSQL 15 cluster kept under the project folder.

The cluster is private to the project: it listens on loopback only, trusts
local connections, and is created with `initdb` as an unprivileged user
(initdb refuses to run as root, so root runs it as `postgres`).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from devstack.paths import LOCAL_DIR

POSTGRES_MAJOR = 15
SUPERUSER = "postgres"
# Throwaway clusters are `test-postgres[-<purpose>]-<pid>`, after the process that made them.
TEST_CLUSTER_PREFIX = "test-postgres"
# Settings for a disposable test cluster: durability buys nothing there.
FAST_UNSAFE_SETTINGS = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}


class PostgresError(RuntimeError):
    """The local cluster could not be created or started."""


def find_bindir() -> Path:
    """Where initdb, pg_ctl and postgres live."""
    candidates = [os.environ.get("PG_BINDIR", ""), f"/usr/lib/postgresql/{POSTGRES_MAJOR}/bin"]
    for candidate in candidates:
        if candidate and (Path(candidate) / "pg_ctl").is_file():
            return Path(candidate)
    pg_ctl = shutil.which("pg_ctl")
    if pg_ctl:
        return Path(pg_ctl).resolve().parent
    raise PostgresError(
        f"PostgreSQL {POSTGRES_MAJOR} is not installed: run `make install` "
        f"(it installs postgresql-{POSTGRES_MAJOR}) or set PG_BINDIR."
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def port_is_free(port: int) -> bool:
    """Whether a server could listen on the loopback `port` now.

    Binds as the servers do (Postgres, uvicorn, aiohttp, PostgREST): with SO_REUSEADDR,
    so the connections a stopped stack left in TIME-WAIT do not count, while a socket
    that listens there still does."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


@dataclass
class LocalPostgres:
    """A PostgreSQL cluster in `data_dir`, started on `port` (a free one if busy)."""

    data_dir: Path
    port: int = 54322
    unsafe_fast: bool = False
    # True once this object started the server (not merely found it running).
    started_here: bool = False

    @classmethod
    def for_dev(cls) -> LocalPostgres:
        return cls(LOCAL_DIR / "postgres", port=54322)

    @classmethod
    def for_tests(cls, purpose: str = "") -> LocalPostgres:
        """A throwaway cluster of this process alone: `destroy()` it after use."""
        name = "-".join(part for part in (TEST_CLUSTER_PREFIX, purpose, str(os.getpid())) if part)
        return cls(LOCAL_DIR / name, port=free_port(), unsafe_fast=True)

    def url(self, dbname: str = "postgres", user: str = SUPERUSER) -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/{dbname}?sslmode=disable"

    # -- running commands as the cluster's owner --------------------------------

    def _run_as_owner(self, args: list[str]) -> subprocess.CompletedProcess[str]:
        command = [str(find_bindir() / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", SUPERUSER, "--", *command]
        return subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603

    def _chown_to_owner(self, path: Path) -> None:
        if os.geteuid() == 0:
            owner = pwd.getpwnam(SUPERUSER)
            os.chown(path, owner.pw_uid, owner.pw_gid)

    # -- lifecycle ------------------------------------------------------------

    @property
    def log_file(self) -> Path:
        return self.data_dir.parent / f"{self.data_dir.name}.log"

    def is_initialized(self) -> bool:
        return (self.data_dir / "PG_VERSION").is_file()

    def initialize(self) -> None:
        if self.is_initialized():
            return
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._chown_to_owner(self.data_dir)
        result = self._run_as_owner(
            [
                "initdb",
                "-D",
                str(self.data_dir),
                "-U",
                SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
            ]
        )
        if result.returncode != 0:
            raise PostgresError(f"initdb failed:\n{result.stdout}\n{result.stderr}")
        settings = {
            "listen_addresses": "'127.0.0.1'",
            "unix_socket_directories": "''",
            "wal_level": "logical",
            "max_connections": "200",
            "shared_preload_libraries": "''",
            "timezone": "'UTC'",
        }
        if self.unsafe_fast:
            settings.update(FAST_UNSAFE_SETTINGS)
        with (self.data_dir / "postgresql.conf").open("a") as conf:
            conf.write("\n# FácilChat local cluster\n")
            conf.writelines(f"{name} = {value}\n" for name, value in settings.items())

    def running_server(self) -> tuple[int, int] | None:
        """(postmaster pid, port) of a server already running on this data directory, if any."""
        pid_file = self.data_dir / "postmaster.pid"
        if not pid_file.is_file():
            return None
        lines = pid_file.read_text().splitlines()
        try:
            pid, port = int(lines[0]), int(lines[3])
        except (IndexError, ValueError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            pass
        return pid, port

    def running_port(self) -> int | None:
        """The port of a server already running on this data directory, if any."""
        running = self.running_server()
        return running[1] if running else None

    def start(self) -> None:
        """Start the server, or adopt the one already running on this cluster."""
        self.initialize()
        running = self.running_port()
        if running is not None:
            self.port = running
            self.wait_ready()
            return
        if not port_is_free(self.port):
            self.port = free_port()
        if not self.log_file.exists():
            self.log_file.touch()
        self._chown_to_owner(self.log_file)
        result = self._run_as_owner(
            [
                "pg_ctl",
                "-D",
                str(self.data_dir),
                "-l",
                str(self.log_file),
                "-o",
                f"-p {self.port}",
                "-w",
                "-t",
                "60",
                "start",
            ]
        )
        if result.returncode != 0:
            log_tail = self.log_file.read_text(errors="replace")[-2000:]
            raise PostgresError(f"PostgreSQL did not start:\n{result.stdout}\n{log_tail}")
        self.started_here = True
        self.wait_ready()

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=1),
            ):
                return
            time.sleep(0.1)
        raise PostgresError(f"PostgreSQL is not accepting connections on port {self.port}")

    def stop(self) -> None:
        if self.running_port() is None:
            return
        self._run_as_owner(["pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "stop"])

    def destroy(self) -> None:
        """Stop the server and delete the cluster's files."""
        self.stop()
        shutil.rmtree(self.data_dir, ignore_errors=True)
        self.log_file.unlink(missing_ok=True)


def cluster_owner_pid(path: Path) -> int | None:
    """The pid a throwaway cluster, or its log, is named after (`test-postgres-…-<pid>`)."""
    stem = path.name.removesuffix(".log")
    head, _, pid = stem.rpartition("-")
    if not head.startswith(TEST_CLUSTER_PREFIX) or not pid.isdigit():
        return None
    return int(pid)


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_abandoned_clusters() -> list[Path]:
    """Stop and delete the throwaway clusters whose process has exited.

    A run that was killed could not delete its own cluster, and no one else uses it.
    """
    removed: list[Path] = []
    for path in sorted(LOCAL_DIR.glob(f"{TEST_CLUSTER_PREFIX}*")):
        data_dir = path.with_name(path.name.removesuffix(".log"))
        cluster = LocalPostgres(data_dir)
        pid = cluster_owner_pid(path)
        if pid is None:
            # Unnamed: the shared test cluster of earlier versions, once nothing runs on it.
            abandoned = data_dir.name == TEST_CLUSTER_PREFIX and cluster.running_server() is None
        else:
            abandoned = not _process_exists(pid)
        if abandoned and data_dir not in removed:
            cluster.destroy()
            removed.append(data_dir)
    return removed
