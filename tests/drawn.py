"""A hand-drawn mask with known answers: two boxes, an enclosed cavity, an open notch and a
voxel that touches the big box only along an edge (RAS-array order ``(A0, A1, A2)``).

Counted by hand:

* big box ``[2:7, 2:8, 2:9]`` = 5 x 6 x 7 = 210 voxels, minus the enclosed cavity
  ``[4:5, 4:6, 4:7]`` (6 voxels) and the notch ``[2:3, 3:5, 3:5]`` open on the ``A0 = 2`` face
  (4 voxels): 200 voxels;
* small box ``[9:11, 10:12, 11:14]`` = 2 x 2 x 3 = 12 voxels;
* one voxel at ``(7, 8, 8)``: its neighbour ``(6, 7, 8)`` (a corner of the big box) shares an
  edge with it, not a face, so it is a third 6-connected component.
"""

from __future__ import annotations

import numpy as np

SHAPE = (12, 14, 16)
BIG_BOX = (slice(2, 7), slice(2, 8), slice(2, 9))
CAVITY = (slice(4, 5), slice(4, 6), slice(4, 7))
NOTCH = (slice(2, 3), slice(3, 5), slice(3, 5))
SMALL_BOX = (slice(9, 11), slice(10, 12), slice(11, 14))
DIAGONAL_VOXEL = (7, 8, 8)
BIG_VOXELS = 200
SMALL_VOXELS = 12
CAVITY_VOXELS = 6


def drawn_mask() -> np.ndarray:
    mask = np.zeros(SHAPE, np.uint8)
    mask[BIG_BOX] = 1
    mask[CAVITY] = 0
    mask[NOTCH] = 0
    mask[SMALL_BOX] = 1
    mask[DIAGONAL_VOXEL] = 1
    return mask


def drawn_image() -> np.ndarray:
    """Integer-valued float32 intensities (exact in int16 files), different in every voxel region."""
    return np.random.default_rng(11).integers(-500, 1500, SHAPE).astype(np.float32)
