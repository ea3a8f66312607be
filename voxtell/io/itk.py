"""NRRD and MetaImage (.nrrd, .nhdr-free single files, .mha) input through SimpleITK.

ITK stores geometry in LPS: ``world_LPS = origin + D · diag(spacing) · [i, j, k]``. NIfTI-style
affines are RAS, so the affine is ``diag(-1, -1, 1) · [D · diag(spacing) | origin]``. The
volume then takes the same path as a NIfTI file (reorientation to the RAS array), and masks
are written as NIfTI with that affine: the same world-space voxels.
"""

from __future__ import annotations

from pathlib import Path

import nibabel as nib
import numpy as np

from voxtell.inference.exceptions import InvalidInputError

ITK_SUFFIXES = (".nrrd", ".mha")
_LPS_TO_RAS = np.diag([-1.0, -1.0, 1.0])


def is_itk_path(path: str | Path) -> bool:
    return str(path).lower().endswith(ITK_SUFFIXES)


def sniff_itk_format(head: bytes) -> str | None:
    """``.nrrd`` / ``.mha`` from a file's first bytes, else ``None``."""
    if head.startswith(b"NRRD000"):
        return ".nrrd"
    if head.lstrip().startswith((b"ObjectType = Image", b"NDims")):
        return ".mha"
    return None


def itk_header(path: str | Path) -> tuple[tuple[int, ...], int, str]:
    """(size in ITK order i, j, k; components; pixel type) from the header only."""
    import SimpleITK as sitk

    reader = sitk.ImageFileReader()
    reader.SetFileName(str(path))
    try:
        reader.ReadImageInformation()
    except RuntimeError:
        raise InvalidInputError("cannot read the file's NRRD/MetaImage header") from None
    return tuple(int(s) for s in reader.GetSize()), int(reader.GetNumberOfComponents()), \
        sitk.GetPixelIDValueAsString(reader.GetPixelID())


def itk_affine(spacing: tuple[float, ...], direction: tuple[float, ...], origin: tuple[float, ...]) -> np.ndarray:
    """4x4 RAS affine of an ITK image (3-D)."""
    affine = np.eye(4)
    affine[:3, :3] = _LPS_TO_RAS @ np.asarray(direction, float).reshape(3, 3) @ np.diag(spacing)
    affine[:3, 3] = _LPS_TO_RAS @ np.asarray(origin, float)
    return affine


def load_itk_as_nifti(path: str | Path) -> nib.Nifti1Image:
    """Read a 3-D scalar NRRD/MHA file as an in-memory NIfTI image with the equivalent affine."""
    import SimpleITK as sitk

    size, components, _ = itk_header(path)
    if len(size) != 3:
        raise InvalidInputError(f"only 3-D images are supported, this one has {len(size)} dimension(s)")
    if components != 1:
        raise InvalidInputError(f"only scalar images are supported, this one has {components} components")
    try:
        image = sitk.ReadImage(str(path))
    except RuntimeError:
        raise InvalidInputError("cannot read the NRRD/MetaImage voxel data") from None
    data = sitk.GetArrayFromImage(image).transpose(2, 1, 0)  # (k, j, i) -> (i, j, k)
    affine = itk_affine(image.GetSpacing(), image.GetDirection(), image.GetOrigin())
    return nib.Nifti1Image(np.asarray(data), affine)


def validate_itk(path: str | Path, *, max_voxels: int) -> tuple[tuple[int, int, int], str]:
    """Header-only checks of an NRRD/MHA upload: 3-D, scalar, within the voxel limit."""
    size, components, pixel = itk_header(path)
    if len(size) != 3:
        raise InvalidInputError(f"only 3-D images are supported, this one has {len(size)} dimension(s)")
    if components != 1:
        raise InvalidInputError(f"only scalar images are supported, this one has {components} components")
    voxels = int(np.prod(size, dtype=np.int64))
    if voxels <= 0 or voxels > max_voxels:
        raise InvalidInputError(f"the image has {voxels} voxels {size}; the limit is {max_voxels}")
    return (size[0], size[1], size[2]), pixel
