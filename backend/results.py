"""A finished job's result files: masks, the combined label map, the zip, the labels list.

Layout: ``results/<job id>/mask_<i>.nii.gz`` (index ``i`` never reused within a job: the job
row keeps the next free index) and ``labelmap.nii.gz``, written on first request. Every file
is written to a temporary name in the data dir and renamed, so no reader sees half a file.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

from backend.palette import mask_color
from backend.store import Job, Store
from voxtell.io import read_volume, write_mask
from voxtell.postprocess import combine_labels


def safe_download_name(name: str) -> str:
    """A prompt as a file-name part: letters, digits, ``-`` and ``_`` only."""
    return re.sub(r"[^\w\-]+", "_", name, flags=re.UNICODE).strip("_")[:100] or "mask"


def result_entry(index: int, name: str, source: str, stats: dict[str, Any],
                 color: list[int] | None = None) -> dict[str, Any]:
    """A result as the job row keeps it; ``color`` defaults to the palette colour of ``index``."""
    return {"index": index, "name": name, "source": source, "file": mask_file(index),
            "color": color if color is not None else mask_color(index), **stats}


def mask_file(index: int) -> str:
    return f"mask_{index}.nii.gz"


def labels(job: Job) -> list[dict[str, object]]:
    """``[{"label": 1, "name": ..., "mask": index}, ...]``: label ``i + 1`` is result ``i``."""
    return [{"label": i + 1, "name": r["name"], "mask": r["index"]} for i, r in enumerate(job.results)]


def labelmap_path(store: Store, job_id: str, results: list[dict[str, Any]]) -> Path:
    """The job's combined label map, written on first request (label i+1 = result i, later wins)."""
    path = store.result_dir(job_id) / "labelmap.nii.gz"
    if not path.is_file():
        masks = [read_volume(store.result_dir(job_id) / r["file"]) for r in results]
        staged = store.tmp_path(".nii.gz")
        try:
            write_mask(combine_labels([m.data for m in masks]), masks[0].geometry, staged)
            staged.replace(path)
        finally:
            staged.unlink(missing_ok=True)
    return path


def masks_zip(store: Store, job: Job) -> bytes:
    """Every mask as ``<index>_<name>.nii.gz`` plus ``labels.json``, stored (already compressed)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as zf:
        for r in job.results:
            zf.write(store.result_dir(job.id) / r["file"], f"{r['index']:02d}_{safe_download_name(r['name'])}.nii.gz")
        zf.writestr("labels.json", json.dumps(labels(job), indent=1))
    return buffer.getvalue()
