"""What the benchmark scripts share: measured rows with targets, printed as rich tables."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.table import Table

if TYPE_CHECKING:
    from rich.console import Console


@dataclass(frozen=True)
class Row:
    """One measured figure with its unit and, when there is one, its target."""

    label: str
    value: float
    unit: str
    target: str = ""
    met: bool | None = None
    summary: bool = False
    """Also goes into the markdown summary (rows with a target always do)."""


@dataclass(frozen=True)
class Section:
    """A titled group of rows, printed as one table."""

    title: str
    rows: list[Row]


def figure(value: float) -> str:
    """A figure with as many digits as are worth reading."""
    if abs(value) >= 100 or (value == int(value) and abs(value) >= 1):
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


def verdict(met: bool | None) -> str:
    """'yes', 'NO' or '' when the row has no target."""
    if met is None:
        return ""
    return "yes" if met else "NO"


def show_section(console: Console, section: Section) -> None:
    """One section as a rich table."""
    table = Table(title=section.title, title_justify="left")
    for name in ("measurement", "figure", "unit", "target", "met"):
        table.add_column(name, justify="right" if name == "figure" else "left")
    for row in section.rows:
        table.add_row(row.label, figure(row.value), row.unit, row.target, verdict(row.met))
    console.print(table)
