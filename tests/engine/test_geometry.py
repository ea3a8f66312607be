"""Masks land on the same world-space voxels as the input, for every orientation.

A geometry probe segments the RAS array by world coordinates; written back with
``write_mask`` it must equal the same rule evaluated directly on the file's own voxel grid.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import cast

import nibabel as nib
import numpy as np
import pytest

from voxtell.io import read_volume, write_mask

SHAPE = (11, 13, 7)
SPACING = (0.7, 1.3, 2.5)


def _load(path: Path) -> nib.Nifti1Image:
    return cast(nib.Nifti1Image, nib.load(str(path)))


def _world(affine: np.ndarray, ijk: np.ndarray) -> np.ndarray:
    """(..., 3) voxel indices -> (..., 3) world RAS mm."""
    return ijk @ affine[:3, :3].T + affine[:3, 3]


def _probe(world: np.ndarray, centre: np.ndarray) -> np.ndarray:
    """Mark voxels right of and posterior to the volume centre, below its top: asymmetric in x, y, z."""
    rel = world - centre
    return (rel[..., 0] > 0.3) & (rel[..., 1] < -0.2) & (rel[..., 2] < 4.0)


def _affines() -> list[tuple[str, np.ndarray]]:
    out = []
    for perm in itertools.permutations(range(3)):
        for signs in itertools.product((1, -1), repeat=3):
            rot = np.zeros((3, 3))
            for col, (axis, sign) in enumerate(zip(perm, signs)):
                rot[axis, col] = sign * SPACING[col]
            affine = np.eye(4)
            affine[:3, :3] = rot
            affine[:3, 3] = [12.5, -40.0, 7.25]
            out.append((f"perm{perm}-signs{signs}", affine))
    theta = np.deg2rad(17)
    oblique = np.eye(4)
    rz = np.array([[np.cos(theta), -np.sin(theta), 0], [np.sin(theta), np.cos(theta), 0], [0, 0, 1]])
    oblique[:3, :3] = rz @ np.diag(SPACING)
    oblique[:3, 3] = [-3.0, 5.0, 9.0]
    out.append(("oblique-17deg", oblique))
    return out


AFFINES = _affines()


@pytest.mark.parametrize(("name", "affine"), AFFINES, ids=[n for n, _ in AFFINES])
def test_probe_mask_lands_on_the_same_world_voxels(tmp_path: Path, name: str, affine: np.ndarray) -> None:
    data = np.arange(np.prod(SHAPE), dtype=np.int16).reshape(SHAPE)
    source = tmp_path / "in.nii.gz"
    nib.save(nib.Nifti1Image(data, affine), str(source))
    centre = _world(affine, (np.array(SHAPE) - 1) / 2.0)

    volume = read_volume(source)
    geo = volume.geometry
    ras = geo.reoriented_affine
    # RAS array index (a0, a1, a2) is voxel (i, j, k) = (a2, a1, a0) of the reoriented image.
    a = np.stack(np.meshgrid(*[np.arange(s) for s in volume.data.shape], indexing="ij"), -1)
    ijk = a[..., ::-1].astype(np.float64)
    mask = _probe(_world(ras, ijk), centre).astype(np.uint8)
    assert mask.any() and not mask.all()
    # Intensities travel with the geometry: the RAS array holds the same voxel values.
    assert sorted(volume.data.ravel().tolist()) == sorted(data.ravel().astype(np.float32).tolist())

    written = _load(write_mask(mask, geo, tmp_path / "mask.nii.gz"))
    file_ijk = np.stack(np.meshgrid(*[np.arange(s) for s in SHAPE], indexing="ij"), -1).astype(np.float64)
    expected = _probe(_world(affine, file_ijk), centre)
    np.testing.assert_allclose(written.affine, affine, atol=1e-4)
    assert written.shape == SHAPE and written.get_data_dtype() == np.uint8
    np.testing.assert_array_equal(np.asarray(written.dataobj).astype(bool), expected)
    zooms = _load(source).as_reoriented(nib.orientations.io_orientation(affine)).header.get_zooms()
    np.testing.assert_allclose(geo.spacing, zooms[::-1], rtol=1e-6)


def test_ras_array_axes_are_s_a_r(tmp_path: Path) -> None:
    data = np.zeros((4, 5, 6), np.int16)
    data[3, 0, 0] = 1  # the voxel furthest along +x (R) in a RAS file
    nib.save(nib.Nifti1Image(data, np.eye(4)), str(tmp_path / "ras.nii.gz"))
    volume = read_volume(tmp_path / "ras.nii.gz")
    assert volume.data.shape == (6, 5, 4)
    assert volume.data[0, 0, 3] == 1 and volume.geometry.axcodes == ("R", "A", "S")


def test_single_volume_4d_is_accepted_as_3d(tmp_path: Path) -> None:
    nib.save(nib.Nifti1Image(np.ones((4, 5, 6, 1), np.float32), np.eye(4)), str(tmp_path / "one.nii.gz"))
    assert read_volume(tmp_path / "one.nii.gz").data.shape == (6, 5, 4)


@pytest.mark.parametrize(("name", "affine"), AFFINES, ids=[n for n, _ in AFFINES])
def test_label_maps_are_written_back_voxel_for_voxel(tmp_path: Path, name: str, affine: np.ndarray) -> None:
    """Every file voxel holds a different value, so a label derived from the RAS array must
    come back to exactly the file voxel it was read from; the stored type follows the labels."""
    data = np.arange(np.prod(SHAPE), dtype=np.int16).reshape(SHAPE)
    nib.save(nib.Nifti1Image(data, affine), str(tmp_path / "in.nii.gz"))
    volume = read_volume(tmp_path / "in.nii.gz")
    ras_values = volume.data.astype(np.int64)
    for modulus, dtype in ((300, np.uint16), (255, np.uint8), (3, np.uint8)):
        labels = ras_values % modulus  # largest label 299 (needs 16 bits), 254, 2
        written = _load(write_mask(labels, volume.geometry, tmp_path / f"labels{modulus}.nii.gz"))
        assert written.get_data_dtype() == dtype, modulus
        assert written.shape == SHAPE
        np.testing.assert_array_equal(np.asarray(written.dataobj), data % modulus)
        np.testing.assert_allclose(written.affine, affine, atol=1e-6)
        assert (int(written.header["sform_code"]), int(written.header["qform_code"])) == (2, 0)
        np.testing.assert_allclose(written.header.get_zooms(), _load(tmp_path / "in.nii.gz").header.get_zooms(),
                                   rtol=1e-6)


def _nibabel_reading(img: nib.Nifti1Image) -> tuple[np.ndarray, np.ndarray, tuple[float, ...], tuple[int, ...], tuple[str, ...]]:
    """What reading meant before the lean path: nibabel's ``as_reoriented`` image, then its voxels."""
    reoriented = img.as_reoriented(nib.orientations.io_orientation(img.affine))
    zooms = reoriented.header.get_zooms()[:3]
    data = reoriented.get_fdata(dtype=np.float32).transpose(2, 1, 0)
    return (data, np.asarray(reoriented.affine), (float(zooms[2]), float(zooms[1]), float(zooms[0])),
            tuple(int(s) for s in reoriented.shape[:3])[::-1], tuple(nib.aff2axcodes(img.affine)))


@pytest.mark.parametrize(("name", "affine"), AFFINES, ids=[n for n, _ in AFFINES])
@pytest.mark.parametrize("kind", ["plain", "scaled-float", "pixdim-disagrees", "qform-only"])
def test_reading_equals_nibabel_reorientation(name: str, affine: np.ndarray, kind: str) -> None:
    """The reader builds the RAS geometry and voxels without nibabel's reoriented image; every
    value must equal what that image gives (voxels, affine, float32 spacing, shape, axis codes)."""
    from voxtell.io.nifti import volume_from_bytes

    rng = np.random.default_rng(3)
    data = rng.integers(-1000, 3000, SHAPE).astype(np.int16)
    img = nib.Nifti1Image(data, affine)
    if kind == "scaled-float":
        img.header.set_slope_inter(0.37, -12.5)
    if kind == "pixdim-disagrees":
        img.header.set_zooms((2.0, 2.0, 2.0))  # the sform still says SPACING
    if kind == "qform-only":
        img.header.set_sform(None, code=0)
        img.header.set_qform(affine, code=1)
    raw = img.to_bytes()
    volume = volume_from_bytes(raw)
    # the same file through nibabel (voxels behind an ArrayProxy, scaled on reading)
    data_ref, affine_ref, spacing_ref, shape_ref, axcodes_ref = _nibabel_reading(nib.Nifti1Image.from_bytes(raw))
    np.testing.assert_array_equal(volume.data, data_ref)
    np.testing.assert_array_equal(volume.geometry.reoriented_affine, affine_ref)
    assert volume.geometry.spacing == spacing_ref
    assert volume.geometry.ras_shape == shape_ref == volume.data.shape
    assert volume.geometry.axcodes == axcodes_ref
