"""File-to-file prediction: ``predict_from_files`` and ``predict_from_jobs`` (spec §6.1, §6.4)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from voxtell.errors import InvalidInputError
from voxtell.inference.naming import case_name, combined_file_name, mask_file_name
from voxtell.io.nifti import is_nifti_path, read_volume, write_mask

if TYPE_CHECKING:
    import torch

logger = logging.getLogger(__name__)


def combine_masks(masks: np.ndarray) -> np.ndarray:
    """``(N, A0, A1, A2)`` 0/1 masks -> label map, label ``i+1`` = prompt ``i``, later wins."""
    labels = np.zeros(masks.shape[1:], dtype=np.uint8 if masks.shape[0] < 255 else np.uint16)
    for i, mask in enumerate(masks):
        labels[mask > 0] = i + 1
    return labels


def expand_inputs(inputs: str | Path | Sequence[str | Path]) -> list[Path]:
    """One folder (its ``*.nii``/``*.nii.gz`` files, sorted) or files (order kept, de-duplicated)."""
    items = [Path(inputs)] if isinstance(inputs, str | Path) else [Path(p) for p in inputs]
    if not items:
        raise InvalidInputError("no input given")
    if any(p.is_dir() for p in items):
        if len(items) != 1:
            raise InvalidInputError("give either one folder or a list of files, not both")
        found = sorted(p for p in items[0].iterdir() if p.is_file() and is_nifti_path(p))
        if not found:
            raise InvalidInputError("the input folder contains no .nii or .nii.gz files")
        return found
    seen: dict[Path, None] = {}
    for p in items:
        if not p.exists():
            raise FileNotFoundError(f"input not found: {p}")
        seen.setdefault(p, None)
    return list(seen)


def expected_outputs(image: Path, prompts: Sequence[str], output_folder: Path, save_combined: bool) -> list[Path]:
    case = case_name(image)
    if save_combined:
        return [output_folder / combined_file_name(case)]
    return [output_folder / mask_file_name(case, p) for p in prompts]


class BatchMixin:
    """Adds the file-level API to :class:`VoxTellPredictor`."""

    def predict_from_files(self, inputs: str | Path | Sequence[str | Path], output_folder: str | Path,
                           text_prompts: str | Sequence[str], save_combined: bool = False,
                           overwrite: bool = True, verbose: bool = False,
                           progress_callback: Any = None) -> list[Path]:
        """Same prompts for every image; prompts are embedded once. Returns written paths."""
        prompts = [text_prompts] if isinstance(text_prompts, str) else list(text_prompts)
        jobs = [{"image": p, "prompts": prompts} for p in expand_inputs(inputs)]
        return self.predict_from_jobs(jobs, output_folder, save_combined, overwrite, verbose, progress_callback)

    def predict_from_jobs(self, jobs: Sequence[dict[str, Any]], output_folder: str | Path,
                          save_combined: bool = False, overwrite: bool = True, verbose: bool = False,
                          progress_callback: Any = None) -> list[Path]:
        """``jobs = [{"image": path, "prompts": str | [str]}]``; the union of prompts still to do
        is embedded in one pass. Returns written paths."""
        out_dir = Path(output_folder)
        out_dir.mkdir(parents=True, exist_ok=True)
        todo = []
        for job in jobs:
            image = Path(job["image"])
            prompts = [job["prompts"]] if isinstance(job["prompts"], str) else list(job["prompts"])
            if not prompts or any(not str(p).strip() for p in prompts):
                raise InvalidInputError("every job needs at least one non-empty prompt")
            if not image.is_file():
                raise FileNotFoundError(f"input not found: {image}")
            outputs = expected_outputs(image, prompts, out_dir, save_combined)
            if not overwrite and all(o.exists() for o in outputs):
                if verbose:
                    logger.info("skipping an image whose outputs all exist")
                continue
            if len(set(outputs)) < len(outputs):
                logger.warning("two prompts map to the same file name; the later one overwrites")
            todo.append((image, prompts, outputs))
        names = [case_name(image) for image, _, _ in todo]
        if len(set(names)) < len(names):
            logger.warning("several inputs share a case name; later outputs overwrite earlier ones")
        unique = list(dict.fromkeys(p for _, prompts, _ in todo for p in prompts))
        if not unique:
            return []
        all_emb = self.embed_text_prompts(unique)  # type: ignore[attr-defined]
        index = {p: i for i, p in enumerate(unique)}
        written: list[Path] = []
        for n, (image, prompts, outputs) in enumerate(todo, start=1):
            if verbose:
                logger.info("image %d of %d: %d prompt(s)", n, len(todo), len(prompts))
            volume = read_volume(image)
            emb: torch.Tensor = all_emb[:, [index[p] for p in prompts]]
            masks = self.predict_single_image(  # type: ignore[attr-defined]
                volume.data, text_embeddings=emb, progress_callback=progress_callback)
            if save_combined:
                written.append(write_mask(combine_masks(masks), volume.geometry, outputs[0]))
            else:
                written.extend(write_mask(m, volume.geometry, o) for m, o in zip(masks, outputs))
        return written
