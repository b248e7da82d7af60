"""CPU time spent by each local service during a benchmark run, read from /proc (Linux).

Every service here is a process tree (Postgres is a postmaster and its backends), so a
service's time is the sum over its root process and all descendants, children that have
exited and been waited for included.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

PROC = Path("/proc")
TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def available() -> bool:
    return (PROC / "self" / "stat").is_file()


def _stat_fields(pid: int) -> list[str] | None:
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    # The command name is in parentheses and may itself contain spaces.
    return text.rsplit(")", 1)[1].split()


def _process_table() -> dict[int, tuple[int, float]]:
    """pid -> (parent pid, CPU seconds including waited-for children)."""
    table: dict[int, tuple[int, float]] = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat_fields(int(entry.name))
        if fields is None:
            continue
        # After the name: state, ppid, ... utime (index 11), stime, cutime, cstime.
        ticks = sum(int(value) for value in fields[11:15])
        table[int(entry.name)] = (int(fields[1]), ticks / TICKS_PER_SECOND)
    return table


class ServiceCpu:
    """CPU seconds used so far by each named service (a root pid and its descendants)."""

    def __init__(self, roots: Mapping[str, int]) -> None:
        self.roots = dict(roots)

    def sample(self) -> dict[str, float]:
        table = _process_table()
        children: dict[int, list[int]] = {}
        for pid, (parent, _) in table.items():
            children.setdefault(parent, []).append(pid)
        named = set(self.roots.values())
        totals: dict[str, float] = {}
        for name, root in self.roots.items():
            seen, pending, total = set(), [root], 0.0
            while pending:
                pid = pending.pop()
                if pid in seen or pid not in table:
                    continue
                seen.add(pid)
                total += table[pid][1]
                # Another named service started by this one is counted under its own name.
                pending.extend(child for child in children.get(pid, []) if child not in named)
            totals[name] = total
        return totals

    @staticmethod
    def spent(before: Mapping[str, float], after: Mapping[str, float]) -> dict[str, float]:
        return {name: after[name] - before.get(name, 0.0) for name in after}


# Postgres names its background processes in their titles ("postgres: walwriter"); a backend's
# title is "postgres: <user> <database> <client> <activity>".
POSTGRES_BACKGROUND = {
    "walwriter": "WAL writer",
    "checkpointer": "checkpointer and background writer",
    "background writer": "checkpointer and background writer",
    "autovacuum launcher": "autovacuum",
    "autovacuum worker": "autovacuum",
    "logical replication launcher": "other background processes",
    "archiver": "other background processes",
}


def _postgres_role(pid: int) -> str:
    try:
        title = (PROC / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return "processes that ended meanwhile"
    title = title.removeprefix("postgres: ").strip()
    for prefix, role in POSTGRES_BACKGROUND.items():
        if title.startswith(prefix):
            return role
    return f"connections of {title.split(' ', 1)[0]}"


def postgres_cpu_by_role(postmaster: int) -> dict[str, float]:
    """CPU seconds used so far by a Postgres cluster's processes, by what they do: the
    backends of each database user (PostgREST connects as `authenticator`), the WAL writer,
    autovacuum and the rest. What exited processes used (autovacuum workers, closed
    connections) is counted once the postmaster has waited for them."""
    totals: dict[str, float] = {}
    for pid, (parent, seconds) in _process_table().items():
        if parent == postmaster:
            role = _postgres_role(pid)
            totals[role] = totals.get(role, 0.0) + seconds
    fields = _stat_fields(postmaster)
    if fields is not None:
        # The postmaster's own time, and apart from it what its exited children used.
        totals["postmaster"] = (int(fields[11]) + int(fields[12])) / TICKS_PER_SECOND
        totals["processes that ended"] = (int(fields[13]) + int(fields[14])) / TICKS_PER_SECOND
    return totals
