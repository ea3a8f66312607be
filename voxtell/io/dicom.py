"""DICOM series input: safe zip extraction, series listing, geometric slice sorting.

Library choice: pydicom reads the headers and pixels (the field's reference parser; it also
gives highdicom, used for DICOM SEG export, its datasets), in every transfer syntax its
installed decoders handle (pylibjpeg: JPEG, JPEG-LS, JPEG 2000; RLE and deflate natively), from
classic slices and from enhanced / legacy-converted multi-frame CT and MR images
(:mod:`voxtell.io.dicom_frames`). Slices are sorted by their position
along the slice normal (never by file name or instance number); a gantry tilt or non-uniform
spacing is refused with a message rather than silently resampled. Patient fields are never
logged; the series' UIDs are kept for export.
"""

from __future__ import annotations

import stat
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import nibabel as nib
import numpy as np

from voxtell.errors import InvalidInputError
from voxtell.io.dicom_frames import decode, frame_count, frames_of, has_geometry

_LPS_TO_RAS = np.diag([-1.0, -1.0, 1.0])


@dataclass(frozen=True)
class ZipLimits:
    max_members: int = 20_000
    max_total_bytes: int = 4 * 1024**3
    max_ratio: float = 200.0


def safe_extract_zip(archive: Path, dest: Path, limits: ZipLimits = ZipLimits()) -> list[Path]:
    """Extract regular members into ``dest`` under generated names, after checking the whole
    archive: no absolute paths, ``..``, symlinks or duplicate names; member count, total size
    and compression ratio within budget. DICOMDIR files are skipped."""
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError):
        raise InvalidInputError("the upload is not a readable zip archive") from None
    with zf:
        members = zf.infolist()
        if len(members) > limits.max_members:
            raise InvalidInputError(f"the zip has {len(members)} members; the limit is {limits.max_members}")
        names: set[str] = set()
        total = 0
        for m in members:
            path = PurePosixPath(m.filename.replace("\\", "/"))
            if m.filename.startswith(("/", "\\")) or path.is_absolute() or (len(m.filename) > 1 and m.filename[1] == ":"):
                raise InvalidInputError("the zip contains an absolute path")
            if ".." in path.parts:
                raise InvalidInputError("the zip contains a path with '..'")
            if stat.S_ISLNK(m.external_attr >> 16):
                raise InvalidInputError("the zip contains a symbolic link")
            if m.filename in names:
                raise InvalidInputError("the zip contains duplicate member names")
            names.add(m.filename)
            total += m.file_size
            if m.compress_size and m.file_size / max(m.compress_size, 1) > limits.max_ratio and m.file_size > 1 << 20:
                raise InvalidInputError("the zip has a suspicious compression ratio (zip bomb?)")
        if total > limits.max_total_bytes:
            raise InvalidInputError(f"the zip unpacks to {total} bytes; the limit is {limits.max_total_bytes}")
        dest.mkdir(parents=True, exist_ok=True)
        out = []
        for i, m in enumerate(members):
            if m.is_dir() or PurePosixPath(m.filename).name.upper() == "DICOMDIR":
                continue
            target = dest / f"{i:06d}.dcm"
            written = 0
            with zf.open(m) as src, target.open("wb") as dst:
                while chunk := src.read(1 << 20):
                    written += len(chunk)
                    if written > m.file_size:  # the header lied about the size
                        raise InvalidInputError("a zip member is larger than its header says")
                    dst.write(chunk)
            out.append(target)
    return out


@dataclass(frozen=True)
class SeriesInfo:
    uid: str
    description: str
    modality: str
    slices: int
    rows: int
    columns: int
    files: tuple[Path, ...] = field(repr=False, default=())

    def public(self) -> dict[str, object]:
        return {"series_uid": self.uid, "description": self.description, "modality": self.modality,
                "slices": self.slices, "size": [self.columns, self.rows, self.slices]}


def scan_series(files: Iterable[Path]) -> list[SeriesInfo]:
    """Group readable DICOM image files by SeriesInstanceUID (headers only). A series' ``slices``
    counts image planes: one per classic slice, ``NumberOfFrames`` per enhanced multi-frame image."""
    import pydicom

    groups: dict[str, list[tuple[Path, object]]] = {}
    for path in files:
        try:
            ds = pydicom.dcmread(str(path), stop_before_pixels=True)
        except Exception:
            continue  # not DICOM: ignored (reported below if nothing is left)
        if "SeriesInstanceUID" not in ds or not has_geometry(ds):
            continue
        groups.setdefault(str(ds.SeriesInstanceUID), []).append((path, ds))
    if not groups:
        raise InvalidInputError("the upload contains no DICOM image slices")
    series = []
    for uid, items in groups.items():
        first: Any = items[0][1]
        series.append(SeriesInfo(uid=uid, description=str(getattr(first, "SeriesDescription", "")),
                                 modality=str(getattr(first, "Modality", "")),
                                 slices=sum(frame_count(ds) for _, ds in items),
                                 rows=_int_or_zero(first, "Rows"), columns=_int_or_zero(first, "Columns"),
                                 files=tuple(p for p, _ in items)))
    return sorted(series, key=lambda s: (-s.slices, s.uid))


def _positive_int(ds: Any, name: str) -> int:
    try:
        value = int(ds.get(name))
    except (TypeError, ValueError):
        raise InvalidInputError(f"a slice of the series has no usable {name}") from None
    if value <= 0:
        raise InvalidInputError(f"a slice of the series has {name} = {value}; it must be positive")
    return value


def _int_or_zero(ds: Any, name: str) -> int:
    try:
        return max(int(ds.get(name, 0)), 0)
    except (TypeError, ValueError):
        return 0


@dataclass(frozen=True)
class DicomVolume:
    image: nib.Nifti1Image
    study_uid: str
    series_uid: str
    frame_of_reference_uid: str
    sop_instance_uids: tuple[str, ...] = ()
    source_files: tuple[Path, ...] = ()

    def save_nifti(self, path: str | Path) -> Path:
        """Write the volume as NIfTI (what the server stores for a DICOM upload)."""
        nib.save(self.image, str(path))
        return Path(path)


def load_series(series: SeriesInfo, *, max_voxels: int) -> DicomVolume:
    """Build a volume from one series: image planes (classic slices or the frames of enhanced
    multi-frame images) sorted along the normal, uniform spacing checked, pixel data decoded in
    any transfer syntax the installed decoders handle.

    The image is ``(i = column, j = row, k = plane sorted along the normal)`` float32 in real
    values (rescale applied), with a RAS affine. ``sop_instance_uids`` has one entry per plane
    (the same UID for the frames of one multi-frame image); ``source_files`` the files in the
    order of their first plane.
    """
    import pydicom

    if series.slices < 2:
        raise InvalidInputError("the series has a single slice; a 3-D volume needs at least two")
    if series.rows * series.columns * series.slices > max_voxels:
        raise InvalidInputError(f"the series has more than {max_voxels} voxels")
    try:
        datasets = [pydicom.dcmread(str(p)) for p in series.files]
    except Exception:  # noqa: BLE001 - pydicom raises many types for a damaged file
        raise InvalidInputError("a slice of the series cannot be read as DICOM") from None
    frames = [f for n, d in enumerate(datasets) for f in frames_of(d, n)]
    if len(frames) < 2:
        raise InvalidInputError("the series has a single slice; a 3-D volume needs at least two")
    if series.rows * series.columns * len(frames) > max_voxels:
        raise InvalidInputError(f"the series has more than {max_voxels} voxels")
    iop = frames[0].orientation
    row_dir, col_dir = iop[:3], iop[3:]
    if (abs(np.linalg.norm(row_dir) - 1) > 1e-2 or abs(np.linalg.norm(col_dir) - 1) > 1e-2
            or abs(float(row_dir @ col_dir)) > 1e-2):
        raise InvalidInputError("the series' ImageOrientationPatient is not two perpendicular unit vectors")
    if any(not np.allclose(f.orientation, iop, atol=1e-4) for f in frames):
        raise InvalidInputError("the slices of the series have different orientations")
    normal = np.cross(row_dir, col_dir)
    positions = np.asarray([f.position for f in frames])
    order = np.argsort(positions @ normal, kind="stable")
    positions, frames = positions[order], [frames[i] for i in order]
    steps = np.diff(positions, axis=0)
    along = steps @ normal
    if np.any(along <= 1e-6):
        raise InvalidInputError("two slices of the series share a position")
    if np.abs(steps - np.outer(along, normal)).max() > 1e-3 * max(1.0, float(along.mean())) + 1e-3:
        raise InvalidInputError("the series has a gantry tilt (slices are offset within their plane); "
                                "it is refused rather than resampled")
    if along.max() - along.min() > max(0.01, 0.01 * float(along.mean())):
        raise InvalidInputError("the series has non-uniform slice spacing; it is refused rather than resampled")
    rows, cols = _positive_int(datasets[0], "Rows"), _positive_int(datasets[0], "Columns")
    pixel_spacing = frames[0].spacing  # (between rows, between columns)
    if np.any(pixel_spacing <= 0):
        raise InvalidInputError(f"the series' PixelSpacing must be positive, got {pixel_spacing.tolist()}")
    if any(not np.allclose(f.spacing, pixel_spacing, rtol=1e-4) for f in frames):
        raise InvalidInputError("the slices of the series have different pixel spacings")
    for d in datasets:
        if _positive_int(d, "Rows") != rows or _positive_int(d, "Columns") != cols:
            raise InvalidInputError("the slices of the series have different sizes")
    decoded: dict[int, np.ndarray] = {}
    volume = np.empty((cols, rows, len(frames)), np.float32)
    for k, f in enumerate(frames):
        if f.dataset not in decoded:
            decoded[f.dataset] = decode(datasets[f.dataset], rows, cols)  # (frames, rows, cols)
        volume[:, :, k] = (decoded[f.dataset][f.frame] * f.slope + f.intercept).T  # (row, col) -> (i, j)
    lps = np.eye(4)
    lps[:3, 0] = row_dir * pixel_spacing[1]
    lps[:3, 1] = col_dir * pixel_spacing[0]
    lps[:3, 2] = (positions[-1] - positions[0]) / (len(frames) - 1)
    lps[:3, 3] = positions[0]
    affine = np.eye(4)
    affine[:3] = _LPS_TO_RAS @ lps[:3]
    first = datasets[frames[0].dataset]
    files = tuple(dict.fromkeys(series.files[f.dataset] for f in frames))
    return DicomVolume(
        image=nib.Nifti1Image(volume, affine), study_uid=str(getattr(first, "StudyInstanceUID", "")),
        series_uid=series.uid, frame_of_reference_uid=str(getattr(first, "FrameOfReferenceUID", "")),
        sop_instance_uids=tuple(str(datasets[f.dataset].SOPInstanceUID) for f in frames),
        source_files=files)
