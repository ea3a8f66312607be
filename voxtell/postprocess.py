"""Mask post-processing and statistics (pure functions on RAS arrays).

Masks are ``(A0, A1, A2)`` uint8/bool arrays in RAS-array order; ``spacing`` is the voxel size
in mm in the same axis order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import cc3d
import numpy as np
from scipy import ndimage

_SIX_CONNECTED = ndimage.generate_binary_structure(3, 1)


def keep_largest_component(mask: np.ndarray) -> np.ndarray:
    """Keep the largest 6-connected component (as the official server's ``keep_largest``)."""
    labels, n = ndimage.label(mask > 0, structure=_SIX_CONNECTED)
    if n <= 1:
        return (mask > 0).astype(np.uint8)
    sizes = np.bincount(labels.ravel())
    sizes[0] = 0
    return (labels == int(sizes.argmax())).astype(np.uint8)


def fill_holes(mask: np.ndarray) -> np.ndarray:
    """Fill enclosed background cavities (3-D, 6-connected background)."""
    return ndimage.binary_fill_holes(mask > 0, structure=_SIX_CONNECTED).astype(np.uint8)


def mask_statistics(mask: np.ndarray, image: np.ndarray | None, spacing: tuple[float, float, float]) -> dict[str, Any]:
    """Voxel count, volume (mL), bounding box (half-open, RAS-array order), 6-connected
    component count and mean/SD of ``image`` inside the mask (``None`` for an empty mask)."""
    fg = mask > 0
    voxels = int(fg.sum())
    voxel_ml = float(np.prod(spacing)) / 1000.0
    stats: dict[str, Any] = {"voxels": voxels, "volume_ml": voxels * voxel_ml, "bbox": None,
                             "components": 0, "mean": None, "sd": None}
    if voxels == 0:
        return stats
    _, n = cc3d.connected_components(fg, connectivity=6, return_N=True)
    lo_hi = []
    for axis in range(3):
        other = tuple(a for a in range(3) if a != axis)
        present = np.flatnonzero(fg.any(axis=other))
        lo_hi.append([int(present[0]), int(present[-1]) + 1])
    stats.update(bbox=lo_hi, components=int(n))
    if image is not None:
        values = image[fg].astype(np.float64)
        stats.update(mean=float(values.mean()), sd=float(values.std()))
    return stats


def combine_labels(masks: np.ndarray | Sequence[np.ndarray]) -> np.ndarray:
    """``(N, A0, A1, A2)`` masks (an array or N arrays; any non-zero voxel is foreground) ->
    label map, label ``i+1`` = mask ``i``, later masks win on overlap."""
    from voxtell.inference.batch import combine_masks

    return combine_masks(np.stack([np.asarray(m) > 0 for m in masks]))


def as_mask(data: np.ndarray) -> np.ndarray:
    """Any array -> uint8 0/1 mask of the same shape (non-zero is foreground)."""
    return (np.asarray(data) > 0).astype(np.uint8)
