"""Mask post-processing and statistics (pure functions on RAS arrays).

Masks are ``(A0, A1, A2)`` uint8/bool arrays in RAS-array order; ``spacing`` is the voxel size
in mm in the same axis order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import cc3d
import numpy as np
from scipy import ndimage

if TYPE_CHECKING:
    from voxtell.io.nifti import VolumeGeometry

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


def centre_voxel(mask: np.ndarray, spacing: tuple[float, float, float]) -> tuple[int, int, int] | None:
    """The mask voxel nearest (in mm, ``spacing`` per axis) to the mask's centroid: a point that
    is always on the mask, even for an L-shape or a ring whose centroid is not. ``(A0, A1, A2)``
    index in the mask's own axis order; ``None`` for an empty mask."""
    fg = mask > 0
    profiles = [fg.sum(axis=tuple(a for a in range(3) if a != axis), dtype=np.int64) for axis in range(3)]
    total = int(profiles[0].sum())
    if total == 0:
        return None
    centroid = [float(np.arange(len(p)) @ p) / total for p in profiles]
    rounded = tuple(int(round(c)) for c in centroid)
    if fg[rounded]:  # the nearest voxel of all is on the mask
        return rounded[0], rounded[1], rounded[2]
    # Squared distances are separable: d2 = d0[i] + d1[j] + d2[k]; one slab at a time keeps the
    # memory to one 2-D plane whatever the mask's size.
    d0, d1, d2 = ((spacing[a] * (np.arange(fg.shape[a]) - centroid[a])) ** 2 for a in range(3))
    plane = d1[:, None] + d2[None, :]
    best, where = np.inf, (0, 0, 0)
    for i in np.flatnonzero(profiles[0]):
        if d0[i] >= best:
            continue
        masked = np.where(fg[i], plane, np.inf)
        flat = int(np.argmin(masked))
        if d0[i] + masked.flat[flat] < best:
            best = float(d0[i] + masked.flat[flat])
            j, k = np.unravel_index(flat, plane.shape)
            where = (int(i), int(j), int(k))
    return where


def mask_location(mask: np.ndarray, geometry: VolumeGeometry) -> dict[str, Any]:
    """Where a ``(A0, A1, A2)`` mask is, in the frames a viewer uses: ``centre_mm`` (world RAS mm,
    through the volume file's affine, of :func:`centre_voxel`) and ``bbox_voxel`` (half-open
    ``[lo, hi)`` per file voxel axis, the frame of the file's shape); ``None`` for an empty mask."""
    centre = centre_voxel(mask, geometry.spacing)
    if centre is None:
        return {"centre_mm": None, "bbox_voxel": None}
    fg = mask > 0
    ras_box = []
    for axis in range(3):
        present = np.flatnonzero(fg.any(axis=tuple(a for a in range(3) if a != axis)))
        ras_box.append([int(present[0]), int(present[-1]) + 1])
    return {"centre_mm": geometry.world_mm(geometry.file_index(centre)), "bbox_voxel": geometry.file_box(ras_box)}


def combine_labels(masks: np.ndarray | Sequence[np.ndarray]) -> np.ndarray:
    """``(N, A0, A1, A2)`` masks (an array or N arrays; any non-zero voxel is foreground) ->
    label map, label ``i+1`` = mask ``i``, later masks win on overlap."""
    from voxtell.inference.batch import combine_masks

    return combine_masks(np.stack([np.asarray(m) > 0 for m in masks]))


def as_mask(data: np.ndarray) -> np.ndarray:
    """Any array -> uint8 0/1 mask of the same shape (non-zero is foreground)."""
    return (np.asarray(data) > 0).astype(np.uint8)
