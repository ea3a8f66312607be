"""NRRD and MetaImage input: world geometry preserved from the ITK header to the written mask."""

from __future__ import annotations

from pathlib import Path

import nibabel as nib
import numpy as np
import pytest
import SimpleITK as sitk

from voxtell.errors import InvalidInputError
from voxtell.io import read_volume, write_mask


def _itk_image(direction: tuple[float, ...]) -> sitk.Image:
    data = np.random.default_rng(0).integers(0, 500, (9, 11, 13)).astype(np.int16)  # (k, j, i)
    img = sitk.GetImageFromArray(data)
    img.SetSpacing((0.6, 0.9, 2.5))
    img.SetOrigin((-12.0, 30.5, 101.0))
    img.SetDirection(direction)
    return img


DIRECTIONS = {
    "identity (LPS axial)": (1, 0, 0, 0, 1, 0, 0, 0, 1),
    "permuted and flipped": (0, 1, 0, -1, 0, 0, 0, 0, -1),
    "oblique 20 degrees": (np.cos(0.35), -np.sin(0.35), 0, np.sin(0.35), np.cos(0.35), 0, 0, 0, 1),
}


@pytest.mark.parametrize("suffix", [".nrrd", ".mha"])
@pytest.mark.parametrize("direction", list(DIRECTIONS), ids=list(DIRECTIONS))
def test_itk_geometry_survives_read_and_write(tmp_path: Path, suffix: str, direction: str) -> None:
    img = _itk_image(tuple(float(v) for v in DIRECTIONS[direction]))
    path = tmp_path / f"scan{suffix}"
    sitk.WriteImage(img, str(path), useCompression=suffix == ".mha")
    volume = read_volume(path)
    affine = volume.geometry.original_affine
    for index in [(0, 0, 0), (12, 10, 8), (3, 7, 2)]:
        lps = np.array(img.TransformIndexToPhysicalPoint(index))
        ras = np.array([-lps[0], -lps[1], lps[2]])
        np.testing.assert_allclose(affine @ [*index, 1], [*ras, 1], atol=1e-5)
    # A probe mask (bright voxels) written as NIfTI lands on the same voxels of the ITK grid.
    mask = (volume.data > 250).astype(np.uint8)
    written = nib.load(str(write_mask(mask, volume.geometry, tmp_path / "mask.nii.gz")))
    np.testing.assert_allclose(written.affine, affine, atol=1e-4)
    expected = (sitk.GetArrayFromImage(img).transpose(2, 1, 0) > 250)
    np.testing.assert_array_equal(np.asarray(written.dataobj).astype(bool), expected)


def test_vector_and_2d_itk_images_are_refused(tmp_path: Path) -> None:
    rgb = sitk.GetImageFromArray(np.zeros((4, 5, 6, 3), np.uint8), isVector=True)
    sitk.WriteImage(rgb, str(tmp_path / "rgb.nrrd"))
    with pytest.raises(InvalidInputError, match="scalar"):
        read_volume(tmp_path / "rgb.nrrd")
    sitk.WriteImage(sitk.GetImageFromArray(np.zeros((5, 6), np.int16)), str(tmp_path / "flat.mha"))
    with pytest.raises(InvalidInputError, match="only 3-D"):
        read_volume(tmp_path / "flat.mha")


@pytest.mark.parametrize("image_class", [nib.Nifti1Image, nib.Nifti2Image])
def test_gzip_nifti_read_with_isal_equals_nibabel(tmp_path: Path, image_class: type) -> None:
    from voxtell.io.nifti import _load_nifti

    data = np.arange(4 * 5 * 6, dtype=np.int16).reshape(4, 5, 6)
    path = tmp_path / "v.nii.gz"
    nib.save(image_class(data, np.diag([-1.0, 2.0, 3.0, 1.0])), str(path))
    img = _load_nifti(path)
    assert type(img) is image_class
    np.testing.assert_array_equal(np.asarray(img.dataobj), data)
    np.testing.assert_allclose(img.affine, nib.load(str(path)).affine)


def test_validation_keeps_the_inflated_file_for_a_single_gzip_pass(tmp_path: Path) -> None:
    import gzip

    from voxtell.io.nifti import volume_from_bytes
    from voxtell.io.validation import validate_nifti

    data = np.arange(7 * 6 * 5, dtype=np.int16).reshape(7, 6, 5)
    path = tmp_path / "v.nii.gz"
    nib.save(nib.Nifti1Image(data, np.diag([-1.0, 2.0, 3.0, 1.0])), str(path))
    info = validate_nifti(path, max_voxels=10**6, max_bytes=10**7, keep_up_to=10**6)
    assert info.content == gzip.decompress(path.read_bytes())
    kept, read = volume_from_bytes(info.content), read_volume(path)
    np.testing.assert_array_equal(kept.data, read.data)
    np.testing.assert_allclose(kept.geometry.original_affine, read.geometry.original_affine)
    assert validate_nifti(path, max_voxels=10**6, max_bytes=10**7).content is None
