"""``voxtell-predict --protocol`` and ``--stats``: structure names, post-processing, the CSV rows."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any, cast

import nibabel as nib
import numpy as np
import pytest
import torch
from scipy import ndimage

from voxtell.cli.predict import main
from voxtell.inference.predictor import VoxTellPredictor
from voxtell.protocols import shipped_protocols

# Prompt i of a run marks the voxels of intensity band BANDS[i]: noise, so many small components.
BANDS = [(30.0, 60.0), (50.0, 80.0), (10.0, 40.0)]
SPACING = (1.2, 0.8, 2.0)  # the test images' voxel size (mm)
COLUMNS = ["volume", "structure", "prompt", "voxels", "volume_ml", "mean", "sd", "components"]

PROTOCOL = """\
id: test-abdomen
name: Test abdomen
modality: CT
structures:
  - {prompt: liver, name: Liver, color: [221, 130, 101], keep_largest_component: true}
  - {prompt: spleen, name: Spleen, color: [157, 108, 162], fill_holes: true}
  - {prompt: aorta, name: A_Aorta, color: [224, 97, 76], interpreted_type: AVOIDANCE}
"""


def _nifti(path: Path, seed: int = 0, shape: tuple[int, int, int] = (40, 36, 30)) -> Path:
    data = np.random.default_rng(seed).normal(50, 20, shape).astype(np.float32)
    nib.save(nib.Nifti1Image(data, np.diag([*SPACING, 1.0])), str(path))
    return path


def _array(path: Path) -> np.ndarray:
    return np.asarray(cast(nib.Nifti1Image, nib.load(str(path))).dataobj)


def _band(data: np.ndarray, i: int) -> np.ndarray:
    lo, hi = BANDS[i % len(BANDS)]
    return ((data >= lo) & (data < hi)).astype(np.uint8)


def _components(mask: np.ndarray) -> int:
    return int(ndimage.label(mask > 0, structure=ndimage.generate_binary_structure(3, 1))[1])


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == COLUMNS
        return list(reader)


@pytest.fixture()
def banded(monkeypatch: pytest.MonkeyPatch) -> list[list[str] | int]:
    """The CLI's predictor marks intensity bands instead of running the network (prompt i of the
    call: ``BANDS[i]``); returns what each call was asked (prompts, or the embedding count)."""
    calls: list[list[str] | int] = []

    def fake(self: VoxTellPredictor, data: np.ndarray, text_prompts: Any = None, text_embeddings: Any = None,
             progress_callback: Any = None) -> np.ndarray:
        if text_prompts is not None:
            calls.append(list(text_prompts))
            n = len(text_prompts)
        else:
            n = int(torch.as_tensor(text_embeddings).shape[1])
            calls.append(n)
        return np.stack([_band(data, i) for i in range(n)])

    monkeypatch.setattr(VoxTellPredictor, "predict_single_image", fake)
    return calls


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def _base(demo_model_dir: Path, *args: str) -> list[str]:
    return ["-m", str(demo_model_dir), "--device", "cpu", *args]


def test_protocol_names_the_masks_applies_post_processing_and_the_csv_describes_them(
        tmp_path: Path, demo_model_dir: Path, capsys: pytest.CaptureFixture[str], banded: list) -> None:
    image = _nifti(tmp_path / "case001.nii.gz")
    protocol = tmp_path / "test.yaml"
    protocol.write_text(PROTOCOL)
    out, stats = tmp_path / "out", tmp_path / "stats" / "volumes.csv"
    code, stdout, err = _run(_base(demo_model_dir, "-i", str(image), "-o", str(out), "--protocol", str(protocol),
                                   "--stats", str(stats)), capsys)
    assert code == 0, err
    assert "Wrote 3 file(s)" in stdout and f"Statistics: 3 row(s) in {stats}" in stdout
    assert sorted(p.name for p in out.iterdir()) == ["case001_A_Aorta.nii.gz", "case001_Liver.nii.gz",
                                                     "case001_Spleen.nii.gz"]
    data = _array(image)
    liver, spleen, aorta = (_array(out / f"case001_{n}.nii.gz") for n in ("Liver", "Spleen", "A_Aorta"))
    # post-processing per structure: the largest component of the liver band, the spleen band's holes filled
    raw_liver = _band(data, 0)
    assert _components(raw_liver) > 5 and _components(liver) == 1
    labels, _ = ndimage.label(raw_liver, structure=ndimage.generate_binary_structure(3, 1))
    sizes = np.bincount(labels.ravel())[1:]
    assert liver.sum() == sizes.max() and (liver <= raw_liver).all()
    np.testing.assert_array_equal(spleen, ndimage.binary_fill_holes(_band(data, 1) > 0,
                                                                    ndimage.generate_binary_structure(3, 1)))
    assert spleen.sum() > _band(data, 1).sum(), "the spleen band has holes to fill"
    np.testing.assert_array_equal(aorta, _band(data, 2))  # no post-processing asked
    rows = _rows(stats)
    assert [(r["volume"], r["structure"], r["prompt"]) for r in rows] == [
        ("case001", "Liver", "liver"), ("case001", "Spleen", "spleen"), ("case001", "A_Aorta", "aorta")]
    for row, mask in zip(rows, (liver, spleen, aorta)):
        voxels = int(mask.sum())
        assert int(row["voxels"]) == voxels
        assert float(row["volume_ml"]) == pytest.approx(voxels * np.prod(SPACING) / 1000, rel=1e-6)
        values = data[mask > 0].astype(np.float64)
        assert float(row["mean"]) == pytest.approx(values.mean(), abs=1e-4)
        assert float(row["sd"]) == pytest.approx(values.std(), abs=1e-4)
        assert int(row["components"]) == _components(mask)
    assert rows[0]["components"] == "1"


def test_shipped_protocol_by_id(tmp_path: Path, demo_model_dir: Path, capsys: pytest.CaptureFixture[str],
                                banded: list) -> None:
    image = _nifti(tmp_path / "ct.nii.gz")
    code, stdout, err = _run(_base(demo_model_dir, "-i", str(image), "-o", str(tmp_path / "out"),
                                   "--protocol", "abdomen-ct"), capsys)
    assert code == 0, err
    abdomen = next(p for p in shipped_protocols() if p.id == "abdomen-ct")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(f"ct_{s.name}.nii.gz"
                                                                         for s in abdomen.structures)
    assert banded == [len(abdomen.structures)]


def test_folder_input_stats_one_row_per_volume_and_prompt_with_a_progress_bar(
        tmp_path: Path, demo_model_dir: Path, capsys: pytest.CaptureFixture[str], banded: list) -> None:
    folder = tmp_path / "scans"
    folder.mkdir()
    images = [_nifti(folder / "a.nii.gz", seed=1), _nifti(folder / "b.nii.gz", seed=2, shape=(30, 28, 20))]
    out, stats = tmp_path / "out", tmp_path / "stats.csv"
    code, stdout, err = _run(_base(demo_model_dir, "-i", str(folder), "-o", str(out), "-p", "liver", "left kidney",
                                   "--stats", str(stats)), capsys)
    assert code == 0, err
    assert "2/2" in err and "volume" in err, "a progress bar over the volumes"
    rows = _rows(stats)
    assert [(r["volume"], r["structure"], r["prompt"]) for r in rows] == [
        ("a", "liver", "liver"), ("a", "left kidney", "left kidney"),
        ("b", "liver", "liver"), ("b", "left kidney", "left kidney")]
    for row in rows:
        mask = _array(out / f"{row['volume']}_{row['prompt'].replace(' ', '_')}.nii.gz")
        assert int(row["voxels"]) == int(mask.sum()) > 0
        assert float(row["volume_ml"]) == pytest.approx(int(mask.sum()) * np.prod(SPACING) / 1000, rel=1e-6)
    data = _array(images[1])
    mask = _band(data, 1)
    assert float(rows[3]["mean"]) == pytest.approx(data[mask > 0].astype(np.float64).mean(), abs=1e-4)
    assert int(rows[3]["components"]) == _components(mask) > 1, "no post-processing without a protocol"


def test_stats_rows_are_kept_when_the_batch_stops(tmp_path: Path, demo_model_dir: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "scans"
    folder.mkdir()
    for n, name in enumerate(("a", "b", "c")):
        _nifti(folder / f"{name}.nii.gz", seed=n)
    stats = tmp_path / "stats.csv"
    on_disk: list[list[str]] = []  # the CSV's volumes as each prediction starts

    def fake(self: VoxTellPredictor, data: np.ndarray, text_prompts: Any = None, text_embeddings: Any = None,
             progress_callback: Any = None) -> np.ndarray:
        on_disk.append([r["volume"] for r in _rows(stats)])  # read by another handle: flushed rows only
        if len(on_disk) == 3:
            raise RuntimeError("out of memory")
        return np.stack([_band(data, 0)])

    monkeypatch.setattr(VoxTellPredictor, "predict_single_image", fake)
    with pytest.raises(RuntimeError, match="out of memory"):
        main(_base(demo_model_dir, "-i", str(folder), "-o", str(tmp_path / "out"), "-p", "liver",
                   "--stats", str(stats)))
    assert on_disk == [[], ["a"], ["a", "b"]], "each volume's rows are on disk before the next one starts"
    assert [r["volume"] for r in _rows(stats)] == ["a", "b"]


def test_the_query_checks_date_and_modality_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """An archive that ignores the QIDO filters: the dates and modalities are checked on its answers."""
    from voxtell.cli.dicomweb_input import find_series

    def item(**tags: str) -> dict[str, Any]:
        return {tag: {"Value": [value]} for tag, value in tags.items()}

    class Lenient:
        def search_for_studies(self, **kwargs: Any) -> list[dict[str, Any]]:
            assert kwargs["search_filters"] == {"StudyDate": "20260101-20260131"}
            return [item(**{"0020000D": "1.1", "00080020": "20260110"}),
                    item(**{"0020000D": "1.2", "00080020": "20251231"})]

        def search_for_series(self, study_uid: str, **kwargs: Any) -> list[dict[str, Any]]:
            assert kwargs["search_filters"] == {"Modality": "CT"}
            return [item(**{"0020000E": f"{study_uid}.{m}", "00080060": m}) for m in ("CT", "MR")]

    found = find_series(Lenient(), "20260101-20260131", "CT")
    assert [(s.study_uid, s.series_uid, s.modality) for s in found] == [("1.1", "1.1.CT", "CT")]


def test_no_overwrite_and_combined_rows_describe_the_files(tmp_path: Path, demo_model_dir: Path,
                                                           capsys: pytest.CaptureFixture[str], banded: list) -> None:
    image = _nifti(tmp_path / "case.nii.gz")
    protocol = tmp_path / "p.yaml"
    protocol.write_text(PROTOCOL)
    out, stats = tmp_path / "out", tmp_path / "stats.csv"
    argv = _base(demo_model_dir, "-i", str(image), "-o", str(out), "--protocol", str(protocol),
                 "--stats", str(stats), "--save-combined")
    assert _run(argv, capsys)[0] == 0
    labels = _array(out / "case.nii.gz")
    first = _rows(stats)
    assert [int(r["voxels"]) for r in first] == [int((labels == i).sum()) for i in (1, 2, 3)]
    # skipped by --no-overwrite: not predicted again, its rows read from the files there
    code, stdout, _ = _run(argv + ["--no-overwrite"], capsys)
    assert code == 0 and "Wrote 0 file(s)" in stdout and len(banded) == 1
    assert _rows(stats) == first


@pytest.mark.parametrize(("args", "message"), [
    (["--protocol", "no-such-protocol"], "no protocol 'no-such-protocol': give a shipped one (abdomen-ct, "
                                         "brain-mr, head-neck-rt, pelvis-rt, thorax-rt) or a .yaml file"),
    (["--protocol", "BAD_YAML"], "structure 1.interpreted_type 'tumour' is not an RT ROI Interpreted Type"),
    (["-p", "liver", "--stats", "STATS_TXT"], "--stats writes a CSV file"),
])
def test_bad_protocol_or_stats_exits_2_with_one_line(tmp_path: Path, demo_model_dir: Path,
                                                     capsys: pytest.CaptureFixture[str], args: list[str],
                                                     message: str) -> None:
    image = _nifti(tmp_path / "case.nii.gz")
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: bad\nname: Bad\nstructures:\n  - {prompt: x, name: X, color: [1, 2, 3], "
                   "interpreted_type: tumour}\n")
    args = [{"BAD_YAML": str(bad), "STATS_TXT": str(tmp_path / "stats.txt")}.get(a, a) for a in args]
    code, _, err = _run(_base(demo_model_dir, "-i", str(image), "-o", str(tmp_path / "out"), *args), capsys)
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2 and len(lines) == 1, err
    assert lines[0].startswith("voxtell-predict: error: ") and message in lines[0]
    assert not (tmp_path / "out").exists()


def test_exactly_one_of_prompts_jobs_and_protocol(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    image = _nifti(tmp_path / "case.nii.gz")
    base = ["-i", str(image), "-o", str(tmp_path / "out")]
    for extra in (["--protocol", "abdomen-ct", "-p", "liver"], ["--protocol", "abdomen-ct", "--jobs", "[]"]):
        with pytest.raises(SystemExit) as exc:
            main(base + extra)
        assert exc.value.code == 2
        assert "give exactly one of -p/--prompts, --jobs and --protocol" in capsys.readouterr().err


def test_jobs_with_stats_one_row_per_image_and_its_prompts(tmp_path: Path, demo_model_dir: Path,
                                                          capsys: pytest.CaptureFixture[str], banded: list) -> None:
    import json

    a, b = _nifti(tmp_path / "a.nii.gz", seed=1), _nifti(tmp_path / "b.nii.gz", seed=2)
    jobs = json.dumps([{"image": str(a), "prompts": "aorta"}, {"image": str(b), "prompts": ["heart", "liver"]}])
    stats = tmp_path / "stats.csv"
    code, stdout, err = _run(_base(demo_model_dir, "--jobs", jobs, "-o", str(tmp_path / "out"),
                                   "--stats", str(stats)), capsys)
    assert code == 0 and "Wrote 3 file(s)" in stdout, err
    rows = _rows(stats)
    assert [(r["volume"], r["structure"]) for r in rows] == [("a", "aorta"), ("b", "heart"), ("b", "liver")]
    assert [int(r["voxels"]) for r in rows] == [
        int(_array(tmp_path / "out" / f"{r['volume']}_{r['structure']}.nii.gz").sum()) for r in rows]
