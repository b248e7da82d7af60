"""Prints every reliability result again at the end of the run, one line per scenario."""

from __future__ import annotations

from _pytest.terminal import TerminalReporter

from tests.reliability.harness import RESULTS


def pytest_terminal_summary(terminalreporter: TerminalReporter) -> None:
    if RESULTS:
        terminalreporter.section("reliability: one line per scenario")
        for line in RESULTS:
            terminalreporter.write_line(line)
