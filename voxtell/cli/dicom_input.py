"""DICOM input for ``voxtell-predict``: a .zip or a folder holding one series (or --series-uid)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from voxtell.cli.batch import (
    StatsWriter,
    Target,
    export_options,
    postprocess,
    targets_from_prompts,
    written_masks,
)
from voxtell.inference.batch import combine_masks
from voxtell.inference.naming import case_name, combined_file_name, mask_file_name
from voxtell.io.dicom import load_series, safe_extract_zip, scan_series
from voxtell.io.dicom_export import save_source_headers, write_dicom_seg
from voxtell.io.nifti import to_file_order, volume_from_image, write_mask
from voxtell.io.rtstruct import write_rtstruct

OUTPUT_FORMATS = ("nifti", "dicom-seg", "rtstruct")


def is_dicom_input(path: Path) -> bool:
    """A .zip, or a folder with no NIfTI file but at least one DICOM file (``DICM`` at 128)."""
    if path.is_file():
        return path.suffix.lower() == ".zip"
    if not path.is_dir():
        return False
    files = [p for p in path.rglob("*") if p.is_file()]
    if any(p.name.lower().endswith((".nii", ".nii.gz")) for p in files):
        return False
    for p in files[:200]:
        with p.open("rb") as f:
            if f.read(132)[128:132] == b"DICM":
                return True
    return False


def predict_dicom(predictor: Any, source: Path, prompts: Sequence[str], output: Path, output_format: str,
                  series_uid: str | None, save_combined: bool, progress: Callable[[int, int], object] | None,
                  max_voxels: int = 1024**3, *, targets: Sequence[Target] | None = None,
                  stats: StatsWriter | None = None, case: str | None = None) -> list[Path]:
    """Segment one DICOM series; write NIfTI masks, one DICOM SEG or one RTSTRUCT. Returns paths.

    ``targets`` (default: the prompts, named by themselves) name the outputs and carry colours,
    interpreted types and post-processing; ``stats`` receives the volume's rows under ``case``
    (default: the zip's or folder's name).

    Raises:
        ValueError: several series and no ``series_uid`` (the message lists them), or a bad choice.
    """
    work = Path(tempfile.mkdtemp(prefix="voxtell-dicom-"))
    try:
        files = safe_extract_zip(source, work / "zip") if source.is_file() else \
            [p for p in source.rglob("*") if p.is_file()]
        series = scan_series(files)
        if series_uid:
            series = [s for s in series if s.uid == series_uid]
            if not series:
                raise ValueError("--series-uid does not name a series of the input")
        elif len(series) > 1:
            listing = "; ".join(f"{s.uid} ({s.modality} '{s.description}', {s.slices} slices)" for s in series)
            raise ValueError(f"the input holds {len(series)} series, choose one with --series-uid: {listing}")
        targets = list(targets) if targets is not None else targets_from_prompts(prompts)
        loaded = load_series(series[0], max_voxels=max_voxels)
        volume = volume_from_image(loaded.image)
        masks = predictor.predict_single_image(volume.data, text_prompts=[t.prompt for t in targets],
                                               progress_callback=progress)
        masks = postprocess(masks, targets)
        output.mkdir(parents=True, exist_ok=True)
        case = case or (case_name(source) if source.is_file() else source.name)
        combined = save_combined and output_format == "nifti"
        if output_format == "nifti":
            if save_combined:
                written = [write_mask(combine_masks(masks), volume.geometry, output / combined_file_name(case))]
            else:
                written = [write_mask(m, volume.geometry, output / mask_file_name(case, t.name))
                           for m, t in zip(masks, targets)]
        else:
            headers = save_source_headers(loaded.source_files, work / "headers")
            in_file_order = [to_file_order(m, volume.geometry)[0] for m in masks]
            export = export_options(targets)
            if output_format == "dicom-seg":
                written = [write_dicom_seg(in_file_order, export["names"], headers, output / f"{case}_seg.dcm",
                                           export["colors"])]
            else:
                written = [write_rtstruct(in_file_order, export["names"], headers, output / f"{case}_rtstruct.dcm",
                                          export["colors"], interpreted_types=export["interpreted_types"])]
        if stats is not None:
            stats.add(case, targets, written_masks(masks, combined), volume.data, volume.geometry.spacing)
        return written
    finally:
        shutil.rmtree(work, ignore_errors=True)
