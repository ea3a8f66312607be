"""Full-size VoxTell v1.1 network (random weights scaled like the goldens): the default fast path
gives the reference path's masks. Minutes of CPU and ~8 GB RAM: run by `make test-all`."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from bench.engine_paths import synthetic_volume, write_full_model
from voxtell.inference.predictor import VoxTellPredictor


@pytest.mark.slow
def test_full_size_fast_path_matches_reference(tmp_path: Path) -> None:
    model_dir = write_full_model(tmp_path / "full")
    image = synthetic_volume()
    emb = torch.randn(1, 2, 2560, generator=torch.Generator().manual_seed(1))
    masks = {}
    for reference in (True, False):
        predictor = VoxTellPredictor(model_dir, device="cpu", use_precomputed_embeddings=False, reference=reference)
        assert predictor.network.config.n_tokens == 1728
        masks[reference] = predictor.predict_single_image(image, text_embeddings=emb)
        del predictor
    assert masks[True].shape == (2, 192, 192, 192)
    assert 0 < masks[True].mean() < 1
    assert (masks[True] == masks[False]).mean() >= 0.9999
