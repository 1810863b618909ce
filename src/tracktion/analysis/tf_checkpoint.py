"""Read float32 variables from a TensorFlow (v1/v2 bundle) checkpoint without TensorFlow.

The ``.index`` file is a LevelDB-style SSTable: uncompressed blocks of prefix-compressed
key/value entries, keyed by variable name, whose values are ``BundleEntryProto`` messages
(dtype, shape, shard, offset, size). The tensor bytes live in ``.data-00000-of-00001``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from pathlib import Path

_FOOTER_SIZE = 48
_TABLE_MAGIC = 0xDB4775248B80FB57
_DT_FLOAT = 1


class CheckpointError(ValueError):
    """The checkpoint is not a readable single-shard TF bundle."""


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    result = 0
    shift = 0
    while True:
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7


def _block_handle(buf: bytes, pos: int) -> tuple[int, int, int]:
    offset, pos = _varint(buf, pos)
    size, pos = _varint(buf, pos)
    return offset, size, pos


def _block_entries(data: bytes, offset: int, size: int) -> list[tuple[bytes, bytes]]:
    if data[offset + size] != 0:
        raise CheckpointError("compressed SSTable blocks are not supported")
    block = data[offset : offset + size]
    num_restarts = int.from_bytes(block[-4:], "little")
    end = len(block) - 4 - 4 * num_restarts
    entries: list[tuple[bytes, bytes]] = []
    key = b""
    pos = 0
    while pos < end:
        shared, pos = _varint(block, pos)
        non_shared, pos = _varint(block, pos)
        value_len, pos = _varint(block, pos)
        key = key[:shared] + block[pos : pos + non_shared]
        pos += non_shared
        entries.append((key, block[pos : pos + value_len]))
        pos += value_len
    return entries


def _fields(msg: bytes) -> list[tuple[int, int | bytes]]:
    """Decode a protobuf message into (field number, varint or bytes) pairs."""
    out: list[tuple[int, int | bytes]] = []
    pos = 0
    while pos < len(msg):
        tag, pos = _varint(msg, pos)
        number, wire = tag >> 3, tag & 7
        if wire == 0:
            value, pos = _varint(msg, pos)
            out.append((number, value))
        elif wire == 2:
            length, pos = _varint(msg, pos)
            out.append((number, msg[pos : pos + length]))
            pos += length
        elif wire == 5:
            out.append((number, int.from_bytes(msg[pos : pos + 4], "little")))
            pos += 4
        elif wire == 1:
            out.append((number, int.from_bytes(msg[pos : pos + 8], "little")))
            pos += 8
        else:
            raise CheckpointError(f"unsupported protobuf wire type {wire}")
    return out


def _shape(msg: bytes) -> tuple[int, ...]:
    dims: list[int] = []
    for number, dim in _fields(msg):
        if number == 2 and isinstance(dim, bytes):
            size = next((v for n, v in _fields(dim) if n == 1 and isinstance(v, int)), 0)
            dims.append(size)
    return tuple(dims)


def read_checkpoint(
    directory: Path, prefix: str = "", skip_suffixes: tuple[str, ...] = ()
) -> dict[str, npt.NDArray[np.float32]]:
    """All float32 variables of checkpoint ``directory/prefix`` (names ending in a skip suffix
    are left out, e.g. optimizer slots)."""
    index = (directory / f"{prefix}.index").read_bytes()
    data = np.fromfile(directory / f"{prefix}.data-00000-of-00001", dtype=np.uint8)
    footer = index[-_FOOTER_SIZE:]
    if int.from_bytes(footer[-8:], "little") != _TABLE_MAGIC:
        raise CheckpointError("not an SSTable index")
    _, _, pos = _block_handle(footer, 0)
    idx_offset, idx_size, _ = _block_handle(footer, pos)
    tensors: dict[str, npt.NDArray[np.float32]] = {}
    for _, handle in _block_entries(index, idx_offset, idx_size):
        offset, size, _ = _block_handle(handle, 0)
        for raw_key, value in _block_entries(index, offset, size):
            name = raw_key.decode()
            if not name or name.endswith(skip_suffixes):
                continue
            entry = dict(_fields(value))
            if entry.get(1) != _DT_FLOAT or entry.get(3, 0) != 0:
                continue
            start = entry.get(4, 0)
            nbytes = entry.get(5, 0)
            shape_msg = entry.get(2, b"")
            if not isinstance(start, int) or not isinstance(nbytes, int):
                raise CheckpointError(f"bad entry for {name}")
            shape = _shape(shape_msg) if isinstance(shape_msg, bytes) else ()
            raw = data[start : start + nbytes].view("<f4")
            tensors[name] = raw.astype(np.float32).reshape(shape)
    return tensors
