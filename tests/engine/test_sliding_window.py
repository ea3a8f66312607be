"""Sliding-window maths (spec §4.5-§4.7) and preprocessing steps (§4.2-§4.4, §4.8)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from voxtell.errors import InferenceCancelled
from voxtell.inference import preprocessing as prep
from voxtell.inference.sliding_window import (
    add_weighted_,
    gaussian_importance,
    sliding_window_logits,
    threshold_into,
    window_starts,
)


@pytest.mark.parametrize(("size", "positions"), [
    (192, [0]), (200, [0, 8]), (252, [0, 60]), (289, [0, 48, 97]), (291, [0, 50, 99]),
    (384, [0, 96, 192]), (385, [0, 64, 129, 193]), (512, [0, 80, 160, 240, 320]),
])
def test_window_positions_table(size: int, positions: list[int]) -> None:
    assert window_starts((size, 192, 192), (192, 192, 192), 0.5)[0] == positions


def test_window_positions_reject_small_images_and_bad_steps() -> None:
    with pytest.raises(ValueError, match="smaller than the patch"):
        window_starts((100, 192, 192), (192, 192, 192))
    with pytest.raises(ValueError, match="tile_step_size"):
        window_starts((192, 192, 192), (192, 192, 192), 0.0)


def test_gaussian_matches_closed_form_and_clamps_corners() -> None:
    g = gaussian_importance((192, 192, 192)).float().numpy()
    assert g.dtype == np.float32 and g.shape == (192, 192, 192)
    assert g[96, 96, 96] == 10.0 and g.max() == 10.0
    smallest = float(np.float16(2.0**-24))
    i = np.arange(192, dtype=np.float64) - 96
    r2 = i[:, None, None] ** 2 + i[None, :, None] ** 2 + i[None, None, :] ** 2
    closed = (10 * np.exp(-r2 / (2 * 24.0**2))).astype(np.float16)
    assert (closed == 0).sum() == 30427, "corner voxels that underflow float16"
    assert (g[closed == 0] == smallest).all() and g.min() == smallest
    np.testing.assert_allclose(g[closed > 0], closed[closed > 0].astype(np.float32), rtol=2e-3, atol=6e-8)
    for idx in [(96, 96, 120), (50, 96, 96), (10, 20, 30), (96, 0, 96)]:
        r2 = sum((i - 96) ** 2 for i in idx)
        expected = np.float16(10 * np.exp(-r2 / (2 * 24.0**2)))
        assert g[idx] == pytest.approx(float(expected), rel=2e-3, abs=1e-7)


def test_sliding_window_is_the_weighted_average_of_patch_outputs() -> None:
    torch.manual_seed(0)
    image = torch.randn(1, 24, 20, 16)
    # Each patch predicts a constant = its own index; the blend is then a weighted average.
    calls: list[int] = []

    def net(patch: torch.Tensor) -> torch.Tensor:
        calls.append(1)
        return torch.full((2, 16, 16, 16), float(len(calls)))

    progress: list[tuple[int, int]] = []
    logits = sliding_window_logits(net, image, (16, 16, 16), accumulation_dtype=torch.float32,
                                   progress_callback=lambda d, t: progress.append((d, t)))
    assert logits.shape == (2, 24, 20, 16) and logits.dtype == torch.float32
    assert progress == [(i, 4) for i in range(1, 5)]  # windows: A0 at 0/8, A1 at 0/4, A2 at 0
    assert torch.allclose(logits[:, 0, 0, 0], torch.tensor(1.0))      # only the first window covers it
    assert torch.allclose(logits[:, -1, -1, -1], torch.tensor(4.0))   # only the last window covers it
    middle = logits[0, 12, 10, 8].item()
    assert 1.0 < middle < 4.0


def test_identity_net_reproduces_the_image() -> None:
    image = torch.randn(1, 40, 33, 16)
    logits = sliding_window_logits(lambda p: p[0], image, (16, 16, 16), accumulation_dtype=torch.float32)
    torch.testing.assert_close(logits, image, atol=1e-5, rtol=1e-5)


def test_cancel_only_on_exactly_false() -> None:
    image = torch.zeros(1, 32, 16, 16)
    net = lambda p: torch.zeros(1, 16, 16, 16)  # noqa: E731
    with pytest.raises(InferenceCancelled):
        sliding_window_logits(net, image, (16, 16, 16), progress_callback=lambda d, t: False)
    for value in (None, 0, True, "no"):
        sliding_window_logits(net, image, (16, 16, 16), progress_callback=lambda d, t, v=value: v)


def test_fp16_overflow_is_an_error() -> None:
    image = torch.zeros(1, 16, 16, 16)
    with pytest.raises(RuntimeError, match="inf"):
        sliding_window_logits(lambda p: torch.full((1, 16, 16, 16), 1e5), image, (16, 16, 16))


def test_crop_box_zscore_and_padding() -> None:
    data = np.zeros((1, 10, 12, 14), np.float32)
    data[0, 2:7, 3:12, 4:5] = np.arange(45, dtype=np.float32).reshape(5, 9, 1) + 1
    data[0, 4, 5, 4] = 0  # a zero inside the box stays inside
    cropped, crop = prep.crop_to_nonzero(data)
    assert crop.box == ((2, 7), (3, 12), (4, 5)) and crop.shape == (10, 12, 14)
    assert cropped.shape == (1, 5, 9, 1)
    z = prep.zscore(cropped)
    assert abs(float(z.mean())) < 1e-6 and abs(float(z.std()) - 1) < 1e-5
    assert z[0, 2, 2, 0] == pytest.approx((0 - cropped.mean()) / cropped.std(), rel=1e-5)
    padded, unpad = prep.pad_to_patch(z, (8, 8, 8))
    assert padded.shape == (1, 8, 9, 8)
    # below = diff // 2, the extra voxel goes to the end
    assert unpad[1:] == (slice(1, 6), slice(0, 9), slice(3, 4))
    np.testing.assert_array_equal(padded[(slice(None), *unpad[1:])], z)
    full, in_box = prep.uncropped_output(2, crop)
    assert in_box.shape == (2, 5, 9, 1) and np.shares_memory(full, in_box)
    in_box[...] = 1
    assert full.shape == (2, 10, 12, 14) and full.sum() == 2 * 45 and full[:, 2:7, 3:12, 4].all()


def test_all_zero_image_keeps_the_whole_box_and_stays_zero() -> None:
    data = np.zeros((1, 4, 5, 6), np.float32)
    cropped, crop = prep.crop_to_nonzero(data)
    assert crop.box == ((0, 4), (0, 5), (0, 6))
    assert not prep.zscore(cropped).any()


@pytest.mark.parametrize("patch", [(192, 192, 192), (64, 48, 32), (5, 7, 9), (16, 16, 1)])
def test_gaussian_is_nnunets_bit_for_bit(patch: tuple[int, int, int]) -> None:
    """The separable construction gives exactly nnU-Net's ``compute_gaussian`` (float16 and 32)."""
    from nnunetv2.inference.sliding_window_prediction import compute_gaussian

    for dtype in (torch.float16, torch.float32):
        theirs = compute_gaussian(patch, 1.0 / 8, 10, dtype=dtype, device=torch.device("cpu"))
        assert torch.equal(gaussian_importance(patch, "cpu", dtype), theirs)


@pytest.mark.parametrize("accumulator", [torch.float16, torch.float32, torch.bfloat16])
@pytest.mark.parametrize("predicted", [torch.float32, torch.float16, torch.bfloat16])
def test_weighted_accumulation_is_torchs_own_arithmetic(accumulator: torch.dtype, predicted: torch.dtype) -> None:
    """Chunked ``acc[window] += prediction * gaussian`` leaves every bit of the accumulator as the
    one-line torch expression does (also outside the window), for every accumulator and network
    output precision (CPU fp32, CUDA autocast fp16, bf16)."""
    torch.manual_seed(0)
    acc = (torch.randn(3, 40, 37, 30) * 3).to(accumulator)
    prediction = (torch.randn(3, 20, 24, 16) * 5).to(predicted)
    gaussian = gaussian_importance((20, 24, 16), "cpu", accumulator)
    window = (slice(None), slice(7, 27), slice(13, 37), slice(2, 18))
    expected, ours = acc.clone(), acc.clone()
    for _ in range(3):  # repeated sums round like the sliding window's overlapping windows
        expected[window] += prediction * gaussian
        add_weighted_(ours[window], prediction, gaussian)
    assert torch.equal(ours, expected) and not torch.equal(ours, acc)


def test_threshold_into_a_crop_box_marks_positive_logits_only() -> None:
    logits = torch.tensor([[[[0.5, 0.0, -1.0, float("nan")]]]], dtype=torch.float16)  # (1, 1, 1, 4)
    full = np.full((1, 3, 2, 6), 7, np.uint8)
    threshold_into(logits, full[:, 1:2, 1:2, 1:5])
    assert full[0, 1, 1, 1:5].tolist() == [1, 0, 0, 0]  # NaN is background
    assert (full[0, 1, 1, [0, 5]] == 7).all() and (full[0, [0, 2]] == 7).all()  # nothing outside the box
    with pytest.raises(ValueError, match="uint8"):
        threshold_into(logits, np.zeros((1, 1, 1, 4), np.int16))


def test_zscore_in_place_gives_the_same_numbers_and_leaves_other_arrays_alone() -> None:
    data = np.random.default_rng(0).normal(40, 300, (1, 30, 20, 10)).astype(np.float32)
    copied = prep.zscore(data)
    assert copied is not data and not np.array_equal(copied, data)
    view = data[:, :, 2:]  # not contiguous: copied even when asked to work in place
    assert prep.zscore(view, in_place=True) is not view
    original = data.copy()
    in_place = prep.zscore(data, in_place=True)
    assert in_place is data and np.array_equal(in_place, copied)
    assert not np.array_equal(data, original)
