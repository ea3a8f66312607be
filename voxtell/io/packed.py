"""The packed-array wire format of the official ``voxtell-server`` (spec §6.6), and the array
steps of that protocol (masks to send, label maps received for export).

Framing, byte for byte as the official ``voxtell.server.serialization`` and napari-voxtell's
``napari_voxtell.remote.serialization``::

    b"VXA2"
    u8   length of the numpy dtype string, then the string (ASCII, e.g. "<u1", "<f4")
    u8   ndim, then each dimension as u64 little-endian
    u64  total raw length in bytes (little-endian)
    per chunk of at most 1 GiB of the C-order raw buffer:
        u64 raw length, u64 compressed length, blosc2 data (``blosc2.compress(chunk,
        typesize=itemsize)`` with blosc2's defaults)

Arrays of the protocol are RAS arrays (see ``voxtell.io.read_volume``): an image is
``(A0, A1, A2) = (S, A, R)`` float32, masks are ``(N, A0, A1, A2)`` uint8 (N = prompts, in order),
a label map for export is ``(A0, A1, A2)`` of integers.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import blosc2
import numpy as np

from voxtell.errors import InvalidInputError

MAGIC = b"VXA2"
CHUNK_SIZE = 1 << 30  # blosc2.compress takes < 2 GiB per call
_MAX_NDIM = 32
_KINDS = "biuf"  # bool, signed, unsigned, float: what an image, a mask or a label map can be


class PackedArrayError(InvalidInputError):
    """The bytes are not a valid packed array (the message says where they go wrong)."""


def pack_array(arr: np.ndarray) -> bytes:
    """Pack ``arr`` (any shape, numeric dtype) as the official server does, byte for byte.

    The array is taken in C order; its dtype string keeps the byte order (``<i2``).
    """
    arr = np.ascontiguousarray(arr)
    dtype_str = arr.dtype.str.encode("ascii")
    raw = arr.reshape(-1).view(np.uint8).data  # the C-order bytes, not copied
    parts = [MAGIC, len(dtype_str).to_bytes(1, "little"), dtype_str, arr.ndim.to_bytes(1, "little")]
    parts += [int(dim).to_bytes(8, "little") for dim in arr.shape]
    parts.append(len(raw).to_bytes(8, "little"))
    for start in range(0, len(raw), CHUNK_SIZE):
        chunk = raw[start:start + CHUNK_SIZE]
        compressed = blosc2.compress(chunk, typesize=arr.dtype.itemsize)
        parts += [len(chunk).to_bytes(8, "little"), len(compressed).to_bytes(8, "little"), compressed]
    return b"".join(parts)


def unpack_array(data: bytes | bytearray | memoryview, max_bytes: int | None = None) -> np.ndarray:
    """Inverse of :func:`pack_array`, checking every length before anything is decompressed.

    Args:
        data: the packed bytes.
        max_bytes: refuse arrays whose raw size is larger (``None``: no limit).

    Returns:
        A writable array with the packed dtype and shape.

    Raises:
        PackedArrayError: bad magic, truncated header, unknown or non-numeric dtype, a size that
            does not add up, a corrupt or truncated chunk, or trailing bytes.
    """
    view = memoryview(data).cast("B")
    if bytes(view[:4]) != MAGIC:
        raise PackedArrayError("not a packed array: the body must start with the bytes VXA2")
    reader = _Reader(view, 4)
    dtype_str = reader.take(reader.u8(), "dtype").tobytes()
    try:
        dtype = np.dtype(dtype_str.decode("ascii"))
    except (UnicodeDecodeError, TypeError, ValueError):
        raise PackedArrayError(f"packed array: unknown dtype {dtype_str[:20]!r}") from None
    if dtype.kind not in _KINDS or dtype.itemsize == 0 or dtype.hasobject:
        raise PackedArrayError(f"packed array: dtype {dtype.str} is not a numeric type")
    ndim = reader.u8()
    if ndim > _MAX_NDIM:
        raise PackedArrayError(f"packed array: {ndim} dimensions (at most {_MAX_NDIM})")
    shape = tuple(reader.u64("shape") for _ in range(ndim))
    total = reader.u64("total length")
    expected = int(np.prod(shape, dtype=object)) * dtype.itemsize
    if total != expected:
        raise PackedArrayError(f"packed array: the total length {total} is not that of shape {shape} "
                               f"of {dtype.str} ({expected} bytes)")
    if max_bytes is not None and total > max_bytes:
        raise PackedArrayError(f"packed array: {total} bytes, more than the limit of {max_bytes}")
    out = np.empty(total, dtype=np.uint8)
    filled = 0
    while reader.pos < len(view):
        raw_len = reader.u64("chunk length")
        compressed = reader.take(reader.u64("chunk length"), "chunk")
        if raw_len > CHUNK_SIZE or filled + raw_len > total:
            raise PackedArrayError("packed array: the chunks hold more bytes than the total length")
        try:
            nbytes, cbytes, _ = blosc2.get_cbuffer_sizes(compressed)
        except Exception:  # blosc2 raises plain errors for a header it cannot read
            raise PackedArrayError("packed array: a chunk is not blosc2 data") from None
        if nbytes != raw_len or cbytes != len(compressed):
            raise PackedArrayError("packed array: a chunk's blosc2 header disagrees with its frame")
        try:
            chunk = blosc2.decompress(compressed)
        except Exception:
            raise PackedArrayError("packed array: a chunk could not be decompressed (corrupt data)") from None
        if chunk is None or len(chunk) != raw_len:
            raise PackedArrayError("packed array: a chunk decompressed to the wrong length")
        out[filled:filled + raw_len] = np.frombuffer(chunk, dtype=np.uint8)
        filled += raw_len
    if filled != total:
        raise PackedArrayError(f"packed array: expected {total} bytes, the chunks hold {filled}")
    return out.view(dtype).reshape(shape)


class _Reader:
    """Bounds-checked little-endian reads from a byte view."""

    def __init__(self, view: memoryview, pos: int) -> None:
        self.view = view
        self.pos = pos

    def take(self, n: int, what: str) -> memoryview:
        if self.pos + n > len(self.view):
            raise PackedArrayError(f"packed array: truncated ({what})")
        part = self.view[self.pos:self.pos + n]
        self.pos += n
        return part

    def u8(self) -> int:
        return int(self.take(1, "header")[0])

    def u64(self, what: str) -> int:
        return int.from_bytes(self.take(8, what), "little")


def stack_ras_masks(paths: Sequence[Path]) -> np.ndarray:
    """Read mask files (written by ``write_mask``) back as one ``(N, A0, A1, A2)`` uint8 array
    of RAS arrays, in the order given: what the official server's ``/jobs/{id}/result`` packs."""
    from voxtell.io.nifti import read_volume

    masks = [read_volume(path, confined=True).data for path in paths]
    return np.stack([(m > 0).astype(np.uint8) for m in masks]) if masks else np.zeros((0, 0, 0, 0), np.uint8)


def label_map_for_export(labels: np.ndarray, ras_shape: Sequence[int]) -> np.ndarray:
    """Check a label map received for export and return it as integers ``(A0, A1, A2)``.

    The official server writes whatever it gets with ``uint8`` (max < 255) or ``uint16``; here a
    label map must match the image's RAS shape and hold whole numbers in 0..65535 (anything
    else would be silently wrapped or truncated).

    Raises:
        InvalidInputError: wrong shape, negative, fractional or too large labels.
    """
    shape = tuple(int(s) for s in ras_shape)
    if tuple(labels.shape) != shape:
        raise InvalidInputError(f"the label map has shape {tuple(labels.shape)}; the image's RAS array is {shape}")
    if labels.dtype.kind == "b":
        return labels.astype(np.uint8)
    if labels.size and (labels.min() < 0 or labels.max() > 65535):
        raise InvalidInputError("label values must be between 0 and 65535")
    if labels.dtype.kind == "f" and not np.array_equal(labels, np.floor(labels)):
        raise InvalidInputError("label values must be whole numbers")
    top = int(labels.max()) if labels.size else 0
    return labels.astype(np.uint8 if top < 255 else np.uint16)
