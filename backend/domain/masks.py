"""A finished job's result files: masks, the combined label map, the zip, the labels lists.

Layout: ``results/<job id>/mask_<i>.nii.gz`` (index ``i`` never reused within a job: the job
row keeps the next free index) and ``labelmap-<selection>.nii.gz``, written on first request
for a selection of masks (a mask file never changes, so neither does a label map of the same
selection; deleting a mask removes them all). Every file is written to a temporary name in the
data dir and renamed, so no reader sees half a file.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

from backend.domain.palette import mask_color
from backend.http.errors import BadInput, NotFound
from backend.storage.store import Job, Store
from voxtell.io import read_volume, write_mask
from voxtell.postprocess import combine_labels

_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def safe_download_name(name: str) -> str:
    """A mask name as a file-name part: letters, digits, ``-`` and ``_`` only."""
    return re.sub(r"[^\w\-]+", "_", name, flags=re.UNICODE).strip("_")[:100] or "mask"


def result_entry(index: int, name: str, source: str, stats: dict[str, Any],
                 color: list[int] | None = None) -> dict[str, Any]:
    """A result as the job row keeps it; ``color`` defaults to the palette colour of ``index``."""
    return {"index": index, "name": name, "source": source, "file": mask_file(index),
            "color": color if color is not None else mask_color(index), **stats}


def mask_file(index: int) -> str:
    return f"mask_{index}.nii.gz"


def color_of(result: dict[str, Any]) -> list[int]:
    """A result's colour (results stored before colours existed: the palette's)."""
    color = result.get("color")
    return [int(c) for c in color] if color else mask_color(int(result["index"]))


def selected_results(job: Job, masks: str | None) -> list[dict[str, Any]]:
    """The results named by ``?masks=0,2`` (result indices, in the order given; ``None``: all).

    Raises:
        BadInput: not a comma-separated list of distinct whole numbers; NotFound: naming the
        first index the job does not have.
    """
    if masks is None:
        return list(job.results)
    parts = [p.strip() for p in masks.split(",")]
    if not parts or not all(p.isdigit() for p in parts):
        raise BadInput(f"masks must be comma-separated mask indices such as 0,2; got {masks[:60]!r}")
    indices = [int(p) for p in parts]
    if len(set(indices)) != len(indices):
        raise BadInput(f"masks names a mask twice: {masks[:60]!r}")
    by_index = {int(r["index"]): r for r in job.results}
    missing = [i for i in indices if i not in by_index]
    if missing:
        raise NotFound(f"job has no mask {missing[0]}")
    return [by_index[i] for i in indices]


def labels(results: list[dict[str, Any]]) -> list[dict[str, object]]:
    """``labels.json``: label-map value ``k + 1`` is ``results[k]``, with its name, colour, result
    index and source (``label`` and ``mask`` repeat ``value`` and ``index``, as before)."""
    return [{"value": k + 1, "name": r["name"], "color": color_of(r), "index": r["index"],
             "source": r.get("source", "model"), "label": k + 1, "mask": r["index"]}
            for k, r in enumerate(results)]


def itksnap_labels(results: list[dict[str, Any]]) -> str:
    """The ITK-SNAP label description file of the label map of ``results`` (value ``k + 1`` is
    ``results[k]``): ``IDX R G B A VIS MSH "LABEL"`` per line after the header comment."""
    lines = ["################################################",
             "# ITK-SnAP Label Description File (written by VoxTell Web)",
             "# IDX   -R-  -G-  -B-  -A--  VIS MSH  LABEL",
             "#    IDX: label value in the label map; -R-/-G-/-B-: colour 0..255; -A-: opacity 0..1;",
             "#    VIS: label visible (0 or 1); MSH: shown in the 3D mesh (0 or 1); LABEL: its name",
             "################################################",
             f'{0:5d} {0:5d} {0:4d} {0:4d} {0:8d} {0:2d} {0:2d}    "Clear Label"']
    for k, r in enumerate(results, start=1):
        red, green, blue = color_of(r)
        name = _CONTROL.sub(" ", str(r["name"])).replace('"', "'")
        lines.append(f'{k:5d} {red:5d} {green:4d} {blue:4d} {1:8d} {1:2d} {1:2d}    "{name}"')
    return "\n".join(lines) + "\n"


def zip_entry_names(results: list[dict[str, Any]]) -> list[str]:
    """``<name>.nii.gz`` per result, made safe for file names and unique (``_2``, ``_3``, ...;
    compared case-insensitively, as on Windows and macOS)."""
    used: set[str] = set()
    names = []
    for r in results:
        base = safe_download_name(str(r["name"]))
        candidate, n = base, 1
        while candidate.lower() in used:
            n += 1
            candidate = f"{base}_{n}"
        used.add(candidate.lower())
        names.append(f"{candidate}.nii.gz")
    return names


def labelmap_path(store: Store, job_id: str, results: list[dict[str, Any]]) -> Path:
    """The combined label map of ``results`` (value ``k + 1`` = ``results[k]``, later wins on
    overlap), written on first request for this selection."""
    selection = ",".join(str(r["index"]) for r in results)
    path = store.result_dir(job_id) / f"labelmap-{hashlib.sha256(selection.encode()).hexdigest()[:16]}.nii.gz"
    if not path.is_file():
        masks = [read_volume(store.result_dir(job_id) / r["file"]) for r in results]
        staged = store.tmp_path(".nii.gz")
        try:
            write_mask(combine_labels([m.data for m in masks]), masks[0].geometry, staged)
            staged.replace(path)
        finally:
            staged.unlink(missing_ok=True)
    return path


def forget_label_maps(store: Store, job_id: str) -> None:
    """Remove every label map of a job (a mask of it was deleted or added)."""
    for path in store.result_dir(job_id).glob("labelmap*.nii.gz"):
        path.unlink(missing_ok=True)


def masks_zip(store: Store, job: Job, results: list[dict[str, Any]] | None = None) -> bytes:
    """``results`` (default: all) as ``<name>.nii.gz`` plus ``labels.json`` and the ITK-SNAP
    ``labels.txt`` (for the label map of the same selection), stored (already compressed)."""
    results = job.results if results is None else results
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as zf:
        for r, entry in zip(results, zip_entry_names(results)):
            zf.write(store.result_dir(job.id) / r["file"], entry)
        zf.writestr("labels.json", json.dumps(labels(results), indent=1, ensure_ascii=False))
        zf.writestr("labels.txt", itksnap_labels(results))
    return buffer.getvalue()
