"""When the network makes room on the GPU for the offloaded text encoder (the 8 GiB goal), and
when it does not: the decision, on any machine (the move itself is tested on CUDA in
``tests/gpu/test_cuda.py``)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
import torch

from voxtell.inference.predictor import VoxTellPredictor


@pytest.mark.parametrize(("device", "network_on", "placement", "needs_encoder", "expected"), [
    ("cuda", "cuda", "offload", True, True),
    ("cuda", "cuda", "offload", False, False),  # bank / cached prompts: no encoder, nothing moves
    ("cuda", "cuda", "gpu", True, False),  # the user keeps both on the GPU
    ("cuda", "cpu", "offload", True, False),  # not there yet (first request)
    ("cpu", "cpu", "cpu", True, False),
])
def test_the_network_makes_room_only_for_the_offloaded_encoder(demo_model_dir: Path, device: str, network_on: str,
                                                               placement: str, needs_encoder: bool,
                                                               expected: bool) -> None:
    predictor = VoxTellPredictor(demo_model_dir, device="cpu")
    predictor.device = torch.device(device)
    predictor._network_device = torch.device(network_on)
    predictor._embedder = SimpleNamespace(encoder=SimpleNamespace(placement=placement),
                                          needs_encoder=lambda prompts: needs_encoder)
    assert predictor._network_must_make_room_for_text(["spleen"]) is expected
