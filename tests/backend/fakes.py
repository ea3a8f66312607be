"""Predictors with the engine's interface whose answers (and timing) the test decides.

Nothing here sleeps: a predictor that must be "still running" waits on an event that the test
sets, and tells the test through another event that it has got there.
"""

from __future__ import annotations

import gzip
import threading
from collections.abc import Callable
from typing import Any

import nibabel as nib
import numpy as np

from voxtell.errors import InferenceCancelled

MaskRule = Callable[[np.ndarray, int], np.ndarray]


class ScriptedPredictor:
    """Reports ``windows`` progress steps, then returns ``rule(data, prompt_index)`` per prompt.

    * ``hold_after``: after reporting that many windows, set :attr:`reached` and wait for
      :attr:`proceed` (set by the test) before going on.
    * ``error``: raised after the first window (the engine raising inside a job).
    A ``False`` from the progress callback cancels, as in the engine.
    """

    # The Predictor protocol's callbacks (the job executor sets them while a job runs).
    notice_callback: Callable[[str], None] | None = None
    phase_callback: Callable[[str], None] | None = None

    def __init__(self, rule: MaskRule | None = None, windows: int = 3, hold_after: int | None = None,
                 error: BaseException | None = None, demo: bool = False, vocab: list[str] | None = None,
                 patch_size: tuple[int, int, int] = (64, 64, 64)) -> None:
        self.rule: MaskRule = rule or (lambda data, i: (data > np.percentile(data, 50 + 10 * i)).astype(np.uint8))
        self.windows = windows
        self.hold_after = hold_after
        self.error = error
        self.demo = demo
        self.vocab = vocab if vocab is not None else ["left kidney", "liver", "right kidney", "spleen"]
        self.patch_size = patch_size
        self.reached = threading.Event()
        self.proceed = threading.Event()
        self.calls = 0
        self.prompts_seen: list[list[str]] = []

    @property
    def is_demo(self) -> bool:
        return self.demo

    def predict_single_image(self, data: np.ndarray, text_prompts: Any = None, text_embeddings: Any = None,
                             progress_callback: Any = None) -> np.ndarray:
        self.calls += 1
        prompts = [text_prompts] if isinstance(text_prompts, str) else list(text_prompts)
        self.prompts_seen.append(prompts)
        for done in range(1, self.windows + 1):
            if progress_callback is not None and progress_callback(done, self.windows) is False:
                raise InferenceCancelled(f"cancelled after {done} of {self.windows} windows")
            if self.error is not None:
                raise self.error
            if done == self.hold_after:
                self.reached.set()
                assert self.proceed.wait(60), "the test never let the predictor go on"
        return np.stack([self.rule(np.asarray(data), i).astype(np.uint8) for i in range(len(prompts))])

    def info(self) -> dict[str, Any]:
        return {"model_name": "scripted", "demo": self.demo, "device": "cpu", "precision": "fp32",
                "path": "fast", "patch_size": list(self.patch_size)}

    def vocabulary(self) -> list[str]:
        return list(self.vocab)


def ras_nifti_bytes(ras: np.ndarray, spacing_xyz: tuple[float, float, float] = (0.5, 0.8, 2.0),
                    dtype: Any = np.int16) -> bytes:
    """A gzip NIfTI in RAS+ orientation whose RAS array (``read_volume``) is exactly ``ras``.

    The file's voxel ``(i, j, k)`` is RAS-array voxel ``(k, j, i)``; the RAS-array spacing is
    ``spacing_xyz`` reversed.
    """
    affine = np.diag([*spacing_xyz, 1.0])
    affine[:3, 3] = [-12.0, 30.0, 4.5]
    img = nib.Nifti1Image(np.ascontiguousarray(ras.transpose(2, 1, 0)).astype(dtype), affine)
    return gzip.compress(img.to_bytes(), compresslevel=1)


def file_order(ras: np.ndarray) -> np.ndarray:
    """A RAS-array mask in the voxel order of a :func:`ras_nifti_bytes` file."""
    return ras.transpose(2, 1, 0)
