"""``voxtell-predict`` on DICOM input: NIfTI, DICOM SEG and RTSTRUCT outputs, series choice."""

from __future__ import annotations

import zipfile
from pathlib import Path

import nibabel as nib
import numpy as np
import pydicom
import pytest

from tests.dicom.series import write_series
from voxtell.cli.predict import main

AXIAL = (np.array([1.0, 0, 0]), np.array([0, 1.0, 0]))


def _series(tmp_path: Path, name: str = "s", description: str = "CT", slices: int = 6) -> list[Path]:
    data = np.random.default_rng(4).integers(-100, 900, (40, 36, slices)).astype(np.int16)
    files, _ = write_series(tmp_path / name, data, *AXIAL, (1.0, 1.2, 2.5), np.array([-20.0, 5.0, 60.0]),
                            description=description)
    return files


def _zip(files: list[Path], path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for f in files:
            zf.write(f, f"{f.parent.name}/{f.name}")
    return path


@pytest.mark.parametrize("fmt", ["nifti", "dicom-seg", "rtstruct"])
def test_dicom_zip_to_each_output_format(tmp_path: Path, demo_model_dir: Path, fmt: str,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    files = _series(tmp_path)
    archive = _zip(files, tmp_path / "study.zip")
    out = tmp_path / "out"
    code = main(["-i", str(archive), "-o", str(out), "-m", str(demo_model_dir), "--device", "cpu",
                 "-p", "liver", "spleen", "--output-format", fmt])
    assert code == 0, capsys.readouterr().err
    written = sorted(p.name for p in out.iterdir())
    if fmt == "nifti":
        assert written == ["study_liver.nii.gz", "study_spleen.nii.gz"]
        img = nib.load(str(out / "study_liver.nii.gz"))
        first = pydicom.dcmread(str(min(files, key=lambda f: pydicom.dcmread(str(f)).ImagePositionPatient[2])))
        ipp = np.asarray(first.ImagePositionPatient, float)
        np.testing.assert_allclose(img.affine @ [0, 0, 0, 1], [-ipp[0], -ipp[1], ipp[2], 1], atol=1e-4)
        assert img.shape == (40, 36, 6)
    else:
        ds = pydicom.dcmread(str(out / written[0]))
        assert written == [f"study_{'seg' if fmt == 'dicom-seg' else 'rtstruct'}.dcm"]
        assert ds.Modality == ("SEG" if fmt == "dicom-seg" else "RTSTRUCT")
        labels = ([s.SegmentLabel for s in ds.SegmentSequence] if fmt == "dicom-seg"
                  else [r.ROIName for r in ds.StructureSetROISequence])
        assert labels == ["liver", "spleen"]


def test_several_series_exit_2_with_the_list_then_choice(tmp_path: Path, demo_model_dir: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    a = _series(tmp_path, "a", "arterial")
    b = _series(tmp_path, "b", "venous", slices=4)
    folder = tmp_path / "mixed"
    folder.mkdir()
    for f in [*a, *b]:
        (folder / f"{f.parent.name}_{f.name}").write_bytes(f.read_bytes())
    argv = ["-i", str(folder), "-o", str(tmp_path / "o"), "-m", str(demo_model_dir), "--device", "cpu", "-p", "liver"]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "2 series" in err[0] and "arterial" in err[0] and "venous" in err[0]
    uid = pydicom.dcmread(str(b[0])).SeriesInstanceUID
    assert main([*argv, "--series-uid", uid]) == 0
    assert nib.load(str(tmp_path / "o" / "mixed_liver.nii.gz")).shape == (40, 36, 4)


def test_dicom_output_format_needs_dicom_input(tmp_path: Path, demo_model_dir: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    nib.save(nib.Nifti1Image(np.ones((8, 8, 8), np.float32), np.eye(4)), str(tmp_path / "a.nii.gz"))
    code = main(["-i", str(tmp_path / "a.nii.gz"), "-o", str(tmp_path / "o"), "-m", str(demo_model_dir),
                 "-p", "liver", "--output-format", "rtstruct"])
    assert code == 2 and "needs a DICOM input" in capsys.readouterr().err


def test_nrrd_input_through_the_cli(tmp_path: Path, demo_model_dir: Path) -> None:
    import SimpleITK as sitk

    img = sitk.GetImageFromArray(np.random.default_rng(0).integers(0, 300, (10, 30, 40)).astype(np.int16))
    img.SetSpacing((0.9, 0.9, 2.0))
    img.SetOrigin((3.0, 4.0, 5.0))
    sitk.WriteImage(img, str(tmp_path / "ct.nrrd"))
    assert main(["-i", str(tmp_path / "ct.nrrd"), "-o", str(tmp_path / "o"), "-m", str(demo_model_dir),
                 "--device", "cpu", "-p", "liver"]) == 0
    out = nib.load(str(tmp_path / "o" / "ct_liver.nii.gz"))
    assert out.shape == (40, 30, 10)
    np.testing.assert_allclose(out.affine @ [1, 1, 1, 1], [-3.9, -4.9, 7.0, 1], atol=1e-4)


PROTOCOL = """\
id: dicom-test
name: DICOM test
structures:
  - {prompt: liver, name: Liver, color: [221, 130, 101], keep_largest_component: true}
  - {prompt: aorta, name: A_Aorta, color: [224, 97, 76], interpreted_type: AVOIDANCE}
"""


@pytest.fixture()
def thresholds(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The predictor marks voxels above 300 (first prompt) and 500 (the others) instead of running
    the network: known, noisy masks (many components). Returns the prompts of each call."""
    from voxtell.inference.predictor import VoxTellPredictor

    calls: list[list[str]] = []

    def fake(self: object, data: np.ndarray, text_prompts: object = None, text_embeddings: object = None,
             progress_callback: object = None) -> np.ndarray:
        prompts = list(text_prompts)  # type: ignore[call-overload]
        calls.append(prompts)
        return np.stack([(data > (300 if i == 0 else 500)).astype(np.uint8) for i in range(len(prompts))])

    monkeypatch.setattr(VoxTellPredictor, "predict_single_image", fake)
    return calls


def _stats_rows(path: Path) -> list[dict[str, str]]:
    import csv

    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize("fmt", ["nifti", "dicom-seg", "rtstruct"])
def test_dicom_input_with_a_protocol_and_stats(tmp_path: Path, demo_model_dir: Path, fmt: str,
                                               thresholds: list[list[str]],
                                               capsys: pytest.CaptureFixture[str]) -> None:
    from scipy import ndimage

    archive = _zip(_series(tmp_path), tmp_path / "study.zip")
    protocol = tmp_path / "p.yaml"
    protocol.write_text(PROTOCOL)
    out, stats = tmp_path / "out", tmp_path / "stats.csv"
    code = main(["-i", str(archive), "-o", str(out), "-m", str(demo_model_dir), "--device", "cpu",
                 "--protocol", str(protocol), "--output-format", fmt, "--stats", str(stats)])
    assert code == 0, capsys.readouterr().err
    assert thresholds == [["liver", "aorta"]]
    rows = _stats_rows(stats)
    assert [(r["volume"], r["structure"], r["prompt"]) for r in rows] == [("study", "Liver", "liver"),
                                                                         ("study", "A_Aorta", "aorta")]
    voxel_ml = 1.0 * 1.2 * 2.5 / 1000
    for row in rows:
        assert float(row["volume_ml"]) == pytest.approx(int(row["voxels"]) * voxel_ml, rel=1e-6)
    assert rows[0]["components"] == "1" and int(rows[1]["components"]) > 1
    if fmt == "nifti":
        assert sorted(p.name for p in out.iterdir()) == ["study_A_Aorta.nii.gz", "study_Liver.nii.gz"]
        liver = np.asarray(nib.load(str(out / "study_Liver.nii.gz")).dataobj)
        aorta = np.asarray(nib.load(str(out / "study_A_Aorta.nii.gz")).dataobj)
        assert int(rows[0]["voxels"]) == int(liver.sum()) and int(rows[1]["voxels"]) == int(aorta.sum())
        assert ndimage.label(liver, ndimage.generate_binary_structure(3, 1))[1] == 1
        return
    ds = pydicom.dcmread(str(next(out.iterdir())))
    if fmt == "dicom-seg":
        import highdicom as hd

        assert [s.SegmentLabel for s in ds.SegmentSequence] == ["Liver", "A_Aorta"]
        lab = [list(s.RecommendedDisplayCIELabValue) for s in ds.SegmentSequence]
        assert lab == [list(hd.color.CIELabColor.from_rgb(*c).value) for c in ((221, 130, 101), (224, 97, 76))]
        # every frame of a binary SEG holds one segment's slice: all set pixels = the CSV's voxels
        assert int(ds.pixel_array.sum()) == int(rows[0]["voxels"]) + int(rows[1]["voxels"])
    else:
        assert [r.ROIName for r in ds.StructureSetROISequence] == ["Liver", "A_Aorta"]
        assert [list(map(int, c.ROIDisplayColor)) for c in ds.ROIContourSequence] == [[221, 130, 101], [224, 97, 76]]
        assert [o.RTROIInterpretedType for o in ds.RTROIObservationsSequence] == ["ORGAN", "AVOIDANCE"]
