"""Analysis accuracy on a corpus with known truth (the shared synthetic corpus by default).

Tempo: Acc1 (within 4 % of the written BPM), Acc2 (octave errors x2, /2, x3, /3 allowed) and
the median absolute BPM error, on tracks with drums. Key: exact accuracy and the MIREX weighted
score (1 exact, .5 fifth, .3 relative, .2 parallel). For the consensus, per algorithm (each
method's own answer as recorded in the analysis), and per format. Prints tables; asserts nothing.

    .venv/bin/python benchmarks/accuracy.py [--corpus ../shared/corpus] [--workers 2] [--no-tags]
"""

from __future__ import annotations

import argparse
import csv
import statistics
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

from tracktion.analysis.analyzer import analyze_file
from tracktion.core.keys import Key, parse_key

if TYPE_CHECKING:
    from tracktion.core.analysis import AnalysisRecord

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def mirex(estimate: Key | None, truth: Key) -> float:
    """MIREX key score: 1 exact, .5 fifth (same mode), .3 relative, .2 parallel, else 0."""
    if estimate is None:
        return 0.0
    if estimate == truth:
        return 1.0
    if estimate.mode == truth.mode and (estimate.pitch_class - truth.pitch_class) % 12 in (5, 7):
        return 0.5
    relative = truth.compatible()[3]
    if estimate == relative:
        return 0.3
    if estimate.pitch_class == truth.pitch_class:
        return 0.2
    return 0.0


def tempo_scores(estimates: list[float | None], truths: list[float]) -> tuple[float, float, float]:
    """(Acc1 %, Acc2 %, median absolute error) over pairs."""
    acc1 = acc2 = 0
    errors = []
    for estimate, truth in zip(estimates, truths, strict=True):
        if estimate is None:
            errors.append(truth)
            continue
        errors.append(abs(estimate - truth))
        if abs(estimate - truth) <= 0.04 * truth:
            acc1 += 1
            acc2 += 1
        elif any(abs(estimate * f - truth) <= 0.04 * truth for f in (2, 0.5, 3, 1 / 3)):
            acc2 += 1
    n = max(1, len(truths))
    return 100 * acc1 / n, 100 * acc2 / n, statistics.median(errors) if errors else 0.0


def algorithm_answers(record: AnalysisRecord, field: str) -> dict[str, Any]:
    """Each algorithm's own value of ``field`` ("bpm" or "key") from the record."""
    answers: dict[str, Any] = {}
    for name, answer in record.algorithms.get("tempo" if field == "bpm" else "key", {}).items():
        if isinstance(answer, dict) and field in answer:
            answers[name] = answer[field]
    return answers


def analyse_all(paths: list[str], workers: int, with_tags: bool) -> list[AnalysisRecord]:
    """Analyse every file in a process pool."""
    with ProcessPoolExecutor(workers) as pool:
        futures = [pool.submit(analyze_file, path, None, with_tags=with_tags) for path in paths]
        return [future.result() for future in futures]


def main() -> None:
    """Analyse the corpus and print the accuracy tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-tags", action="store_true", help="skip the genre/mood model")
    args = parser.parse_args()
    with (args.corpus / "truth.csv").open(encoding="utf-8") as stream:
        rows = [row for row in csv.DictReader(stream) if row["file"].startswith("tracks/")]
    started = time.perf_counter()
    records = analyse_all(
        [str(args.corpus / row["file"]) for row in rows], args.workers, not args.no_tags
    )
    elapsed = time.perf_counter() - started
    console = Console(width=150)
    detail = Table(title=f"Per track ({len(rows)} files, {elapsed:.1f} s)")
    for column in ("file", "fmt", "BPM truth", "BPM", "key truth", "key", "MIREX", "review"):
        detail.add_column(column)
    tempo: dict[str, tuple[list[float | None], list[float]]] = defaultdict(lambda: ([], []))
    keys: dict[str, list[float]] = defaultdict(list)
    exact: dict[str, list[bool]] = defaultdict(list)
    for row, record in zip(rows, records, strict=True):
        truth_key = parse_key(row["key"])
        assert truth_key is not None
        estimate_key = parse_key(record.key)
        score = mirex(estimate_key, truth_key)
        groups = ["consensus", f"format {row['format']}"]
        if row["has_drums"] == "1":
            for group in groups:
                tempo[group][0].append(record.bpm)
                tempo[group][1].append(float(row["bpm"]))
            for name, bpm in algorithm_answers(record, "bpm").items():
                tempo[name][0].append(bpm)
                tempo[name][1].append(float(row["bpm"]))
        for group in groups:
            keys[group].append(score)
            exact[group].append(estimate_key == truth_key)
        for name, answer in algorithm_answers(record, "key").items():
            parsed = parse_key(answer)
            keys[name].append(mirex(parsed, truth_key))
            exact[name].append(parsed == truth_key)
        detail.add_row(
            Path(row["file"]).name[:40],
            row["format"],
            row["bpm"] if row["has_drums"] == "1" else "-",
            f"{record.bpm:.2f}" if record.bpm is not None else (record.error or "none")[:30],
            row["key"],
            record.key or "-",
            f"{score:.1f}",
            "yes" if record.needs_review else "",
        )
    console.print(detail)
    summary = Table(title="Tempo (tracks with drums) and key, by consensus, algorithm, format")
    for column in ("who", "tempo n", "Acc1 %", "Acc2 %", "median err", "key n", "exact %", "MIREX"):
        summary.add_column(column, justify="right" if column != "who" else "left")
    for group in sorted(set(tempo) | set(keys), key=lambda g: (g != "consensus", g)):
        estimates, truths = tempo.get(group, ([], []))
        acc1, acc2, median = tempo_scores(estimates, truths) if truths else (0.0, 0.0, 0.0)
        scores = keys.get(group, [])
        summary.add_row(
            group,
            str(len(truths)) if truths else "",
            f"{acc1:.0f}" if truths else "",
            f"{acc2:.0f}" if truths else "",
            f"{median:.3f}" if truths else "",
            str(len(scores)) if scores else "",
            f"{100 * sum(exact[group]) / len(scores):.0f}" if scores else "",
            f"{sum(scores) / len(scores):.3f}" if scores else "",
        )
    console.print(summary)
    console.print(
        "targets: Acc1 >= 98 %, median error <= 0.05 BPM, key exact >= 90 %, MIREX >= 0.93"
    )


if __name__ == "__main__":
    main()
