"""What the benchmarks print about the machine they ran on (shared by the benchmark scripts)."""

from __future__ import annotations

import os
import platform
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from rich.table import Table

import tracktion

if TYPE_CHECKING:
    from collections.abc import Mapping

    from rich.console import Console


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo, else what platform says."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def show_machine(console: Console, extra: Mapping[str, str] | None = None) -> None:
    """The "Machine" table every benchmark prints: cores, CPU, load, OS, Python and tracktion,
    then what its figures also depend on (``extra``)."""
    table = Table(title="Machine", title_justify="left", show_header=False)
    for key, value in {
        "CPUs (usable by this process / in the machine)": (
            f"{len(os.sched_getaffinity(0))} / {os.cpu_count()}"
        ),
        "CPU model": cpu_model(),
        "load average (1/5/15 min, now)": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "OS": platform.platform(),
        "Python": sys.version.split()[0],
        "tracktion": tracktion.__version__,
        **(extra or {}),
    }.items():
        table.add_row(key, value)
    console.print(table)
