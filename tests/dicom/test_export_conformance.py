"""RTSTRUCT and DICOM SEG exports pass the reference validator (dciodvfy) and carry what
planning systems look for: an unapproved AI draft, the software that made it, references to
every image, one interpreted type per structure."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pydicom
import pytest

import voxtell
from tests.dicom.series import write_series
from voxtell.io.dicom import load_series, scan_series
from voxtell.io.dicom_export import save_source_headers, write_dicom_seg, write_rtstruct_from_files
from voxtell.io.rtstruct import stable_color, write_rtstruct

SHAPE = (24, 20, 6)


@pytest.fixture(scope="module")
def series(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Path], dict[str, str], list[np.ndarray]]:
    tmp = tmp_path_factory.mktemp("conformance")
    files, uids = write_series(tmp / "series", np.zeros(SHAPE, np.int16), np.array([1.0, 0, 0]),
                               np.array([0, 1.0, 0]), (0.7, 0.9, 2.0), np.array([-20.0, 10.0, 50.0]))
    loaded = load_series(scan_series(files)[0], max_voxels=10**6)
    headers = save_source_headers(loaded.source_files, tmp / "headers")
    i, j, k = np.indices(SHAPE)
    ball = (((i - 11) ** 2 / 36 + (j - 9) ** 2 / 25 + (k - 3) ** 2 / 4) < 1).astype(np.uint8)
    box = np.zeros(SHAPE, np.uint8)
    box[3:8, 4:9, 1:4] = 1
    return headers, uids, [ball, box]


def _errors(path: Path) -> list[str]:
    run = subprocess.run(["dciodvfy", str(path)], capture_output=True, text=True, timeout=120)
    return [line for line in (run.stdout + run.stderr).splitlines() if line.startswith("Error")]


@pytest.mark.skipif(shutil.which("dciodvfy") is None, reason="dciodvfy is not installed (make dicom-tools)")
@pytest.mark.parametrize("kind", ["rtstruct", "seg"])
def test_exports_pass_dciodvfy_without_errors(tmp_path: Path, series, kind: str) -> None:  # type: ignore[no-untyped-def]
    headers, _, masks = series
    writer = write_rtstruct if kind == "rtstruct" else write_dicom_seg
    out = writer(masks, ["liver", "Leber, rechts ü"], headers, tmp_path / f"{kind}.dcm", [[255, 0, 0], [0, 0, 255]])
    assert _errors(out) == []


def test_rtstruct_marks_an_unapproved_ai_draft(tmp_path: Path, series) -> None:  # type: ignore[no-untyped-def]
    headers, uids, masks = series
    out = write_rtstruct(masks, ["liver", "PTV high"], headers, tmp_path / "rt.dcm",
                         interpreted_types=["ORGAN", "ptv"], model_name="VoxTell v1.1")
    rt = pydicom.dcmread(str(out))
    assert rt.ApprovalStatus == "UNAPPROVED"
    assert rt.StructureSetLabel == "VoxTell AI draft" and len(rt.StructureSetLabel) <= 16
    assert "review before clinical use" in rt.SeriesDescription
    assert rt.FrameOfReferenceUID == uids["frame"] and "PositionReferenceIndicator" in rt and "OperatorsName" in rt
    [equipment] = rt.ContributingEquipmentSequence
    assert equipment.Manufacturer == "VoxTell Web" and equipment.SoftwareVersions == voxtell.__version__
    assert equipment.ManufacturerModelName == "VoxTell v1.1"
    assert [o.RTROIInterpretedType for o in rt.RTROIObservationsSequence] == ["ORGAN", "PTV"]
    assert {r.ROIGenerationAlgorithm for r in rt.StructureSetROISequence} == {"AUTOMATIC"}
    [frame] = rt.ReferencedFrameOfReferenceSequence
    assert frame.FrameOfReferenceUID == uids["frame"]
    assert {r.ReferencedFrameOfReferenceUID for r in rt.StructureSetROISequence} == {uids["frame"]}
    [study] = frame.RTReferencedStudySequence
    [ref_series] = study.RTReferencedSeriesSequence
    sops = [pydicom.dcmread(str(h)).SOPInstanceUID for h in headers]
    assert [i.ReferencedSOPInstanceUID for i in ref_series.ContourImageSequence] == sops
    for roi in rt.ROIContourSequence:
        for contour in roi.ContourSequence:
            assert contour.ContourImageSequence[0].ReferencedSOPInstanceUID in sops
    # no colours given: each structure's colour follows its name, the same in every export
    again = pydicom.dcmread(str(write_rtstruct(masks[::-1], ["PTV high", "liver"], headers, tmp_path / "b.dcm")))
    first = {r.ROIName: list(c.ROIDisplayColor) for r, c in zip(rt.StructureSetROISequence, rt.ROIContourSequence)}
    second = {r.ROIName: list(c.ROIDisplayColor) for r, c in zip(again.StructureSetROISequence,
                                                                  again.ROIContourSequence)}
    assert first == second == {"liver": stable_color("liver"), "PTV high": stable_color("PTV high")}


def test_unknown_interpreted_type_is_refused(tmp_path: Path, series) -> None:  # type: ignore[no-untyped-def]
    headers, _, masks = series
    with pytest.raises(ValueError, match="'TUMOUR'"):
        write_rtstruct(masks, ["a", "b"], headers, tmp_path / "rt.dcm", interpreted_types=["ORGAN", "TUMOUR"])


def test_from_files_passes_the_options_through(tmp_path: Path, series) -> None:  # type: ignore[no-untyped-def]
    import nibabel as nib

    headers, _, masks = series
    files = []
    for n, m in enumerate(masks):
        nib.save(nib.Nifti1Image(m, np.eye(4)), str(tmp_path / f"m{n}.nii.gz"))
        files.append(tmp_path / f"m{n}.nii.gz")
    out = write_rtstruct_from_files(files, ["a", "b"], headers, tmp_path / "rt.dcm", interpreted_types=["GTV", "CTV"])
    assert [o.RTROIInterpretedType for o in pydicom.dcmread(str(out)).RTROIObservationsSequence] == ["GTV", "CTV"]


def test_seg_names_its_algorithm(tmp_path: Path, series) -> None:  # type: ignore[no-untyped-def]
    headers, _, masks = series
    seg = pydicom.dcmread(str(write_dicom_seg(masks, ["liver", "spleen"], headers, tmp_path / "seg.dcm",
                                              model_name="VoxTell v1.1")))
    assert [s.SegmentLabel for s in seg.SegmentSequence] == ["liver", "spleen"]
    for segment in seg.SegmentSequence:
        assert segment.SegmentAlgorithmType == "AUTOMATIC"
        [algorithm] = segment.SegmentationAlgorithmIdentificationSequence
        assert algorithm.AlgorithmName == "VoxTell" and algorithm.AlgorithmVersion == voxtell.__version__
        assert algorithm.AlgorithmFamilyCodeSequence[0].CodeMeaning == "Artificial Intelligence"
    assert seg.ManufacturerModelName == "VoxTell v1.1"


@pytest.mark.skipif(shutil.which("dciodvfy") is None, reason="dciodvfy is not installed (make dicom-tools)")
@pytest.mark.parametrize("kind", ["rtstruct", "seg"])
def test_edited_and_drawn_masks_pass_dciodvfy(tmp_path: Path, series, kind: str) -> None:  # type: ignore[no-untyped-def]
    """A reviewer's edit (SEMIAUTOMATIC, with what changed) and a drawing (MANUAL: a SEG names no
    algorithm) are as valid as the model's masks; an origin DICOM does not know is refused."""
    headers, _, masks = series
    writer = write_rtstruct if kind == "rtstruct" else write_dicom_seg
    out = writer(masks, ["liver (edited)", "drawn"], headers, tmp_path / f"{kind}.dcm",
                 origins=["SEMIAUTOMATIC", "MANUAL"], descriptions=["Dice 0.912, HD95 2.10 mm", None])
    assert _errors(out) == []
    ds = pydicom.dcmread(str(out))
    items = ds.StructureSetROISequence if kind == "rtstruct" else ds.SegmentSequence
    described = "ROIDescription" if kind == "rtstruct" else "SegmentDescription"
    assert [i.get(described) for i in items] == ["Dice 0.912, HD95 2.10 mm", None]
    with pytest.raises(ValueError, match="'REVIEWED'"):
        writer(masks, ["a", "b"], headers, tmp_path / "bad.dcm", origins=["AUTOMATIC", "REVIEWED"])
