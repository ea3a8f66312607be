"""Preprocessing steps as pure functions (spec §4.2-§4.4, §4.8).

Arrays are ``(C, A0, A1, A2)`` float32 in RAS-array axis order unless stated otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from acvl_utils.cropping_and_padding.bounding_boxes import bounding_box_to_slice, get_bbox_from_mask
from acvl_utils.cropping_and_padding.padding import pad_nd_image

Box = tuple[tuple[int, int], tuple[int, int], tuple[int, int]]


@dataclass(frozen=True)
class CropInfo:
    """Where the cropped array sits inside the original one.

    Attributes:
        box: half-open ``[lo, hi)`` per spatial axis, in array axis order.
        shape: the spatial shape before cropping ``(A0, A1, A2)``.
    """

    box: Box
    shape: tuple[int, int, int]

    @property
    def slicer(self) -> tuple[slice, ...]:
        """Selects the box in a ``(C or N, A0, A1, A2)`` array of the original shape."""
        return (slice(None), *bounding_box_to_slice([list(b) for b in self.box]))


def nonzero_box(data: np.ndarray) -> Box:
    """Tight half-open box of voxels where any channel is non-zero; the whole image if none.

    nnU-Net fills holes in the non-zero mask first, which cannot change the bounding box, so
    the (costly) hole filling is skipped.
    """
    mask = np.any(data != 0, axis=0)
    bbox = get_bbox_from_mask(mask)
    return ((bbox[0][0], bbox[0][1]), (bbox[1][0], bbox[1][1]), (bbox[2][0], bbox[2][1]))


def crop_to_nonzero(data: np.ndarray) -> tuple[np.ndarray, CropInfo]:
    """Crop ``(C, A0, A1, A2)`` to its non-zero box; returns the crop and how to undo it."""
    if data.ndim != 4:
        raise ValueError(f"expected a (C, A0, A1, A2) array, got shape {data.shape}")
    crop = CropInfo(box=nonzero_box(data), shape=(int(data.shape[1]), int(data.shape[2]), int(data.shape[3])))
    return data[crop.slicer], crop


def zscore(data: np.ndarray, in_place: bool = False) -> np.ndarray:
    """``(x - mean) / max(std, 1e-8)`` over all voxels and channels, float32 (population std).

    With ``in_place`` a C-contiguous float32 ``data`` is normalised in place (the statistics of
    a contiguous array are summed in the same order either way, so the numbers are the same);
    anything else is copied first."""
    if not (in_place and data.dtype == np.float32 and data.flags.c_contiguous and data.flags.writeable):
        data = data.astype(np.float32, copy=True)
    mean = data.mean(dtype=np.float32)
    std = data.std(dtype=np.float32)
    data -= mean
    data /= max(float(std), 1e-8)
    return data


def pad_to_patch(data: np.ndarray, patch_size: tuple[int, int, int]) -> tuple[np.ndarray, tuple[slice, ...]]:
    """Zero-pad every spatial axis shorter than the patch; the extra voxel goes to the end.

    Returns the padded ``(C, S0, S1, S2)`` array and the slicer that removes the padding.
    """
    padded, slicer = pad_nd_image(data, tuple(patch_size), "constant", {"constant_values": 0}, True, None)
    return padded, tuple(slicer)


def uncropped_output(n: int, crop: CropInfo) -> tuple[np.ndarray, np.ndarray]:
    """A zero ``(n, A0, A1, A2)`` uint8 array in the shape before cropping, and its view
    ``(n, c0, c1, c2)`` at the crop box, into which the cropped masks are written."""
    out = np.zeros((n, *crop.shape), dtype=np.uint8)
    return out, out[crop.slicer]
