"""``voxtell-predict``: exit codes, one-line errors, output names and combined semantics."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, cast

import nibabel as nib
import numpy as np
import pytest
import torch

from voxtell.cli.predict import main
from voxtell.inference.predictor import VoxTellPredictor
from voxtell.text import PromptCache, save_embedding_bank

# Intensity bands the banded fake marks for prompt 0, 1, 2: 0 and 1 overlap on [50, 60).
BANDS = [(30.0, 60.0), (50.0, 80.0), (10.0, 40.0)]


def _nifti(path: Path, shape: tuple[int, ...] = (40, 36, 30), seed: int = 0) -> Path:
    data = np.random.default_rng(seed).normal(50, 20, shape).astype(np.float32)
    nib.save(nib.Nifti1Image(data, np.diag([1.2, -0.8, 2.0, 1.0])), str(path))
    return path


def _load(path: Path) -> nib.Nifti1Image:
    return cast(nib.Nifti1Image, nib.load(str(path)))


def _band(data: np.ndarray, i: int) -> np.ndarray:
    lo, hi = BANDS[i % len(BANDS)]
    return ((data >= lo) & (data < hi)).astype(np.uint8)


@pytest.fixture()
def case(tmp_path: Path) -> Path:
    return _nifti(tmp_path / "case001.nii.gz")


@pytest.fixture()
def banded(monkeypatch: pytest.MonkeyPatch) -> list[tuple[VoxTellPredictor, torch.Tensor]]:
    """The CLI's predictor runs its real text path, then marks intensity bands instead of running
    the network (prompt i: ``BANDS[i]``), so every output is known from the input file alone.
    Returns ``(predictor, text embeddings)`` of every image predicted."""
    seen: list[tuple[VoxTellPredictor, torch.Tensor]] = []

    def fake(self: VoxTellPredictor, data: np.ndarray, text_prompts: Any = None, text_embeddings: Any = None,
             progress_callback: Any = None) -> np.ndarray:
        emb = torch.as_tensor(text_embeddings)
        seen.append((self, emb.clone()))
        return np.stack([_band(data, i) for i in range(emb.shape[1])])

    monkeypatch.setattr(VoxTellPredictor, "predict_single_image", fake)
    return seen


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
                                      capsys: pytest.CaptureFixture[str], banded: list) -> None:
    out = tmp_path / "out"
    prompts = ["liver", "L5 vertebra (lumbar)", "left/right lung"]
    argv = ["-i", str(case), "-o", str(out), "-m", str(demo_model_dir), "--device", "cpu", "-p", *prompts]
    code, stdout, _ = _run(argv, capsys)
    assert code == 0 and "Wrote 3 file(s)" in stdout
    names = ["case001_liver.nii.gz", "case001_L5_vertebra__lumbar_.nii.gz", "case001_left_right_lung.nii.gz"]
    assert sorted(p.name for p in out.iterdir()) == sorted(names)
    source = _load(case)
    data = np.asarray(source.dataobj)
    for i, name in enumerate(names):
        written = _load(out / name)
        np.testing.assert_allclose(written.affine, source.affine, atol=1e-4)
        assert written.get_data_dtype() == np.uint8 and written.shape == (40, 36, 30)
        np.testing.assert_array_equal(np.asarray(written.dataobj), _band(data, i), err_msg=name)

    # --no-overwrite: an image whose outputs all exist is skipped; its files are not touched
    (out / names[0]).write_bytes(b"kept")
    before = {name: (out / name).read_bytes() for name in names}
    code, stdout, _ = _run(argv + ["--no-overwrite"], capsys)
    assert code == 0 and "Wrote 0 file(s)" in stdout
    assert {name: (out / name).read_bytes() for name in names} == before
    assert len(banded) == 1, "the skipped image was not predicted"
    # ... but one missing output means the image is done again, all of its files rewritten
    (out / names[2]).unlink()
    code, stdout, _ = _run(argv + ["--no-overwrite"], capsys)
    assert code == 0 and "Wrote 3 file(s)" in stdout and len(banded) == 2
    np.testing.assert_array_equal(np.asarray(_load(out / names[0]).dataobj), _band(data, 0))
    # and without the flag, existing files are replaced
    (out / names[1]).write_bytes(b"stale")
    assert _run(argv, capsys)[0] == 0
    np.testing.assert_array_equal(np.asarray(_load(out / names[1]).dataobj), _band(data, 1))


def test_combined_labels_later_prompt_wins(case: Path, tmp_path: Path, demo_model_dir: Path,
                                          capsys: pytest.CaptureFixture[str],
                                          caplog: pytest.LogCaptureFixture, banded: list) -> None:
    base = ["-i", str(case), "-m", str(demo_model_dir), "--device", "cpu", "-p", "liver", "spleen"]
    code, _, _ = _run(base + ["-o", str(tmp_path / "combined"), "--save-combined"], capsys)
    assert code == 0 and "later prompts overwrite" in caplog.text
    assert sorted(p.name for p in (tmp_path / "combined").iterdir()) == ["case001.nii.gz"]
    data = np.asarray(_load(case).dataobj)
    liver, spleen = _band(data, 0) > 0, _band(data, 1) > 0  # [30, 60) and [50, 80)
    overlap = liver & spleen
    assert overlap.sum() > 1000 and (liver & ~spleen).any() and (spleen & ~liver).any()
    labels = _load(tmp_path / "combined" / "case001.nii.gz")
    assert labels.get_data_dtype() == np.uint8
    got = np.asarray(labels.dataobj)
    assert (got[overlap] == 2).all(), "the later prompt wins where both masks have the voxel"
    np.testing.assert_array_equal(got, np.where(spleen, 2, np.where(liver, 1, 0)))


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


def test_embeddings_flag_uses_the_given_bank(case: Path, tmp_path: Path, demo_model_dir: Path,
                                             capsys: pytest.CaptureFixture[str], banded: list) -> None:
    bank = {"My Organ": np.linspace(-1, 1, 64), "liver": np.full(64, 0.25)}
    path = save_embedding_bank(tmp_path / "mine.npz", bank)
    code, _, _ = _run(["-i", str(case), "-o", str(tmp_path / "out"), "-m", str(demo_model_dir), "--device", "cpu",
                       "-p", "my organ", "liver", "--embeddings", str(path)], capsys)
    assert code == 0
    predictor, emb = banded[0]
    expected = np.stack([bank["My Organ"], bank["liver"]]).astype(np.float16).astype(np.float32)[None]
    np.testing.assert_array_equal(emb.numpy(), expected)  # this bank's vectors, the model's bank ignored
    assert predictor.embedder.encode_calls == 0 and not predictor.embedder.is_loaded
    assert predictor.vocabulary() == ["liver", "my organ"]
    code, out, _ = _run(["--list-embeddings", "-m", str(demo_model_dir), "--embeddings", str(path)], capsys)
    assert code == 0 and out.splitlines() == ["2 precomputed embeddings available:", "liver", "my organ"]


def test_text_flags_reach_the_encoder_and_the_prompt_cache(case: Path, tmp_path: Path, demo_model_dir: Path,
                                                           capsys: pytest.CaptureFixture[str], banded: list,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    import voxtell.text.embedder as embedder_module
    from voxtell.text.encoder import TextEncoder

    requested: list[str | None] = []

    class RecordingEncoder(TextEncoder):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            requested.append(kwargs.get("placement"))
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(embedder_module, "TextEncoder", RecordingEncoder)
    cache_dir = tmp_path / "cache"
    base = ["-i", str(case), "-o", str(tmp_path / "out"), "-m", str(demo_model_dir), "--device", "cpu", "-p", "liver"]
    encoder_flags = ["--no-precomputed", "--cache-dir", str(cache_dir), "--text-precision", "fp32"]

    assert _run(base + encoder_flags + ["--text-placement", "gpu"], capsys)[0] == 0
    predictor, encoded = banded[-1]
    encoder = predictor.embedder.encoder
    assert predictor.embedder.bank == {}, "--no-precomputed: the model's bank is not used"
    assert predictor.embedder.encode_calls == 1 and encoder.precision == "fp32"
    assert requested[-1] == "gpu" and encoder.placement == "cpu", "asked for the GPU; a CPU run keeps it on the CPU"
    assert encoder.identity.endswith("|fp32")
    cached = PromptCache(cache_dir).get(encoder.identity, ["liver"])
    np.testing.assert_array_equal(cached["liver"], encoded[0, 0].numpy())
    # The demo bank holds this encoder's fp32 "liver" in float16: the encoder really encoded "liver".
    model_bank = VoxTellPredictor(demo_model_dir, device="cpu").embed_text_prompts(["liver"])
    np.testing.assert_allclose(encoded.numpy(), model_bank.numpy(), atol=2e-3, rtol=2e-3)

    assert _run(base + encoder_flags, capsys)[0] == 0  # the same prompt again: from the disk cache
    again, from_cache = banded[-1]
    assert again.embedder.encode_calls == 0 and not again.embedder.is_loaded
    np.testing.assert_array_equal(from_cache.numpy(), encoded.numpy())

    assert _run(base + encoder_flags[:-1] + ["bf16"], capsys)[0] == 0  # another precision: another key
    bf16, _ = banded[-1]
    assert bf16.embedder.encoder.precision == "bf16" and bf16.embedder.encode_calls == 1

    other_cache = tmp_path / "cache2"
    assert _run(base + ["--cache-dir", str(other_cache)], capsys)[0] == 0  # the bank answers "liver"
    banked, from_bank = banded[-1]
    assert banked.embedder.encode_calls == 0
    np.testing.assert_array_equal(from_bank.numpy(), model_bank.numpy())
    assert PromptCache(other_cache).get(banked.embedder.encoder.identity, ["liver"]) == {}


def test_engine_flags_configure_the_predictor(case: Path, tmp_path: Path, demo_model_dir: Path,
                                              capsys: pytest.CaptureFixture[str], banded: list,
                                              caplog: pytest.LogCaptureFixture) -> None:
    import logging

    caplog.set_level(logging.INFO, logger="voxtell.cli")
    base = ["-i", str(case), "-o", str(tmp_path / "out"), "-m", str(demo_model_dir), "--device", "cpu",
            "-p", "liver", "--verbose"]
    assert _run(base, capsys)[0] == 0
    default, _ = banded[-1]
    assert (default.path, default.accumulation_dtype) == ("fast", torch.float16)
    assert "fast path, fp32, float16 accumulators" in caplog.text
    caplog.clear()
    assert _run(base + ["--reference", "--fp32-accumulation", "--tile-step-size", "0.75"], capsys)[0] == 0
    chosen, _ = banded[-1]
    assert (chosen.path, chosen.reference, chosen.accumulation_dtype) == ("reference", True, torch.float32)
    assert chosen.tile_step_size == 0.75
    assert "reference path, fp32, float32 accumulators" in caplog.text
