"""Follow the local services' log files and print their new lines, each tagged with its service."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TextIO


class LogFollower:
    """Prints what each log file gains from now on, until stopped."""

    def __init__(self, logs: dict[str, Path], out: TextIO, interval: float = 0.2) -> None:
        self.logs = logs
        self.out = out
        self.interval = interval
        self._stop = threading.Event()
        self._offsets = {
            name: path.stat().st_size if path.exists() else 0 for name, path in logs.items()
        }
        self._thread = threading.Thread(target=self._run, name="log-follower", daemon=True)
        self._width = max((len(name) for name in logs), default=0)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.poll()  # what arrived since the last tick

    def poll(self) -> None:
        """Print the complete lines each log gained since the last poll."""
        for name, path in self.logs.items():
            if not path.exists():
                continue
            with path.open("rb") as log:
                log.seek(self._offsets[name])
                chunk = log.read()
            complete = chunk[: chunk.rfind(b"\n") + 1]
            self._offsets[name] += len(complete)
            for line in complete.decode("utf-8", errors="replace").splitlines():
                if line.strip():
                    self.out.write(f"{name:>{self._width}} | {line}\n")
        self.out.flush()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.poll()
