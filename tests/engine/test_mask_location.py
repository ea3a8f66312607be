"""Where a mask is, in the frames a viewer uses: the centre on the mask (world mm through the
file's affine) and the box in the file's own voxel order, for every orientation."""

from __future__ import annotations

from pathlib import Path

import nibabel as nib
import numpy as np
import pytest

from tests.engine.test_geometry import AFFINES, SHAPE
from voxtell.io import read_volume
from voxtell.io.nifti import volume_from_image
from voxtell.postprocess import centre_voxel, mask_location


def _numbered(tmp_path: Path, affine: np.ndarray) -> tuple[np.ndarray, object]:
    """A file whose voxel (i, j, k) holds its own flat index: its RAS array says, for every
    RAS-array voxel, which file voxel it came from."""
    data = np.arange(np.prod(SHAPE), dtype=np.int32).reshape(SHAPE)
    nib.save(nib.Nifti1Image(data, affine), str(tmp_path / "n.nii.gz"))
    volume = read_volume(tmp_path / "n.nii.gz")
    return volume.data.astype(np.int64), volume.geometry


@pytest.mark.parametrize(("name", "affine"), AFFINES, ids=[n for n, _ in AFFINES])
def test_file_index_and_box_follow_the_file_voxels(tmp_path: Path, name: str, affine: np.ndarray) -> None:
    numbers, geometry = _numbered(tmp_path, affine)
    rng = np.random.default_rng(0)
    for _ in range(10):
        ras = tuple(int(rng.integers(0, n)) for n in numbers.shape)
        expected = tuple(int(v) for v in np.unravel_index(numbers[ras], SHAPE))
        assert geometry.file_index(ras) == expected  # type: ignore[attr-defined]
        lo = [int(rng.integers(0, n)) for n in numbers.shape]
        hi = [int(rng.integers(low + 1, n + 1)) for low, n in zip(lo, numbers.shape)]
        covered = np.stack(np.unravel_index(numbers[lo[0]:hi[0], lo[1]:hi[1], lo[2]:hi[2]].ravel(), SHAPE))
        box = [[int(c.min()), int(c.max()) + 1] for c in covered]
        assert geometry.file_box([[a, b] for a, b in zip(lo, hi)]) == box  # type: ignore[attr-defined]
        mask = np.zeros(numbers.shape, np.uint8)
        mask[ras] = 1
        location = mask_location(mask, geometry)  # type: ignore[arg-type]
        stored = nib.load(str(tmp_path / "n.nii.gz")).affine  # type: ignore[attr-defined]  # float32 in the file
        np.testing.assert_allclose(location["centre_mm"], (stored @ [*expected, 1.0])[:3], atol=1e-9)
        assert location["bbox_voxel"] == [[e, e + 1] for e in expected]


def test_centre_of_an_l_shape_is_on_the_mask_and_weighs_millimetres() -> None:
    mask = np.zeros((1, 8, 8), np.uint8)
    mask[0, 0:5, 0] = 1  # arm along A1
    mask[0, 0, 1:4] = 1  # arm along A2: centroid (0, 10/8, 6/8) = (0, 1.25, 0.75) is not on the mask
    assert not mask[0, 1, 1]
    # Isotropic: (0, 1, 0) is 0.25 and 0.75 voxels away (0.625); (0, 0, 1) 1.25 and 0.25 (1.625).
    assert centre_voxel(mask, (1.0, 1.0, 1.0)) == (0, 1, 0)
    # 4 mm along A2: (0, 1, 0) is 0.0625 + 9 mm2 away, (0, 0, 1) 1.5625 + 1 mm2: the other arm.
    assert centre_voxel(mask, (1.0, 1.0, 4.0)) == (0, 0, 1)
    # A centroid on the mask is the centre itself.
    block = np.zeros((5, 5, 5), np.uint8)
    block[1:4, 2:5, 0:3] = 1
    assert centre_voxel(block, (1.0, 1.0, 1.0)) == (2, 3, 1)
    assert centre_voxel(np.zeros((3, 3, 3), np.uint8), (1.0, 1.0, 1.0)) is None
    geometry = volume_from_image(nib.Nifti1Image(np.zeros((3, 3, 3), np.float32), np.eye(4))).geometry
    assert mask_location(np.zeros((3, 3, 3), np.uint8), geometry) == {"centre_mm": None, "bbox_voxel": None}
