"""Predictor behaviour on a tiny random-weight model: paths, progress, cancel, OOM fallback, input errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from tests.tiny_model import build_tiny_model_dir
from voxtell import InferenceCancelled
from voxtell.errors import InvalidInputError
from voxtell.inference.predictor import VoxTellPredictor


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_model_dir(tmp_path_factory.mktemp("tiny"))


@pytest.fixture()
def predictor(tiny_dir: Path) -> VoxTellPredictor:
    return VoxTellPredictor(tiny_dir, device="cpu", use_precomputed_embeddings=False)


def _image(shape: tuple[int, ...] = (100, 70, 64), seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    img = rng.normal(100, 20, shape).astype(np.float32)
    img[:3] = 0  # a zero border that the crop removes
    return img


def _emb(n: int, seed: int = 1) -> torch.Tensor:
    return torch.randn(1, n, 16, generator=torch.Generator().manual_seed(seed))


def test_fast_path_matches_reference_path(tiny_dir: Path) -> None:
    image, emb = _image(), _emb(3)
    fast = VoxTellPredictor(tiny_dir, device="cpu", use_precomputed_embeddings=False)
    ref = VoxTellPredictor(tiny_dir, device="cpu", use_precomputed_embeddings=False, reference=True)
    assert (fast.path, ref.path) == ("fast", "reference")
    m_fast = fast.predict_single_image(image, text_embeddings=emb)
    m_ref = ref.predict_single_image(image, text_embeddings=emb)
    assert m_fast.shape == (3, 100, 70, 64) and m_fast.dtype == np.uint8
    assert 0 < m_ref.sum() < m_ref.size, "the tiny model must produce non-trivial masks"
    assert (m_fast == m_ref).mean() >= 0.9999
    assert not m_fast[:, :3].any(), "voxels outside the non-zero crop box stay background"


def test_prompts_are_independent(predictor: VoxTellPredictor) -> None:
    image, emb = _image(), _emb(2)
    together = predictor.predict_single_image(image, text_embeddings=emb)
    alone = [predictor.predict_single_image(image, text_embeddings=emb[:, i:i + 1])[0] for i in range(2)]
    # Mathematically identical; batched matrix products may round differently in the last bit.
    assert (together == np.stack(alone)).mean() >= 0.9999


def test_progress_reports_every_window_and_false_cancels(predictor: VoxTellPredictor) -> None:
    calls: list[tuple[int, int]] = []
    predictor.predict_single_image(_image(), text_embeddings=_emb(1),
                                   progress_callback=lambda d, t: calls.append((d, t)))
    # cropped (97, 70, 64), patch 64, step 0.5 -> windows per axis: 3, 2, 1
    assert calls == [(i, 6) for i in range(1, 7)]
    seen: list[int] = []

    def stop_at_three(done: int, total: int) -> bool:
        seen.append(done)
        return done < 3

    with pytest.raises(InferenceCancelled):
        predictor.predict_single_image(_image(), text_embeddings=_emb(1), progress_callback=stop_at_three)
    assert seen == [1, 2, 3]
    for value in (None, True, 0):  # only exactly False cancels
        def answer(done: int, total: int, value: object = value) -> object:
            return value

        predictor.predict_single_image(_image(), text_embeddings=_emb(1), progress_callback=answer)


def test_tile_step_size_changes_window_count(predictor: VoxTellPredictor) -> None:
    calls: list[int] = []
    predictor.tile_step_size = 1.0
    predictor.predict_single_image(_image(), text_embeddings=_emb(1), progress_callback=lambda d, t: calls.append(t))
    assert calls[-1] == 2 * 2 * 1


def test_cuda_oom_fallback_halves_batch_then_accumulates_on_cpu(
        predictor: VoxTellPredictor, tiny_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    image, emb = _image(), _emb(4)
    expected = predictor.predict_single_image(image, text_embeddings=emb)
    cpu_twin = VoxTellPredictor(tiny_dir, device="cpu", use_precomputed_embeddings=False)
    real = cpu_twin.predict_sliding_window_return_logits
    batches: list[tuple[int, bool]] = []

    def flaky(img: torch.Tensor, text: torch.Tensor, progress: object = None,
              tile_step_size: float | None = None) -> torch.Tensor:
        batches.append((text.shape[1], predictor.perform_everything_on_device))
        if predictor.perform_everything_on_device and text.shape[1] > 1:
            raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
        if predictor.perform_everything_on_device and len(batches) == 4:
            raise RuntimeError("CUDA error: out of memory")
        return real(img, text, None)

    notices: list[str] = []
    predictor.notice_callback = notices.append
    monkeypatch.setattr(predictor, "predict_sliding_window_return_logits", flaky)
    predictor.device = torch.device("cuda")  # only the fallback policy looks at it
    monkeypatch.setattr(predictor, "_network_on_device", lambda: predictor.network)
    masks = predictor.predict_single_image(image, text_embeddings=emb)
    predictor.device = torch.device("cpu")
    assert (masks == expected).mean() >= 0.9999
    # prompt 1 fails at batch 1 on the device, is redone with CPU accumulators, the rest go back
    assert batches == [(4, True), (2, True), (1, True), (1, True), (1, False), (1, True), (1, True)]
    assert notices[0] == "Low GPU memory - reducing batch to 2..."
    assert "accumulating on the CPU" in notices[-1]
    assert predictor.perform_everything_on_device is True, "the original setting is restored"


def test_non_oom_errors_are_not_swallowed(predictor: VoxTellPredictor, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> torch.Tensor:
        raise RuntimeError("some other failure")

    monkeypatch.setattr(predictor, "predict_sliding_window_return_logits", broken)
    predictor.device = torch.device("cuda")
    with pytest.raises(RuntimeError, match="some other failure"):
        predictor.predict_single_image(_image(), text_embeddings=_emb(2))
    predictor.device = torch.device("cpu")


def _one_window_logits(predictor: VoxTellPredictor, image: np.ndarray, emb: torch.Tensor) -> np.ndarray:
    """What the official algorithm does with an image smaller than the patch, written out: z-score
    over the whole image (population std, floor 1e-8), zero-pad to the patch with the odd voxel
    at the end, one network pass in float32, the image's voxels cut back out."""
    image = image.astype(np.float32)
    z = (image - image.mean(dtype=np.float32)) / max(float(image.std(dtype=np.float32)), 1e-8)
    patch = np.zeros(predictor.patch_size, np.float32)
    where = tuple(slice((p - s) // 2, (p - s) // 2 + s) for p, s in zip(predictor.patch_size, image.shape))
    patch[where] = z
    with torch.inference_mode():
        logits = predictor.network(torch.from_numpy(patch)[None, None], emb)[0].numpy()
    return logits[(slice(None), *where)]


@pytest.mark.parametrize("path", ["fast", "reference"])
@pytest.mark.parametrize("shape", [(1, 20, 24), (1, 40, 50, 36), (5, 5, 5)])
def test_odd_shapes_give_the_one_window_answer(tiny_dir: Path, path: str, shape: tuple[int, ...]) -> None:
    predictor = VoxTellPredictor(tiny_dir, device="cpu", use_precomputed_embeddings=False,
                                 reference=path == "reference")
    image = np.random.default_rng(0).normal(size=shape).astype(np.float32)
    emb = _emb(1)
    masks = predictor.predict_single_image(image, text_embeddings=emb)
    assert masks.shape == (1, *shape[-3:]) and masks.dtype == np.uint8
    expected = _one_window_logits(predictor, image.reshape(shape[-3:]), emb) > 0
    assert 0 < expected.sum() < expected.size, "a mask with both classes"
    np.testing.assert_array_equal(masks, expected.astype(np.uint8))


def test_all_zero_image_gives_the_official_answer(tiny_dir: Path) -> None:
    """A blank image z-scores to zeros (the std floor keeps it finite), the whole image is the
    crop box, and the official algorithm gives the network's answer on a zero patch.

    That answer is rounding noise made large: in a constant channel ``x - mean`` is not exactly
    0 and instance norm scales it by ~1/sqrt(eps), layer after layer. The reference path and the
    oracle run the same torch kernels, so they agree exactly; the fast path's norm rounds
    differently and its blank-image masks differ from the reference path's (issue 18 report),
    so it is not held to this."""
    predictor = VoxTellPredictor(tiny_dir, device="cpu", use_precomputed_embeddings=False, reference=True)
    image = np.zeros((10, 12, 14), np.float32)
    emb = _emb(1)
    masks = predictor.predict_single_image(image, text_embeddings=emb)
    expected = _one_window_logits(predictor, image, emb) > 0
    assert 0 < expected.sum() < expected.size
    np.testing.assert_array_equal(masks, expected.astype(np.uint8))


@pytest.mark.parametrize(("image", "emb", "message"), [
    (np.zeros((10, 10), np.float32), _emb(1), "3-D image"),
    (np.zeros((2, 10, 10, 10), np.float32), _emb(1), "1 channel"),
    (np.full((10, 10, 10), np.nan, np.float32), _emb(1), "NaN"),
    (np.zeros((10, 10, 10), np.float32), torch.zeros(1, 1, 7), r"\(1, N, 16\)"),
    (np.zeros((10, 10, 10), np.float32), torch.zeros(1, 0, 16), r"\(1, N, 16\)"),
])
def test_bad_input_names_the_problem(predictor: VoxTellPredictor, image: np.ndarray,
                                     emb: torch.Tensor, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        predictor.predict_single_image(image, text_embeddings=emb)


def test_needs_prompts_or_embeddings(predictor: VoxTellPredictor) -> None:
    with pytest.raises(ValueError, match="text_prompts or text_embeddings"):
        predictor.predict_single_image(np.zeros((8, 8, 8), np.float32))


def test_info_reports_path_precision_and_demo_flag(predictor: VoxTellPredictor) -> None:
    info = predictor.info()
    assert info["path"] == "fast" and info["precision"] == "fp32"
    assert info["accumulation_dtype"] == "float16" and info["demo"] is False
    assert info["patch_size"] == [64, 64, 64]


def test_cuda_allocator_setting_comes_from_the_entry_points_unless_the_user_set_it(tmp_path: Path) -> None:
    """Importing the library changes no environment; both command-line entry points ask for
    ``expandable_segments`` (fewer fragmentation OOMs) before anything touches CUDA, and a
    user's own setting wins."""
    import os
    import subprocess
    import sys

    from voxtell.text import save_embedding_bank

    bank = save_embedding_bank(tmp_path / "bank.npz", {"liver": np.zeros(4)})
    report = "import os, sys; print(os.environ.get('PYTORCH_CUDA_ALLOC_CONF'), file=sys.stderr)"
    programs = {
        "import": "import voxtell.inference.predictor, backend",
        "voxtell-predict": f"from voxtell.cli.predict import main; main(['--list-embeddings', '--embeddings', {str(bank)!r}])",
        "voxtell-web": "from backend.cli import main; main(['serve', '--host', '0.0.0.0'])",  # refuses, exit 2
    }
    env = {k: v for k, v in os.environ.items() if k not in ("PYTORCH_CUDA_ALLOC_CONF", "VOXTELL_API_KEY")}

    def setting(program: str, extra: dict[str, str]) -> str:
        out = subprocess.run([sys.executable, "-c", f"{programs[program]}\n{report}"], env={**env, **extra},
                             capture_output=True, text=True, timeout=300)
        return out.stderr.strip().splitlines()[-1]

    assert setting("import", {}) == "None"
    for program in ("voxtell-predict", "voxtell-web"):
        assert setting(program, {}) == "expandable_segments:True", program
        assert setting(program, {"PYTORCH_CUDA_ALLOC_CONF": "max_split_size_mb:128"}) == "max_split_size_mb:128"


@pytest.mark.parametrize("dtype", [np.float32, np.int16])
def test_the_callers_volume_is_never_modified(predictor: VoxTellPredictor, dtype: type) -> None:
    """The server computes HU statistics from the same array after prediction and hands an
    uploaded volume to its next job: normalising in place must only touch the predictor's own copy.
    An integer volume gives the same masks as its float32 twin (the copy made for it is normalised
    in place; the float one is copied first)."""
    image = np.rint(_image((60, 50, 40))).astype(dtype)
    original = image.copy()
    masks = predictor.predict_single_image(image, text_embeddings=_emb(2))
    np.testing.assert_array_equal(image, original)
    as_float = predictor.predict_single_image(original.astype(np.float32), text_embeddings=_emb(2))
    np.testing.assert_array_equal(masks, as_float)


def test_the_reference_path_after_the_fast_one_runs_the_official_layout(tiny_dir: Path) -> None:
    """Fast path, then the network moved off and back (what a new prompt does on a GPU with the
    offloaded text encoder), then ``reference=True``: the weights are contiguous again and the
    masks are the reference path's."""
    image, emb = _image((60, 50, 40)), _emb(1)
    predictor = VoxTellPredictor(tiny_dir, device="cpu", use_precomputed_embeddings=False)
    predictor.predict_single_image(image, text_embeddings=emb)
    predictor._network_off_device()
    predictor.reference = True
    masks = predictor.predict_single_image(image, text_embeddings=emb)
    assert all(p.is_contiguous() for p in predictor.network.parameters())
    fresh = VoxTellPredictor(tiny_dir, device="cpu", use_precomputed_embeddings=False, reference=True)
    np.testing.assert_array_equal(masks, fresh.predict_single_image(image, text_embeddings=emb))
