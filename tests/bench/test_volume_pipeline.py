"""``bench/volume_pipeline.py``: the stand-in network really replaces the network in our
predictor (every window calls it, the masks follow its formula), the CT-like volume has nothing
to crop, and the end-to-end estimate maths. No timing is measured here."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from bench.official_env import make_predictor
from bench.volume_pipeline import (
    StandInNetwork,
    ct_like_volume,
    estimate_seconds,
    estimates,
    install_standin,
    patch_times,
)
from tests.tiny_model import build_tiny_model_dir
from voxtell.inference.preprocessing import nonzero_box
from voxtell.inference.sliding_window import window_count


def test_standin_has_the_network_signature_and_a_known_output() -> None:
    net = StandInNetwork()
    x = torch.arange(2 * 3 * 4, dtype=torch.float32).reshape(1, 1, 2, 3, 4)
    text = torch.tensor([[[0.0, 0.0], [1.0, 3.0], [-2.0, -2.0]]])  # (1, N=3, D=2)
    out = net(x, text)
    assert out.shape == (1, 3, 2, 3, 4) and out.dtype == torch.float32
    for n, mean in enumerate((0.0, 2.0, -2.0)):
        torch.testing.assert_close(out[0, n], x[0, 0] - 0.5 * float(np.tanh(mean)))
    net(x, text)
    assert net.calls == 2 and net.seconds > 0


def test_standin_replaces_the_network_of_our_predictor_in_every_window(tmp_path: Path) -> None:
    predictor = make_predictor("ours", build_tiny_model_dir(tmp_path / "tiny"))  # 64³ patch, text dim 16
    standin = StandInNetwork()
    install_standin("ours", predictor, standin)
    volume = ct_like_volume((100, 70, 40)).transpose(2, 1, 0).astype(np.float32)  # RAS (40, 70, 100)
    emb = torch.randn(1, 2, 16, generator=torch.Generator().manual_seed(3))
    masks = predictor.predict_single_image(volume, text_embeddings=emb)
    assert standin.calls == window_count(volume.shape, (64, 64, 64)) == 1 * 2 * 3
    # Nothing is cropped (CT air is -1000): the stand-in's logit is z-score(x) - shift per prompt.
    z = (volume - volume.mean(dtype=np.float32)) / volume.std(dtype=np.float32)
    shifts = 0.5 * np.tanh(emb.numpy()[0].mean(-1))
    expected = np.stack([z > s for s in shifts]).astype(np.uint8)
    assert masks.shape == (2, 40, 70, 100) and masks.dtype == np.uint8
    assert 0.1 < masks.mean() < 0.9
    assert float((masks == expected).mean()) >= 0.9999


def test_ct_like_volume_has_nothing_to_crop_and_a_body_in_air() -> None:
    vol = ct_like_volume((64, 48, 20))
    assert vol.shape == (64, 48, 20) and vol.dtype == np.int16
    assert nonzero_box(vol[None]) == ((0, 64), (0, 48), (0, 20))
    assert abs(float(vol[:3, :3].mean()) + 1000) < 10, "air in the corners"
    body = float((vol > -500).mean())
    assert 0.2 < body < 0.8
    assert (ct_like_volume((64, 48, 20)) == vol).all(), "deterministic"


def test_a_512x512x300_ct_has_75_windows_and_the_estimate_adds_them_up() -> None:
    assert window_count((300, 512, 512), (192, 192, 192)) == 3 * 5 * 5
    assert estimate_seconds(75, 40.0, 12.5) == 3012.5
    rows = [{"prompts": 1, "official": {"outside_network_s": 20.0}, "ours": {"outside_network_s": 10.0}},
            {"prompts": 4, "official": {"outside_network_s": 50.0}, "ours": None}]
    patches = [{"source": "a", "device": "cpu", "package": "ours", "prompts": 1, "patch_s": 30.0},
               {"source": "a", "device": "cpu", "package": "official", "prompts": 1, "patch_s": 50.0},
               {"source": "a", "device": "cpu", "package": "ours", "prompts": 4, "patch_s": 60.0},
               {"source": "b", "device": "cuda", "package": "ours", "prompts": 2, "patch_s": 0.2}]
    got = estimates(75, rows, patches)
    assert [(e["package"], e["prompts"], e["estimate_s"]) for e in got] == [
        ("ours", 1, 75 * 30.0 + 10.0), ("official", 1, 75 * 50.0 + 20.0)]
    assert all(e["windows"] == 75 for e in got)


def test_patch_times_come_from_the_measured_results_and_never_from_quick_or_dry_runs(tmp_path: Path) -> None:
    assert patch_times(tmp_path) == []
    (tmp_path / "engine_paths.json").write_text(json.dumps({"medians": [
        {"path": "reference", "prompts": 1, "predict_s": 64.0}, {"path": "fast", "prompts": 1, "predict_s": 39.4}]}))
    assert patch_times(tmp_path) == [
        {"source": "engine_paths.json", "device": "cpu", "package": "ours", "prompts": 1, "patch_s": 39.4}]
    engine = {"quick": False, "medians": [{"prompts": 4, "official": {"predict_s": 100.0}, "ours": {"predict_s": 58.0}}]}
    (tmp_path / "official_engine.json").write_text(json.dumps(engine))
    assert [(p["package"], p["prompts"], p["patch_s"]) for p in patch_times(tmp_path)] == [
        ("official", 4, 100.0), ("ours", 4, 58.0)]
    (tmp_path / "official_engine.json").write_text(json.dumps({**engine, "quick": True}))
    assert [p["source"] for p in patch_times(tmp_path)] == ["engine_paths.json"]
    gpu = {"dry_run": False, "placements": [{"placement": "gpu", "patch_s": {"1": 0.1}},
                                            {"placement": "offload", "patch_s": {"1": 0.2, "4": 0.5}}]}
    (tmp_path / "gpu_check.json").write_text(json.dumps(gpu))
    assert [(p["device"], p["prompts"], p["patch_s"]) for p in patch_times(tmp_path) if p["device"] == "cuda"] == [
        ("cuda", 1, 0.2), ("cuda", 4, 0.5)]
    (tmp_path / "gpu_check.json").write_text(json.dumps({**gpu, "dry_run": True}))
    assert all(p["device"] == "cpu" for p in patch_times(tmp_path))


@pytest.mark.parametrize("package", ["official", "ours"])
def test_install_standin_sets_the_network_both_packages_call(package: str) -> None:
    class Predictor:
        network: object = None

    predictor = Predictor()
    standin = StandInNetwork()
    install_standin(package, predictor, standin)
    assert predictor.network is standin
    x, text = torch.zeros(1, 1, 2, 2, 2), torch.zeros(1, 3, 4)
    if package == "ours":
        assert predictor._fast(x, text).shape == (3, 2, 2, 2)  # type: ignore[attr-defined]
    else:
        assert predictor.network(x, text)[0].shape == (3, 2, 2, 2)
