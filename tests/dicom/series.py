"""Synthetic DICOM series written with pydicom, for geometry and hostile-input tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom
from pydicom.dataset import FileDataset, FileMetaDataset
from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, generate_uid


def write_series(folder: Path, volume: np.ndarray, row_dir: np.ndarray, col_dir: np.ndarray,
                 spacing: tuple[float, float, float], origin: np.ndarray, *, slice_offsets: list[float] | None = None,
                 in_plane_shift: float = 0.0, description: str = "CT", series_uid: str | None = None,
                 shuffle: bool = True) -> tuple[list[Path], dict[str, str]]:
    """Write ``volume`` (i = column, j = row, k = slice) as a CT series in LPS geometry.

    ``spacing`` = (column spacing, row spacing, slice spacing). Returns the files (in a shuffled
    order when asked) and the UIDs.
    """
    folder.mkdir(parents=True, exist_ok=True)
    normal = np.cross(row_dir, col_dir)
    uids = {"study": generate_uid(), "series": series_uid or generate_uid(), "frame": generate_uid()}
    nk = volume.shape[2]
    offsets = slice_offsets or [k * spacing[2] for k in range(nk)]
    files = []
    for k in range(nk):
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = CTImageStorage
        sop = generate_uid()
        meta.MediaStorageSOPInstanceUID = sop
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        path = folder / f"slice_{k:03d}.dcm"
        ds = FileDataset(str(path), {}, file_meta=meta, preamble=b"\0" * 128)
        ds.SOPClassUID, ds.SOPInstanceUID = CTImageStorage, sop
        ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.FrameOfReferenceUID = uids["study"], uids["series"], uids["frame"]
        ds.PatientName, ds.PatientID, ds.Modality, ds.SeriesDescription = "Doe^Jane", "PHI-123", "CT", description
        ds.InstanceNumber = nk - k  # deliberately unrelated to the geometry
        ds.Rows, ds.Columns = volume.shape[1], volume.shape[0]
        ds.PixelSpacing = [spacing[1], spacing[0]]
        ds.ImageOrientationPatient = [float(v) for v in (*row_dir, *col_dir)]
        position = origin + normal * offsets[k] + row_dir * in_plane_shift * k
        ds.ImagePositionPatient = [float(v) for v in position]
        ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 1
        ds.RescaleSlope, ds.RescaleIntercept = 1, -1024
        ds.PixelData = (volume[:, :, k].T.astype(np.int16) + 1024).tobytes()
        ds.save_as(str(path), enforce_file_format=True)
        files.append(path)
    if shuffle:
        files = [files[i] for i in np.random.default_rng(0).permutation(len(files))]
    return files, uids


def lps_to_ras(point: np.ndarray) -> np.ndarray:
    return np.array([-point[0], -point[1], point[2]])


__all__ = ["lps_to_ras", "pydicom", "write_series"]
