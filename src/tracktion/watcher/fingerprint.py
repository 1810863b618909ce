"""Content fingerprint: SHA-256 and xxHash128 from ONE streamed read, in constant memory."""

from __future__ import annotations

import hashlib
import threading

import xxhash

from tracktion.core.models import Fingerprint

CHUNK_BYTES = 1 << 20
HEAD_BYTES = 64 * 1024
"""How much of the file's start is handed back for format sniffing."""


_buffers = threading.local()


def _buffer(size: int) -> bytearray:
    """One read buffer per thread: allocating 1 MiB per file costs more than hashing a small one."""
    buffer: bytearray | None = getattr(_buffers, "buffer", None)
    if buffer is None or len(buffer) != size:
        buffer = bytearray(size)
        _buffers.buffer = buffer
    return buffer


def fingerprint_file(path: str, *, chunk_bytes: int = CHUNK_BYTES) -> tuple[Fingerprint, bytes]:
    """Hash the file's bytes once; return the fingerprint and the first ``HEAD_BYTES``.

    Raises OSError when the file cannot be opened or read.
    """
    sha256 = hashlib.sha256()
    xxh128 = xxhash.xxh3_128()
    buffer = _buffer(chunk_bytes)
    view = memoryview(buffer)
    head = b""
    size = 0
    with open(path, "rb", buffering=0) as stream:
        while True:
            count = stream.readinto(buffer)
            if not count:
                break
            chunk = view[:count]
            if size < HEAD_BYTES:
                head += bytes(chunk[: HEAD_BYTES - size])
            sha256.update(chunk)
            xxh128.update(chunk)
            size += count
    return Fingerprint(sha256.hexdigest(), xxh128.hexdigest(), size), head
