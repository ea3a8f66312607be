"""DICOM SEG export (highdicom) of masks on a DICOM-sourced volume.

Masks arrive in the stored volume's voxel order ``(i = column, j = row, k = slice)``, where
slice ``k`` is the ``k``-th source image sorted along the slice normal — the order in which
the source headers are given here. Each mask becomes one segment labelled with its name and,
when colours are given, carrying its recommended display colour (CIELab, from ``[r, g, b]``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

import voxtell

UTF8 = "ISO_IR 192"
_TYPE2_COPIED = ("PatientName", "PatientID", "PatientBirthDate", "PatientSex", "StudyDate", "StudyTime",
                 "ReferringPhysicianName", "AccessionNumber", "StudyID")


def write_dicom_seg(masks: Sequence[np.ndarray], names: Sequence[str], source_headers: Sequence[Path],
                    path: Path, colors: Sequence[Sequence[int]] | None = None, *,
                    model_name: str | None = None, origins: Sequence[str] | None = None,
                    descriptions: Sequence[str | None] | None = None) -> Path:
    """Write a binary DICOM SEG referencing the source series; returns ``path``.

    ``masks[i]`` is ``(i = column, j = row, k = sorted slice)``; segment ``i + 1`` is labelled
    ``names[i]`` (at most 64 characters) with ``colors[i]`` (``[r, g, b]`` 0..255) as its
    RecommendedDisplayCIELabValue. A segment's algorithm type is ``origins[i]``: ``AUTOMATIC``
    (the default) and ``SEMIAUTOMATIC`` (a person edited the model's mask) name the algorithm
    "VoxTell" (family: artificial intelligence, version ``voxtell.__version__``), ``MANUAL`` (drawn
    by a person) none; ``descriptions[i]`` is its SegmentDescription (what the reviewer changed).
    ``model_name`` is the ManufacturerModelName ("VoxTell" without it)."""
    import highdicom as hd
    import pydicom
    from pydicom.sr.codedict import codes

    from voxtell.io.dicom_frames import frame_count, is_multiframe
    from voxtell.io.rtstruct import check_origins, source_planes

    sources = [pydicom.dcmread(str(p)) for p in source_headers]
    multiframe = len(sources) == 1 and is_multiframe(sources[0]) and frame_count(sources[0]) > 1
    for ds in sources:  # highdicom reads the source geometry only; the stored copies carry no pixels
        for keyword in _TYPE2_COPIED:  # type-2: must be present, may be empty
            if keyword not in ds:
                setattr(ds, keyword, "")
        if not multiframe and ("SliceThickness" not in ds or not ds.SliceThickness):
            ds.SliceThickness = _slice_spacing(sources)
        if "PixelData" not in ds:
            ds.PixelData = b"\0" * (int(ds.Rows) * int(ds.Columns) * int(ds.BitsAllocated) // 8 * frame_count(ds))
    frames = np.stack([np.asarray(m).transpose(2, 1, 0) > 0 for m in masks], axis=-1)  # (k, row, col, segment)
    planes = source_planes(sources)
    if frames.shape[0] != len(planes) or frames.shape[1:3] != (int(sources[0].Rows), int(sources[0].Columns)):
        raise ValueError(f"masks of shape {frames.shape[:3]} do not match the {len(planes)} source image planes")
    if multiframe:  # a multi-frame source: its frames in stored order, not sorted along the normal
        stored = np.empty_like(frames)
        stored[[int(number or 1) - 1 for _, number, _ in planes]] = frames
        frames = stored
    algorithm = hd.AlgorithmIdentificationSequence(
        name="VoxTell", family=codes.cid7162.ArtificialIntelligence, version=voxtell.__version__)
    kinds = check_origins(origins, len(names))
    segments = []
    for i, name in enumerate(names):
        segment = hd.seg.SegmentDescription(
            segment_number=i + 1, segment_label=name[:64],
            display_color=hd.color.CIELabColor.from_rgb(*(int(c) for c in colors[i])) if colors else None,
            segmented_property_category=codes.SCT.AnatomicalStructure,
            segmented_property_type=codes.SCT.AnatomicalStructure,
            algorithm_type=hd.seg.SegmentAlgorithmTypeValues(kinds[i]),
            algorithm_identification=None if kinds[i] == "MANUAL" else algorithm)
        if descriptions and descriptions[i]:
            segment.SegmentDescription = str(descriptions[i])[:1024]  # ST
        segments.append(segment)
    seg = hd.seg.Segmentation(
        source_images=sources, pixel_array=frames.astype(np.uint8), segmentation_type=hd.seg.SegmentationTypeValues.BINARY,
        segment_descriptions=segments, series_instance_uid=hd.UID(), series_number=9000,
        sop_instance_uid=hd.UID(), instance_number=1, manufacturer="VoxTell Web",
        manufacturer_model_name=(model_name or "VoxTell")[:64], software_versions=voxtell.__version__,
        device_serial_number="none", series_description="VoxTell segmentation - review before clinical use",
        omit_empty_frames=False)
    if not all(name.isascii() for name in names):
        seg.SpecificCharacterSet = UTF8  # names beyond ASCII are written as they are, not as "?"
    seg.save_as(str(path))
    return path


def write_dicom_seg_from_files(mask_files: Sequence[Path], names: Sequence[str], source_headers: Sequence[Path],
                               path: Path, colors: Sequence[Sequence[int]] | None = None, *,
                               model_name: str | None = None, origins: Sequence[str] | None = None,
                               descriptions: Sequence[str | None] | None = None) -> Path:
    """Same as :func:`write_dicom_seg` for masks stored as NIfTI files in the volume's voxel order."""
    import nibabel as nib

    masks = [np.asarray(nib.load(str(f)).dataobj) for f in mask_files]  # type: ignore[attr-defined]
    return write_dicom_seg(masks, names, source_headers, path, colors, model_name=model_name, origins=origins,
                           descriptions=descriptions)


def write_rtstruct_from_files(mask_files: Sequence[Path], names: Sequence[str], source_headers: Sequence[Path],
                              path: Path, colors: Sequence[Sequence[int]] | None = None, *,
                              interpreted_types: Sequence[str] | None = None,
                              model_name: str | None = None, origins: Sequence[str] | None = None,
                              descriptions: Sequence[str | None] | None = None) -> Path:
    """RTSTRUCT for masks stored as NIfTI files in the volume's voxel order (ROI names ``names``,
    ROI display colours ``colors``, the other arguments as in :func:`voxtell.io.rtstruct.write_rtstruct`)."""
    import nibabel as nib

    from voxtell.io.rtstruct import write_rtstruct

    masks = [np.asarray(nib.load(str(f)).dataobj) for f in mask_files]  # type: ignore[attr-defined]
    return write_rtstruct(masks, names, source_headers, path, colors, interpreted_types=interpreted_types,
                          model_name=model_name, origins=origins, descriptions=descriptions)


def save_source_headers(files: Sequence[Path], folder: Path) -> list[Path]:
    """Header-only copies (no pixel data) of the sorted source slices, kept for export."""
    import pydicom

    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i, f in enumerate(files):
        ds = pydicom.dcmread(str(f), stop_before_pixels=True)
        target = folder / f"{i:05d}.dcm"
        ds.save_as(str(target))
        out.append(target)
    return out


def _slice_spacing(sources: Sequence[Any]) -> float:
    positions = np.asarray([ds.ImagePositionPatient for ds in sources[:2]], float)
    return float(np.linalg.norm(positions[1] - positions[0])) if len(positions) == 2 else 1.0
