"""RTSTRUCT export: one ROI per mask, closed planar contours on the source slices (pydicom).

Contours are the inset pixel-edge polygons of :mod:`voxtell.io.contours` (filled back to the
mask both by the DICOM even-odd rule on pixel centres and by readers that round to pixels),
mapped to patient coordinates (LPS, mm) with the slice's own position and orientation, so
they land on the source images whatever the series orientation. Holes are separate contours.

The structure set is marked as an unapproved AI draft (StructureSetLabel, SeriesDescription,
ApprovalStatus ``UNAPPROVED``, ROIGenerationAlgorithm ``AUTOMATIC``, Contributing Equipment
naming the software). ContourData values are decimal strings of at most 16 bytes; a file
whose longest contour would not fit a 2-byte explicit-VR length (65534 bytes) is written in
Implicit VR Little Endian rather than with the element turned into ``UN``.
"""

from __future__ import annotations

import datetime as _dt
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

import voxtell
from voxtell.io.contours import ds_text, slice_polygons, to_patient

RT_STRUCTURE_SET_STORAGE = "1.2.840.10008.5.1.4.1.1.481.3"
STRUCTURE_SET_LABEL = "VoxTell AI draft"  # SH: at most 16 characters
SERIES_DESCRIPTION = "VoxTell auto-contours - review before clinical use"
MANUFACTURER = "VoxTell Web"
INTERPRETED_TYPES = frozenset({
    "EXTERNAL", "PTV", "CTV", "GTV", "AVOIDANCE", "ORGAN", "MARKER", "REGISTRATION", "ISOCENTER",
    "CONTRAST_AGENT", "CAVITY", "BRACHY_CHANNEL", "BRACHY_ACCESSORY", "BRACHY_SRC_APP", "BRACHY_CHNL_SHLD",
    "SUPPORT", "FIXATION", "DOSE_REGION", "CONTROL"})
#: Display colours for structures without one: picked by a checksum of the name, so a
#: structure keeps its colour from one export to the next.
PALETTE = ((230, 25, 75), (60, 180, 75), (255, 225, 25), (0, 130, 200), (245, 130, 48), (145, 30, 180),
           (70, 240, 240), (240, 50, 230), (210, 245, 60), (250, 190, 212), (0, 128, 128), (170, 110, 40))
MAX_EXPLICIT_LENGTH = 65534
_COPIED = ("PatientName", "PatientID", "PatientBirthDate", "PatientSex", "StudyInstanceUID", "StudyDate",
           "StudyTime", "StudyID", "ReferringPhysicianName", "AccessionNumber")


def slice_contours(mask2d: np.ndarray) -> list[np.ndarray]:
    """(rows, cols) mask -> list of (n, 2) (row, col) closed contours in pixel coordinates."""
    return slice_polygons(mask2d)


def stable_color(name: str) -> list[int]:
    """``[r, g, b]`` for a structure named ``name``: the same name always gets the same colour."""
    return list(PALETTE[zlib.crc32(name.strip().lower().encode()) % len(PALETTE)])


ORIGINS = ("AUTOMATIC", "SEMIAUTOMATIC", "MANUAL")


def check_origins(origins: Sequence[str] | None, count: int) -> list[str]:
    """How each of ``count`` structures was made (DICOM's ROI Generation Algorithm / Segment
    Algorithm Type): ``AUTOMATIC`` for all without ``origins``; a value not in ``ORIGINS`` raises."""
    if origins is None:
        return ["AUTOMATIC"] * count
    if len(origins) != count:
        raise ValueError(f"{len(origins)} origins for {count} structures")
    for origin in origins:
        if origin not in ORIGINS:
            raise ValueError(f"origin {origin!r} is not one of {', '.join(ORIGINS)}")
    return list(origins)


def check_interpreted_types(types: Sequence[str] | None, count: int) -> list[str]:
    """One RTROIInterpretedType per structure (``ORGAN`` without ``types``); unknown values
    and a wrong count raise ValueError."""
    if types is None:
        return ["ORGAN"] * count
    if len(types) != count:
        raise ValueError(f"{len(types)} interpreted types for {count} structures")
    out = [str(t).strip().upper() for t in types]
    for given, value in zip(types, out):
        if value not in INTERPRETED_TYPES:
            raise ValueError(f"unknown RT ROI interpreted type {given!r}; "
                             f"allowed: {', '.join(sorted(INTERPRETED_TYPES))}")
    return out


def _image_ref(src: Any, frame_number: int | None = None) -> Any:
    from pydicom.dataset import Dataset

    item = Dataset()
    item.ReferencedSOPClassUID, item.ReferencedSOPInstanceUID = src.SOPClassUID, src.SOPInstanceUID
    if frame_number is not None:
        item.ReferencedFrameNumber = frame_number
    return item


def source_planes(sources: Sequence[Any]) -> list[tuple[Any, int | None, Any]]:
    """The image planes of the (sorted) source headers, in mask slice order: ``(dataset, frame
    number or None, geometry)``; a single multi-frame image gives its frames sorted along the
    slice normal (as :func:`voxtell.io.dicom.load_series` stacks them)."""
    from types import SimpleNamespace

    from voxtell.io.dicom_frames import frame_count, frames_of, is_multiframe

    if len(sources) == 1 and is_multiframe(sources[0]) and frame_count(sources[0]) > 1:
        frames = frames_of(sources[0], 0)
        normal = np.cross(frames[0].orientation[:3], frames[0].orientation[3:])
        frames.sort(key=lambda f: float(f.position @ normal))
        planes: list[tuple[Any, int | None, Any]] = [(sources[0], f.frame + 1, f) for f in frames]
    else:
        planes = [(ds, None, frames_of(ds, n)[0]) for n, ds in enumerate(sources)]
    return [(ds, number, SimpleNamespace(ImagePositionPatient=f.position, ImageOrientationPatient=f.orientation,
                                         PixelSpacing=f.spacing)) for ds, number, f in planes]


def _equipment(model_name: str | None) -> Any:
    from pydicom.dataset import Dataset
    from pydicom.sequence import Sequence as DicomSequence

    purpose = Dataset()
    purpose.CodeValue, purpose.CodingSchemeDesignator = "109102", "DCM"
    purpose.CodeMeaning = "Processing Equipment"
    item = Dataset()
    item.PurposeOfReferenceCodeSequence = DicomSequence([purpose])
    item.Manufacturer = MANUFACTURER
    item.SoftwareVersions = str(getattr(voxtell, "__version__", "") or "")
    if model_name:
        item.ManufacturerModelName = model_name[:64]
    item.ContributionDescription = "Automatic contours from a free-text promptable segmentation model"
    return item


def write_rtstruct(masks: Sequence[np.ndarray], names: Sequence[str], source_headers: Sequence[Path],
                   path: Path, colors: Sequence[Sequence[int]] | None = None, *,
                   interpreted_types: Sequence[str] | None = None, model_name: str | None = None,
                   origins: Sequence[str] | None = None, descriptions: Sequence[str | None] | None = None) -> Path:
    """Masks ``(i = column, j = row, k = sorted slice)`` -> an RT Structure Set for the series:
    ROI ``i + 1`` named ``names[i]`` (at most 64 characters), displayed in ``colors[i]``
    (``[r, g, b]`` 0..255; a colour chosen by name without colours), of RTROIInterpretedType
    ``interpreted_types[i]`` (``ORGAN`` without them; an unknown value raises ValueError);
    ``model_name`` names the model in the Contributing Equipment. ``origins[i]`` is the ROI
    Generation Algorithm (``AUTOMATIC`` for the model's mask, ``SEMIAUTOMATIC`` for one a person
    edited, ``MANUAL`` for one drawn; ``AUTOMATIC`` without them) and ``descriptions[i]`` its ROI
    Description (what the reviewer changed; none without)."""
    import pydicom
    from pydicom.dataset import Dataset, FileDataset, FileMetaDataset
    from pydicom.sequence import Sequence as DicomSequence
    from pydicom.uid import ExplicitVRLittleEndian, ImplicitVRLittleEndian, generate_uid

    types = check_interpreted_types(interpreted_types, len(names))
    kinds = check_origins(origins, len(names))
    if len(masks) != len(names):
        raise ValueError(f"{len(masks)} masks for {len(names)} names")
    sources = [pydicom.dcmread(str(p), stop_before_pixels=True) for p in source_headers]
    first = sources[0]
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = pydicom.uid.UID(RT_STRUCTURE_SET_STORAGE)
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = FileDataset(str(path), {}, file_meta=meta, preamble=b"\0" * 128)
    for keyword in _COPIED:
        setattr(ds, keyword, getattr(first, keyword, ""))
    now = _dt.datetime.now()
    ds.SOPClassUID, ds.SOPInstanceUID = RT_STRUCTURE_SET_STORAGE, meta.MediaStorageSOPInstanceUID
    ds.Modality, ds.SeriesInstanceUID, ds.SeriesNumber = "RTSTRUCT", generate_uid(), 9001
    ds.SeriesDescription, ds.OperatorsName = SERIES_DESCRIPTION, ""
    frame_uid = str(getattr(first, "FrameOfReferenceUID", "") or "") or generate_uid()
    ds.FrameOfReferenceUID = frame_uid
    ds.PositionReferenceIndicator = getattr(first, "PositionReferenceIndicator", "") or ""
    ds.Manufacturer, ds.SoftwareVersions = MANUFACTURER, str(getattr(voxtell, "__version__", "") or "")
    if model_name:
        ds.ManufacturerModelName = model_name[:64]
    ds.ContributingEquipmentSequence = DicomSequence([_equipment(model_name)])
    ds.StructureSetLabel = STRUCTURE_SET_LABEL
    ds.StructureSetDescription = SERIES_DESCRIPTION
    ds.StructureSetDate, ds.StructureSetTime = now.strftime("%Y%m%d"), now.strftime("%H%M%S")
    ds.InstanceNumber = 1
    ds.ApprovalStatus = "UNAPPROVED"
    series_ref = Dataset()
    series_ref.SeriesInstanceUID = first.SeriesInstanceUID
    planes = source_planes(sources)
    series_ref.ContourImageSequence = DicomSequence([_image_ref(src, number) for src, number, _ in planes])
    study_ref = Dataset()
    study_ref.ReferencedSOPClassUID = "1.2.840.10008.3.1.2.3.1"
    study_ref.ReferencedSOPInstanceUID = first.StudyInstanceUID
    study_ref.RTReferencedSeriesSequence = DicomSequence([series_ref])
    frame_ref = Dataset()
    frame_ref.FrameOfReferenceUID = frame_uid
    frame_ref.RTReferencedStudySequence = DicomSequence([study_ref])
    ds.ReferencedFrameOfReferenceSequence = DicomSequence([frame_ref])
    resolution = min(float(min(g.PixelSpacing)) for _, _, g in planes)
    rois, contours, observations = [], [], []
    longest = 0
    for n, (mask, name, kind) in enumerate(zip(masks, names, types), start=1):
        roi = Dataset()
        roi.ROINumber, roi.ReferencedFrameOfReferenceUID, roi.ROIName = n, frame_uid, name[:64]
        roi.ROIGenerationAlgorithm = kinds[n - 1]
        if descriptions and descriptions[n - 1]:
            roi.ROIDescription = str(descriptions[n - 1])[:1024]  # ST
        rois.append(roi)
        items = []
        volume = np.asarray(mask)
        if volume.shape[2] != len(planes):
            raise ValueError(f"a mask has {volume.shape[2]} slices; the series has {len(planes)} image planes")
        for k, (src, number, geometry) in enumerate(planes):
            for rc in slice_contours(volume[:, :, k].T):
                c = Dataset()
                c.ContourImageSequence = DicomSequence([_image_ref(src, number)])
                c.ContourGeometricType = "CLOSED_PLANAR"
                c.NumberOfContourPoints = len(rc)
                text = ds_text(to_patient(rc, geometry), resolution)
                longest = max(longest, len(text) + len(text) % 2)
                c.add_new(0x30060050, "DS", text)  # ContourData
                items.append(c)
        contour = Dataset()
        contour.ReferencedROINumber = n
        contour.ROIDisplayColor = [int(v) for v in colors[n - 1]] if colors else stable_color(name)
        if items:
            contour.ContourSequence = DicomSequence(items)
        contours.append(contour)
        obs = Dataset()
        obs.ObservationNumber, obs.ReferencedROINumber = n, n
        obs.RTROIInterpretedType, obs.ROIInterpreter = kind, ""
        observations.append(obs)
    ds.StructureSetROISequence = DicomSequence(rois)
    ds.ROIContourSequence = DicomSequence(contours)
    ds.RTROIObservationsSequence = DicomSequence(observations)
    if not all(name.isascii() for name in names):
        ds.SpecificCharacterSet = "ISO_IR 192"  # UTF-8: names beyond ASCII are kept, not written as "?"
    if longest > MAX_EXPLICIT_LENGTH:  # explicit VR DS has a 2-byte length: never write it as UN
        meta.TransferSyntaxUID = ImplicitVRLittleEndian
    ds.save_as(str(path), enforce_file_format=True)
    return path
