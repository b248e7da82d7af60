"""The port check before a service starts: busy only while something listens.

A stopped server leaves its closed connections in TIME-WAIT for a minute. The servers
bind with SO_REUSEADDR, so they can start again at once; the check must agree.
"""

from __future__ import annotations

import errno
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from devstack.postgres import free_port, port_is_free

TIME_WAIT = "06"  # the state's code in /proc/net/tcp


@contextmanager
def listening(host: str = "127.0.0.1", port: int = 0, *, reuse: bool = True) -> Iterator[int]:
    """A listening socket, bound as the servers bind; yields its port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        if reuse:
            server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind((host, port))
        server.listen()
        yield server.getsockname()[1]


def sockets_in_time_wait(port: int) -> int:
    """How many IPv4 sockets with local port `port` are in TIME-WAIT."""
    count = 0
    with open("/proc/net/tcp") as table:
        next(table)
        for row in table:
            fields = row.split()
            local_port = int(fields[1].split(":")[1], 16)
            if local_port == port and fields[3] == TIME_WAIT:
                count += 1
    return count


def serve_and_stop(connections: int) -> int:
    """A server on a free port that answers `connections` clients by closing first, as a
    server does on shutdown or after `Connection: close`, then stops; returns its port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", 0))
        server.listen()
        port: int = server.getsockname()[1]
        for _ in range(connections):
            with socket.create_connection(("127.0.0.1", port), timeout=5) as client:
                accepted, _ = server.accept()
                accepted.close()
                assert client.recv(1) == b""  # the server's FIN arrived
    deadline = time.monotonic() + 5
    while sockets_in_time_wait(port) < connections and time.monotonic() < deadline:
        time.sleep(0.01)
    return port


def test_a_port_whose_server_just_stopped_is_free() -> None:
    port = serve_and_stop(connections=3)
    assert sockets_in_time_wait(port) == 3
    # The trap itself: a bind without SO_REUSEADDR still fails here.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as plain:
        with pytest.raises(OSError) as refused:
            plain.bind(("127.0.0.1", port))
        assert refused.value.errno == errno.EADDRINUSE
    assert port_is_free(port)
    with listening(port=port) as restarted:  # and a server can indeed start there now
        assert restarted == port


@pytest.mark.parametrize("reuse", [True, False], ids=["reuseaddr", "plain"])
@pytest.mark.parametrize("host", ["127.0.0.1", "0.0.0.0"])  # noqa: S104
def test_a_port_with_a_listener_is_busy(host: str, reuse: bool) -> None:
    with listening(host, reuse=reuse) as port:
        assert not port_is_free(port)
    assert port_is_free(port)


def test_a_port_nobody_uses_is_free() -> None:
    assert port_is_free(free_port())
