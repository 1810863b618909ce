"""Cue alignment accuracy on DJ mixes with known truth (the shared corpus's ``mix/`` by default).

For each mix in ``mix_truth.csv`` the tracklist's cues are aligned three times, from three
starting points: minute-rounded cues (1001Tracklists style, ``tl1001_cue``), floor-minute cues
(MixesDB style, ``mixesdb_cue``) and no cues at all (unknown). Every entry has its library file.
Prints one row per transition (aligned cue minus ``dominant_s``, method) and a summary per
starting point (max and mean absolute error, entries within 2 s, CPU seconds). Asserts nothing.

    .venv/bin/python benchmarks/alignment.py [--corpus ../shared/corpus]
"""

from __future__ import annotations

import argparse
import csv
import time
from collections import defaultdict
from pathlib import Path

from rich.console import Console
from rich.table import Table

from tracktion.analysis.alignment import AlignedCue, CueHint, align_cues
from tracktion.core.tracklist import CuePrecision

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
TARGET_S = 2.0
STARTS = ("minute-rounded", "floor-minute", "unknown")


def hints(rows: list[dict[str, str]], corpus: Path, start: str) -> list[CueHint]:
    """The tracklist entries of one mix as the aligner sees them from one starting point."""
    out: list[CueHint] = []
    for row in rows:
        path = str(corpus / row["file"])
        if start == "unknown":
            out.append(CueHint(int(row["position"]), path, None, CuePrecision.UNKNOWN))
            continue
        minute = int(row["tl1001_cue" if start == "minute-rounded" else "mixesdb_cue"][:2])
        out.append(CueHint(int(row["position"]), path, 60.0 * minute, CuePrecision.MINUTE))
    return out


def main() -> None:
    """Align every mix from each starting point and print the error tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    args = parser.parse_args()
    with (args.corpus / "mix" / "mix_truth.csv").open(encoding="utf-8") as stream:
        mixes: dict[str, list[dict[str, str]]] = defaultdict(list)
        for row in csv.DictReader(stream):
            mixes[row["mix"]].append(row)
    console = Console(width=150)
    summary = Table(title="Per starting point (aligned cue - truth dominant_s)")
    for column in ("mix", "start", "aligned", "max |err| s", "mean |err| s", "within 2 s", "CPU s"):
        summary.add_column(column, justify="left" if column in ("mix", "start") else "right")
    for mix, rows in mixes.items():
        detail = Table(title=f"{mix}: error per transition, seconds")
        detail.add_column("pos", justify="right")
        detail.add_column("title")
        detail.add_column("truth s", justify="right")
        for start in STARTS:
            detail.add_column(start, justify="right")
        results: dict[str, list[AlignedCue]] = {}
        for start in STARTS:
            started = time.process_time()
            results[start] = align_cues(
                str(args.corpus / "mix" / f"{mix}.mp3"), hints(rows, args.corpus, start)
            )
            cpu = time.process_time() - started
            errors = [
                abs(cue.cue_s - float(row["dominant_s"]))
                for cue, row in zip(results[start], rows, strict=True)
                if float(row["dominant_s"]) > 0
            ]
            aligned = sum(cue.method == "audio" for cue in results[start])
            summary.add_row(
                mix,
                start,
                f"{aligned}/{len(rows)}",
                f"{max(errors):.2f}",
                f"{sum(errors) / len(errors):.2f}",
                f"{sum(e <= TARGET_S for e in errors)}/{len(errors)}",
                f"{cpu:.1f}",
            )
        for index, row in enumerate(rows):
            truth = float(row["dominant_s"])
            cells = []
            for start in STARTS:
                cue = results[start][index]
                cells.append(f"{cue.cue_s - truth:+.2f} {cue.method}")
            detail.add_row(row["position"], row["title"][:30], f"{truth:.2f}", *cells)
        console.print(detail)
    console.print(summary)
    console.print(f"target: every aligned cue within {TARGET_S:.0f} s of truth")


if __name__ == "__main__":
    main()
