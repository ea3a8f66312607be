"""Image frames of DICOM objects: classic single-frame slices and enhanced multi-frame objects.

A classic CT/MR image is one frame with its geometry at the top level (ImagePositionPatient,
ImageOrientationPatient, PixelSpacing, RescaleSlope/Intercept). An Enhanced or Legacy Converted
Enhanced CT/MR image holds many frames, each frame's geometry in its Per-frame Functional
Groups item or, for what all frames share, in the Shared Functional Groups
(PlanePositionSequence, PlaneOrientationSequence, PixelMeasuresSequence,
PixelValueTransformationSequence). Both become :class:`Frame` records here.

Pixel data are decoded by pydicom with whatever decoder plugin is installed (pylibjpeg for
JPEG, JPEG-LS and JPEG 2000; RLE and deflate natively); a transfer syntax that cannot be
decoded is reported by its name and UID, never as an exception class.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from voxtell.errors import InvalidInputError

#: Short names of the transfer syntaxes a modality sends (pydicom's names for the rest).
TRANSFER_SYNTAX_NAMES = {
    "1.2.840.10008.1.2": "Implicit VR Little Endian",
    "1.2.840.10008.1.2.1": "Explicit VR Little Endian",
    "1.2.840.10008.1.2.1.99": "Deflated Explicit VR Little Endian",
    "1.2.840.10008.1.2.2": "Explicit VR Big Endian",
    "1.2.840.10008.1.2.5": "RLE Lossless",
    "1.2.840.10008.1.2.4.50": "JPEG Baseline (Process 1)",
    "1.2.840.10008.1.2.4.51": "JPEG Extended (Process 2 and 4)",
    "1.2.840.10008.1.2.4.57": "JPEG Lossless, Process 14",
    "1.2.840.10008.1.2.4.70": "JPEG Lossless, Process 14 SV1",
    "1.2.840.10008.1.2.4.80": "JPEG-LS Lossless",
    "1.2.840.10008.1.2.4.81": "JPEG-LS Near-Lossless",
    "1.2.840.10008.1.2.4.90": "JPEG 2000 Lossless",
    "1.2.840.10008.1.2.4.91": "JPEG 2000",
    "1.2.840.10008.1.2.4.201": "HTJ2K Lossless",
    "1.2.840.10008.1.2.4.203": "HTJ2K",
}
_NATIVE = frozenset({"1.2.840.10008.1.2", "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.1.99", "1.2.840.10008.1.2.2"})


def transfer_syntax_words(uid: str) -> str:
    """``"JPEG Lossless, Process 14 SV1 (1.2.840.10008.1.2.4.70)"`` for a transfer syntax UID."""
    from pydicom.uid import UID

    uid = str(uid).strip()
    name = TRANSFER_SYNTAX_NAMES.get(uid)
    if name is None:
        known = UID(uid).name if uid else ""
        name = known if known and known != uid else "an unknown transfer syntax"
    return f"{name} ({uid or 'no UID'})"


@dataclass(frozen=True)
class Frame:
    """One image plane: ``position`` (3,) LPS mm of the first pixel's centre; ``orientation``
    (6,) row then column direction cosines; ``spacing`` (2,) mm (between rows, between
    columns); the rescale to real values; which dataset (index) and frame (0-based) holds it."""

    position: np.ndarray
    orientation: np.ndarray
    spacing: np.ndarray
    slope: float
    intercept: float
    dataset: int
    frame: int


def numbers(ds: Any, name: str, count: int) -> np.ndarray:
    """A multi-valued numeric attribute: present, ``count`` finite values."""
    value = ds.get(name) if ds is not None else None
    try:
        found = np.asarray([float(v) for v in value], float) if value is not None else None
    except (TypeError, ValueError):
        found = None
    if found is None:
        raise InvalidInputError(f"a slice of the series has no usable {name}")
    if found.shape != (count,) or not np.all(np.isfinite(found)):
        raise InvalidInputError(f"a slice of the series has an invalid {name} (needs {count} finite numbers)")
    return found


def scalar(ds: Any, name: str, default: float) -> float:
    try:
        value = float(ds.get(name, default) or default) if ds is not None else default
    except (TypeError, ValueError):
        raise InvalidInputError(f"a slice of the series has an invalid {name}") from None
    if not np.isfinite(value):
        raise InvalidInputError(f"a slice of the series has a non-finite {name}")
    return value


def is_multiframe(ds: Any) -> bool:
    """Whether ``ds`` keeps its geometry in functional groups (Enhanced / Legacy Converted)."""
    return "PerFrameFunctionalGroupsSequence" in ds or "SharedFunctionalGroupsSequence" in ds


def frame_count(ds: Any) -> int:
    try:
        return max(int(ds.get("NumberOfFrames", 1) or 1), 1)
    except (TypeError, ValueError):
        return 1


def has_geometry(ds: Any) -> bool:
    """Whether ``ds`` is an image with a position in space (a slice or a multi-frame volume)."""
    if "ImagePositionPatient" in ds:
        return True
    return is_multiframe(ds) and _group(ds, 0, "PlanePositionSequence") is not None


def _group(ds: Any, index: int, name: str) -> Any:
    """Functional group ``name`` of frame ``index``: its per-frame item, else the shared one."""
    for container in ("PerFrameFunctionalGroupsSequence", "SharedFunctionalGroupsSequence"):
        groups = ds.get(container)
        if not groups:
            continue
        item = groups[index] if container.startswith("PerFrame") and index < len(groups) else groups[0]
        sequence = item.get(name)
        if sequence:
            return sequence[0]
    return None


def frames_of(ds: Any, dataset: int) -> list[Frame]:
    """The frames of dataset ``ds`` (number ``dataset`` in the caller's list), geometry checked."""
    if not is_multiframe(ds):
        return [Frame(numbers(ds, "ImagePositionPatient", 3), numbers(ds, "ImageOrientationPatient", 6),
                      numbers(ds, "PixelSpacing", 2), scalar(ds, "RescaleSlope", 1.0),
                      scalar(ds, "RescaleIntercept", 0.0), dataset, 0)]
    out = []
    for n in range(frame_count(ds)):
        position, orientation = _group(ds, n, "PlanePositionSequence"), _group(ds, n, "PlaneOrientationSequence")
        measures, rescale = _group(ds, n, "PixelMeasuresSequence"), _group(ds, n, "PixelValueTransformationSequence")
        out.append(Frame(
            numbers(position, "ImagePositionPatient", 3),
            numbers(orientation if orientation is not None else ds, "ImageOrientationPatient", 6),
            numbers(measures if measures is not None else ds, "PixelSpacing", 2),
            scalar(rescale if rescale is not None else ds, "RescaleSlope", 1.0),
            scalar(rescale if rescale is not None else ds, "RescaleIntercept", 0.0), dataset, n))
    return out


def decode(ds: Any, rows: int, cols: int) -> np.ndarray:
    """All frames of ``ds`` as float32 ``(frames, rows, cols)``; a failure names the problem
    (the transfer syntax, in words, when it cannot be decoded)."""
    if "PixelData" not in ds and "FloatPixelData" not in ds and "DoubleFloatPixelData" not in ds:
        raise InvalidInputError("a slice of the series has no pixel data")
    syntax = str(getattr(getattr(ds, "file_meta", None), "TransferSyntaxUID", "") or "")
    try:
        pixels = np.asarray(ds.pixel_array, dtype=np.float32)
    except Exception:  # noqa: BLE001 - pydicom and its decoder plugins raise many types
        if syntax in _NATIVE:
            raise InvalidInputError("the pixel data of a slice cannot be read (damaged or truncated)") from None
        raise InvalidInputError(f"pixel data in {transfer_syntax_words(syntax)} cannot be decoded here") from None
    count = frame_count(ds)
    if pixels.ndim == 2 and count == 1:
        pixels = pixels[None]
    if pixels.shape != (count, rows, cols):
        raise InvalidInputError(f"a slice's pixel data has shape {pixels.shape}, not ({count}, {rows}, {cols}); "
                                "only greyscale images are supported")
    return pixels
