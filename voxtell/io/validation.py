"""Check an uploaded NIfTI file from its header before any voxel is allocated.

Everything is read through a size-budgeted stream: a gzip bomb or a header that claims huge
dimensions over a tiny body is refused with a message that names the problem.
"""

from __future__ import annotations

import gzip
import io
import zlib
from dataclasses import dataclass, field, replace
from pathlib import Path

import nibabel as nib
import numpy as np
from isal import igzip, isal_zlib

from voxtell.errors import InvalidImageError

_ISAL_ERROR: type[Exception] = isal_zlib.error  # type: ignore[assignment]

SUPPORTED_DTYPES = {np.dtype(t) for t in ("uint8", "int8", "uint16", "int16", "uint32", "int32",
                                          "int64", "uint64", "float32", "float64")}
_CHUNK = 1 << 20
_TRAILING_ALLOWANCE = 1 << 20  # bytes after the voxel data a real file may carry



@dataclass(frozen=True)
class NiftiInfo:
    """What the header says: spatial shape, dtype, voxel count and bytes on disk (uncompressed)."""

    shape: tuple[int, int, int]
    dtype: str
    voxels: int
    data_bytes: int
    # The whole decompressed file, when asked for (saves a second gzip pass to read it).
    content: bytes | None = field(default=None, repr=False, compare=False)


def _open(path: Path) -> tuple[io.BufferedIOBase, bool]:
    f = path.open("rb")
    magic = f.read(2)
    f.seek(0)
    if magic == b"\x1f\x8b":
        return igzip.IGzipFile(fileobj=f), True  # type: ignore[return-value]
    return f, False  # type: ignore[return-value]


def _read_header(stream: io.BufferedIOBase) -> tuple[nib.Nifti1Header, int]:
    """The header and the number of bytes consumed from the stream."""
    raw = stream.read(540)
    if len(raw) < 348:
        raise InvalidImageError("the file is too short to be a NIfTI image")
    size = int.from_bytes(raw[:4], "little")
    size_be = int.from_bytes(raw[:4], "big")
    if 348 in (size, size_be):
        if raw[344:348] not in (b"n+1\x00", b"ni1\x00"):
            raise InvalidImageError("not a NIfTI-1 file (bad magic)")
        if raw[344:348] == b"ni1\x00":
            raise InvalidImageError("two-file NIfTI (.hdr/.img) is not supported; upload a .nii or .nii.gz")
        return nib.Nifti1Header.from_fileobj(io.BytesIO(raw[:348]), check=False), len(raw)
    if 540 in (size, size_be):
        if len(raw) < 540 or raw[4:8] not in (b"n+2\x00",):
            raise InvalidImageError("not a NIfTI-2 file (bad magic)")
        return nib.Nifti2Header.from_fileobj(io.BytesIO(raw), check=False), len(raw)
    raise InvalidImageError("not a NIfTI file (unrecognised header)")


def validate_nifti(path: str | Path, *, max_voxels: int, max_bytes: int, keep_up_to: int = 0) -> NiftiInfo:
    """Validate header, geometry and body length of a ``.nii``/``.nii.gz`` file.

    Args:
        max_voxels: largest accepted spatial voxel count.
        max_bytes: largest accepted uncompressed data size (also the gzip budget).
        keep_up_to: a gzip file whose image needs at most this many bytes is returned
            decompressed in ``content`` (read it with ``voxtell.io.nifti.volume_from_bytes``).

    Raises:
        InvalidImageError: naming the problem (never an allocation of the claimed size).
    """
    path = Path(path)
    try:
        stream, compressed = _open(path)
    except OSError as exc:
        raise InvalidImageError(f"cannot open the upload: {exc.strerror}") from None
    with stream:
        try:
            header, consumed = _read_header(stream)
            info = _check_header(header, max_voxels=max_voxels, max_bytes=max_bytes)
            offset = _voxel_offset(header)
            expected = offset + info.data_bytes
            remaining = expected - consumed
            kept: list[bytes] | None = None
            if compressed and expected <= keep_up_to:
                stream.seek(0)  # re-read the (small) header bytes into the kept copy
                kept, remaining = [], expected
            got = 0
            while got < remaining:
                chunk = stream.read(min(_CHUNK, remaining - got))
                if not chunk:
                    raise InvalidImageError(
                        f"the file is truncated: the header needs {expected} bytes, the body ends at "
                        f"{expected - remaining + got}")
                got += len(chunk)
                if kept is not None:
                    kept.append(chunk)
            if compressed:
                extra = 0
                while chunk := stream.read(_CHUNK):
                    extra += len(chunk)
                    if extra > _TRAILING_ALLOWANCE:
                        raise InvalidImageError("the gzip stream decompresses to far more than the image needs")
        except (EOFError, zlib.error, _ISAL_ERROR, gzip.BadGzipFile, OSError) as exc:
            raise InvalidImageError(f"the gzip data is corrupt or truncated ({type(exc).__name__})") from None
    return replace(info, content=b"".join(kept)) if kept is not None else info


def _voxel_offset(header: nib.Nifti1Header) -> int:
    """``vox_offset`` as a byte position: finite, whole and past the header."""
    raw = float(header["vox_offset"])
    if not np.isfinite(raw) or raw != int(raw):
        raise InvalidImageError(f"the header's voxel offset ({raw}) is not a whole number of bytes")
    offset = int(raw)
    if offset < (540 if isinstance(header, nib.Nifti2Header) else 348):
        raise InvalidImageError(f"the header's voxel offset {offset} points inside the header")
    return offset


def _check_header(header: nib.Nifti1Header, *, max_voxels: int, max_bytes: int) -> NiftiInfo:
    dims = [int(d) for d in header["dim"]]
    ndim = dims[0]
    if ndim < 3 or ndim > 7:
        raise InvalidImageError(f"only 3-D images are supported, this one has {ndim} dimension(s)")
    shape = dims[1:1 + ndim]
    if any(d <= 0 for d in shape):
        raise InvalidImageError(f"image dimensions must be positive, got {tuple(shape)}")
    if ndim > 3 and any(d != 1 for d in shape[3:]):
        raise InvalidImageError(
            f"only 3-D images are supported; this one has {ndim} dimensions {tuple(shape)} "
            "(a 4-D file must hold a single volume)")
    spatial = (shape[0], shape[1], shape[2])
    voxels = int(np.prod(spatial, dtype=np.int64))
    if voxels > max_voxels:
        raise InvalidImageError(f"the image has {voxels} voxels {spatial}; the limit is {max_voxels}")
    try:
        dtype = np.dtype(header.get_data_dtype())
    except Exception:
        raise InvalidImageError("the header's data type is not supported") from None
    if dtype.newbyteorder("=") not in SUPPORTED_DTYPES:
        raise InvalidImageError(f"data type {dtype} is not supported")
    data_bytes = voxels * dtype.itemsize
    if data_bytes > max_bytes:
        raise InvalidImageError(f"the image needs {data_bytes} bytes uncompressed; the limit is {max_bytes}")
    zooms = header.get_zooms()[:3]
    if not all(np.isfinite(z) and z > 0 for z in zooms):
        raise InvalidImageError(f"voxel sizes must be positive and finite, got {tuple(float(z) for z in zooms)}")
    affine = header.get_best_affine()
    if not np.all(np.isfinite(affine)) or abs(np.linalg.det(affine[:3, :3])) < 1e-12:
        raise InvalidImageError("the image affine is not finite and invertible")
    scale = header["scl_slope"], header["scl_inter"]
    if not all(np.isfinite(float(v)) or np.isnan(float(v)) for v in scale):
        raise InvalidImageError("the intensity scaling is not finite")
    return NiftiInfo(shape=spatial, dtype=str(dtype), voxels=voxels, data_bytes=data_bytes)
