"""`facilchat dev` end to end: from nothing to a running stack with the seed business, and back."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
from dotenv import dotenv_values

from devstack import keys
from devstack.paths import LOCAL_DIR, PROJECT_ROOT
from devstack.postgres import LocalPostgres, free_port
from devstack.seed import SEED_OWNER_ID, SEED_WHATSAPP_NUMBER
from tests.devstack.test_ports import sockets_in_time_wait

READY_LINE = "Press Ctrl-C to stop."


def children_of(pid: int) -> set[int]:
    """Every live descendant of `pid`, read from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and ") Z " not in stat.read_text()


def wait_for_line(process: subprocess.Popen[str], line: str, timeout: float) -> str:
    assert process.stdout is not None
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = process.stdout.readline()
        if not text:
            break
        seen.append(text)
        if line in text:
            return "".join(seen)
    process.kill()
    pytest.fail("facilchat dev did not come up:\n" + "".join(seen))


def dev_env(state_dir: Path) -> dict[str, str]:
    """This process's environment, with the stack's state in `state_dir` and no DATABASE_URL."""
    env = {**os.environ, "FACILCHAT_STATE_DIR": str(state_dir), "PYTHONUNBUFFERED": "1"}
    env.pop("DATABASE_URL", None)
    return env


def dev_command(*options: str) -> list[str]:
    return [sys.executable, "-m", "facilchat.cli", "dev", *options]


@pytest.fixture
def state_dir() -> Iterator[Path]:
    """A fresh state folder inside the project: the postgres user must be able to reach it."""
    path = LOCAL_DIR / f"dev-e2e-{uuid.uuid4().hex[:8]}"
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_dev_starts_from_nothing_serves_the_seed_and_stops_cleanly(
    tmp_path: Path, state_dir: Path
) -> None:
    api_port, app_port = free_port(), free_port()
    env_file = tmp_path / ".env"
    env = dev_env(state_dir)
    process = subprocess.Popen(
        dev_command(
            "--api-port",
            str(api_port),
            "--env-file",
            str(env_file),
            "--app-port",
            str(app_port),
        ),
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        banner = wait_for_line(process, READY_LINE, timeout=180)
        api = f"http://127.0.0.1:{api_port}"
        assert api in banner

        written = dotenv_values(env_file)
        anon = written["SUPABASE_ANON_KEY"]
        assert anon and written["SUPABASE_URL"] == api
        assert written["SUPABASE_SERVICE_ROLE_KEY"] and written["DATABASE_URL"]

        as_anon = httpx.get(f"{api}/rest/v1/clients", headers={"apikey": anon})
        assert as_anon.status_code == 401, as_anon.text  # anon may not even read the table
        assert as_anon.json()["code"] == "42501"

        owner_jwt = keys.user_token(SEED_OWNER_ID, secret=written["SUPABASE_JWT_SECRET"])
        as_owner = httpx.get(
            f"{api}/rest/v1/clients?select=name,phone",
            headers={"apikey": anon, "Authorization": f"Bearer {owner_jwt}"},
        )
        assert as_owner.status_code == 200
        assert len(as_owner.json()) >= 10

        # A customer writes to the seed bakery; the FAQ answer comes back at once.
        simulate = subprocess.run(
            [
                sys.executable,
                "-m",
                "facilchat.cli",
                "simulate",
                "a que hora abren?",
                "--from",
                "+5213311112222",
                "--to",
                SEED_WHATSAPP_NUMBER,
            ],
            cwd=tmp_path,
            env={**os.environ, **{k: v or "" for k, v in written.items()}},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert simulate.returncode == 0, simulate.stdout + simulate.stderr
        assert simulate.stdout.startswith("200")
        assert "reply to +5213311112222: " in simulate.stdout
        assert "7:00" in simulate.stdout  # the bakery's hours FAQ
        page = httpx.get(f"http://127.0.0.1:{app_port}/simulator")
        assert page.status_code == 200 and "<html" in page.text.lower()
        # The simulator page's own API: a new customer writes, the FAQ answer comes back.
        customer = "+5213399990000"
        sent = httpx.post(
            f"http://127.0.0.1:{app_port}/simulator/api/send",
            json={
                "customer": customer,
                "business": SEED_WHATSAPP_NUMBER,
                "text": "¿dónde están ubicados?",
            },
            timeout=30,
        )
        assert sent.status_code == 200, sent.text
        replies = httpx.get(
            f"http://127.0.0.1:{app_port}/simulator/api/replies",
            params={"customer": customer, "business": SEED_WHATSAPP_NUMBER},
        ).json()["replies"]
        assert any("Calle Libertad" in reply["body"] for reply in replies), replies
        assert f"http://127.0.0.1:{app_port}/simulator" in banner

        postmaster_pid = int((state_dir / "postgres" / "postmaster.pid").read_text().split()[0])
        helpers = children_of(process.pid) | {postmaster_pid}
        assert len(helpers) >= 5  # PostgREST, gateway, Twilio stand-in, webhook, Postgres
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=60)

    assert process.returncode == 0, output
    assert "Stopped." in output
    # Readable logs: each service's new lines, tagged with its name.
    assert "twilio | " in output
    # Each message posted to the webhook, from `facilchat simulate` as from the page.
    app_lines = [line for line in output.splitlines() if line.lstrip().startswith("app | ")]
    for sender in ("+5213311112222", customer):
        line = f"from {sender} to {SEED_WHATSAPP_NUMBER}: webhook answered 200"
        assert any(line in app_line for app_line in app_lines), output
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in helpers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [pid for pid in helpers if alive(pid)] == []


def run_dev_with_busy_api_port(
    state_dir: Path, env_file: Path
) -> tuple[subprocess.CompletedProcess[str], int]:
    """`facilchat dev` while another listener holds its API port; returns the run and the port."""
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port: int = busy.getsockname()[1]
        result = subprocess.run(
            dev_command("--api-port", str(port), "--env-file", str(env_file)),
            cwd=PROJECT_ROOT,
            env=dev_env(state_dir),
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
    return result, port


def test_dev_explains_a_busy_api_port_and_leaves_nothing_running(
    tmp_path: Path, state_dir: Path
) -> None:
    result, port = run_dev_with_busy_api_port(state_dir, tmp_path / ".env")
    assert result.returncode == 1
    assert f"port {port} is in use" in result.stderr
    assert not (state_dir / "postgres" / "postmaster.pid").exists()
    assert not (tmp_path / ".env").exists()


def test_a_failed_second_start_leaves_the_running_database_alone(
    tmp_path: Path, state_dir: Path
) -> None:
    first = LocalPostgres(state_dir / "postgres", port=free_port())
    first.start()
    try:
        result, _ = run_dev_with_busy_api_port(state_dir, tmp_path / ".env")
        assert result.returncode == 1
        assert first.running_port() is not None  # still up: it was not this run's to stop
    finally:
        first.stop()


def test_a_second_start_reuses_the_data(tmp_path: Path, state_dir: Path) -> None:
    env = dev_env(state_dir)

    def start() -> tuple[subprocess.Popen[str], dict[str, str | None]]:
        process = subprocess.Popen(
            dev_command(
                "--api-port",
                str(free_port()),
                "--app-port",
                str(free_port()),
                "--env-file",
                str(tmp_path / ".env"),
            ),
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        wait_for_line(process, READY_LINE, timeout=180)
        return process, dotenv_values(tmp_path / ".env")

    def stop(process: subprocess.Popen[str]) -> None:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=60)
        assert process.returncode == 0

    def count(database_url: str | None, sql: str) -> int:
        with psycopg.connect(str(database_url)) as conn:
            row = conn.execute(sql).fetchone()
        assert row is not None
        return int(row[0])

    first, written = start()
    try:
        with psycopg.connect(str(written["DATABASE_URL"]), autocommit=True) as conn:
            conn.execute(
                "insert into public.labels (owner_id, name) values (%s, 'Guardada')",
                (SEED_OWNER_ID,),
            )
        messages = count(written["DATABASE_URL"], "select count(*) from public.messages")
    finally:
        stop(first)

    second, written = start()
    try:
        url = written["DATABASE_URL"]
        assert count(url, "select count(*) from public.labels where name = 'Guardada'") == 1
        # The seed did not load twice.
        assert count(url, "select count(*) from public.messages") == messages
        assert count(url, "select count(*) from auth.users") == 1
    finally:
        stop(second)


def test_a_restart_right_after_traffic_gets_the_same_ports(tmp_path: Path, state_dir: Path) -> None:
    api_port, app_port = free_port(), free_port()
    command = dev_command(
        "--api-port",
        str(api_port),
        "--app-port",
        str(app_port),
        "--env-file",
        str(tmp_path / ".env"),
    )
    health_urls = [f"http://127.0.0.1:{api_port}/health", f"http://127.0.0.1:{app_port}/api/health"]

    def start() -> subprocess.Popen[str]:
        process = subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env=dev_env(state_dir),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        wait_for_line(process, READY_LINE, timeout=180)
        return process

    first = start()
    try:
        # Connections the servers close first, as a browser's are when the stack stops:
        # the servers' side of each stays in TIME-WAIT on the stack's ports for a minute.
        with httpx.Client() as kept_alive:
            for url in health_urls:
                assert kept_alive.get(url).is_success
                assert httpx.get(url, headers={"Connection": "close"}).is_success
            first.send_signal(signal.SIGINT)
            output, _ = first.communicate(timeout=60)
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode == 0, output
    assert sockets_in_time_wait(api_port) > 0

    second = start()
    try:
        for url in health_urls:
            assert httpx.get(url).is_success
    finally:
        second.send_signal(signal.SIGINT)
        output, _ = second.communicate(timeout=60)
    assert second.returncode == 0, output
