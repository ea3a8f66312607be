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
from typing import Any, Literal, TypedDict

from backend.domain.context import AppState
from backend.domain.errors import BadInput, Conflict, NotFound
from backend.domain.ingest import read_validated_nifti
from backend.domain.model import ModelInfo
from backend.domain.palette import mask_color
from backend.domain.review import Review, header_tags, model_draft, review
from backend.storage.store import Job, Store
from voxtell.api import (
    InvalidInputError,
    as_mask,
    combine_labels,
    mask_location,
    mask_statistics,
    read_volume,
    write_dicom_seg_from_files,
    write_mask,
    write_rtstruct_from_files,
)


class MaskResult(TypedDict, total=False):
    """One result as the job row keeps it (``Job.results``): its index (never reused within a
    job), name, where it came from, file, colour and statistics (``voxtell.api.mask_statistics``
    and ``mask_location``: voxels, volume_ml, bbox, components, mean, sd, centre_mm, bbox_voxel).
    Results stored by older versions may lack ``color`` (see :func:`color_of`)."""

    index: int
    name: str
    source: Literal["model", "edited"]
    file: str
    color: list[int]
    voxels: int
    volume_ml: float
    bbox: list[list[int]] | None
    components: int
    mean: float | None
    sd: float | None
    centre_mm: list[float] | None
    bbox_voxel: list[list[int]] | None
    review: Review

_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def safe_download_name(name: str) -> str:
    """A mask name as a file-name part: letters, digits, ``-`` and ``_`` only."""
    return re.sub(r"[^\w\-]+", "_", name, flags=re.UNICODE).strip("_")[:100] or "mask"


def result_entry(index: int, name: str, source: Literal["model", "edited"], stats: dict[str, Any],
                 color: list[int] | None = None) -> MaskResult:
    """A result as the job row keeps it; ``color`` defaults to the palette colour of ``index``."""
    entry: dict[str, Any] = {"index": index, "name": name, "source": source, "file": mask_file(index),
                             "color": color if color is not None else mask_color(index), **stats}
    return entry  # type: ignore[return-value]


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
    index and source (``label`` and ``mask`` repeat ``value`` and ``index``, as before) and, for an
    edit of a model's mask, ``review`` (volume before/after, Dice, HD95 against the draft)."""
    return [{"value": k + 1, "name": r["name"], "color": color_of(r), "index": r["index"],
             "source": r.get("source", "model"), "label": k + 1, "mask": r["index"],
             **({"review": r["review"]} if r.get("review") else {})}
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


DICOM_EXPORTS = {"seg": ("DICOM SEG", "segmentation.dcm"), "rtstruct": ("RTSTRUCT", "rtstruct.dcm")}


def mask_origin(result: dict[str, Any]) -> str:
    """How a mask was made, in DICOM's words (ROI Generation Algorithm, Segment Algorithm Type): the
    model's ``AUTOMATIC``, a person's edit of the model's mask ``SEMIAUTOMATIC``, drawn ``MANUAL``."""
    if result.get("source", "model") != "edited":
        return "AUTOMATIC"
    return "SEMIAUTOMATIC" if result.get("review") else "MANUAL"


def review_text(change: dict[str, Any] | None) -> str | None:
    """What the reviewer changed, as one line for a DICOM description (None for no review)."""
    if not change:
        return None
    hd95 = change.get("hd95_mm")
    return (f"AI draft (mask {change['draft']}) edited by a reviewer: volume {change['volume_ml_before']:.2f} mL -> "
            f"{change['volume_ml_after']:.2f} mL, Dice {change['dice']:.3f}, "
            f"HD95 {'n/a' if hd95 is None else f'{hd95:.2f} mm'}")


def dicom_export_options(state: AppState, kind: str, results: list[dict[str, Any]]) -> dict[str, Any]:
    """What a DICOM export says beyond names and colours: the model (Contributing Equipment / the
    SEG's algorithm), how each mask was made and what a reviewer changed (``mask_origin``,
    ``review_text``) and, for an RTSTRUCT, each ROI's interpreted type (a protocol's, else ORGAN)."""
    options: dict[str, Any] = {"model_name": ModelInfo.of(state.predictor).model_name,
                               "origins": [mask_origin(r) for r in results],
                               "descriptions": [review_text(r.get("review")) for r in results]}
    if kind == "rtstruct":
        options["interpreted_types"] = [r.get("interpreted_type") or "ORGAN" for r in results]
    return options


def dicom_export(state: AppState, job: Job, kind: str, mask: int | None, masks: str | None = None) -> Path:
    """All masks (or mask ``mask``, or the comma-separated indices ``masks`` in that order) of a
    finished job with masks (``finished_job(..., with_masks=True)``) as a DICOM SEG
    (``kind="seg"``) or RT Structure Set (``"rtstruct"``)
    referencing the source series, with the masks' current names and colours; the file's path.
    Written to a temporary name and renamed: a reader never sees half a file.

    Raises:
        NotFound, Conflict, BadInput: unknown job or mask; not finished; the volume did not come
        from DICOM; both ``mask`` and ``masks``, or a malformed ``masks``.
    """
    label, filename = DICOM_EXPORTS[kind]
    job_id = job.id
    headers_dir = state.store.dicom_headers_dir(job.volume_id)
    if not headers_dir.is_dir():
        raise Conflict(f"{label} export needs a volume uploaded as DICOM")
    if mask is not None and masks is not None:
        raise BadInput("give either mask or masks, not both")
    results = selected_results(job, str(mask) if mask is not None else masks)
    writer = write_dicom_seg_from_files if kind == "seg" else write_rtstruct_from_files
    selection = ",".join(str(r["index"]) for r in results)
    out = state.store.result_dir(job_id) / f"{hashlib.sha256(selection.encode()).hexdigest()[:16]}-{filename}"
    staged = state.store.tmp_path(".dcm")
    try:
        writer([state.store.result_dir(job_id) / r["file"] for r in results], [r["name"] for r in results],
               sorted(headers_dir.iterdir()), staged, colors=[color_of(r) for r in results],
               **dicom_export_options(state, kind, results))
        staged.replace(out)
    finally:
        staged.unlink(missing_ok=True)
    return out


def delete_mask(state: AppState, job: Job, index: int) -> None:
    """Remove result ``index`` of ``job``: from its results, its files and every export.

    Raises:
        NotFound: the job has no such mask.
    """
    def without(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if not any(r["index"] == index for r in results):
            raise NotFound(f"job has no mask {index}")
        return [r for r in results if r["index"] != index]

    # The index stays used: the job row's next_mask_index only grows (clients key colours on it).
    state.store.edit_results(job.id, without)
    out_dir = state.store.result_dir(job.id)
    with state.edit_lock:
        (out_dir / mask_file(index)).unlink(missing_ok=True)
        forget_label_maps(state.store, job.id)  # none may keep its voxels; rebuilt on request


def update_mask(state: AppState, job: Job, index: int, name: str | None, color: list[int] | None) -> None:
    """Rename and/or recolour result ``index`` of ``job`` (kept in the job row: every export and
    every node sees it).

    Raises:
        NotFound: the job has no such mask.
    """
    def changed(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if not any(r["index"] == index for r in results):
            raise NotFound(f"job has no mask {index}")
        return [{**r, **({"name": name} if name is not None else {}), **({"color": color} if color else {})}
                if r["index"] == index else r for r in results]

    state.store.edit_results(job.id, changed)


def add_edited_mask(state: AppState, job: Job, data: bytes, name: str, color: list[int] | None = None) -> None:
    """Store a mask edited in the viewer as a new result of ``job`` with fresh statistics;
    ``color`` defaults to the palette colour of its new index.

    The file's NIfTI ``descrip`` may name the result it was drawn from (``voxtell draft=<i>``:
    the result then carries ``review``, the change from the model's draft, see
    :mod:`backend.domain.review`) and a deleted result it stores again (``voxtell restore=<i>``:
    it gets index ``i`` back and its place in the list, results being kept in index order).

    Raises:
        BadInput: not a NIfTI of the volume's grid; Conflict: ``restore`` names an index in use
        or never handed out.
    """
    tags = header_tags(data)
    staged = state.store.tmp_path(".nii.gz" if data[:2] == b"\x1f\x8b" else ".nii")
    staged.write_bytes(data)
    try:
        _, edited = read_validated_nifti(staged, state.settings)
        path = state.store.volume_path(job.volume_id)
        if path is None:
            raise NotFound("the job's volume is gone")
        volume = read_volume(path, confined=True)
    except InvalidInputError as exc:
        raise BadInput(f"edited mask: {exc}") from None
    finally:
        staged.unlink(missing_ok=True)
    if not edited.geometry.same_grid(volume.geometry):
        raise BadInput("edited mask: its shape or affine differs from the volume's")
    mask = as_mask(edited.data)
    restore = tags.get("restore")
    if restore is not None and (restore >= job.next_mask_index or any(r["index"] == restore for r in job.results)):
        raise Conflict(f"mask {restore} cannot be restored: it is in use or was never handed out")
    # Two saves, on any nodes, never share an index; a restored mask takes its own back.
    index = restore if restore is not None else state.store.reserve_mask_index(job.id)
    out_dir = state.store.result_dir(job.id)
    staged = state.store.tmp_path(".nii.gz")
    try:
        write_mask(mask, volume.geometry, staged)
        staged.replace(out_dir / mask_file(index))
    finally:
        staged.unlink(missing_ok=True)
    stats: dict[str, Any] = {**mask_statistics(mask, volume.data, volume.geometry.spacing),
                             **mask_location(mask, volume.geometry)}
    change = _review_of(state, job, tags.get("draft"), mask, volume.geometry.spacing)
    if change is not None:
        stats["review"] = change
    entry = result_entry(index, name, "edited", stats, color)

    def added(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if any(r["index"] == index for r in results):
            raise Conflict(f"mask {index} is in use")
        at = next((k for k, r in enumerate(results) if r["index"] > index), len(results))
        return [*results[:at], dict(entry), *results[at:]]

    state.store.edit_results(job.id, added)
    with state.edit_lock:
        forget_label_maps(state.store, job.id)  # "all masks" now has one more; rebuilt on request


def _review_of(state: AppState, job: Job, draft: int | None, mask: Any,
               spacing: tuple[float, float, float]) -> Review | None:
    """The change from the model's draft behind result ``draft`` to ``mask`` (``None``: no draft
    named, or its file is gone)."""
    if draft is None:
        return None
    source = model_draft(job.results, draft)
    if source is None:
        return None
    path = state.store.result_dir(job.id) / str(source["file"])
    if not path.is_file():
        return None
    return review(int(source["index"]), as_mask(read_volume(path).data), mask, spacing)
