"""Demo model, model resolution and the download command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import cast

import nibabel as nib
import numpy as np
import pytest
import torch

from voxtell.demo import DEMO_PROMPTS, ensure_demo_model
from voxtell.download import main as download_main
from voxtell.inference.predictor import VoxTellPredictor
from voxtell.io import read_volume
from voxtell.model.config import load_model_config
from voxtell.resolve import ModelNotFoundError, find_demo_or_real_model, resolve_model_dir


def test_demo_model_has_the_real_layout_and_runs(demo_model_dir: Path) -> None:
    for name in ("plans.json", "voxtell_hyperparameters.json", "fold_0/checkpoint_final.pth",
                 "text_encoder/config.json", "text_encoder/tokenizer.json", "text_embeddings.npz"):
        assert (demo_model_dir / name).is_file(), name
    config = load_model_config(demo_model_dir)
    assert config.is_demo and config.patch_size == (64, 64, 64) and config.token_grid == (4, 4, 4)
    predictor = VoxTellPredictor(demo_model_dir, device="cpu")
    assert predictor.is_demo and predictor.info()["demo"] is True
    assert len(predictor.vocabulary()) == len(DEMO_PROMPTS) and "left kidney" in predictor.vocabulary()
    assert predictor.list_available_embeddings() == sorted(p.lower() for p in DEMO_PROMPTS)
    image = np.random.default_rng(0).normal(0, 1, (60, 64, 50)).astype(np.float32)
    masks = predictor.predict_single_image(image, text_prompts=["liver", "a prompt not in the bank"])
    assert masks.shape == (2, 60, 64, 50) and masks.dtype == np.uint8
    assert set(np.unique(masks)) == {0, 1}, "the demo model segments part of the image"
    # "liver" came from the bank, the other prompt from the demo text encoder (one forward pass)
    assert predictor.embedder.encode_calls == 1 and predictor.embedder.is_loaded
    assert "liver" in predictor.vocabulary()
    liver = predictor.embed_text_prompts(["liver"])
    assert predictor.embedder.encode_calls == 1, "a bank prompt never reaches the encoder"
    np.testing.assert_array_equal(predictor.predict_single_image(image, text_embeddings=liver)[0], masks[0])


def test_text_state_is_observable_through_the_predictor(demo_model_dir: Path, tmp_path: Path) -> None:
    import time

    predictor = VoxTellPredictor(demo_model_dir, device="cpu", text_precision="fp32", text_placement="offload",
                                 text_idle_unload_s=0.3, cache_dir=tmp_path / "cache")
    encoder = predictor.embedder.encoder
    assert (encoder.placement, encoder.precision, encoder.location) == ("cpu", "fp32", None)
    predictor.embed_text_prompts(["a prompt that is not in the bank"])
    assert encoder.location == "cpu" and predictor.embedder.encode_calls == 1
    deadline = time.monotonic() + 10
    while encoder.is_loaded and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not encoder.is_loaded, "unloaded after the idle time"
    again = VoxTellPredictor(demo_model_dir, device="cpu", text_precision="fp32", cache_dir=tmp_path / "cache")
    again.embed_text_prompts(["A prompt that is not in the bank"])
    assert again.embedder.encode_calls == 0 and not again.embedder.is_loaded, "served from the disk cache"


def test_bank_prompts_do_not_load_the_text_encoder(demo_model_dir: Path) -> None:
    predictor = VoxTellPredictor(demo_model_dir, device="cpu")
    emb = predictor.embed_text_prompts(["Liver", "spleen"])
    assert emb.shape == (1, 2, 64) and emb.dtype == torch.float32
    assert not predictor.embedder.is_loaded


def _write_nifti(path: Path, shape: tuple[int, ...] = (48, 40, 36)) -> Path:
    data = np.random.default_rng(1).normal(100, 30, shape).astype(np.int16)
    affine = np.diag([-0.8, 0.9, 1.5, 1.0])
    affine[:3, 3] = [5, -7, 11]
    nib.save(nib.Nifti1Image(data, affine), str(path))
    return path


def test_demo_model_end_to_end_through_the_cli_script(demo_model_dir: Path, tmp_path: Path) -> None:
    image = _write_nifti(tmp_path / "case007.nii.gz")
    script = Path(sys.executable).with_name("voxtell-predict")
    proc = subprocess.run([str(script), "-i", str(image), "-o", str(tmp_path / "out"), "-m", str(demo_model_dir),
                           "-p", "liver", "Right kidney", "--device", "cpu", "--save-combined"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "Wrote 1 file(s)" in proc.stdout
    assert "DEMO MODEL" in proc.stderr
    out = cast(nib.Nifti1Image, nib.load(str(tmp_path / "out" / "case007.nii.gz")))
    np.testing.assert_allclose(out.affine, cast(nib.Nifti1Image, nib.load(str(image))).affine, atol=1e-4)
    assert out.shape == (48, 40, 36) and out.get_data_dtype() == np.uint8
    # The same prompts through the Python API: label 2 (the later prompt) wins on the overlap.
    masks = VoxTellPredictor(demo_model_dir, device="cpu").predict_single_image(
        read_volume(image).data, text_prompts=["liver", "Right kidney"])
    expected = np.where(masks[1] > 0, 2, np.where(masks[0] > 0, 1, 0))
    assert {0, 1, 2} <= set(np.unique(expected)) and (masks[0] & masks[1]).any()
    labels = np.asarray(out.dataobj)[::-1].transpose(2, 1, 0)  # LAS file -> RAS array (S, A, R)
    assert (labels == expected).mean() >= 0.9999


def test_resolution_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, demo_model_dir: Path) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ModelNotFoundError, match="download_model.py"):
        resolve_model_dir(None)
    local = tmp_path / "models" / "voxtell_v1.1"
    (local / "fold_0").mkdir(parents=True)
    (local / "plans.json").write_text("{}")
    (local / "fold_0" / "checkpoint_final.pth").write_bytes(b"x")
    assert resolve_model_dir(None) == Path("models/voxtell_v1.1")
    monkeypatch.setenv("VOXTELL_MODEL", str(demo_model_dir))
    assert resolve_model_dir(None) == demo_model_dir
    assert resolve_model_dir(str(local)) == local, "an explicit argument wins"
    monkeypatch.setenv("VOXTELL_MODEL", "")
    assert resolve_model_dir(None) == Path("models/voxtell_v1.1"), "an empty variable counts as unset"
    with pytest.raises(ModelNotFoundError, match="has no plans.json"):
        resolve_model_dir(tmp_path)
    (local / "fold_0" / "checkpoint_final.pth").unlink()
    with pytest.raises(ModelNotFoundError, match="has no fold_0/checkpoint_final.pth"):
        resolve_model_dir(local)


def test_demo_fallback_only_when_nothing_resolves(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    path, is_demo = find_demo_or_real_model(None)
    assert is_demo and path == tmp_path / "voxtell-home" / "demo-model"
    assert json.loads((path / "plans.json").read_text())["voxtell_web_demo"] is True
    assert ensure_demo_model(path) == path, "an existing demo model is reused"
    with pytest.raises(ModelNotFoundError):
        find_demo_or_real_model(tmp_path / "missing")


def test_download_unreachable_hub_is_one_line_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = download_main(["--dir", str(tmp_path / "m"), "--endpoint", "http://127.0.0.1:9"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert err == ["voxtell-download: error: cannot reach the model hub at http://127.0.0.1:9 (Connection refused)"]


def test_download_is_idempotent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                capsys: pytest.CaptureFixture[str]) -> None:
    calls: list[str] = []

    def fake_download(repo_id: str, filename: str, local_dir: str, endpoint: str | None) -> str:
        calls.append(filename)
        dest = Path(local_dir) / filename
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(b"w" * 2048)
        return str(dest)

    import huggingface_hub

    monkeypatch.setattr(huggingface_hub, "hf_hub_download", fake_download)
    monkeypatch.setattr("voxtell.download.check_reachable", lambda endpoint: None)
    assert download_main(["--dir", str(tmp_path)]) == 0
    assert calls == ["voxtell_v1.1/plans.json", "voxtell_v1.1/fold_0/checkpoint_final.pth",
                     "embeddings/voxtell_v1.1/text_embeddings.npz"]
    first = capsys.readouterr().out
    assert first.count("fetched") == 3 and "2.0 KB" in first
    monkeypatch.setattr("voxtell.download.check_reachable", lambda endpoint: pytest.fail("went online"))
    assert download_main(["--dir", str(tmp_path)]) == 0
    assert len(calls) == 3, "a second run fetches nothing"
    assert "nothing fetched" in capsys.readouterr().out



def test_a_demo_model_another_process_finished_first_is_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`voxtell-web cluster` starts the API node and two workers together, each creating the demo
    model on first use. One that finishes second must keep the first one's folder, which another
    process may be loading already, and must not fail either."""
    import voxtell.demo as demo

    target = tmp_path / "home" / "demo-model"
    build = demo.make_demo_model

    def another_process_finishes_meanwhile(staging: Path) -> Path:
        build(staging)
        monkeypatch.setattr(demo, "make_demo_model", build)
        ensure_demo_model(target)  # the other process: complete and renamed into place first
        (target / "being-read").write_text("by the other process")
        return staging

    monkeypatch.setattr(demo, "make_demo_model", another_process_finishes_meanwhile)
    assert ensure_demo_model(target) == target
    assert (target / "being-read").is_file(), "the folder another process uses was not replaced"
    assert sorted(p.name for p in target.parent.iterdir()) == ["demo-model"], "no staging folder is left behind"
