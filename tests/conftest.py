"""Suite-wide hooks: print the timings tests record (``record_property("viewer_<name>_s", x)``).

They are shown at the end of the run and never asserted: performance claims live in benchmarks/.
This file is at the top of ``tests/`` so that the pytest-xdist controller, which prints the
summary, loads it.
"""

from __future__ import annotations

import pytest

MEASURED: dict[str, float] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    for name, value in report.user_properties:  # forwarded from xdist workers
        if name.startswith("viewer_"):
            MEASURED[name] = float(value)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for name, seconds in MEASURED.items():
        terminalreporter.write_line(f"[timing] {name}: {seconds:.1f} s (shared machine)")
