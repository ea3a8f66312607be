"""DICOM series -> volume: geometry from the DICOM headers, safe zip handling."""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path

import numpy as np
import pytest

from tests.dicom.series import lps_to_ras, write_series
from voxtell.errors import InvalidInputError
from voxtell.io.dicom import ZipLimits, load_series, safe_extract_zip, scan_series
from voxtell.io.nifti import volume_from_image

AXIAL = (np.array([1.0, 0, 0]), np.array([0, 1.0, 0]))
c, s = np.cos(0.3), np.sin(0.3)
GEOMETRIES = {
    "axial": AXIAL,
    "axial, flipped row direction": (np.array([-1.0, 0, 0]), np.array([0, 1.0, 0])),
    "coronal": (np.array([1.0, 0, 0]), np.array([0, 0, -1.0])),
    "sagittal": (np.array([0, 1.0, 0]), np.array([0, 0, -1.0])),
    "oblique": (np.array([c, s, 0]), np.array([-s, c, 0])),
}


def _volume(shape: tuple[int, int, int] = (10, 8, 6)) -> np.ndarray:
    return np.random.default_rng(1).integers(-500, 1500, shape).astype(np.int16)


@pytest.mark.parametrize("name", list(GEOMETRIES))
def test_series_geometry_matches_the_headers(tmp_path: Path, name: str) -> None:
    row_dir, col_dir = GEOMETRIES[name]
    data = _volume()
    spacing = (0.7, 0.9, 2.5)  # anisotropic
    origin = np.array([-100.0, 40.0, 12.5])
    files, uids = write_series(tmp_path, data, row_dir, col_dir, spacing, origin)
    [series] = scan_series(files)
    assert series.slices == 6 and series.modality == "CT"
    loaded = load_series(series, max_voxels=10**6)
    assert loaded.series_uid == uids["series"] and loaded.study_uid == uids["study"]
    assert len(loaded.sop_instance_uids) == 6
    affine = loaded.image.affine
    normal = np.cross(row_dir, col_dir)
    for i, j, k in [(0, 0, 0), (9, 7, 5), (3, 2, 4)]:
        lps = origin + row_dir * spacing[0] * i + col_dir * spacing[1] * j + normal * spacing[2] * k
        np.testing.assert_allclose(affine @ [i, j, k, 1], [*lps_to_ras(lps), 1], atol=1e-4)
    np.testing.assert_array_equal(np.asarray(loaded.image.dataobj), data.astype(np.float32))
    volume = volume_from_image(loaded.image)
    assert volume.data.size == data.size


def test_sorting_uses_positions_not_file_order_or_instance_numbers(tmp_path: Path) -> None:
    data = _volume()
    files, _ = write_series(tmp_path, data, *AXIAL, (1, 1, 3), np.zeros(3), shuffle=True)
    loaded = load_series(scan_series(files)[0], max_voxels=10**6)
    np.testing.assert_array_equal(np.asarray(loaded.image.dataobj)[:, :, 0], data[:, :, 0])


def test_gantry_tilt_and_uneven_spacing_are_refused(tmp_path: Path) -> None:
    files, _ = write_series(tmp_path / "tilt", _volume(), *AXIAL, (1, 1, 2), np.zeros(3), in_plane_shift=0.5)
    with pytest.raises(InvalidInputError, match="gantry tilt"):
        load_series(scan_series(files)[0], max_voxels=10**6)
    files, _ = write_series(tmp_path / "uneven", _volume(), *AXIAL, (1, 1, 2), np.zeros(3),
                            slice_offsets=[0, 2, 4, 7, 9, 11])
    with pytest.raises(InvalidInputError, match="non-uniform slice spacing"):
        load_series(scan_series(files)[0], max_voxels=10**6)


def test_several_series_are_listed_not_picked(tmp_path: Path) -> None:
    a, _ = write_series(tmp_path / "a", _volume(), *AXIAL, (1, 1, 2), np.zeros(3), description="arterial")
    b, _ = write_series(tmp_path / "b", _volume((10, 8, 4)), *AXIAL, (1, 1, 2), np.zeros(3), description="venous")
    (tmp_path / "notes.txt").write_text("not dicom")
    series = scan_series([*a, *b, tmp_path / "notes.txt"])
    assert [(x.description, x.slices) for x in series] == [("arterial", 6), ("venous", 4)]
    assert set(series[0].public()) == {"series_uid", "description", "modality", "slices", "size"}
    with pytest.raises(InvalidInputError, match="no DICOM image slices"):
        scan_series([tmp_path / "notes.txt"])


def _zip(path: Path, members: list[tuple[str, bytes]], symlink: str | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members:
            zf.writestr(name, data)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, "/etc/passwd")
    return path


@pytest.mark.parametrize(("members", "symlink", "limits", "message"), [
    ([("../evil.dcm", b"x")], None, ZipLimits(), "'..'"),
    ([("/etc/evil.dcm", b"x")], None, ZipLimits(), "absolute path"),
    ([("ok.dcm", b"x")], "link.dcm", ZipLimits(), "symbolic link"),
    ([("a.dcm", b"x"), ("a.dcm", b"y")], None, ZipLimits(), "duplicate"),
    ([("bomb.dcm", b"\0" * (8 << 20))], None, ZipLimits(), "compression ratio"),
    ([(f"{i}.dcm", b"x") for i in range(50)], None, ZipLimits(max_members=40), "50 members"),
    ([("big.dcm", b"\1" * 5000)], None, ZipLimits(max_total_bytes=1000), "unpacks to 5000 bytes"),
])
def test_hostile_zips_are_refused_and_nothing_escapes(tmp_path: Path, members, symlink, limits, message) -> None:  # type: ignore[no-untyped-def]
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names warn in zipfile
        archive = _zip(tmp_path / "up.zip", members, symlink)
    dest = tmp_path / "private" / "extract"
    with pytest.raises(InvalidInputError, match=message):
        safe_extract_zip(archive, dest, limits)
    assert not dest.exists() or not any(dest.iterdir())
    assert not (tmp_path / "evil.dcm").exists() and not (tmp_path / "private" / "evil.dcm").exists()


def test_extraction_uses_generated_names_and_skips_dicomdir(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "up.zip", [("DICOMDIR", b"index"), ("dir/IM0001", b"a"), ("dir/IM0002", b"b")])
    out = safe_extract_zip(archive, tmp_path / "x")
    assert [p.name for p in out] == ["000001.dcm", "000002.dcm"]
    assert not zipfile.is_zipfile(tmp_path / "x" / "000001.dcm")
