"""What the node knows about a series: the header fields a rule needs, and a received series.

No patient fields (name, id, birth date) and no DICOM UIDs are kept here: the instance files
carry them, these records carry only what routing rules look at.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from pydicom.dataset import Dataset


def _values(ds: Dataset, keyword: str) -> list[Any]:
    """The values of element ``keyword`` as a list; empty when missing or unreadable."""
    try:
        value = ds.get(keyword)
        if value is None or value == "":
            return []
        return [value] if isinstance(value, (str, bytes, int, float)) else list(value)
    except Exception:  # a malformed element: the rule sees it as missing
        return []


def _text(ds: Dataset, keyword: str) -> str | None:
    values = _values(ds, keyword)
    text = "\\".join(str(v) for v in values).strip()
    return text or None


def _floats(ds: Dataset, keyword: str, count: int) -> tuple[float, ...] | None:
    try:
        values = tuple(float(v) for v in _values(ds, keyword))
    except (TypeError, ValueError):
        return None
    if len(values) != count or not all(math.isfinite(v) for v in values):
        return None
    return values


@dataclass(frozen=True)
class SeriesHeader:
    """Header fields of a series' first instance that routing rules look at."""

    sop_class_uid: str
    modality: str | None = None
    body_part_examined: str | None = None
    series_description: str | None = None
    image_type: tuple[str, ...] = ()
    slice_thickness: float | None = None
    image_orientation_patient: tuple[float, ...] | None = None

    @classmethod
    def from_dataset(cls, ds: Dataset, sop_class_uid: str) -> SeriesHeader:
        """The fields of ``ds``; a missing or malformed one is ``None`` (never an error)."""
        thickness = _floats(ds, "SliceThickness", 1)
        return cls(
            sop_class_uid=sop_class_uid,
            modality=_text(ds, "Modality"),
            body_part_examined=_text(ds, "BodyPartExamined"),
            series_description=_text(ds, "SeriesDescription"),
            image_type=tuple(str(v).strip() for v in _values(ds, "ImageType")),
            slice_thickness=thickness[0] if thickness else None,
            image_orientation_patient=_floats(ds, "ImageOrientationPatient", 6),
        )

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SeriesHeader:
        iop = data.get("image_orientation_patient")
        return cls(
            sop_class_uid=str(data["sop_class_uid"]),
            modality=data.get("modality"),
            body_part_examined=data.get("body_part_examined"),
            series_description=data.get("series_description"),
            image_type=tuple(data.get("image_type") or ()),
            slice_thickness=data.get("slice_thickness"),
            image_orientation_patient=tuple(iop) if iop is not None else None,
        )


@dataclass(frozen=True)
class SeriesRecord:
    """``series.json`` of a series in the spool: who sent it, when, its header fields.

    Times are seconds since the epoch. ``last_arrival`` is when the last association that added
    to the series was released (its instances became part of the series then).
    """

    key: str
    generation: int
    called_ae: str
    calling_ae: str
    caller_address: str
    first_arrival: float
    last_arrival: float
    instance_count: int
    header: SeriesHeader

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> SeriesRecord:
        data = json.loads(text)
        return cls(
            key=str(data["key"]), generation=int(data["generation"]), called_ae=str(data["called_ae"]),
            calling_ae=str(data["calling_ae"]), caller_address=str(data["caller_address"]),
            first_arrival=float(data["first_arrival"]), last_arrival=float(data["last_arrival"]),
            instance_count=int(data["instance_count"]), header=SeriesHeader.from_json(data["header"]),
        )

    def updated(self, **changes: Any) -> SeriesRecord:
        return replace(self, **changes)


@dataclass(frozen=True)
class ReceivedSeries:
    """A complete series handed to ``on_complete``.

    ``files`` are the instance files (DICOM Part 10, as the sender encoded them) in ``folder``.
    They are deleted once ``on_complete`` returns: copy or ingest them before returning.
    ``generation`` counts deliveries of the same ``key``: instances of an already handed-over
    series that arrive later are delivered again as the next generation (only the new ones).
    """

    key: str
    generation: int
    folder: Path
    files: tuple[Path, ...]
    header: SeriesHeader
    called_ae: str
    calling_ae: str
    caller_address: str
    first_arrival: float
    last_arrival: float

    @property
    def instance_count(self) -> int:
        return len(self.files)

    @classmethod
    def from_record(cls, record: SeriesRecord, folder: Path, files: tuple[Path, ...]) -> ReceivedSeries:
        return cls(
            key=record.key, generation=record.generation, folder=folder, files=files, header=record.header,
            called_ae=record.called_ae, calling_ae=record.calling_ae, caller_address=record.caller_address,
            first_arrival=record.first_arrival, last_arrival=record.last_arrival,
        )


def fsync_dir(path: Path) -> None:
    """Make a rename or a new file in ``path`` durable (no-op where directories cannot be opened)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` by a temporary name, fsync, rename and fsync the folder."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)
