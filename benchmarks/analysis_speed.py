"""Analysis speed per core: x realtime of every stage of ``analyze_file``, and its peak memory.

What is measured (figures are printed next to their targets; nothing is asserted):

1. One process, one thread: OMP / MKL / OpenBLAS / NUMBA / VECLIB / numexpr thread counts are
   set to 1 before numpy, librosa or essentia are imported, so every figure is per core.
2. Warm-up (not timed): one ``analyze_file`` call (with tags unless ``--no-tags``) so librosa's
   numba JIT, FFT plans and the tagging model's weights are ready before anything is timed.
3. Stages, each timed alone on the same inputs the analyzer feeds them: ``decode`` (PyAV, to
   44.1 kHz float32, plus the mono downmix), ``estimate_tempo``, ``estimate_key`` and
   ``measure_loudness``, and tagging (``tagging_excerpt`` + resampling to 16 kHz + ``tag_audio``,
   i.e. the excerpt ``analyze_file`` uses: the whole track up to 60 s, else 3 x 15 s). x realtime
   is always full-track audio seconds / wall seconds, tagging included.
4. End to end: ``analyze_file`` with and without tags, file by file.
5. Inputs: (a) the corpus tracks (``--corpus``, 24 short tracks in many formats) and (b)
   3.5-minute tracks: corpus tracks decoded, looped to 210 s and encoded once (not timed) as FLAC
   and as MP3 with PyAV into a temporary folder (``--long-tracks`` sources, x2 formats).
6. Peak memory: a file of ``--long-minutes`` (looped corpus audio, FLAC) and one a third as long
   are analysed, each in a fresh spawned process, and ``ru_maxrss`` is read there before (after
   imports and a warm-up) and after ``analyze_file``. The line through the two peaks is
   extrapolated to a 3-hour mix and compared with 500 MB.

Targets: end to end without ML >= 300x realtime per core, with ML >= 80x. The per-stage targets
are this benchmark's split of that budget (see ``SHARES``): decode 15 %, tempo 35 %, key 35 %,
loudness 15 % of the no-ML budget; tagging gets the rest of the with-ML budget (>= 109x).

Run from the repository root::

    .venv/bin/python benchmarks/analysis_speed.py [--corpus ../shared/corpus/tracks]
        [--long-tracks 6] [--long-minutes 30] [--no-tags] [--keep]
"""

# ruff: noqa: E402 (the thread limits must be set before numpy & co. are first imported)

from __future__ import annotations

import os

for _variable in (
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "NUMBA_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
):
    os.environ[_variable] = "1"

import argparse
import multiprocessing
import platform
import resource
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

import av
import numpy as np
from rich.console import Console
from rich.table import Table
from scipy.signal import resample_poly

import tracktion
from machine import cpu_model
from tracktion.analysis import tagger
from tracktion.analysis.analyzer import ANALYSIS_RATE, analyze_file, tagging_excerpt
from tracktion.analysis.decode import decode
from tracktion.analysis.key import estimate_key
from tracktion.analysis.loudness import measure_loudness
from tracktion.analysis.tempo import estimate_tempo

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tracktion.analysis.results import FloatArray

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "tracks"
AUDIO_SUFFIXES = frozenset(
    (
        *(".aac", ".ac3", ".aif", ".aiff", ".flac", ".m4a", ".mp2", ".mp3", ".ogg", ".opus"),
        *(".tta", ".wav", ".wma", ".wv"),
    )
)
LONG_TRACK_S = 210.0
NO_ML_TARGET = 300.0
"""x realtime per core, end to end without tags"""
ML_TARGET = 80.0
"""x realtime per core, end to end with tags"""
SHARES = {"decode": 0.15, "tempo": 0.35, "key": 0.35, "loudness": 0.15}
"""Each no-ML stage's share of the 1/300 s per audio second budget."""
TAG_TARGET = 1 / (1 / ML_TARGET - 1 / NO_ML_TARGET)
"""What is left of the with-ML budget for tagging: ~109x."""
RSS_LIMIT_MB = 500.0
MIX_MINUTES = 180.0
STAGES = ("decode", "tempo", "key", "loudness", "tagging")


@dataclass
class Timing:
    """Accumulated audio seconds, wall seconds and CPU seconds of one stage."""

    files: int = 0
    audio_s: float = 0.0
    wall_s: float = 0.0
    cpu_s: float = 0.0

    def add(self, audio_s: float, wall_s: float, cpu_s: float) -> None:
        """Count one file."""
        self.files += 1
        self.audio_s += audio_s
        self.wall_s += wall_s
        self.cpu_s += cpu_s

    @property
    def realtime(self) -> float:
        """Audio seconds per wall second."""
        return self.audio_s / self.wall_s if self.wall_s else 0.0


@dataclass
class Measured:
    """Stage and end-to-end timings of one input set."""

    name: str
    stages: dict[str, Timing] = field(default_factory=lambda: {s: Timing() for s in STAGES})
    end_to_end: dict[bool, Timing] = field(default_factory=dict)
    decode_by_format: dict[str, Timing] = field(default_factory=dict)


@contextmanager
def stopwatch(timing: Timing, audio_s: float) -> Iterator[None]:
    """Add the wall and CPU time of the block to ``timing``."""
    wall, cpu = time.perf_counter(), time.process_time()
    yield
    timing.add(audio_s, time.perf_counter() - wall, time.process_time() - cpu)


# --- inputs ---------------------------------------------------------------------------------


def corpus_tracks(corpus: Path) -> list[Path]:
    """Audio files directly in ``corpus`` (or in ``corpus/tracks``), sorted."""
    if (corpus / "tracks").is_dir():
        corpus = corpus / "tracks"
    paths = sorted(p for p in corpus.iterdir() if p.suffix.lower() in AUDIO_SUFFIXES)
    if not paths:
        raise SystemExit(f"no audio files in {corpus}")
    return paths


def looped(stereo: FloatArray, seconds: float) -> Iterator[FloatArray]:
    """``stereo`` (2, n) repeated until ``seconds`` of audio, in pieces of at most one copy."""
    remaining = round(seconds * ANALYSIS_RATE)
    while remaining > 0:
        piece = stereo[:, :remaining]
        remaining -= piece.shape[1]
        yield piece


def encode(path: Path, pieces: Iterator[FloatArray], codec: str) -> None:
    """Encode stereo float32 pieces at 44.1 kHz to ``path`` with PyAV (flac or libmp3lame)."""
    with av.open(str(path), "w") as output:
        stream = output.add_stream(codec, rate=ANALYSIS_RATE, layout="stereo")
        if not isinstance(stream, av.AudioStream):
            raise ValueError(f"{codec} is not an audio encoder")
        if codec == "libmp3lame":
            stream.codec_context.bit_rate = 192_000
        resampler = av.AudioResampler(
            format=stream.codec_context.format,
            layout="stereo",
            rate=ANALYSIS_RATE,
            frame_size=stream.codec_context.frame_size or None,
        )
        pts = 0
        for piece in pieces:
            for start in range(0, piece.shape[1], ANALYSIS_RATE):
                chunk = np.ascontiguousarray(piece[:, start : start + ANALYSIS_RATE])
                frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="stereo")
                frame.rate = ANALYSIS_RATE
                frame.pts = pts
                frame.time_base = Fraction(1, ANALYSIS_RATE)
                pts += chunk.shape[1]
                for out in resampler.resample(frame):
                    output.mux(stream.encode(out))
        for out in resampler.resample(None):
            output.mux(stream.encode(out))
        output.mux(stream.encode(None))


def stereo_of(path: Path) -> FloatArray:
    """Decoded audio of ``path`` as (2, n) at 44.1 kHz (mono is duplicated)."""
    audio = decode(path, sample_rate=ANALYSIS_RATE).stereo
    return audio if audio.shape[0] == 2 else np.repeat(audio, 2, axis=0)


def build_long_tracks(sources: list[Path], folder: Path, console: Console) -> list[Path]:
    """Each source looped to 3.5 minutes, written as FLAC and as MP3 (not timed)."""
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    paths: list[Path] = []
    for number, source in enumerate(sources):
        stereo = stereo_of(source)
        for extension, codec in (("flac", "flac"), ("mp3", "libmp3lame")):
            path = folder / f"long-{number:02d}.{extension}"
            encode(path, looped(stereo, LONG_TRACK_S), codec)
            paths.append(path)
    console.print(
        f"encoded {len(paths)} files of {LONG_TRACK_S:.0f} s (FLAC + MP3) in "
        f"{time.perf_counter() - started:.1f} s (not timed)"
    )
    return paths


# --- speed ----------------------------------------------------------------------------------


def measure_stages(paths: list[Path], measured: Measured) -> None:
    """Every stage timed alone on every file, fed exactly what analyze_file feeds it."""
    for path in paths:
        probe = Timing()
        with stopwatch(probe, 0.0):
            audio = decode(path, sample_rate=ANALYSIS_RATE)
            mono = audio.mono
        seconds = audio.duration_s
        measured.stages["decode"].add(seconds, probe.wall_s, probe.cpu_s)
        by_format = measured.decode_by_format.setdefault(path.suffix.lower().lstrip("."), Timing())
        by_format.add(seconds, probe.wall_s, probe.cpu_s)
        with stopwatch(measured.stages["tempo"], seconds):
            estimate_tempo(mono, ANALYSIS_RATE)
        with stopwatch(measured.stages["key"], seconds):
            estimate_key(mono, ANALYSIS_RATE)
        with stopwatch(measured.stages["loudness"], seconds):
            measure_loudness(audio.stereo, ANALYSIS_RATE)
        with stopwatch(measured.stages["tagging"], seconds):
            excerpt = tagging_excerpt(mono, ANALYSIS_RATE)
            mono16k = resample_poly(excerpt, tagger.SAMPLE_RATE, ANALYSIS_RATE).astype("float32")
            tagger.tag_audio(mono16k)


def measure_end_to_end(paths: list[Path], with_tags: bool) -> Timing:
    """analyze_file on every file; audio seconds from the records."""
    timing = Timing()
    for path in paths:
        wall, cpu = time.perf_counter(), time.process_time()
        record = analyze_file(str(path), with_tags=with_tags)
        if record.error:
            raise SystemExit(f"analysis failed: {record.error}")
        timing.add(record.duration_s or 0.0, time.perf_counter() - wall, time.process_time() - cpu)
    return timing


def measure(name: str, paths: list[Path], with_tags: bool) -> Measured:
    """Stages, then end to end without tags, then with tags (unless disabled)."""
    measured = Measured(name)
    measure_stages(paths, measured)
    measured.end_to_end[False] = measure_end_to_end(paths, with_tags=False)
    if with_tags:
        measured.end_to_end[True] = measure_end_to_end(paths, with_tags=True)
    return measured


def verdict(met: bool | None) -> str:
    """yes / NO / blank."""
    return "" if met is None else ("yes" if met else "[red]NO[/]")


def speed_table(measured: Measured, with_tags: bool) -> Table:
    """One row per stage and per end-to-end run."""
    table = Table(title=f"Speed per core: {measured.name}", title_justify="left")
    for column in ("stage", "files", "audio s", "wall s", "CPU s", "x realtime", "target", "met"):
        table.add_column(column, justify="left" if column == "stage" else "right")

    def row(label: str, timing: Timing, target: float | None) -> None:
        met = None if target is None else timing.realtime >= target
        table.add_row(
            label,
            str(timing.files),
            f"{timing.audio_s:,.1f}",
            f"{timing.wall_s:,.2f}",
            f"{timing.cpu_s:,.2f}",
            f"{timing.realtime:,.0f}x",
            f">= {target:,.0f}x" if target is not None else "",
            verdict(met),
        )

    for stage in STAGES:
        if stage == "tagging" and not with_tags:
            continue
        target = TAG_TARGET if stage == "tagging" else NO_ML_TARGET / SHARES[stage]
        label = "tagging (ML, on the excerpt)" if stage == "tagging" else stage
        row(label, measured.stages[stage], target)
    if len(measured.decode_by_format) <= 4:  # the corpus has a dozen formats: not listed
        for extension, timing in sorted(measured.decode_by_format.items()):
            row(f"  decode: {extension}", timing, None)
    no_ml = measured.stages
    summed = Timing(
        no_ml["decode"].files,
        no_ml["decode"].audio_s,
        sum(no_ml[s].wall_s for s in SHARES),
        sum(no_ml[s].cpu_s for s in SHARES),
    )
    row("sum of no-ML stages", summed, None)
    row("end to end, no tags", measured.end_to_end[False], NO_ML_TARGET)
    if True in measured.end_to_end:
        row("end to end, with tags", measured.end_to_end[True], ML_TARGET)
    return table


def files_per_hour_table(measured: Measured) -> Table:
    """Throughput of one worker on 3.5-minute tracks."""
    table = Table(title="3.5-minute tracks: files/hour per worker", title_justify="left")
    for column in ("run", "s per file", "files/hour", "target", "met"):
        table.add_column(column, justify="left" if column == "run" else "right")
    for with_tags, timing in measured.end_to_end.items():
        per_file = timing.wall_s / timing.files
        rate = 3600 / per_file
        target = 3600 / (LONG_TRACK_S / (ML_TARGET if with_tags else NO_ML_TARGET))
        table.add_row(
            "with tags" if with_tags else "no tags",
            f"{per_file:.2f}",
            f"{rate:,.0f}",
            f">= {target:,.0f}",
            verdict(rate >= target),
        )
    return table


# --- memory ---------------------------------------------------------------------------------


def rss_child(warm_path: str, path: str, with_tags: bool) -> tuple[float, float, float, float]:
    """In a fresh process: (RSS MB after warm-up, peak RSS MB after analysis, audio s, wall s)."""
    analyze_file(warm_path, with_tags=with_tags)
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    record = analyze_file(path, with_tags=with_tags)
    wall = time.perf_counter() - started
    if record.error:
        raise RuntimeError(record.error)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return baseline, peak, record.duration_s or 0.0, wall


def peak_rss(warm_path: Path, path: Path, with_tags: bool) -> tuple[float, float, float, float]:
    """rss_child in a spawned process (ru_maxrss is a per-process high-water mark)."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=context) as pool:
        return pool.submit(rss_child, str(warm_path), str(path), with_tags).result()


def memory_table(
    work: Path, source: Path, warm: Path, minutes: float, with_tags: bool, console: Console
) -> Table:
    """Peak RSS at minutes/3 and minutes, extrapolated linearly to a 3-hour mix."""
    stereo = stereo_of(source)
    points: list[tuple[float, float, float]] = []
    table = Table(title="Peak RSS of analyze_file on long inputs", title_justify="left")
    for column in ("input", "RSS after warm-up", "peak RSS", "analysis wall s", "x realtime"):
        table.add_column(column, justify="left" if column == "input" else "right")
    for length in (minutes / 3, minutes):
        path = work / f"mix-{length:g}min.flac"
        started = time.perf_counter()
        encode(path, looped(stereo, length * 60), "flac")
        console.print(f"encoded {path.name} in {time.perf_counter() - started:.1f} s (not timed)")
        baseline, peak, audio_s, wall = peak_rss(warm, path, with_tags)
        points.append((audio_s / 60, baseline, peak))
        table.add_row(
            f"{audio_s / 60:.1f} min FLAC", f"{baseline:,.0f} MB", f"{peak:,.0f} MB",
            f"{wall:.1f}", f"{audio_s / wall:.0f}x",
        )  # fmt: skip
    (m1, _, p1), (m2, base, p2) = points
    slope = (p2 - p1) / (m2 - m1)
    predicted = p2 + slope * (MIX_MINUTES - m2)
    decoded_floor = 2 * 4 * ANALYSIS_RATE * MIX_MINUTES * 60 / 2**20
    table.add_row(
        f"{MIX_MINUTES / 60:.0f} h mix (linear extrapolation)",
        f"{base:,.0f} MB",
        f"{predicted:,.0f} MB",
        f"{slope:,.1f} MB/min",
        f"{'<' if predicted < RSS_LIMIT_MB else '>='} {RSS_LIMIT_MB:.0f} MB: "
        + verdict(predicted < RSS_LIMIT_MB),
    )
    table.caption = (
        f"For scale: the decoded stereo float32 buffer alone of a {MIX_MINUTES / 60:.0f} h mix "
        f"at 44.1 kHz is {decoded_floor:,.0f} MB ({decoded_floor / MIX_MINUTES:.1f} MB/min)."
    )
    return table


# --- main -----------------------------------------------------------------------------------


def show_context(console: Console, args: argparse.Namespace) -> None:
    """What the figures depend on."""
    table = Table(title="Machine", title_justify="left", show_header=False)
    rows = {
        "CPUs usable (affinity)": str(len(os.sched_getaffinity(0))),
        "CPU model": cpu_model(),
        "OS": platform.platform(),
        "Python": sys.version.split()[0],
        "tracktion / PyAV / numpy": f"{tracktion.__version__} / {av.__version__} / "
        f"{np.__version__}",
        "threads": "1 (OMP/MKL/OPENBLAS/NUMBA_NUM_THREADS=1), one process",
        "tags (ML)": "no" if args.no_tags else "yes",
    }
    for key, value in rows.items():
        table.add_row(key, value)
    console.print(table)


def parse_args() -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="folder of tracks")
    parser.add_argument(
        "--long-tracks", type=int, default=6, help="corpus tracks looped to 3.5 min (x2 formats)"
    )
    parser.add_argument(
        "--long-minutes", type=float, default=30.0, help="length of the peak-RSS input"
    )
    parser.add_argument("--no-tags", action="store_true", help="skip the genre/mood model")
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    return parser.parse_args()


def main() -> None:
    """Warm up, measure both input sets and peak memory, print the tables."""
    args = parse_args()
    with_tags = not args.no_tags
    console = Console()
    if not console.is_terminal:
        console.width = 120
    show_context(console, args)
    tracks = corpus_tracks(args.corpus)
    started = time.perf_counter()
    analyze_file(str(tracks[0]), with_tags=with_tags)
    console.print(f"warm-up (JIT, model load; not timed): {time.perf_counter() - started:.1f} s")
    work = Path(tempfile.mkdtemp(prefix="tracktion-speed-"))
    try:
        corpus = measure(f"{len(tracks)} corpus tracks", tracks, with_tags)
        console.print(speed_table(corpus, with_tags))
        long_paths = build_long_tracks(tracks[: args.long_tracks], work / "long", console)
        long = measure(f"{len(long_paths)} tracks of 3.5 min (FLAC + MP3)", long_paths, with_tags)
        console.print(speed_table(long, with_tags))
        console.print(files_per_hour_table(long))
        console.print(
            memory_table(work, tracks[0], tracks[0], args.long_minutes, with_tags, console)
        )
    finally:
        if args.keep:
            console.print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
