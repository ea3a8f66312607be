"""Post-processing and statistics on hand-drawn masks whose answers are counted by hand.

Every expected number here is written out (or counted with plain numpy on the drawing);
nothing is computed with ``voxtell.postprocess`` itself.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.drawn import (
    BIG_BOX,
    BIG_VOXELS,
    CAVITY,
    CAVITY_VOXELS,
    DIAGONAL_VOXEL,
    NOTCH,
    SHAPE,
    SMALL_BOX,
    SMALL_VOXELS,
    drawn_image,
    drawn_mask,
)
from voxtell.postprocess import combine_labels, fill_holes, keep_largest_component, mask_statistics


def _box(box: tuple[slice, slice, slice]) -> np.ndarray:
    out = np.zeros(SHAPE, np.uint8)
    out[box] = 1
    return out


def test_the_drawing_is_what_the_expectations_say() -> None:
    """The counts below are by hand; check them once against the drawing itself."""
    mask = drawn_mask()
    assert (BIG_VOXELS, SMALL_VOXELS, CAVITY_VOXELS) == (200, 12, 6)
    assert int(mask.sum()) == BIG_VOXELS + SMALL_VOXELS + 1
    assert not mask[CAVITY].any() and not mask[NOTCH].any() and mask[DIAGONAL_VOXEL] == 1


def test_keep_largest_component_keeps_exactly_the_big_box() -> None:
    mask = drawn_mask()
    kept = keep_largest_component(mask)
    expected = _box(BIG_BOX)
    expected[CAVITY] = 0
    expected[NOTCH] = 0
    assert kept.dtype == np.uint8
    np.testing.assert_array_equal(kept, expected)
    # The voxel touching the big box only along an edge is a component of its own (6-connected).
    assert kept[DIAGONAL_VOXEL] == 0
    np.testing.assert_array_equal(mask, drawn_mask(), err_msg="the input is not modified")


def test_keep_largest_component_of_empty_and_single_component_masks() -> None:
    empty = np.zeros(SHAPE, np.uint8)
    np.testing.assert_array_equal(keep_largest_component(empty), empty)
    single = _box(SMALL_BOX) * 7  # any non-zero value counts as foreground
    np.testing.assert_array_equal(keep_largest_component(single), _box(SMALL_BOX))


def test_fill_holes_fills_the_enclosed_cavity_only() -> None:
    mask = drawn_mask()
    filled = fill_holes(mask)
    expected = mask.copy()
    expected[CAVITY] = 1
    assert filled.dtype == np.uint8
    np.testing.assert_array_equal(filled, expected)
    assert not filled[NOTCH].any(), "a dent open to the outside is not a hole"


def test_fill_holes_uses_a_six_connected_background() -> None:
    """Background is 6-connected: a cavity that meets the outside only at a vertex is a hole."""
    mask = np.zeros((5, 5, 5), np.uint8)
    mask[1:4, 1:4, 1:4] = 1
    mask[2, 2, 2] = 0  # the centre: enclosed in every connectivity
    mask[1, 1, 2] = 0  # an edge voxel of the cube: its face neighbours (0,1,2), (1,0,2) are outside
    filled = fill_holes(mask)
    assert filled[2, 2, 2] == 1
    assert filled[1, 1, 2] == 0, "touches the outside through a face"
    tunnel = np.zeros((5, 5, 5), np.uint8)
    tunnel[1:4, 1:4, 1:4] = 1
    tunnel[2, 2, 1:4] = 0  # a tunnel from the centre out through the face at a2 = 3
    np.testing.assert_array_equal(fill_holes(tunnel), tunnel)
    diagonal = np.zeros((5, 5, 5), np.uint8)
    diagonal[1:4, 1:4, 1:4] = 1
    diagonal[2, 2, 2] = 0
    diagonal[3, 3, 3] = 0  # the cube's corner, open to the outside; it meets the centre at a vertex
    expected = diagonal.copy()
    expected[2, 2, 2] = 1
    np.testing.assert_array_equal(fill_holes(diagonal), expected)


def test_statistics_of_the_drawing() -> None:
    mask = drawn_mask()
    image = drawn_image()
    spacing = (2.0, 0.8, 0.5)
    stats = mask_statistics(mask, image, spacing)
    values = image[mask > 0].astype(np.float64)
    assert stats["voxels"] == 213
    assert stats["volume_ml"] == pytest.approx(213 * 2.0 * 0.8 * 0.5 / 1000, rel=1e-12)
    # half-open [lo, hi) per RAS-array axis: big box from 2, small box to 11/12/14
    assert stats["bbox"] == [[2, 11], [2, 12], [2, 14]]
    assert stats["components"] == 3, "big box, small box and the voxel touching the big box along an edge"
    assert stats["mean"] == pytest.approx(float(values.sum() / 213), rel=1e-12)
    assert stats["sd"] == pytest.approx(float(np.sqrt(((values - values.sum() / 213) ** 2).sum() / 213)), rel=1e-12)
    assert stats["sd"] > 0


def test_statistics_of_one_voxel_and_of_an_empty_mask() -> None:
    image = drawn_image()
    one = np.zeros(SHAPE, np.uint8)
    one[5, 6, 7] = 1
    stats = mask_statistics(one, image, (1.0, 1.0, 1.0))
    assert stats == {"voxels": 1, "volume_ml": 0.001, "bbox": [[5, 6], [6, 7], [7, 8]], "components": 1,
                     "mean": float(image[5, 6, 7]), "sd": 0.0}
    empty = mask_statistics(np.zeros(SHAPE, np.uint8), image, (1.0, 1.0, 1.0))
    assert empty == {"voxels": 0, "volume_ml": 0.0, "bbox": None, "components": 0, "mean": None, "sd": None}
    no_image = mask_statistics(one, None, (1.0, 2.0, 3.0))
    assert no_image["mean"] is None and no_image["sd"] is None and no_image["volume_ml"] == pytest.approx(0.006)


def test_combined_labels_later_prompt_wins_on_the_overlap() -> None:
    first, second = _box(BIG_BOX), _box((slice(4, 9), slice(5, 12), slice(6, 14)))  # 210 and 5 x 7 x 8 = 280
    overlap = (first > 0) & (second > 0)
    assert overlap.sum() == 3 * 3 * 3  # a0 4..6, a1 5..7, a2 6..8
    labels = combine_labels(np.stack([first, second]))
    assert labels.dtype == np.uint8
    assert (labels[overlap] == 2).all()
    assert (labels[(first > 0) & ~overlap] == 1).all() and (labels[(second > 0) & ~overlap] == 2).all()
    assert (labels[(first == 0) & (second == 0)] == 0).all()
    assert np.bincount(labels.ravel()).tolist() == [12 * 14 * 16 - 210 - 280 + 27, 210 - 27, 280]
