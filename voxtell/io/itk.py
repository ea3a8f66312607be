"""NRRD and MetaImage (.nrrd, .nhdr-free single files, .mha) input through SimpleITK.

Both formats let a header name another file that holds the voxels (MetaImage
``ElementDataFile = /path``, ``LIST`` or a ``%d`` pattern; NRRD ``data file:``). A server must
never follow those: :func:`check_local_data` reads the header text itself and refuses any data
file but the one being read (``confined=True``, what ``validate_itk`` and ``read_volume(...,
confined=True)`` do). The CLI reads a user's own detached files on the user's own machine.

ITK stores geometry in LPS: ``world_LPS = origin + D · diag(spacing) · [i, j, k]``. NIfTI-style
affines are RAS, so the affine is ``diag(-1, -1, 1) · [D · diag(spacing) | origin]``. The
volume then takes the same path as a NIfTI file (reorientation to the RAS array), and masks
are written as NIfTI with that affine: the same world-space voxels.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nibabel as nib
import numpy as np

from voxtell.errors import InvalidInputError, UnsafeInputError

ITK_SUFFIXES = (".nrrd", ".mha")
_LPS_TO_RAS = np.diag([-1.0, -1.0, 1.0])
_IMAGE_IO = {".nrrd": "NrrdImageIO", ".mha": "MetaImageIO"}
_MAX_HEADER_BYTES = 64 << 10


def is_itk_path(path: str | Path) -> bool:
    return str(path).lower().endswith(ITK_SUFFIXES)


def sniff_itk_format(head: bytes) -> str | None:
    """``.nrrd`` / ``.mha`` from a file's first bytes, else ``None``."""
    if head.startswith(b"NRRD000"):
        return ".nrrd"
    if head.lstrip().startswith((b"ObjectType = Image", b"NDims")):
        return ".mha"
    return None


def _header_lines(head: bytes, end_key: str | None) -> list[str]:
    """The header's lines, up to a blank line (NRRD) or the ``end_key`` line (MetaImage)."""
    lines = []
    for raw in head.split(b"\n"):
        line = raw.rstrip(b"\r").decode("latin-1")
        if end_key is None and not line.strip():
            break  # NRRD: the header ends at the first blank line
        lines.append(line)
        if end_key is not None and line.split("=", 1)[0].strip().lower() == end_key:
            break  # MetaImage: the data start after ElementDataFile
    return lines


def check_local_data(path: str | Path) -> None:
    """Refuse an NRRD/MetaImage file whose header points at any other file.

    MetaImage: ``ElementDataFile`` must be ``LOCAL`` (exactly as MetaIO spells it). NRRD: no
    ``data file`` / ``datafile`` field (detached data, ``LIST`` and patterns included).

    Raises:
        UnsafeInputError: naming the field; InvalidInputError: no recognisable header.
    """
    with open(path, "rb") as f:
        head = f.read(_MAX_HEADER_BYTES)
    kind = sniff_itk_format(head)
    if kind is None:
        raise InvalidInputError("the file is neither an NRRD nor a MetaImage file")
    if kind == ".nrrd":
        lines = _header_lines(head, None)
        if len(b"\n".join(line.encode("latin-1") for line in lines)) >= len(head) - 1:
            raise InvalidInputError("the NRRD header has no end (a blank line) within its first 64 kB")
        for line in lines[1:]:
            if line.startswith("#") or ":=" in line.split(": ", 1)[0]:
                continue  # comments and key/value pairs are never read as fields
            name = line.split(":", 1)[0].strip().lower()
            if name in ("data file", "datafile"):
                raise UnsafeInputError("the NRRD header names a separate data file ('data file:'); "
                                       "only NRRD files with the voxels inside (attached) are accepted")
        return
    data_file = [line.split("=", 1)[1].strip() if "=" in line else ""
                 for line in _header_lines(head, "elementdatafile")
                 if line.split("=", 1)[0].strip().lower() == "elementdatafile"]
    if data_file != ["LOCAL"]:
        raise UnsafeInputError("the MetaImage header names a separate data file (ElementDataFile must be "
                               "LOCAL); only .mha files with the voxels inside are accepted")


def _reader(path: str | Path) -> object:
    """A SimpleITK reader for ``path`` that uses the image IO its suffix names, never another
    (ITK would otherwise ask every IO it knows whether it can read the file)."""
    import SimpleITK as sitk

    reader = sitk.ImageFileReader()
    reader.SetFileName(str(path))
    io = next((name for suffix, name in _IMAGE_IO.items() if str(path).lower().endswith(suffix)), None)
    if io is not None:
        reader.SetImageIO(io)
    return reader


def itk_header(path: str | Path) -> tuple[tuple[int, ...], int, str]:
    """(size in ITK order i, j, k; components; pixel type) from the header only."""
    import SimpleITK as sitk

    reader: Any = _reader(path)
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


def load_itk_as_nifti(path: str | Path, *, confined: bool = False) -> nib.Nifti1Image:
    """Read a 3-D scalar NRRD/MHA file as an in-memory NIfTI image with the equivalent affine.

    ``confined``: refuse a header that names another data file (see :func:`check_local_data`).
    """
    import SimpleITK as sitk

    if confined:
        check_local_data(path)
    size, components, _ = itk_header(path)
    if len(size) != 3:
        raise InvalidInputError(f"only 3-D images are supported, this one has {len(size)} dimension(s)")
    if components != 1:
        raise InvalidInputError(f"only scalar images are supported, this one has {components} components")
    reader: Any = _reader(path)
    try:
        image = reader.Execute()
    except RuntimeError:
        raise InvalidInputError("cannot read the NRRD/MetaImage voxel data") from None
    data = sitk.GetArrayFromImage(image).transpose(2, 1, 0)  # (k, j, i) -> (i, j, k)
    affine = itk_affine(image.GetSpacing(), image.GetDirection(), image.GetOrigin())
    return nib.Nifti1Image(np.asarray(data), affine)


def validate_itk(path: str | Path, *, max_voxels: int) -> tuple[tuple[int, int, int], str]:
    """Header-only checks of an NRRD/MHA upload: voxels inside the file, 3-D, scalar, within
    the voxel limit.

    Raises:
        UnsafeInputError: the header names another data file; InvalidInputError: otherwise bad.
    """
    check_local_data(path)
    size, components, pixel = itk_header(path)
    if len(size) != 3:
        raise InvalidInputError(f"only 3-D images are supported, this one has {len(size)} dimension(s)")
    if components != 1:
        raise InvalidInputError(f"only scalar images are supported, this one has {components} components")
    voxels = int(np.prod(size, dtype=np.int64))
    if voxels <= 0 or voxels > max_voxels:
        raise InvalidInputError(f"the image has {voxels} voxels {size}; the limit is {max_voxels}")
    return (size[0], size[1], size[2]), pixel
