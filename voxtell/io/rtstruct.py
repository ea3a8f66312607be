"""RTSTRUCT export: one ROI per mask, closed planar contours on the source slices (pydicom).

Contours follow the 0.5 iso-line of each slice's mask (scikit-image marching squares) and
are mapped to patient coordinates (LPS, mm) with the slice's own position and orientation, so
they land on the source images whatever the series orientation. Holes are separate contours.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

import voxtell

RT_STRUCTURE_SET_STORAGE = "1.2.840.10008.5.1.4.1.1.481.3"
_COPIED = ("PatientName", "PatientID", "PatientBirthDate", "PatientSex", "StudyInstanceUID", "StudyDate",
           "StudyTime", "StudyID", "ReferringPhysicianName", "AccessionNumber")


def slice_contours(mask2d: np.ndarray) -> list[np.ndarray]:
    """(rows, cols) mask -> list of (n, 2) (row, col) closed contours in pixel coordinates."""
    from skimage import measure

    if not mask2d.any():
        return []
    padded = np.pad(mask2d.astype(np.uint8), 1)
    return [c[:-1] - 1 for c in measure.find_contours(padded, 0.5) if len(c) > 3]


def _to_patient(points_rc: np.ndarray, ds: Any) -> np.ndarray:
    iop = np.asarray(ds.ImageOrientationPatient, float)
    ipp = np.asarray(ds.ImagePositionPatient, float)
    row_spacing, col_spacing = (float(v) for v in ds.PixelSpacing)
    return ipp + np.outer(points_rc[:, 1] * col_spacing, iop[:3]) + np.outer(points_rc[:, 0] * row_spacing, iop[3:])


def write_rtstruct(masks: Sequence[np.ndarray], names: Sequence[str], source_headers: Sequence[Path],
                   path: Path, colors: Sequence[Sequence[int]] | None = None) -> Path:
    """Masks ``(i = column, j = row, k = sorted slice)`` -> an RT Structure Set for the series:
    ROI ``i + 1`` named ``names[i]`` (at most 64 characters), displayed in ``colors[i]``
    (``[r, g, b]`` 0..255; red without colours)."""
    import pydicom
    from pydicom.dataset import Dataset, FileDataset, FileMetaDataset
    from pydicom.sequence import Sequence as DicomSequence
    from pydicom.uid import ExplicitVRLittleEndian, generate_uid

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
    ds.SeriesDescription = "VoxTell structures"
    ds.Manufacturer, ds.SoftwareVersions = "VoxTell Web", voxtell.__version__
    ds.StructureSetLabel = "VoxTell"
    ds.StructureSetDate, ds.StructureSetTime = now.strftime("%Y%m%d"), now.strftime("%H%M%S")
    ds.InstanceNumber = 1
    frame_uid = str(getattr(first, "FrameOfReferenceUID", ""))
    images = []
    for src in sources:
        item = Dataset()
        item.ReferencedSOPClassUID, item.ReferencedSOPInstanceUID = src.SOPClassUID, src.SOPInstanceUID
        images.append(item)
    series_ref = Dataset()
    series_ref.SeriesInstanceUID = first.SeriesInstanceUID
    series_ref.ContourImageSequence = DicomSequence(images)
    study_ref = Dataset()
    study_ref.ReferencedSOPClassUID = "1.2.840.10008.3.1.2.3.1"
    study_ref.ReferencedSOPInstanceUID = first.StudyInstanceUID
    study_ref.RTReferencedSeriesSequence = DicomSequence([series_ref])
    frame_ref = Dataset()
    frame_ref.FrameOfReferenceUID = frame_uid
    frame_ref.RTReferencedStudySequence = DicomSequence([study_ref])
    ds.ReferencedFrameOfReferenceSequence = DicomSequence([frame_ref])
    rois, contours, observations = [], [], []
    for n, (mask, name) in enumerate(zip(masks, names), start=1):
        roi = Dataset()
        roi.ROINumber, roi.ReferencedFrameOfReferenceUID, roi.ROIName = n, frame_uid, name[:64]
        roi.ROIGenerationAlgorithm = "AUTOMATIC"
        rois.append(roi)
        items = []
        for k, src in enumerate(sources):
            for rc in slice_contours(np.asarray(mask)[:, :, k].T):
                c = Dataset()
                ref = Dataset()
                ref.ReferencedSOPClassUID, ref.ReferencedSOPInstanceUID = src.SOPClassUID, src.SOPInstanceUID
                c.ContourImageSequence = DicomSequence([ref])
                c.ContourGeometricType = "CLOSED_PLANAR"
                points = _to_patient(rc, src)
                c.NumberOfContourPoints = len(points)
                c.ContourData = [f"{v:.4f}" for v in points.ravel()]
                items.append(c)
        contour = Dataset()
        contour.ReferencedROINumber = n
        contour.ROIDisplayColor = [int(c) for c in colors[n - 1]] if colors else [255, 0, 0]
        contour.ContourSequence = DicomSequence(items)
        contours.append(contour)
        obs = Dataset()
        obs.ObservationNumber, obs.ReferencedROINumber = n, n
        obs.RTROIInterpretedType, obs.ROIInterpreter = "ORGAN", ""
        observations.append(obs)
    ds.StructureSetROISequence = DicomSequence(rois)
    ds.ROIContourSequence = DicomSequence(contours)
    ds.RTROIObservationsSequence = DicomSequence(observations)
    if not all(name.isascii() for name in names):
        ds.SpecificCharacterSet = "ISO_IR 192"  # UTF-8: names beyond ASCII are kept, not written as "?"
    ds.save_as(str(path), enforce_file_format=True)
    return path
