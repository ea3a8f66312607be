"""Batches for researchers: protocol structures, post-processing and the ``--stats`` CSV.

A :class:`Target` is what one mask of a run is: the prompt sent to the model and, from a
protocol, the name its outputs carry (NIfTI file names, SEG segment labels, RTSTRUCT ROI names),
its colour, RT ROI Interpreted Type and post-processing. Plain ``-p`` prompts are targets named
by their prompt, with no post-processing.

The statistics CSV is written row by row: its header when the run starts, then the rows of each
volume as soon as its masks are written, flushed to disk, so a batch that stops half-way keeps
the rows of the volumes it finished.
"""

from __future__ import annotations

import csv
import logging
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np

from voxtell.inference.batch import combine_masks
from voxtell.inference.naming import case_name, combined_file_name, mask_file_name
from voxtell.io.nifti import read_volume, write_mask
from voxtell.postprocess import fill_holes, keep_largest_component, mask_statistics
from voxtell.protocols import Protocol

logger = logging.getLogger("voxtell.cli")

STATS_COLUMNS = ("volume", "structure", "prompt", "voxels", "volume_ml", "mean", "sd", "components")


@dataclass(frozen=True)
class Target:
    """One mask of a run: ``prompt`` for the model, ``name`` for the outputs."""

    prompt: str
    name: str
    color: tuple[int, int, int] | None = None
    interpreted_type: str = "ORGAN"
    keep_largest_component: bool = False
    fill_holes: bool = False


def targets_from_prompts(prompts: Sequence[str]) -> list[Target]:
    return [Target(prompt=p, name=p) for p in prompts]


def targets_from_protocol(protocol: Protocol) -> list[Target]:
    return [Target(prompt=s.prompt, name=s.name, color=s.color, interpreted_type=s.interpreted_type,
                   keep_largest_component=s.keep_largest_component, fill_holes=s.fill_holes)
            for s in protocol.structures]


def export_options(targets: Sequence[Target]) -> dict[str, Any]:
    """Names, colours (None when no target has one) and interpreted types for the DICOM writers."""
    colors = [list(t.color) for t in targets if t.color is not None]
    return {"names": [t.name for t in targets],
            "colors": colors if len(colors) == len(targets) else None,
            "interpreted_types": [t.interpreted_type for t in targets]}


def postprocess(masks: np.ndarray, targets: Sequence[Target]) -> np.ndarray:
    """Each target's post-processing on its mask (as the server: fill holes, then keep the
    largest component); ``masks`` is ``(N, A0, A1, A2)``."""
    if not any(t.fill_holes or t.keep_largest_component for t in targets):
        return masks
    out = np.array(masks, dtype=np.uint8, copy=True)
    for i, target in enumerate(targets):
        if target.fill_holes:
            out[i] = fill_holes(out[i])
        if target.keep_largest_component:
            out[i] = keep_largest_component(out[i])
    return out


def _number(value: Any) -> str:
    return "" if value is None else repr(round(float(value), 6))


class StatsWriter:
    """The ``--stats`` CSV: one row per volume and target, appended and flushed per volume."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.rows = 0
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._file: IO[str] | None = path.open("w", newline="", encoding="utf-8")
        except OSError as exc:
            raise ValueError(f"cannot write the statistics file {path}: {exc.strerror or exc}") from None
        self._csv = csv.writer(self._file)
        self._csv.writerow(STATS_COLUMNS)
        self._flush()

    def add(self, volume: str, targets: Sequence[Target], masks: Sequence[np.ndarray], data: np.ndarray | None,
            spacing: tuple[float, float, float]) -> None:
        """Rows for the masks of one volume (RAS arrays, as written) and its intensities."""
        for target, mask in zip(targets, masks):
            s = mask_statistics(np.asarray(mask), data, spacing)
            self._csv.writerow([volume, target.name, target.prompt, s["voxels"], _number(s["volume_ml"]),
                                _number(s["mean"]), _number(s["sd"]), s["components"]])
            self.rows += 1
        self._flush()

    def _flush(self) -> None:
        if self._file is not None:
            self._file.flush()
            os.fsync(self._file.fileno())

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def volume_bar(total: int, unit: str = "volume") -> Any:
    """A tqdm bar over the volumes of a batch (None without tqdm)."""
    try:
        from tqdm import tqdm
    except ImportError:  # pragma: no cover - tqdm is a dependency
        return None
    return tqdm(total=total, unit=unit, file=sys.stderr, position=0, leave=True, dynamic_ncols=True)


def written_masks(masks: np.ndarray, save_combined: bool) -> list[np.ndarray]:
    """What the files hold, per target: with ``--save-combined`` a later target wins an overlap."""
    if not save_combined:
        return list(masks)
    labels = combine_masks(masks)
    return [(labels == i + 1).astype(np.uint8) for i in range(len(masks))]


def nifti_outputs(image: Path, targets: Sequence[Target], output: Path, save_combined: bool) -> list[Path]:
    case = case_name(image)
    if save_combined:
        return [output / combined_file_name(case)]
    return [output / mask_file_name(case, t.name) for t in targets]


def _stats_from_files(image: Path, targets: Sequence[Target], outputs: Sequence[Path], save_combined: bool,
                      stats: StatsWriter) -> None:
    """Rows of a volume skipped by ``--no-overwrite``, from the mask files already there."""
    volume = read_volume(image)
    if save_combined:
        labels = read_volume(outputs[0]).data
        masks = [(labels == i + 1).astype(np.uint8) for i in range(len(targets))]
    else:
        masks = [(read_volume(o).data > 0).astype(np.uint8) for o in outputs]
    stats.add(case_name(image), targets, masks, volume.data, volume.geometry.spacing)


def predict_nifti_batch(predictor: Any, jobs: Sequence[tuple[Path, Sequence[Target]]], output: Path,
                        save_combined: bool, overwrite: bool, verbose: bool,
                        progress: Callable[[int, int], object] | None, stats: StatsWriter | None) -> list[Path]:
    """NIfTI images, each with its targets: masks (post-processed, named by target) and stats
    rows. The prompts still to do are embedded in one pass, as ``predict_from_jobs`` does."""
    output.mkdir(parents=True, exist_ok=True)
    todo: list[tuple[Path, Sequence[Target], list[Path]]] = []
    skipped: list[tuple[Path, Sequence[Target], list[Path]]] = []
    for image, targets in jobs:
        outputs = nifti_outputs(image, targets, output, save_combined)
        (skipped if not overwrite and all(o.exists() for o in outputs) else todo).append((image, targets, outputs))
        if len(set(outputs)) < len(outputs):
            logger.warning("two structures map to the same file name; the later one overwrites")
    written: list[Path] = []
    bar = volume_bar(len(jobs))
    try:
        for image, targets, outputs in skipped:
            if verbose:
                logger.info("skipping an image whose outputs all exist")
            if stats is not None:
                _stats_from_files(image, targets, outputs, save_combined, stats)
            if bar is not None:
                bar.update(1)
        unique = list(dict.fromkeys(t.prompt for _, targets, _ in todo for t in targets))
        if not unique:
            return []
        embeddings = predictor.embed_text_prompts(unique)
        index = {p: i for i, p in enumerate(unique)}
        for n, (image, targets, outputs) in enumerate(todo, start=1):
            if verbose:
                logger.info("image %d of %d: %d structure(s)", n, len(todo), len(targets))
            volume = read_volume(image)
            masks = predictor.predict_single_image(volume.data, text_embeddings=embeddings[:, [index[t.prompt] for t in targets]],
                                                   progress_callback=progress)
            masks = postprocess(masks, targets)
            if save_combined:
                written.append(write_mask(combine_masks(masks), volume.geometry, outputs[0]))
            else:
                written.extend(write_mask(m, volume.geometry, o) for m, o in zip(masks, outputs))
            if stats is not None:
                stats.add(case_name(image), targets, written_masks(masks, save_combined), volume.data,
                          volume.geometry.spacing)
            if bar is not None:
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    return written
