"""Analysis speed per core: x realtime of every stage of ``analyze_file``, and its peak memory.

What is measured (figures are printed next to their targets; nothing is asserted):

1. One process, one thread: OMP / MKL / OpenBLAS / NUMBA / VECLIB / numexpr thread counts are
   set to 1 before numpy, librosa or essentia are imported, so every figure is per core.
2. x realtime is audio seconds per second of this process's CPU time (``time.process_time``:
   user + system), so the figures stay honest when other processes share the cores; wall
   seconds are printed too. Every file and stage runs ``--repeats`` times (default 3) and the
   run with the least CPU time counts: on a shared virtual machine, a busy neighbour still
   slows a process's own CPU seconds (caches, memory bandwidth), by up to 2x here.
3. Warm-up (not timed): one ``analyze_file`` call (with tags unless ``--no-tags``) so librosa's
   numba JIT, FFT plans and the tagging model's weights are ready before anything is timed.
4. Stages, each timed alone on the same inputs: ``decode`` (PyAV, to 44.1 kHz float32, plus the
   mono downmix), ``estimate_tempo``, ``estimate_key`` and ``measure_loudness``, and tagging
   (``tagging_excerpt`` + resampling to 16 kHz + ``tag_audio``). Called alone, tempo and key
   each transform the frames they share inside ``analyze_file``, so the stages sum to more than
   the end-to-end run.
5. End to end: ``analyze_file`` (streaming: one decode in blocks feeds every step) with and
   without tags, file by file.
6. Inputs: (a) the corpus tracks (``--corpus``, 24 short tracks in many formats) and (b)
   3.5-minute tracks: corpus tracks decoded, looped to 210 s and encoded once (not timed) as FLAC
   and as MP3 with PyAV into a temporary folder (``--long-tracks`` sources, x2 formats).
7. Peak memory (``--long-mix-hours``, default 3): a DJ mix of that length is generated (a
   126 BPM click track over A minor chords, stereo FLAC) and analysed in a fresh spawned
   process. There its peak RSS (``VmHWM``) is read after the imports (the import baseline), after a
   warm-up and after ``analyze_file`` of the mix, next to the answers it gave.

Targets: end to end without ML >= 300x realtime per core, with ML >= 80x; peak RSS of the mix
< 500 MB. The per-stage targets are this benchmark's split of that budget (see ``SHARES``):
decode 15 %, tempo 35 %, key 35 %, loudness 15 % of the no-ML budget; tagging gets the rest of
the with-ML budget (>= 109x).

Run from the repository root::

    .venv/bin/python benchmarks/analysis_speed.py [--corpus ../shared/corpus/tracks]
        [--long-tracks 6] [--long-mix-hours 3] [--repeats 3] [--no-tags] [--keep]
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
import json
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from fractions import Fraction
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import av
import numpy as np
from rich.console import Console
from rich.table import Table
from scipy.signal import resample_poly

from machine import show_machine
from tracktion.analysis import tagger
from tracktion.analysis.analyzer import ANALYSIS_RATE, analyze_file, tagging_excerpt
from tracktion.analysis.decode import decode
from tracktion.analysis.key import estimate_key
from tracktion.analysis.loudness import measure_loudness
from tracktion.analysis.tempo import estimate_tempo

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from tracktion.analysis.results import DecodedAudio, FloatArray

T = TypeVar("T")

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
        """Audio seconds per CPU second of this process."""
        return self.audio_s / self.cpu_s if self.cpu_s else 0.0

    @property
    def wall_realtime(self) -> float:
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


def best_of(repeats: int, work: Callable[[], T]) -> tuple[T, float, float]:
    """(result, wall s, CPU s) of the run of ``work`` that took the least CPU time."""
    runs = []
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        result = work()
        runs.append((time.process_time() - cpu, time.perf_counter() - wall, result))
    cpu_s, wall_s, result = min(runs, key=lambda run: run[0])
    return result, wall_s, cpu_s


def measure_stages(paths: list[Path], measured: Measured, repeats: int) -> None:
    """Every stage timed alone on every file (best of ``repeats``)."""
    for path in paths:

        def decoded(path: Path = path) -> tuple[DecodedAudio, FloatArray]:
            audio = decode(path, sample_rate=ANALYSIS_RATE)
            return audio, audio.mono

        (audio, mono), wall, cpu = best_of(repeats, decoded)
        seconds = audio.duration_s
        measured.stages["decode"].add(seconds, wall, cpu)
        by_format = measured.decode_by_format.setdefault(path.suffix.lower().lstrip("."), Timing())
        by_format.add(seconds, wall, cpu)

        def tagging(mono: FloatArray = mono) -> object:
            excerpt = tagging_excerpt(mono, ANALYSIS_RATE)
            mono16k = resample_poly(excerpt, tagger.SAMPLE_RATE, ANALYSIS_RATE).astype("float32")
            return tagger.tag_audio(mono16k)

        stages: dict[str, Callable[[], object]] = {
            "tempo": partial(estimate_tempo, mono, ANALYSIS_RATE),
            "key": partial(estimate_key, mono, ANALYSIS_RATE),
            "loudness": partial(measure_loudness, audio.stereo, ANALYSIS_RATE),
            "tagging": tagging,
        }
        for stage, work in stages.items():
            _, wall, cpu = best_of(repeats, work)
            measured.stages[stage].add(seconds, wall, cpu)


def measure_end_to_end(paths: list[Path], with_tags: bool, repeats: int) -> Timing:
    """analyze_file on every file (best of ``repeats``); audio seconds from the records."""
    timing = Timing()
    for path in paths:
        record, wall, cpu = best_of(repeats, partial(analyze_file, str(path), with_tags=with_tags))
        if record.error:
            raise SystemExit(f"analysis failed: {record.error}")
        timing.add(record.duration_s or 0.0, wall, cpu)
    return timing


def measure(name: str, paths: list[Path], with_tags: bool, repeats: int) -> Measured:
    """Stages, then end to end without tags, then with tags (unless disabled)."""
    measured = Measured(name)
    measure_stages(paths, measured, repeats)
    measured.end_to_end[False] = measure_end_to_end(paths, False, repeats)
    if with_tags:
        measured.end_to_end[True] = measure_end_to_end(paths, True, repeats)
    return measured


def verdict(met: bool | None) -> str:
    """yes / NO / blank."""
    return "" if met is None else ("yes" if met else "[red]NO[/]")


def speed_table(measured: Measured, with_tags: bool) -> Table:
    """One row per stage and per end-to-end run."""
    table = Table(
        title=f"Speed per core (x realtime = audio s / process CPU s): {measured.name}",
        title_justify="left",
    )
    columns = ("stage", "files", "audio s", "wall s", "CPU s", "x realtime (CPU)", "(wall)")
    for column in (*columns, "target", "met"):
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
            f"{timing.wall_realtime:,.0f}x",
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
    table = Table(title="3.5-minute tracks: files/hour per worker (CPU time)", title_justify="left")
    for column in ("run", "CPU s per file", "files/hour", "target", "met"):
        table.add_column(column, justify="left" if column == "run" else "right")
    for with_tags, timing in measured.end_to_end.items():
        per_file = timing.cpu_s / timing.files
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

MIX_BEAT = 21000
"""Samples per beat at 44.1 kHz: 126 BPM exactly."""
MIX_CHORDS = ((57, 60, 64), (62, 65, 69), (64, 68, 71), (57, 60, 64))
"""MIDI notes of A minor, D minor, E major, A minor (four bars each): A minor."""
IMPORTS = ("numpy", "scipy.signal", "av", "librosa", "essentia.standard")
HIGH_WATER = """
def rss():
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024
"""
"""Peak RSS in MB of this process since exec (ru_maxrss would report the parent's peak when
it is higher: Linux keeps it across fork and exec)."""
RSS_CHILD = (
    HIGH_WATER
    + """
import json, sys, time
from tracktion.analysis.analyzer import analyze_file
imported = rss()
analyze_file(sys.argv[1], with_tags=sys.argv[3] == "1")
warm = rss()
wall, cpu = time.perf_counter(), time.process_time()
record = analyze_file(sys.argv[2], with_tags=sys.argv[3] == "1")
print(json.dumps({
    "imported": imported, "warm": warm, "peak": rss(), "error": record.error,
    "cpu": time.process_time() - cpu, "wall": time.perf_counter() - wall,
    "duration": record.duration_s, "bpm": record.bpm, "key": record.key,
    "lufs": record.loudness_lufs, "peak_db": record.true_peak_db,
}))
"""
)


def mix_loop() -> FloatArray:
    """16 bars at 126 BPM, stereo: a kick on every beat over A minor chords."""
    bar = 4 * MIX_BEAT
    t = np.arange(4 * bar) / ANALYSIS_RATE
    rng = np.random.default_rng(3)
    loop = np.zeros(len(MIX_CHORDS) * 4 * bar)
    for index, chord in enumerate(MIX_CHORDS):
        tone = sum(np.sin(2 * np.pi * 440 * 2 ** ((n - 69) / 12) * t) for n in chord)
        bass = np.sin(2 * np.pi * 440 * 2 ** ((chord[0] - 81) / 12) * t)
        loop[index * 4 * bar : (index + 1) * 4 * bar] = 0.06 * tone + 0.08 * bass
    hit = np.arange(int(0.08 * ANALYSIS_RATE)) / ANALYSIS_RATE
    kick = np.exp(-hit / 0.03) * (
        np.sin(2 * np.pi * 55 * hit) + 0.3 * rng.standard_normal(hit.size)
    )
    for start in range(0, loop.size, MIX_BEAT):
        loop[start : start + kick.size] += 0.5 * kick
    return np.stack([loop, 0.9 * loop]).astype(np.float32)


def rss_of(command: list[str]) -> dict[str, object]:
    """Run ``command`` (a Python child printing one JSON line) and read its answer."""
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def import_rss(module: str) -> float:
    """Peak RSS (MB) of a fresh interpreter that imports ``module`` only."""
    code = f"{HIGH_WATER}\nimport json, {module}\nprint(json.dumps({{'rss': rss()}}))"
    return float(str(rss_of([sys.executable, "-c", code])["rss"]))


def long_mix_table(
    work: Path, warm: Path, hours: float, with_tags: bool, console: Console
) -> Table:
    """Peak RSS of a fresh process analysing a generated mix of ``hours``."""
    path = work / f"mix-{hours:g}h.flac"
    started = time.perf_counter()
    encode(path, looped(mix_loop(), hours * 3600), "flac")
    console.print(
        f"generated {path.name} ({path.stat().st_size / 2**20:,.0f} MB) in "
        f"{time.perf_counter() - started:.0f} s (not timed)"
    )
    result = rss_of([sys.executable, "-c", RSS_CHILD, str(warm), str(path), str(int(with_tags))])
    if result["error"]:
        raise SystemExit(f"analysis of the mix failed: {result['error']}")
    table = Table(
        title=f"Peak RSS of one worker analysing a {hours:g} h mix (FLAC, 126 BPM, A minor)",
        title_justify="left",
        show_header=False,
    )
    peak = float(str(result["peak"]))
    audio_s, cpu_s = float(str(result["duration"])), float(str(result["cpu"]))
    rows = {
        "import baseline (import tracktion.analysis.analyzer)": f"{result['imported']:.0f} MB",
        "  of which alone: " + ", ".join(IMPORTS): " / ".join(
            f"{import_rss(m):.0f}" for m in IMPORTS
        )
        + " MB",
        "after a warm-up analysis (JIT, model)": f"{result['warm']:.0f} MB",
        "peak after analysing the mix": f"{peak:.0f} MB (< {RSS_LIMIT_MB:.0f} MB: "
        f"{verdict(peak < RSS_LIMIT_MB)})",
        "answers (truth 126 BPM, A minor)": f"{result['bpm']} BPM, {result['key']}, "
        f"{result['lufs']} LUFS, {result['peak_db']} dBTP",
        "audio s / CPU s / x realtime (CPU)": f"{audio_s:,.0f} / {cpu_s:,.1f} / "
        f"{audio_s / cpu_s:,.0f}x",
    }
    for label, value in rows.items():
        table.add_row(label, value)
    return table


# --- main -----------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="folder of tracks")
    parser.add_argument(
        "--long-tracks", type=int, default=6, help="corpus tracks looped to 3.5 min (x2 formats)"
    )
    parser.add_argument(
        "--long-mix-hours", type=float, default=3.0, help="length of the peak-RSS mix (0: skip)"
    )
    parser.add_argument(
        "--repeats", type=int, default=3, help="runs per file and stage; the least CPU counts"
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
    show_machine(
        console,
        {
            "PyAV / numpy": f"{av.__version__} / {np.__version__}",
            "threads": "1 (OMP/MKL/OPENBLAS/NUMBA_NUM_THREADS=1), one process",
            "tags (ML)": "no" if args.no_tags else "yes",
        },
    )
    tracks = corpus_tracks(args.corpus)
    started = time.perf_counter()
    analyze_file(str(tracks[0]), with_tags=with_tags)
    console.print(f"warm-up (JIT, model load; not timed): {time.perf_counter() - started:.1f} s")
    work = Path(tempfile.mkdtemp(prefix="tracktion-speed-"))
    try:
        corpus = measure(f"{len(tracks)} corpus tracks", tracks, with_tags, args.repeats)
        console.print(speed_table(corpus, with_tags))
        long_paths = build_long_tracks(tracks[: args.long_tracks], work / "long", console)
        name = f"{len(long_paths)} tracks of 3.5 min (FLAC + MP3)"
        long = measure(name, long_paths, with_tags, args.repeats)
        console.print(speed_table(long, with_tags))
        console.print(files_per_hour_table(long))
        if args.long_mix_hours > 0:
            console.print(long_mix_table(work, tracks[0], args.long_mix_hours, with_tags, console))
    finally:
        if args.keep:
            console.print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
