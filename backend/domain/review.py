"""What a reviewer changed: an edited mask compared with the model's draft it was drawn from.

The volume before (the draft's) and after (the edit's), the Dice overlap and the 95th percentile
of the symmetric surface distance (HD95, millimetres through the voxel spacing). Kept on the
edited mask's result (``MaskResult.review``) and written into ``labels.json`` and the zips.

Which draft an edit replaces travels in the uploaded NIfTI's header: the web app writes
``voxtell draft=<index>`` into ``descrip`` (80 bytes at offset 148) when it saves an edit of result
``<index>``, and ``voxtell restore=<index>`` when "Undo" stores a deleted mask again (it then gets
its index and its place back). A file without the tag is a new mask (no review).
"""

from __future__ import annotations

import gzip
import io
import re
import struct
from typing import Any, TypedDict

import numpy as np
from scipy import ndimage

_TAG = re.compile(rb"^voxtell((?: (?:draft|restore)=\d{1,9})+)\x00*\s*")
_FIELD = re.compile(rb"(draft|restore)=(\d{1,9})")


class Review(TypedDict):
    """An edited mask against its draft (``MaskResult.review``)."""

    draft: int
    volume_ml_before: float
    volume_ml_after: float
    dice: float
    hd95_mm: float | None


def header_tags(data: bytes) -> dict[str, int]:
    """``{"draft": i, "restore": j}`` (either or none) from the ``descrip`` field of NIfTI-1 bytes
    (plain or gzip); nothing for any other file."""
    head = data[:348]
    if data[:2] == b"\x1f\x8b":
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as gz:
                head = gz.read(348)
        except (OSError, EOFError):
            return {}
    if len(head) < 348 or struct.unpack("<i", head[:4])[0] not in (348, 0x5C010000):
        return {}
    match = _TAG.match(head[148:228])
    if not match:
        return {}
    return {key.decode(): int(value) for key, value in _FIELD.findall(match.group(1))}


def dice(a: np.ndarray, b: np.ndarray) -> float:
    """Dice overlap of two masks (1.0 when both are empty)."""
    fa, fb = a > 0, b > 0
    total = int(fa.sum()) + int(fb.sum())
    return 1.0 if total == 0 else 2.0 * int(np.logical_and(fa, fb).sum()) / total


def hd95(a: np.ndarray, b: np.ndarray, spacing: tuple[float, float, float]) -> float | None:
    """95th percentile of the symmetric surface distance between two masks in millimetres
    (surface voxels to the other mask's surface voxels, both directions pooled, as MedPy's
    ``hd95``); ``None`` when either mask is empty. Computed on the union's bounding box plus
    one voxel, which holds every surface voxel of both, so the distances are exact."""
    fa, fb = a > 0, b > 0
    if not fa.any() or not fb.any():
        return None
    union = np.argwhere(fa | fb)
    lo, hi = union.min(axis=0), union.max(axis=0) + 1
    box = tuple(slice(int(s), int(e)) for s, e in zip(lo, hi))
    ca, cb = np.pad(fa[box], 1), np.pad(fb[box], 1)
    structure = ndimage.generate_binary_structure(3, 1)
    sa = ca & ~ndimage.binary_erosion(ca, structure)
    sb = cb & ~ndimage.binary_erosion(cb, structure)
    to_b = ndimage.distance_transform_edt(~sb, sampling=spacing)
    to_a = ndimage.distance_transform_edt(~sa, sampling=spacing)
    distances = np.concatenate([to_b[sa], to_a[sb]])
    return float(np.percentile(distances, 95))


def review(draft_index: int, draft: np.ndarray, edited: np.ndarray, spacing: tuple[float, float, float]) -> Review:
    """The change from ``draft`` (result ``draft_index``) to ``edited`` on a grid of ``spacing`` mm."""
    voxel_ml = float(np.prod(spacing)) / 1000.0
    distance = hd95(draft, edited, spacing)
    return {"draft": draft_index,
            "volume_ml_before": round(int((draft > 0).sum()) * voxel_ml, 4),
            "volume_ml_after": round(int((edited > 0).sum()) * voxel_ml, 4),
            "dice": round(dice(draft, edited), 4),
            "hd95_mm": None if distance is None else round(distance, 3)}


def model_draft(results: list[dict[str, Any]], index: int) -> dict[str, Any] | None:
    """The model's result an edit of result ``index`` goes back to: ``index`` itself when the
    model drew it, else (an edit of an edit) its own draft's, as far as the chain is still there;
    ``None`` when ``index`` is not among ``results``."""
    by_index = {int(r["index"]): r for r in results}
    current = by_index.get(index)
    seen: set[int] = set()
    while current is not None and current.get("source") == "edited" and current.get("review"):
        seen.add(int(current["index"]))
        parent = by_index.get(int(current["review"]["draft"]))
        if parent is None or int(parent["index"]) in seen:
            break
        current = parent
    return current
