"""On a CUDA device: fp16 autocast against the CPU fp32 goldens, a real (induced) out-of-memory
taking the fallbacks, and the text encoder's placements.

Marked ``gpu``: collected everywhere, deselected where CUDA is absent (the pytest summary says
how many ran, see ``tests/conftest.py``); ``make test-gpu`` runs only these.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

import voxtell.text.encoder as encoder_module
from tests.golden import GOLDEN, SMALL, build_golden_model_dir
from tests.tiny_model import build_tiny_model_dir
from voxtell.inference.predictor import VoxTellPredictor
from voxtell.io import read_volume
from voxtell.text.encoder import TextEncoder

pytestmark = pytest.mark.gpu

CUDA = torch.device("cuda", 0)
TINY_QWEN = GOLDEN / "tiny-qwen3"
BATCH_NOTICES = ["Low GPU memory - reducing batch to 2...", "Low GPU memory - reducing batch to 1..."]
CPU_NOTICE = "Low GPU memory - accumulating on the CPU for this prompt..."


@pytest.fixture(autouse=True)
def _clean_device() -> Iterator[None]:
    yield
    torch.cuda.synchronize(CUDA)
    torch.cuda.set_per_process_memory_fraction(1.0, CUDA)
    torch.cuda.empty_cache()


@pytest.fixture(scope="module")
def golden_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_golden_model_dir(tmp_path_factory.mktemp("golden-model"))


@pytest.mark.parametrize("path", ["fast", "reference"])
@pytest.mark.parametrize(("case", "golden_file", "windows"), [
    ("case", "golden_predict.npz", 1),
    ("case_multi", "golden_predict_multi.npz", 2),
])
def test_fp16_autocast_masks_agree_with_the_cpu_fp32_goldens(golden_model_dir: Path, path: str, case: str,
                                                             golden_file: str, windows: int) -> None:
    """The goldens are the official implementation's CPU fp32 masks (which the CPU path
    reproduces on >= 99.99 % of voxels, tests/engine/test_golden.py)."""
    golden = np.load(SMALL / golden_file)
    volume = read_volume(SMALL / f"{case}.nii.gz")
    predictor = VoxTellPredictor(golden_model_dir, device=CUDA, use_precomputed_embeddings=False,
                                 reference=path == "reference")
    assert predictor.precision == "fp16-autocast" and predictor.info()["device"].startswith("cuda")
    emb = torch.randn(1, 2, 64, generator=torch.Generator().manual_seed(8))  # as the goldens
    progress: list[tuple[int, int]] = []
    masks = predictor.predict_single_image(volume.data, text_embeddings=emb,
                                           progress_callback=lambda done, total: progress.append((done, total)))
    assert next(predictor.network.parameters()).device.type == "cuda", "the network ran on the GPU"
    assert progress == [(i, windows) for i in range(1, windows + 1)]
    assert masks.shape == golden["mask_ras"].shape and masks.dtype == np.uint8
    for p in range(2):
        expected = golden["mask_ras"][p]
        assert 0 < expected.sum() < expected.size
        agreement = float((masks[p] == expected).mean())
        assert agreement >= 0.999, f"prompt {p}: fp16 autocast agrees on {agreement:.5%} of voxels"


def _peak_reserved(run: Any) -> tuple[Any, int]:
    torch.cuda.synchronize(CUDA)
    torch.cuda.empty_cache()
    torch.cuda.reset_peak_memory_stats(CUDA)
    result = run()
    torch.cuda.synchronize(CUDA)
    return result, int(torch.cuda.max_memory_reserved(CUDA))


def test_induced_out_of_memory_halves_the_batch_then_accumulates_on_the_cpu(tmp_path: Path) -> None:
    """A memory cap between what one prompt needs with CPU accumulators and with device
    accumulators (measured first, on this device): four prompts must go 4 -> 2 -> 1 on the
    device, then each prompt with CPU accumulators, with the same masks as without the cap."""
    predictor = VoxTellPredictor(build_tiny_model_dir(tmp_path / "tiny"), device=CUDA,
                                 use_precomputed_embeddings=False)
    notices: list[str] = []
    predictor.notice_callback = notices.append
    # 256^3: the image (fp32) and the two fp16 accumulators take ~134 MB on the device
    image = np.random.default_rng(0).normal(100, 20, (256, 256, 256)).astype(np.float32)
    emb = torch.randn(1, 4, 16, generator=torch.Generator().manual_seed(1))

    expected, _ = _peak_reserved(lambda: predictor.predict_single_image(image, text_embeddings=emb))
    assert 0 < expected.sum() < expected.size
    # every prompt-batch size once without the cap, so that cuDNN's algorithm search (and its
    # workspaces) is over before it: under the cap only the accumulators decide
    predictor.predict_single_image(image, text_embeddings=emb[:, :2])
    _, device_one = _peak_reserved(lambda: predictor.predict_single_image(image, text_embeddings=emb[:, :1]))
    predictor.perform_everything_on_device = False
    try:
        _, cpu_one = _peak_reserved(lambda: predictor.predict_single_image(image, text_embeddings=emb[:, :1]))
    finally:
        predictor.perform_everything_on_device = True
    assert device_one - cpu_one > 64 << 20, (device_one, cpu_one)
    assert notices == [], "no fallback without a cap"

    cap = (device_one + cpu_one) // 2
    total = torch.cuda.get_device_properties(CUDA).total_memory
    torch.cuda.empty_cache()
    torch.cuda.set_per_process_memory_fraction(cap / total, CUDA)
    try:
        masks = predictor.predict_single_image(image, text_embeddings=emb)
    finally:
        torch.cuda.set_per_process_memory_fraction(1.0, CUDA)
    assert notices == BATCH_NOTICES + [CPU_NOTICE] * 4, notices
    assert predictor.perform_everything_on_device is True, "the setting is restored"
    assert float((masks == expected).mean()) >= 0.9999

    # With no room beyond what is held now, even CPU accumulation fails: the error reaches the caller.
    notices.clear()
    torch.cuda.empty_cache()
    torch.cuda.set_per_process_memory_fraction((torch.cuda.memory_reserved(CUDA) + (512 << 10)) / total, CUDA)
    try:
        with pytest.raises(torch.OutOfMemoryError):
            predictor.predict_single_image(image, text_embeddings=emb[:, :1])
    finally:
        torch.cuda.set_per_process_memory_fraction(1.0, CUDA)
    assert notices == [CPU_NOTICE]


@pytest.fixture(scope="module")
def _text_kernels_warm() -> None:
    """Run the backbone on the GPU once: cuBLAS keeps its workspaces for the process, and they
    must not count as memory the encoder holds."""
    encoder = TextEncoder(str(TINY_QWEN), CUDA, precision="fp32", placement="gpu", idle_unload_s=None)
    encoder.encode(["warm up"])
    encoder.unload()


@pytest.fixture()
def forward_devices(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The device of every text-backbone forward pass (its pooled hidden states)."""
    seen: list[str] = []
    real = encoder_module.last_token_pool

    def recording(hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        seen.append(hidden.device.type)
        return real(hidden, mask)

    monkeypatch.setattr(encoder_module, "last_token_pool", recording)
    return seen


@pytest.mark.parametrize(("placement", "runs_on", "rests_on"), [
    ("gpu", "cuda", "cuda"), ("offload", "cuda", "cpu"), ("cpu", "cpu", "cpu")])
@pytest.mark.usefixtures("_text_kernels_warm")
def test_text_encoder_placements(forward_devices: list[str], placement: str, runs_on: str, rests_on: str) -> None:
    golden = np.load(TINY_QWEN / "golden_embeddings.npz")
    torch.cuda.empty_cache()
    before = torch.cuda.memory_allocated(CUDA)
    encoder = TextEncoder(str(TINY_QWEN), CUDA, precision="fp32", placement=placement, idle_unload_s=None)
    assert encoder.placement == placement and encoder.location is None
    out = encoder.encode(list(golden["prompts"]))
    assert out.device.type == "cpu" and out.dtype == torch.float32
    np.testing.assert_allclose(out.numpy(), golden["embeddings"], atol=1e-4, rtol=1e-4)
    assert forward_devices and set(forward_devices) == {runs_on}
    assert encoder.location == rests_on
    held = torch.cuda.memory_allocated(CUDA) - before
    weights = (TINY_QWEN / "model.safetensors").stat().st_size  # float32 or half on disk
    if rests_on == "cuda":
        assert held >= weights // 2, "the weights stay on the GPU between prompts"
    else:
        assert held < weights // 8, "the weights are not left on the GPU"
    encoder.unload()
    assert encoder.location is None and torch.cuda.memory_allocated(CUDA) - before < weights // 8


def test_text_encoder_defaults_on_cuda_are_fp16_and_offload(forward_devices: list[str]) -> None:
    golden = np.load(TINY_QWEN / "golden_embeddings.npz")
    encoder = TextEncoder(str(TINY_QWEN), CUDA, idle_unload_s=None)
    assert (encoder.precision, encoder.placement) == ("fp16", "offload")
    out = encoder.encode(list(golden["prompts"])).numpy()
    assert set(forward_devices) == {"cuda"} and encoder.location == "cpu"
    assert np.isfinite(out).all()
    ref = golden["embeddings"]
    cosine = (out * ref).sum(1) / (np.linalg.norm(out, axis=1) * np.linalg.norm(ref, axis=1))
    assert cosine.min() >= 0.99, cosine
    encoder.unload()


def test_predictor_passes_the_placement_to_its_encoder(demo_model_dir: Path, forward_devices: list[str]) -> None:
    predictor = VoxTellPredictor(demo_model_dir, device=CUDA, text_placement="gpu", text_idle_unload_s=None)
    emb = predictor.embed_text_prompts(["a prompt that is not in the bank", "liver"])
    assert emb.device.type == "cuda" and emb.shape == (1, 2, 64)
    encoder = predictor.embedder.encoder
    assert forward_devices == ["cuda"] and encoder.location == "cuda" and encoder.precision == "fp16"
    masks = predictor.predict_single_image(np.random.default_rng(0).normal(0, 1, (40, 50, 60)).astype(np.float32),
                                           text_embeddings=emb)
    assert masks.shape == (2, 40, 50, 60) and set(np.unique(masks)) <= {0, 1}
    predictor.embedder.unload()


def test_the_network_leaves_the_gpu_while_the_offloaded_encoder_runs(demo_model_dir: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """8 GiB goal: a new prompt after a prediction encodes with the network off the GPU (the
    encoder's fp16 weights beside the network's would not fit), and the next prediction brings
    the network back with the same masks."""
    predictor = VoxTellPredictor(demo_model_dir, device=CUDA, text_placement="offload", text_idle_unload_s=None)
    network_at_encode: list[str] = []
    real = encoder_module.last_token_pool

    def recording(hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        network_at_encode.append(next(predictor.network.parameters()).device.type)
        return real(hidden, mask)

    monkeypatch.setattr(encoder_module, "last_token_pool", recording)
    image = np.random.default_rng(0).normal(0, 1, (40, 50, 60)).astype(np.float32)
    emb = predictor.embed_text_prompts(["liver"])
    first = predictor.predict_single_image(image, text_embeddings=emb)
    assert next(predictor.network.parameters()).device.type == "cuda"
    predictor.embed_text_prompts(["a prompt that is in no bank"])
    assert network_at_encode == ["cpu"]
    again = predictor.predict_single_image(image, text_embeddings=emb)
    assert next(predictor.network.parameters()).device.type == "cuda"
    np.testing.assert_array_equal(again, first)
    predictor.embedder.unload()
