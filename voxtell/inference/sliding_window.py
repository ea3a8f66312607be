"""Sliding-window maths and the accumulation loop (spec §4.5-§4.7).

``sliding_window_logits`` takes any callable ``net_fn(patch) -> logits`` so that tests can
run it with a lambda and the predictor can plug in the real network.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

import numpy as np
import torch
from nnunetv2.inference.sliding_window_prediction import compute_gaussian, compute_steps_for_sliding_window

from voxtell.errors import InferenceCancelled

ProgressCallback = Callable[[int, int], object]
NetFn = Callable[[torch.Tensor], torch.Tensor]


def window_starts(image_size: Sequence[int], patch_size: Sequence[int], step: float = 0.5) -> list[list[int]]:
    """Window start positions per axis (nnU-Net's rule: numpy round-half-even of even spacing)."""
    if any(i < p for i, p in zip(image_size, patch_size)):
        raise ValueError(f"image {tuple(image_size)} is smaller than the patch {tuple(patch_size)}; pad first")
    if not 0 < step <= 1:
        raise ValueError(f"tile_step_size must be in (0, 1], got {step}")
    return compute_steps_for_sliding_window(tuple(image_size), tuple(patch_size), step)


def window_count(image_size: Sequence[int], patch_size: Sequence[int], step: float = 0.5) -> int:
    """How many windows the sliding window visits on an image of ``image_size`` (any axis
    order, the patch's), after padding each axis to at least the patch (what prediction does).
    Cropping to the non-zero region can only lower it: an upper bound before reading voxels."""
    padded = [max(int(i), int(p)) for i, p in zip(image_size, patch_size)]
    return int(np.prod([len(starts) for starts in window_starts(padded, patch_size, step)]))


def gaussian_importance(patch_size: Sequence[int], device: torch.device | str = "cpu",
                        dtype: torch.dtype = torch.float16) -> torch.Tensor:
    """Gaussian weights: sigma = P/8, max 10 at P//2, exact zeros clamped to the smallest positive."""
    return compute_gaussian(tuple(patch_size), 1.0 / 8, 10, dtype=dtype, device=torch.device(device))


def window_slices(image_size: Sequence[int], patch_size: Sequence[int], step: float) -> list[tuple[slice, ...]]:
    """Spatial slicers of every window; A0 outer loop, A2 inner loop."""
    starts = window_starts(image_size, patch_size, step)
    return [tuple(slice(s, s + p) for s, p in zip(pos, patch_size))
            for pos in itertools.product(*starts)]


def sliding_window_logits(
    net_fn: NetFn,
    image: torch.Tensor,
    patch_size: Sequence[int],
    *,
    tile_step_size: float = 0.5,
    accumulation_dtype: torch.dtype = torch.float16,
    accumulation_device: torch.device | str | None = None,
    progress_callback: ProgressCallback | None = None,
) -> torch.Tensor:
    """Gaussian-weighted sliding-window logits.

    Args:
        net_fn: maps a patch ``(1, C, P0, P1, P2)`` to logits ``(N, P0, P1, P2)``.
        image: ``(C, S0, S1, S2)`` already normalised and padded to at least the patch size.
        patch_size: ``(P0, P1, P2)``.
        accumulation_dtype: float16 reproduces the official numbers; float32 is allowed.
        accumulation_device: where the accumulators live (default: the image's device).
        progress_callback: ``cb(done, total)`` after each window; returning ``False`` cancels.

    Returns:
        logits ``(N, S0, S1, S2)`` in ``accumulation_dtype``.

    Raises:
        InferenceCancelled: the callback returned ``False``.
        RuntimeError: the accumulated logits overflowed (inf).
    """
    if image.ndim != 4:
        raise ValueError(f"image must be (C, S0, S1, S2), got {tuple(image.shape)}")
    acc_device = torch.device(accumulation_device) if accumulation_device is not None else image.device
    spatial = tuple(image.shape[1:])
    slices = window_slices(spatial, patch_size, tile_step_size)
    gaussian = gaussian_importance(patch_size, acc_device, accumulation_dtype)
    logit_sum: torch.Tensor | None = None
    weighted: torch.Tensor | None = None  # one buffer for every window's prediction * gaussian
    weight_sum = torch.zeros(spatial, dtype=accumulation_dtype, device=acc_device)
    total = len(slices)
    for done, window in enumerate(slices, start=1):
        patch = image[(slice(None), *window)][None]
        prediction = net_fn(patch).to(acc_device)
        if logit_sum is None:
            logit_sum = torch.zeros((prediction.shape[0], *spatial), dtype=accumulation_dtype, device=acc_device)
        product_dtype = torch.result_type(prediction, gaussian)
        if weighted is None or weighted.shape != prediction.shape or weighted.dtype != product_dtype:
            weighted = torch.empty(prediction.shape, dtype=product_dtype, device=acc_device)
        torch.mul(prediction, gaussian, out=weighted)
        logit_sum[(slice(None), *window)] += weighted
        weight_sum[window] += gaussian
        del prediction
        if progress_callback is not None and progress_callback(done, total) is False:
            raise InferenceCancelled(f"cancelled after {done} of {total} windows")
    assert logit_sum is not None
    logit_sum /= weight_sum
    if torch.isinf(logit_sum).any():
        raise RuntimeError("encountered inf in the accumulated logits; use float32 accumulation")
    return logit_sum


def as_numpy_masks(logits: torch.Tensor) -> np.ndarray:
    """Threshold logits at 0 (NaN -> background): ``(N, ...)`` -> uint8 0/1."""
    return (logits > 0).to(torch.uint8).cpu().numpy()
