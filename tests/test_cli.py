"""``voxtell-predict``: exit codes, one-line errors, output names and combined semantics."""

from __future__ import annotations

import json
from pathlib import Path

import nibabel as nib
import numpy as np
import pytest

from voxtell.cli.predict import main


def _nifti(path: Path, shape: tuple[int, ...] = (40, 36, 30), seed: int = 0) -> Path:
    data = np.random.default_rng(seed).normal(50, 20, shape).astype(np.float32)
    nib.save(nib.Nifti1Image(data, np.diag([1.2, -0.8, 2.0, 1.0])), str(path))
    return path


@pytest.fixture()
def case(tmp_path: Path) -> Path:
    return _nifti(tmp_path / "case001.nii.gz")


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(("setup", "args", "message"), [
    ("missing", ["-p", "liver"], "input not found"),
    ("text", ["-p", "liver"], "not a NIfTI file"),
    ("flat", ["-p", "liver"], "only 3-D images are supported"),
    ("4d", ["-p", "liver"], "only 3-D images are supported"),
    ("corrupt", ["-p", "liver"], "cannot read"),
    ("ok", ["-p", " "], "prompts must be non-empty"),
    ("ok", ["-p", "liver", "-m", "/nonexistent/model"], "model directory /nonexistent/model does not exist"),
    ("ok", ["-p", "liver", "--tile-step-size", "0"], "tile-step-size"),
])
def test_bad_input_exits_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         demo_model_dir: Path, setup: str, args: list[str], message: str) -> None:
    paths = {
        "missing": tmp_path / "nothere.nii.gz",
        "text": tmp_path / "notes.txt",
        "flat": tmp_path / "flat.nii.gz",
        "4d": tmp_path / "series.nii.gz",
        "corrupt": tmp_path / "broken.nii.gz",
        "ok": tmp_path / "ok.nii.gz",
    }
    (tmp_path / "notes.txt").write_text("hello")
    _nifti(paths["flat"], (40, 36))
    _nifti(paths["4d"], (20, 20, 20, 3))
    paths["corrupt"].write_bytes(b"\x1f\x8b" + b"garbage" * 10)
    _nifti(paths["ok"])
    argv = ["-i", str(paths[setup]), "-o", str(tmp_path / "out"), "--device", "cpu"]
    if "-m" not in args:
        argv += ["-m", str(demo_model_dir)]
    code, out, err = _run(argv + args, capsys)
    assert code == 2
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("voxtell-predict: error:") and message in lines[0]
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_usage_errors_exit_2_with_argparse_usage(case: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    for argv in ([ "-i", str(case), "-o", str(tmp_path)],                      # neither -p nor --jobs
                 ["-i", str(case), "-o", str(tmp_path), "-p", "x", "--jobs", "[]"],  # both
                 ["-i", str(case), "-p", "liver"]):                             # no -o
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 2
        assert "voxtell-predict: error:" in capsys.readouterr().err


def test_file_naming_and_no_overwrite(case: Path, tmp_path: Path, demo_model_dir: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    prompts = ["liver", "L5 vertebra (lumbar)", "left/right lung"]
    code, stdout, _ = _run(["-i", str(case), "-o", str(out), "-m", str(demo_model_dir), "--device", "cpu",
                            "-p", *prompts], capsys)
    assert code == 0 and "Wrote 3 file(s)" in stdout
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["case001_liver.nii.gz", "case001_L5_vertebra__lumbar_.nii.gz", "case001_left_right_lung.nii.gz"])
    written = nib.load(str(out / "case001_liver.nii.gz"))
    np.testing.assert_allclose(written.affine, nib.load(str(case)).affine, atol=1e-4)
    assert written.get_data_dtype() == np.uint8 and written.shape == (40, 36, 30)
    code, stdout, _ = _run(["-i", str(case), "-o", str(out), "-m", str(demo_model_dir), "--device", "cpu",
                            "-p", *prompts, "--no-overwrite"], capsys)
    assert code == 0 and "Wrote 0 file(s)" in stdout


def test_combined_labels_later_prompt_wins(case: Path, tmp_path: Path, demo_model_dir: Path,
                                          capsys: pytest.CaptureFixture[str],
                                          caplog: pytest.LogCaptureFixture) -> None:
    single, combined = tmp_path / "single", tmp_path / "combined"
    base = ["-i", str(case), "-m", str(demo_model_dir), "--device", "cpu", "-p", "liver", "spleen"]
    assert _run(base + ["-o", str(single)], capsys)[0] == 0
    code, _, _ = _run(base + ["-o", str(combined), "--save-combined"], capsys)
    assert code == 0 and "later prompts overwrite" in caplog.text
    liver = np.asarray(nib.load(str(single / "case001_liver.nii.gz")).dataobj)
    spleen = np.asarray(nib.load(str(single / "case001_spleen.nii.gz")).dataobj)
    labels = np.asarray(nib.load(str(combined / "case001.nii.gz")).dataobj)
    expected = np.where(spleen > 0, 2, np.where(liver > 0, 1, 0))
    np.testing.assert_array_equal(labels, expected)


def test_jobs_and_folder_input(tmp_path: Path, demo_model_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "scans"
    folder.mkdir()
    a, b = _nifti(folder / "a.nii.gz", seed=1), _nifti(folder / "b.nii", seed=2)
    (folder / "readme.txt").write_text("not an image")
    code, stdout, _ = _run(["-i", str(folder), "-o", str(tmp_path / "o1"), "-m", str(demo_model_dir),
                            "--device", "cpu", "-p", "liver"], capsys)
    assert code == 0 and sorted(p.name for p in (tmp_path / "o1").iterdir()) == ["a_liver.nii.gz", "b_liver.nii.gz"]
    jobs = tmp_path / "jobs.json"
    jobs.write_text(json.dumps([{"image": str(a), "prompts": "aorta"}, {"image": str(b), "prompts": ["heart", "liver"]}]))
    code, stdout, _ = _run(["--jobs", str(jobs), "-o", str(tmp_path / "o2"), "-m", str(demo_model_dir),
                            "--device", "cpu"], capsys)
    assert code == 0 and "Wrote 3 file(s)" in stdout
    code, _, err = _run(["--jobs", "[{bad json", "-o", str(tmp_path / "o3"), "-m", str(demo_model_dir)], capsys)
    assert code == 2 and "not valid JSON" in err


def test_list_embeddings(demo_model_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["--list-embeddings", "-m", str(demo_model_dir)], capsys)
    lines = out.splitlines()
    assert code == 0 and lines[0] == "40 precomputed embeddings available:"
    assert lines[1:] == sorted(lines[1:]) and "left kidney" in lines
