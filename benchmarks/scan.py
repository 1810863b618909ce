"""Scan, rescan, hashing and live-watch benchmarks, measured side by side in one run.

What is measured (every figure is printed next to its target; nothing is asserted):

1. Library generation (not timed): one short template per format (mp3, flac, m4a, ogg, opus,
   encoded once with PyAV; formats whose encoder the PyAV wheel lacks are skipped), then every
   library file is a copy of its album's template with unique tags written by mutagen, so every
   file has unique bytes. Albums sit in ``Artist NN/Album NNNN`` folders.
2. First scan: a fresh App and SQLite catalog, ``Scanner.scan`` plus ``bus.wait_idle()`` (hash,
   tags and catalog rows written), with 1 scan worker and with the default (or ``--workers``).
3. Rescan of unchanged files: a larger library is scanned once, then rescanned several times
   with the same App (median), extrapolated linearly to 100k files. Its phases (catalog
   ``known_files``, FileIndex build, walk, compare) are timed alone, beside a bare
   ``os.scandir`` + ``stat`` walk of the same tree.
4. Hashing: ``fingerprint_file`` (SHA-256 and xxHash128 from one read) against SHA-256 alone,
   xxh3_128 alone and ``openssl sha256``, on one page-cached file, best of 3.
5. Watch latency: a LiveWatcher on an empty folder; files are written one at a time and the
   time from ``close()`` until the catalog returns the row (polled every 5 ms) is recorded.

The files were just written, so all figures are warm-cache figures.

Run from the repository root::

    .venv/bin/python benchmarks/scan.py [--files 5000] [--albums 500] [--rescan-files 20000]
        [--hash-mb 512] [--watch-files 100] [--workers N] [--workdir DIR] [--keep]
"""

from __future__ import annotations

import argparse
import array
import asyncio
import hashlib
import math
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import tempfile
import time
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import av
import mutagen
import xxhash
from rich.console import Console

from machine import show_machine
from report import Row, Section, figure, show_section, verdict
from tracktion.bootstrap import App, bootstrap
from tracktion.config import load_settings
from tracktion.core.query import TrackQuery
from tracktion.watcher.file_events import FileIndex
from tracktion.watcher.fingerprint import CHUNK_BYTES, fingerprint_file
from tracktion.watcher.live import CLOSED_SETTLE_S
from tracktion.watcher.plan import plan_scan
from tracktion.watcher.walk import Walk

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

    from tracktion.watcher.scanner import ScanReport

TEMPLATE_SECONDS = 1.5
FIRST_SCAN_TARGET = 2_000.0
"""files/s"""
RESCAN_TARGET_S = 2.0
"""seconds for 100k unchanged files"""
HASH_RATIO_TARGET = 80.0
"""fingerprint MB/s as a percentage of SHA-256 alone"""
WATCH_P95_TARGET_MS = 1_000.0
RESCAN_REPEATS = 5
HASH_REPEATS = 3
WATCH_POLL_S = 0.005
WATCH_SPACING_S = 0.05
WATCH_TIMEOUT_S = 10.0
GENRES = ("Techno", "House", "Drum & Bass", "Ambient", "Disco", "Electro", "Dub", "Breaks")


@dataclass(frozen=True)
class AudioKind:
    """A format of the generated library and how its template is encoded."""

    extension: str
    container: str
    codec: str
    rate: int
    weight: int
    """Relative share of albums in this format."""


KINDS = (
    AudioKind("mp3", "mp3", "libmp3lame", 44_100, 40),
    AudioKind("flac", "flac", "flac", 44_100, 25),
    AudioKind("m4a", "ipod", "aac", 44_100, 20),
    AudioKind("ogg", "ogg", "vorbis", 44_100, 10),
    AudioKind("opus", "ogg", "libopus", 48_000, 5),
)


class Hasher(Protocol):
    """What hashlib and xxhash objects have in common here."""

    def update(self, data: memoryview, /) -> None:
        """Feed bytes."""


# --- library generation -----------------------------------------------------------------


def stereo_pcm(seconds: float, rate: int, rng: random.Random) -> bytes:
    """Interleaved float32 stereo: a 440 Hz sine with a little noise."""
    samples = array.array("f")
    for i in range(int(seconds * rate)):
        value = 0.3 * math.sin(2 * math.pi * 440 * i / rate) + rng.uniform(-0.05, 0.05)
        samples.extend((value, value))
    return samples.tobytes()


def encode_template(path: Path, kind: AudioKind, rng: random.Random) -> None:
    """Encode a short clip of ``kind`` to ``path`` with PyAV."""
    pcm = stereo_pcm(TEMPLATE_SECONDS, kind.rate, rng)
    frame = av.AudioFrame(format="flt", layout="stereo", samples=len(pcm) // 8)
    frame.planes[0].update(pcm)
    frame.rate = kind.rate
    frame.pts = 0
    frame.time_base = Fraction(1, kind.rate)
    with av.open(str(path), "w", format=kind.container) as output:
        stream = output.add_stream(kind.codec, rate=kind.rate, layout="stereo")
        if not isinstance(stream, av.AudioStream):
            raise ValueError(f"{kind.codec} is not an audio encoder")
        stream.codec_context.options = {"strict": "experimental"}
        resampler = av.AudioResampler(
            format=stream.codec_context.format,
            layout="stereo",
            rate=kind.rate,
            frame_size=stream.codec_context.frame_size or None,
        )
        for chunk in [*resampler.resample(frame), *resampler.resample(None)]:
            output.mux(stream.encode(chunk))
        output.mux(stream.encode(None))


def make_templates(directory: Path, console: Console) -> dict[AudioKind, bytes]:
    """One template per format whose encoder exists; the others are named and skipped."""
    directory.mkdir(parents=True)
    rng = random.Random(7)
    templates: dict[AudioKind, bytes] = {}
    for kind in KINDS:
        path = directory / f"template.{kind.extension}"
        try:
            encode_template(path, kind, rng)
        except (av.FFmpegError, ValueError) as exc:
            console.print(f"[yellow]skipping {kind.extension}: cannot encode ({exc})[/]")
            continue
        templates[kind] = path.read_bytes()
    if not templates:
        raise SystemExit("no audio encoder available in this PyAV build")
    return templates


def album_sizes(files: int, albums: int) -> list[int]:
    """``files`` spread as evenly as possible over ``albums`` folders."""
    albums = max(1, min(albums, files))
    return [files // albums + (1 if album < files % albums else 0) for album in range(albums)]


def track_tags(number: int, album: int, track: int, total: int, bpm: int) -> dict[str, str]:
    """Realistic, unique tags for library file ``number``."""
    artist = f"Artist {album % 97:02d}"
    return {
        "title": f"Title {number:06d}",
        "artist": artist,
        "album": f"Album {album:04d}",
        "albumartist": artist,
        "tracknumber": f"{track}/{total}",
        "date": str(1990 + album % 35),
        "genre": GENRES[album % len(GENRES)],
        "bpm": str(bpm),
    }


def write_track(path: Path, template: bytes, tags: dict[str, str]) -> None:
    """Copy the template to ``path`` and write ``tags`` into it with mutagen."""
    path.write_bytes(template)
    audio: Any = mutagen.File(path, easy=True)
    if audio.tags is None:
        audio.add_tags()
    audio.update(tags)
    audio.save()


def build_library(
    root: Path, templates: dict[AudioKind, bytes], files: int, albums: int
) -> list[Path]:
    """Write ``files`` tagged files over ``albums`` album folders; return their paths."""
    rng = random.Random(files * 1_000_003 + albums)
    kinds = list(templates)
    weights = [kind.weight for kind in kinds]
    paths: list[Path] = []
    for album, size in enumerate(album_sizes(files, albums)):
        kind = rng.choices(kinds, weights)[0]
        folder = root / f"Artist {album % 97:02d}" / f"Album {album:04d}"
        folder.mkdir(parents=True)
        for track in range(1, size + 1):
            number = len(paths)
            path = folder / f"{track:02d} - Title {number:06d}.{kind.extension}"
            tags = track_tags(number, album, track, size, rng.randint(80, 175))
            write_track(path, templates[kind], tags)
            paths.append(path)
    return paths


def generate(
    console: Console, root: Path, templates: dict[AudioKind, bytes], files: int, albums: int
) -> list[Path]:
    """Build a library and say how long it took (generation is not part of any figure)."""
    started = time.perf_counter()
    paths = build_library(root, templates, files, albums)
    elapsed = time.perf_counter() - started
    megabytes = sum(path.stat().st_size for path in paths) / 1e6
    console.print(
        f"generated {len(paths):,} files ({megabytes:,.0f} MB) in {albums:,} albums "
        f"under {root} in {elapsed:.1f} s"
    )
    return paths


# --- app helpers ----------------------------------------------------------------------------


@asynccontextmanager
async def running_app(data_dir: Path, **settings: Any) -> AsyncIterator[App]:
    """A bootstrapped App with its own SQLite catalog in ``data_dir``."""
    app = await bootstrap(load_settings(data_dir=data_dir, **settings))
    try:
        yield app
    finally:
        await app.close()


@dataclass(frozen=True)
class ScanTiming:
    """A scan's report with its wall time and the whole process's CPU time."""

    report: ScanReport
    wall_s: float
    cpu_s: float


async def timed_scan(app: App, root: Path) -> ScanTiming:
    """Scan ``root`` and wait until the catalog has written everything."""
    started, cpu_started = time.perf_counter(), time.process_time()
    report, _ = await app.scanner().scan([str(root)])
    await app.bus.wait_idle()
    return ScanTiming(report, time.perf_counter() - started, time.process_time() - cpu_started)


def seconds(action: Callable[[], object]) -> float:
    """Wall time of one call of ``action``."""
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def median_seconds(action: Callable[[], object], repeats: int) -> float:
    """Median wall time of ``action``."""
    return statistics.median([seconds(action) for _ in range(repeats)])


async def median_seconds_async(action: Callable[[], Awaitable[object]], repeats: int) -> float:
    """Median wall time of an awaited ``action``."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        await action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


# --- 2. first scan -------------------------------------------------------------------------


def workers_label(count: int) -> str:
    """'1 worker', '2 workers'."""
    return f"{count} worker" + ("s" if count > 1 else "")


def first_scan_rows(label: str, timing: ScanTiming, files: int, workers: int) -> list[Row]:
    """files/s (and per worker), CPU use, MB/s and problems for one first scan."""
    rate = files / timing.wall_s
    target = f">= {FIRST_SCAN_TARGET:,.0f}"
    rows = [
        Row(f"{label}: wall time", timing.wall_s, "s"),
        Row(f"{label}: rate", rate, "files/s", target, rate >= FIRST_SCAN_TARGET),
    ]
    if workers > 1:
        rows.append(Row(f"{label}: rate per worker", rate / workers, "files/s"))
    problems = len(timing.report.errors) + len(timing.report.warnings)
    rows += [
        Row(f"{label}: main-process CPU per file", timing.cpu_s / files * 1e6, "us", summary=True),
        Row(f"{label}: main-process cores busy", timing.cpu_s / timing.wall_s, "cores"),
        Row(f"{label}: bytes hashed", timing.report.bytes_read / 1e6 / timing.wall_s, "MB/s"),
        Row(f"{label}: errors + warnings", problems, "", "0", problems == 0),
    ]
    return rows


async def bench_first_scan(work: Path, root: Path, files: int, workers: int) -> Section:
    """First scan of ``root`` into a fresh catalog, with 1 worker and with ``workers``."""
    rows: list[Row] = []
    for count in dict.fromkeys((1, workers)):
        label = workers_label(count)
        async with running_app(work / f"first-{count}", scan_workers=count) as app:
            timing = await timed_scan(app, root)
            tracks = len(await app.store.list_tracks(TrackQuery()))
        rows += first_scan_rows(label, timing, files, count)
        rows.append(Row(f"{label}: tracks in catalog", tracks, "", f"= {files:,}", tracks == files))
    return Section(f"First scan: {files:,} files, hash + tags + catalog", rows)


# --- 3. rescan ------------------------------------------------------------------------------


def bare_walk(directory: str) -> int:
    """Recursive os.scandir + stat of every file: the floor for any walk in Python."""
    count = 0
    with os.scandir(directory) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                count += bare_walk(entry.path)
            else:
                entry.stat()
                count += 1
    return count


async def rescan_times(app: App, root: Path, files: int) -> tuple[list[float], int]:
    """Wall times of repeated rescans and how many files they re-read in total."""
    times: list[float] = []
    reread = 0
    for _ in range(RESCAN_REPEATS):
        timing = await timed_scan(app, root)
        times.append(timing.wall_s)
        reread += timing.report.read + (files - timing.report.unchanged)
    return times, reread


async def phase_rows(app: App, root: Path) -> list[Row]:
    """Each step of a rescan timed alone (median), beside a bare scandir walk."""
    roots = (str(root),)
    known = await app.store.known_files(roots)
    found = list(Walk(roots))
    phases = {
        "phase: catalog known_files()": await median_seconds_async(
            lambda: app.store.known_files(roots), RESCAN_REPEATS
        ),
        "phase: FileIndex(known)": median_seconds(lambda: FileIndex(known), RESCAN_REPEATS),
        "phase: walk (tracktion Walk)": median_seconds(lambda: list(Walk(roots)), RESCAN_REPEATS),
        "phase: compare (plan_scan)": median_seconds(
            lambda: plan_scan(found, known), RESCAN_REPEATS
        ),
        "baseline: bare os.scandir + stat": median_seconds(
            lambda: bare_walk(str(root)), RESCAN_REPEATS
        ),
    }
    return [Row(label, value, "s", summary=True) for label, value in phases.items()]


async def bench_rescan(work: Path, root: Path, files: int, workers: int) -> Section:
    """A first scan, then repeated rescans of the unchanged library, and their phases."""
    async with running_app(work / "rescan", scan_workers=workers) as app:
        first = await timed_scan(app, root)
        times, reread = await rescan_times(app, root, files)
        phases = await phase_rows(app, root)
    median = statistics.median(times)
    extrapolated = median * 100_000 / files
    rows = [
        *first_scan_rows(f"first scan, {workers_label(workers)}", first, files, workers),
        Row(f"rescan: median of {RESCAN_REPEATS}", median, "s", summary=True),
        Row("rescan: fastest", min(times), "s"),
        Row("rescan: slowest", max(times), "s"),
        Row("rescan: rate", files / median, "files/s"),
        Row(
            "rescan: extrapolated to 100k files",
            extrapolated,
            "s",
            f"< {RESCAN_TARGET_S:g}",
            extrapolated < RESCAN_TARGET_S,
        ),
        Row("rescan: files re-read (all rescans)", reread, "", "0", reread == 0),
        *phases,
    ]
    return Section(f"Rescan: {files:,} unchanged files", rows)


# --- 4. hashing -----------------------------------------------------------------------------


def write_random_file(path: Path, megabytes: int) -> None:
    """``megabytes`` MiB of random bytes."""
    with open(path, "wb") as stream:
        for _ in range(megabytes):
            stream.write(os.urandom(1 << 20))


def hash_file(path: Path, hasher: Hasher) -> None:
    """Feed the file to ``hasher`` in the same 1 MiB chunks fingerprint_file reads."""
    buffer = bytearray(CHUNK_BYTES)
    view = memoryview(buffer)
    with open(path, "rb", buffering=0) as stream:
        while count := stream.readinto(buffer):
            hasher.update(view[:count])


def hash_candidates(path: Path) -> dict[str, Callable[[], object]]:
    """The hashers to compare; openssl only where it is installed."""
    candidates: dict[str, Callable[[], object]] = {
        "fingerprint_file (sha256 + xxh128, one read)": lambda: fingerprint_file(str(path)),
        "hashlib sha256 alone": lambda: hash_file(path, hashlib.sha256()),
        "xxhash xxh3_128 alone": lambda: hash_file(path, xxhash.xxh3_128()),
    }
    openssl = shutil.which("openssl")
    if openssl is not None:
        command = [openssl, "sha256", str(path)]
        candidates["openssl sha256 (subprocess)"] = lambda: subprocess.run(
            command, check=True, capture_output=True
        )
    return candidates


def bench_hashing(path: Path, megabytes: int) -> Section:
    """Best-of-3 MB/s of each hasher over one page-cached file."""
    write_random_file(path, megabytes)
    hash_file(path, xxhash.xxh3_64())  # one read, so every timed read comes from page cache
    size_mb = path.stat().st_size / 1e6
    rows: list[Row] = []
    for label, action in hash_candidates(path).items():
        best = min(seconds(action) for _ in range(HASH_REPEATS))
        rows.append(Row(label, size_mb / best, "MB/s", summary=True))
    ratio = 100 * rows[0].value / rows[1].value
    rows.append(
        Row(
            "fingerprint / sha256 alone",
            ratio,
            "%",
            f">= {HASH_RATIO_TARGET:g}",
            ratio >= HASH_RATIO_TARGET,
        )
    )
    return Section(f"Hashing: {megabytes:,} MiB file, page-cached, best of {HASH_REPEATS}", rows)


# --- 5. watch latency -----------------------------------------------------------------------


@asynccontextmanager
async def live_watcher(app: App, folder: Path) -> AsyncIterator[None]:
    """A LiveWatcher over ``folder`` started as the app starts one: before its scan."""
    watcher = app.live_watcher([str(folder)])
    watcher.start()
    _, index = await app.scanner().scan([str(folder)])
    await app.bus.wait_idle()
    watcher.index = index
    stop = asyncio.Event()
    task = asyncio.create_task(watcher.run(stop))
    try:
        yield
    finally:
        stop.set()
        await task


async def arrival_latency(app: App, target: Path, data: bytes) -> float | None:
    """Seconds from closing the written file until the catalog has its row; None: never."""
    with open(target, "wb") as stream:
        stream.write(data)
    written = time.monotonic()
    deadline = written + WATCH_TIMEOUT_S
    while time.monotonic() < deadline:
        if await app.store.get(str(target)) is not None:
            return time.monotonic() - written
        await asyncio.sleep(WATCH_POLL_S)
    return None


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


async def bench_watch(work: Path, sources: list[Path]) -> Section:
    """Per-file latency from write to catalog row, one file at a time."""
    folder = work / "watched"
    folder.mkdir()
    latencies: list[float] = []
    async with running_app(work / "watch") as app, live_watcher(app, folder):
        settle = app.settings.watch_settle_s
        for number, source in enumerate(sources):
            target = folder / f"{number:04d} {source.name}"
            latency = await arrival_latency(app, target, source.read_bytes())
            if latency is not None:
                latencies.append(latency * 1000)
            await asyncio.sleep(WATCH_SPACING_S)
    missed = len(sources) - len(latencies)
    rows = [Row("files not in catalog after 10 s", missed, "", "0", missed == 0)]
    if latencies:
        p95 = percentile(latencies, 0.95)
        rows += [
            Row("close() -> catalog row: p50", percentile(latencies, 0.50), "ms", summary=True),
            Row(
                "close() -> catalog row: p95",
                p95,
                "ms",
                f"< {WATCH_P95_TARGET_MS:,.0f}",
                p95 < WATCH_P95_TARGET_MS,
            ),
            Row("close() -> catalog row: max", max(latencies), "ms", summary=True),
        ]
    title = f"Watch latency: {len(sources)} files (settle {settle:g} s / {CLOSED_SETTLE_S:g} s)"
    return Section(title, rows)


# --- output ---------------------------------------------------------------------------------


def markdown_summary(sections: list[Section]) -> str:
    """Every row that has a target, as a markdown table for the README."""
    lines = [
        "| benchmark | measurement | figure | target | met |",
        "| --- | --- | ---: | --- | --- |",
    ]
    for section in sections:
        name = section.title.split(":", 1)[0]
        for row in section.rows:
            if row.met is None and not row.summary:
                continue
            value = f"{figure(row.value)} {row.unit}".strip()
            target = f"{row.target} {row.unit}".strip() if row.target else ""
            lines.append(f"| {name} | {row.label} | {value} | {target} | {verdict(row.met)} |")
    return "\n".join(lines)


# --- main -----------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--files", type=int, default=5_000, help="first-scan library size")
    parser.add_argument("--albums", type=int, default=500, help="album folders for --files")
    parser.add_argument("--rescan-files", type=int, default=20_000, help="rescan library size")
    parser.add_argument("--hash-mb", type=int, default=512, help="hashing file size in MiB")
    parser.add_argument("--watch-files", type=int, default=100, help="files for watch latency")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="scan workers")
    parser.add_argument("--workdir", type=Path, help="where the temporary tree goes")
    parser.add_argument("--keep", action="store_true", help="keep the generated tree")
    return parser.parse_args()


@contextmanager
def workspace(parent: Path | None, keep: bool, console: Console) -> Iterator[Path]:
    """A fresh folder for libraries and catalogs, removed afterwards unless ``keep``."""
    if parent is not None:
        parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="tracktion-bench-", dir=parent))
    try:
        yield work
    finally:
        if keep:
            console.print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


async def run_all(args: argparse.Namespace, work: Path, console: Console) -> list[Section]:
    """Generate the libraries and run the five benchmarks, printing each table as it ends."""
    templates = make_templates(work / "templates", console)
    library = work / "library"
    generate(console, library, templates, args.files, args.albums)
    sections = [await bench_first_scan(work / "data", library, args.files, args.workers)]
    show_section(console, sections[-1])
    rescan = work / "rescan-library"
    rescan_albums = max(1, args.rescan_files * args.albums // max(1, args.files))
    generate(console, rescan, templates, args.rescan_files, rescan_albums)
    sections.append(await bench_rescan(work / "data", rescan, args.rescan_files, args.workers))
    show_section(console, sections[-1])
    sections.append(bench_hashing(work / "hash.bin", args.hash_mb))
    show_section(console, sections[-1])
    staging = work / "watch-staging"
    sources = build_library(staging, templates, args.watch_files, max(1, args.watch_files // 10))
    sections.append(await bench_watch(work / "data", sources))
    show_section(console, sections[-1])
    return sections


def main() -> None:
    """Run every benchmark once and print the tables and the README summary."""
    args = parse_args()
    console = Console()
    if not console.is_terminal:
        console.width = 120
    show_machine(
        console,
        {
            "SQLite": sqlite3.sqlite_version,
            "PyAV / mutagen / xxhash": f"{av.__version__} / {mutagen.version_string} / "
            f"{xxhash.VERSION}",
            "scan workers (default run)": str(args.workers),
        },
    )
    with workspace(args.workdir, args.keep, console) as work:
        sections = asyncio.run(run_all(args, work, console))
    print("\nREADME summary (markdown, paste into benchmarks/README.md):\n")
    print(markdown_summary(sections))


if __name__ == "__main__":
    main()
