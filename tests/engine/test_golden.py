"""Proof of correctness: our engine against the official implementation's golden outputs.

Weights come from the FILL RULE (spec §8.3); the fixtures were computed with the official
voxtell 0.1.2 package on CPU (see tests/fixtures/voxtell-golden/README.md).
"""

from __future__ import annotations

import json
from pathlib import Path

import nibabel as nib
import numpy as np
import pytest
import torch

from tests.golden import GOLDEN, SMALL, build_golden_model_dir
from voxtell.inference.predictor import VoxTellPredictor
from voxtell.io import read_volume, write_mask
from voxtell.model import load_model_config, official_key_shapes
from voxtell.model.config import config_from_plans


def _key_table(path: Path) -> dict[str, tuple[int, ...]]:
    table = json.loads(path.read_text())
    shapes = {}
    for entry in table["canonical"]:
        for key in [entry["key"], *entry["aliases"]]:
            shapes[key] = tuple(entry["shape"])
    assert len(shapes) == table["n_state_dict_keys"]
    return shapes


def test_full_size_v11_key_table_matches_official() -> None:
    plans = json.loads((SMALL / "plans.json").read_text())
    plans["configurations"]["3d_fullres"]["architecture"]["arch_kwargs"]["n_blocks_per_stage"] = [1, 3, 4, 6, 6, 6]
    shapes = official_key_shapes(config_from_plans(plans))
    expected = _key_table(GOLDEN / "keys_v1.1.json")
    assert len(shapes) == 1095
    assert shapes == expected


def test_small_model_key_table_matches_official() -> None:
    assert official_key_shapes(load_model_config(SMALL)) == _key_table(SMALL / "keys.json")


@pytest.fixture(scope="module")
def golden_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_golden_model_dir(tmp_path_factory.mktemp("golden-model"))


@pytest.fixture(scope="module", params=["fast", "reference"])
def golden_predictor(request: pytest.FixtureRequest, golden_model_dir: Path) -> VoxTellPredictor:
    """The default (fast) path and the reference path must both reproduce the goldens."""
    predictor = VoxTellPredictor(golden_model_dir, device="cpu", use_precomputed_embeddings=False,
                                 reference=request.param == "reference")
    assert predictor.path == request.param
    return predictor


def _golden_embeddings() -> torch.Tensor:
    return torch.randn(1, 2, 64, generator=torch.Generator().manual_seed(8))


def test_network_forward_matches_golden(golden_predictor: VoxTellPredictor) -> None:
    golden = np.load(SMALL / "golden_forward.npz")
    x = torch.randn(1, 1, 192, 192, 192, generator=torch.Generator().manual_seed(7))
    with torch.inference_mode():
        y = golden_predictor._forward()(x, _golden_embeddings()).numpy()
    assert y.shape == (2, 192, 192, 192)
    idx = golden["sample_flat_index"]
    for p in range(2):
        std = float(golden["logits_std"][p])
        np.testing.assert_allclose(y[p].ravel()[idx], golden["sample_logits"][p], rtol=1e-4, atol=1e-4 * std)
        mask = np.unpackbits(golden["mask_packbits"][p])[: 192**3].astype(bool)
        assert ((y[p].ravel() > 0) == mask).mean() >= 0.9999
        assert abs(float(y[p].mean()) - float(golden["logits_mean"][p])) < 1e-3 * std


@pytest.mark.parametrize(("case", "golden_file", "windows"), [
    ("case", "golden_predict.npz", 1),
    ("case_multi", "golden_predict_multi.npz", 2),
])
def test_predictor_file_to_file_matches_golden(golden_predictor: VoxTellPredictor, tmp_path: Path,
                                               case: str, golden_file: str, windows: int) -> None:
    golden = np.load(SMALL / golden_file)
    source = SMALL / f"{case}.nii.gz"
    volume = read_volume(source)
    assert volume.data.shape == tuple(golden["ras_shape"])
    progress: list[tuple[int, int]] = []
    masks = golden_predictor.predict_single_image(
        volume.data, text_embeddings=_golden_embeddings(),
        progress_callback=lambda done, total: progress.append((done, total)))
    assert progress == [(i, windows) for i in range(1, windows + 1)]
    assert masks.dtype == np.uint8 and masks.shape == golden["mask_ras"].shape
    assert (masks == golden["mask_ras"]).mean() >= 0.9999
    source_affine = nib.load(str(source)).affine
    for p in range(2):
        written = nib.load(str(write_mask(masks[p], volume.geometry, tmp_path / f"{case}_{p}.nii.gz")))
        data = np.asarray(written.dataobj)
        assert data.dtype == np.uint8
        assert data.shape == tuple(golden["file_shape"])
        assert (data == golden["mask_in_file_orientation"][p]).mean() >= 0.9999
        np.testing.assert_allclose(written.affine, source_affine, atol=1e-4)
