"""NIfTI reading and writing with RAS reorientation (nnU-Net ``NibabelIOWithReorient``, spec §4.1, §4.9).

``read_volume`` returns the **RAS array**: the image reoriented to the closest canonical RAS
orientation (axis flips and permutations only; oblique rotations stay in the affine) and then
axis-reversed, so array axes are ``(A0, A1, A2) = (S, A, R)``. ``write_mask`` undoes both steps
so that masks land on the same world-space voxels as the input, with the input's affine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import nibabel as nib
import numpy as np
from nibabel.orientations import (
    apply_orientation,
    axcodes2ornt,
    inv_ornt_aff,
    io_orientation,
    ornt2axcodes,
    ornt_transform,
)

from voxtell.errors import InvalidInputError

NIFTI_SUFFIXES = (".nii.gz", ".nii")
# The header fields that place a NIfTI image in the world, copied from the input to every mask.
_SPACE_FIELDS = ("qform_code", "sform_code", "quatern_b", "quatern_c", "quatern_d", "qoffset_x", "qoffset_y",
                 "qoffset_z", "srow_x", "srow_y", "srow_z", "xyzt_units")


@dataclass(frozen=True)
class VolumeGeometry:
    """What is needed to write a result back in the file's own orientation.

    Attributes:
        original_affine: the file's affine (4x4).
        reoriented_affine: affine of the RAS-reoriented image, before the axis reversal.
        spacing: voxel size in mm in RAS-array axis order ``(A0, A1, A2)``.
        file_shape: spatial shape in file order.
        ras_shape: spatial shape of the RAS array.
        axcodes: the file's orientation codes, e.g. ``('L', 'P', 'S')``.
        file_ornt: ``io_orientation(original_affine)``, kept so that writing need not redo it.
        nifti_space: the file header's qform and sform (with their codes), ``pixdim[0:4]`` and
            units, written unchanged into every mask (``None``: nibabel's defaults from the affine).
    """

    original_affine: np.ndarray
    reoriented_affine: np.ndarray
    spacing: tuple[float, float, float]
    file_shape: tuple[int, int, int]
    ras_shape: tuple[int, int, int]
    axcodes: tuple[str, str, str]
    file_ornt: np.ndarray  # nibabel orientation file -> RAS (``io_orientation``)
    nifti_space: dict[str, Any] | None = field(default=None, compare=False, repr=False)

    def file_index(self, ras_index: tuple[int, int, int] | list[int]) -> tuple[int, int, int]:
        """The file voxel ``(i, j, k)`` of RAS-array voxel ``(a0, a1, a2)``."""
        ras_xyz = (int(ras_index[2]), int(ras_index[1]), int(ras_index[0]))
        out = [0, 0, 0]
        for axis, (target, flip) in enumerate(self.file_ornt):
            value = ras_xyz[int(target)]
            out[axis] = value if flip > 0 else self.file_shape[axis] - 1 - value
        return out[0], out[1], out[2]

    def file_box(self, ras_box: list[list[int]]) -> list[list[int]]:
        """A half-open box ``[[lo, hi], ...]`` per RAS-array axis ``(A0, A1, A2)`` as the same
        box per file voxel axis ``(i, j, k)``."""
        out: list[list[int]] = [[0, 0], [0, 0], [0, 0]]
        for axis, (target, flip) in enumerate(self.file_ornt):
            lo, hi = (int(v) for v in ras_box[2 - int(target)])
            out[axis] = [lo, hi] if flip > 0 else [self.file_shape[axis] - hi, self.file_shape[axis] - lo]
        return out

    def world_mm(self, file_index: tuple[int, int, int]) -> list[float]:
        """World (RAS, mm) position of the centre of a file voxel, through the file's affine."""
        return [float(v) for v in (self.original_affine @ [*file_index, 1.0])[:3]]

    def same_grid(self, other: VolumeGeometry, atol: float = 1e-3) -> bool:
        """Whether ``other`` has the same RAS shape and (within ``atol`` mm) the same affine:
        a mask on one grid lands voxel for voxel on the other."""
        return self.ras_shape == other.ras_shape and bool(
            np.allclose(self.original_affine, other.original_affine, atol=atol))


@dataclass(frozen=True)
class LoadedVolume:
    """A volume as the engine sees it: ``data`` float32 ``(A0, A1, A2)`` RAS array + geometry."""

    data: np.ndarray
    geometry: VolumeGeometry


def is_nifti_path(path: str | Path) -> bool:
    return str(path).lower().endswith(NIFTI_SUFFIXES)


def _geometry(img: nib.spatialimages.SpatialImage) -> VolumeGeometry:
    """The geometry ``img.as_reoriented(io_orientation(img.affine))`` would give, without
    building that image (nibabel recomputes headers, qforms and orientations on the way)."""
    affine = np.asarray(img.affine, dtype=np.float64)
    if not np.all(np.isfinite(affine)) or abs(np.linalg.det(affine[:3, :3])) < 1e-12:
        raise InvalidInputError("the image affine is not finite and invertible")
    ornt = io_orientation(affine)
    file_shape = tuple(int(s) for s in img.shape[:3])
    if _is_identity(ornt):
        reoriented_affine, zooms = affine, tuple(float(z) for z in img.header.get_zooms()[:3])
    else:
        reoriented_affine = affine @ inv_ornt_aff(ornt, file_shape)
        # nibabel's reoriented header takes its zooms from the new affine (``set_qform``), as float32
        norms = np.sqrt(np.sum(reoriented_affine[:3, :3] ** 2, axis=0)).astype(np.float32)
        zooms = tuple(float(z) for z in norms)
    ras_xyz = [0, 0, 0]
    for axis, (target, _) in enumerate(ornt):
        ras_xyz[int(target)] = file_shape[axis]
    return VolumeGeometry(
        original_affine=affine,
        reoriented_affine=np.asarray(reoriented_affine, dtype=np.float64),
        spacing=(zooms[2], zooms[1], zooms[0]),
        file_shape=(file_shape[0], file_shape[1], file_shape[2]),
        ras_shape=(ras_xyz[2], ras_xyz[1], ras_xyz[0]),
        axcodes=tuple(ornt2axcodes(ornt)),  # type: ignore[arg-type]
        file_ornt=ornt,
        nifti_space=_nifti_space(img.header),
    )


def _nifti_space(header: Any) -> dict[str, Any] | None:
    """The world-placing fields of a NIfTI-1/-2 header (see ``_SPACE_FIELDS``), or None."""
    if not isinstance(header, nib.Nifti1Header):  # Nifti2Header is a subclass
        return None
    space = {key: np.array(header[key]) for key in _SPACE_FIELDS}
    space["pixdim"] = np.array(header["pixdim"][:4])
    return space


def _is_identity(ornt: np.ndarray) -> bool:
    return bool(np.array_equal(ornt, [[0, 1], [1, 1], [2, 1]]))


def _squeeze_to_3d(img: nib.spatialimages.SpatialImage) -> nib.spatialimages.SpatialImage:
    shape = img.shape
    if len(shape) == 4 and shape[3] == 1:
        return img.slicer[..., 0]
    if len(shape) != 3:
        raise InvalidInputError(
            f"only 3-D images are supported, this one has {len(shape)} dimensions {tuple(shape)}")
    return img


def read_volume(path: str | Path, *, confined: bool = False) -> LoadedVolume:
    """Read a NIfTI (or NRRD / MetaImage ``.mha``) file into a float32 RAS array ``(A0, A1, A2)``.

    Scaling is applied. A 4-D file with a single volume is accepted as 3-D; any other
    dimensionality raises :class:`InvalidInputError`. ``confined``: read nothing but ``path``
    (an NRRD/MetaImage header naming another data file raises ``UnsafeInputError``); what a
    server must do with uploads.
    """
    from voxtell.io.itk import is_itk_path, load_itk_as_nifti

    try:
        img = load_itk_as_nifti(path, confined=confined) if is_itk_path(path) else _load_nifti(Path(path))
    except (FileNotFoundError, InvalidInputError):
        raise
    except Exception as exc:  # nibabel raises many types for corrupt files
        raise InvalidInputError(f"cannot read the image as NIfTI: {exc}") from None
    if not isinstance(img, nib.spatialimages.SpatialImage):
        raise InvalidInputError("the file is not a spatial image")
    return volume_from_image(img)


def _load_nifti(path: Path) -> nib.spatialimages.SpatialImage:
    """``nib.load``, but a gzip-compressed NIfTI is inflated with ISA-L (3-5x faster than zlib,
    which made reading gzip-bound); anything unusual falls back to nibabel itself."""
    if path.suffix == ".gz" and path.is_file():
        from isal import igzip

        try:
            raw = igzip.decompress(path.read_bytes())
        except Exception:  # noqa: BLE001 - nibabel will report it in its own words
            return cast(nib.spatialimages.SpatialImage, nib.load(str(path)))
        image = _image_from_bytes(raw)
        if image is not None:
            return image
    return cast(nib.spatialimages.SpatialImage, nib.load(str(path)))


def _image_from_bytes(raw: bytes) -> nib.spatialimages.SpatialImage | None:
    """A NIfTI-1/-2 image from uncompressed file bytes, or None if the header size is neither."""
    for order in ("little", "big"):
        size = int.from_bytes(raw[:4], order)  # type: ignore[arg-type]
        if size == 348:
            return cast(nib.spatialimages.SpatialImage, nib.Nifti1Image.from_bytes(raw))
        if size == 540:
            return cast(nib.spatialimages.SpatialImage, nib.Nifti2Image.from_bytes(raw))
    return None


def volume_from_bytes(raw: bytes) -> LoadedVolume:
    """``read_volume`` for the bytes of an uncompressed NIfTI file (e.g. kept by validation)."""
    try:
        image = _image_from_bytes(raw)
    except Exception as exc:  # nibabel raises many types for corrupt files
        raise InvalidInputError(f"cannot read the image as NIfTI: {exc}") from None
    if image is None:
        raise InvalidInputError("cannot read the image as NIfTI: unrecognised header")
    return volume_from_image(image)


def volume_from_image(img: nib.spatialimages.SpatialImage) -> LoadedVolume:
    """An in-memory nibabel image (any orientation) -> RAS array + geometry, as ``read_volume``."""
    img = _squeeze_to_3d(img)
    geometry = _geometry(img)
    try:
        ornt = geometry.file_ornt
        if _is_identity(ornt):
            data = np.asarray(img.get_fdata(dtype=np.float32), dtype=np.float32)
        else:  # what ``as_reoriented(ornt).get_fdata(float32)`` computes, in one step
            data = apply_orientation(np.asanyarray(img.dataobj), ornt).astype(np.float32, copy=False)
    except Exception as exc:
        raise InvalidInputError(f"cannot read the image voxels: {exc}") from None
    return LoadedVolume(data=np.ascontiguousarray(data.transpose(2, 1, 0)), geometry=geometry)


def to_file_order(mask: np.ndarray, geometry: VolumeGeometry) -> tuple[np.ndarray, np.ndarray, np.dtype]:
    """The mask as a (view of an) array in the file's voxel order, its affine and dtype.

    The voxels and affine of nnU-Net's write-back (a RAS image, then ``as_reoriented`` to the
    original orientation) without copying the voxels. The dtype is uint8 for labels up to 254,
    else uint16.
    """
    if mask.ndim != 3 or tuple(mask.shape) != geometry.ras_shape:
        raise ValueError(f"mask shape {mask.shape} does not match the volume {geometry.ras_shape}")
    dtype = np.dtype(np.uint8 if int(mask.max(initial=0)) < 255 else np.uint16)
    ras_xyz = mask.transpose(2, 1, 0)
    back = ornt_transform(axcodes2ornt("RAS"), geometry.file_ornt)
    affine = geometry.reoriented_affine @ inv_ornt_aff(back, ras_xyz.shape)
    return apply_orientation(ras_xyz, back), affine, dtype


def write_mask(mask: np.ndarray, geometry: VolumeGeometry, path: str | Path, compresslevel: int = 1) -> Path:
    """Write a ``(A0, A1, A2)`` mask or label map in the file's original orientation and affine.

    The header carries the input's qform and sform with their codes (``geometry.nifti_space``;
    for other inputs nibabel's, from the affine: sform code 2, as nnU-Net writes); the voxels are
    written straight from the array in Fortran order, gzip level 1 for ``.nii.gz`` (masks
    compress well and this is several times faster than nibabel's chunked writer), compressed
    with ISA-L (levels 0-3; a standard gzip stream, several times faster than zlib).
    """
    from isal import igzip

    path = Path(path)
    data, affine, dtype = to_file_order(mask, geometry)
    img = nib.Nifti1Image(np.zeros((1, 1, 1), dtype), affine)
    header = img.header
    header.set_data_shape(data.shape)
    header.set_data_dtype(dtype)
    header["vox_offset"] = 352
    if geometry.nifti_space is not None:
        for key, value in geometry.nifti_space.items():
            if key == "pixdim":
                pixdim = np.array(header["pixdim"])
                pixdim[:4] = value
                header["pixdim"] = pixdim
            else:
                header[key] = value
    payload = [header.binaryblock, b"\x00" * 4, np.asarray(data, dtype=dtype).tobytes(order="F")]
    if str(path).endswith(".gz"):
        with igzip.IGzipFile(path, "wb", compresslevel=min(max(compresslevel, 0), 3), mtime=0) as f:
            for part in payload:
                f.write(part)
    else:
        with path.open("wb") as f:
            for part in payload:
                f.write(part)
    return path


def volume_summary(volume: LoadedVolume) -> dict:
    """What a client needs to know about an uploaded volume (file order for shape/spacing);
    ``modality``/``intensity_unit`` are ``"CT"``/``"HU"`` for HU-like intensities (see
    :func:`looks_like_hu`), else ``None`` (a DICOM upload says its modality itself)."""
    geo = volume.geometry
    data = volume.data
    low = float(data.min()) if data.size else 0.0
    high = float(data.max()) if data.size else 0.0
    ct = looks_like_hu(data, low, high)
    return {
        "shape": list(geo.file_shape),
        "ras_shape": list(geo.ras_shape),
        "spacing": [float(s) for s in np.sqrt((geo.original_affine[:3, :3] ** 2).sum(axis=0))],
        "orientation": "".join(geo.axcodes),
        "intensity_min": low,
        "intensity_max": high,
        "affine": [[float(v) for v in row] for row in geo.original_affine],
        "modality": "CT" if ct else None,
        "intensity_unit": "HU" if ct else None,
    }


def looks_like_hu(data: np.ndarray, low: float, high: float) -> bool:
    """Whether intensities look like CT Hounsfield units: whole numbers, air (min <= -900) and
    bone or contrast (max >= 300) present. Checked a slab at a time (no copy of the volume)."""
    if low > -900 or high < 300:
        return False
    if np.issubdtype(data.dtype, np.integer):
        return True
    step = max(1, (1 << 24) // max(1, int(np.prod(data.shape[1:]))))
    return all(bool(np.all(np.equal(np.mod(data[i:i + step], 1), 0))) for i in range(0, data.shape[0], step))
