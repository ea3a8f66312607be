"""``voxtell-predict --dicomweb URL --study UID [--series UID]``: segment a series of a DICOMweb
archive; write the result as today or, with ``--store``, send the SEG / RTSTRUCT back (STOW-RS).

``voxtell-predict --dicomweb URL --study-date RANGE [--modality CT]`` (no ``--study``): a batch.
QIDO-RS finds the studies of those dates, then their series of that modality (both filters are
checked again on the answers, in case an archive ignores one); each series is segmented in turn,
its outputs named by its SeriesInstanceUID.

Credentials come from the environment (never from a flag, which ``ps`` would show):
``VOXTELL_DICOMWEB_USER`` + ``VOXTELL_DICOMWEB_PASSWORD``, or ``VOXTELL_DICOMWEB_TOKEN``.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from voxtell.cli.batch import StatsWriter, Target, volume_bar
from voxtell.cli.dicom_input import predict_dicom
from voxtell.io.dicomweb import (
    ArchiveConfig,
    DicomWebError,
    archive_errors,
    open_archive,
    orientation_hint,
    retrieve_series,
    store_file,
)


def archive_config(url: str) -> ArchiveConfig:
    return ArchiveConfig(url=url, user=os.environ.get("VOXTELL_DICOMWEB_USER") or None,
                         password=os.environ.get("VOXTELL_DICOMWEB_PASSWORD") or None,
                         token=os.environ.get("VOXTELL_DICOMWEB_TOKEN") or None,
                         read_timeout_s=float(os.environ.get("VOXTELL_DICOMWEB_TIMEOUT_S") or 60))


def _pick_series(client: Any, study_uid: str) -> str:
    with archive_errors("listing the study's series"):
        found = client.search_for_series(study_uid, fields=["SeriesDescription", "Modality", "ImageOrientationPatient",
                                                            "NumberOfSeriesRelatedInstances"])
    if not found:
        raise ValueError(f"the archive has no study {study_uid}")

    def text(item: dict[str, Any], tag: str) -> str:
        values = (item.get(tag) or {}).get("Value") or [""]
        return str(values[0]) if tag != "00200037" else orientation_hint(values)

    if len(found) > 1:
        listing = "; ".join(f"{text(s, '0020000E')} ({text(s, '00080060')} '{text(s, '0008103E')}', "
                            f"{text(s, '00201209')} instances{', ' + text(s, '00200037') if '00200037' in s else ''})"
                            for s in found)
        raise ValueError(f"the study holds {len(found)} series, choose one with --series: {listing}")
    return text(found[0], "0020000E")


def predict_from_archive(predictor: Any, url: str, study_uid: str, series_uid: str | None, prompts: Sequence[str],
                         output: Path | None, output_format: str, store: bool, save_combined: bool,
                         progress: Callable[[int, int], object] | None, max_voxels: int = 1024**3,
                         max_bytes: int = 8 * 1024**3, *, targets: Sequence[Target] | None = None,
                         stats: StatsWriter | None = None) -> list[Path]:
    """Retrieve the series, segment it, then write to ``output`` and/or store in the archive.

    Raises:
        ValueError: several series and no ``series_uid``, or a bad series (InvalidInputError).
        DicomWebError: the archive failed.
    """
    client = open_archive(archive_config(url))
    series_uid = series_uid or _pick_series(client, study_uid)
    return _predict_series(client, predictor, study_uid, series_uid, prompts, output, output_format, store,
                           save_combined, progress, max_voxels, max_bytes, targets, stats)


def _predict_series(client: Any, predictor: Any, study_uid: str, series_uid: str, prompts: Sequence[str],
                    output: Path | None, output_format: str, store: bool, save_combined: bool,
                    progress: Callable[[int, int], object] | None, max_voxels: int, max_bytes: int,
                    targets: Sequence[Target] | None, stats: StatsWriter | None) -> list[Path]:
    work = Path(tempfile.mkdtemp(prefix="voxtell-dicomweb-"))
    try:
        source = work / series_uid  # the case name of the outputs
        retrieve_series(client, study_uid, series_uid, source, max_bytes=max_bytes, max_voxels=max_voxels)
        target = output if output is not None else work / "out"
        written = predict_dicom(predictor, source, prompts, target, output_format, series_uid, save_combined, progress,
                                targets=targets, stats=stats)
        if store:
            for path in written:
                stored = store_file(client, path)
                sys.stdout.write(f"Stored {path.name} in the archive: series {stored['series_uid']}, "
                                 f"instance {stored['sop_instance_uid']}\n")
        return written if output is not None else []
    finally:
        shutil.rmtree(work, ignore_errors=True)


_DATE_RANGE = re.compile(r"^(\d{8})?(-)?(\d{8})?$")
logger = logging.getLogger("voxtell.cli")


def parse_date_range(text: str) -> tuple[str, str]:
    """A DICOM date or date range (``20260101``, ``20260101-20260131``, ``-20260131``,
    ``20260101-``) as ``(first, last)`` (``""`` where open).

    Raises:
        ValueError: not such a range, an impossible date, or the first after the last.
    """
    import datetime

    match = _DATE_RANGE.match(text.strip())
    if not match or not (match.group(1) or match.group(3)) or (match.group(3) and not match.group(2)):
        raise ValueError(f"--study-date must be YYYYMMDD or a range YYYYMMDD-YYYYMMDD, got {text[:40]!r}")
    first, dash, last = match.group(1) or "", match.group(2), match.group(3) or ""
    if not dash:
        last = first
    for value in (first, last):
        if value:
            try:
                datetime.datetime.strptime(value, "%Y%m%d")
            except ValueError:
                raise ValueError(f"--study-date: {value} is not a date") from None
    if first and last and first > last:
        raise ValueError(f"--study-date: {first} comes after {last}")
    return first, last


@dataclass(frozen=True)
class FoundSeries:
    study_uid: str
    series_uid: str
    study_date: str
    modality: str
    description: str


def _value(item: dict[str, Any], tag: str) -> str:
    values = (item.get(tag) or {}).get("Value") or [""]
    return str(values[0]).strip()


def find_series(client: Any, study_date: str, modality: str | None) -> list[FoundSeries]:
    """QIDO-RS: the series of ``modality`` (any without it) in the studies of ``study_date``,
    by study date, then study and series UID."""
    first, last = parse_date_range(study_date)
    dicom_range = first if first == last else f"{first}-{last}"
    with archive_errors("searching the studies"):
        studies = client.search_for_studies(search_filters={"StudyDate": dicom_range},
                                            fields=["StudyDate", "ModalitiesInStudy"], get_remaining=True)
    found: list[FoundSeries] = []
    for study in studies:
        date, study_uid = _value(study, "00080020"), _value(study, "0020000D")
        if not study_uid or not date or (first and date < first) or (last and date > last):
            continue
        filters = {"Modality": modality} if modality else None
        with archive_errors("listing a study's series"):
            series = client.search_for_series(study_uid, search_filters=filters,
                                              fields=["Modality", "SeriesDescription"], get_remaining=True)
        for item in series:
            kind = _value(item, "00080060").upper()
            if modality and kind != modality.upper():
                continue
            found.append(FoundSeries(study_uid, _value(item, "0020000E"), date, kind, _value(item, "0008103E")))
    return sorted(found, key=lambda s: (s.study_date, s.study_uid, s.series_uid))


def predict_archive_query(predictor: Any, url: str, study_date: str, modality: str | None, prompts: Sequence[str],
                          output: Path | None, output_format: str, store: bool, save_combined: bool,
                          progress: Callable[[int, int], object] | None, *, targets: Sequence[Target] | None = None,
                          stats: StatsWriter | None = None, max_voxels: int = 1024**3,
                          max_bytes: int = 8 * 1024**3) -> tuple[list[Path], list[str]]:
    """Segment every series :func:`find_series` finds, one after the other. A series that cannot
    be segmented (a bad series, over the limits) is reported and skipped; an archive failure
    stops the batch. Returns the written paths and one line per skipped series.

    Raises:
        DicomWebError: the archive failed.
    """
    client = open_archive(archive_config(url))
    found = find_series(client, study_date, modality)
    what = f"{modality} series" if modality else "series"
    if not found:
        logger.warning("the archive has no %s in studies dated %s", what, study_date)
        return [], []
    sys.stdout.write(f"Found {len(found)} {what} in studies dated {study_date}.\n")
    sys.stdout.flush()
    written: list[Path] = []
    failed: list[str] = []
    bar = volume_bar(len(found), unit="series")
    try:
        for item in found:
            try:
                written.extend(_predict_series(client, predictor, item.study_uid, item.series_uid, prompts, output,
                                               output_format, store, save_combined, progress, max_voxels, max_bytes,
                                               targets, stats))
            except DicomWebError as exc:
                if exc.kind in ("credentials", "unreachable", "timeout"):
                    raise  # the next series would fail the same way
                failed.append(f"series {item.series_uid}: {exc}")
                logger.warning("skipped series %s: %s", item.series_uid, exc)
            except ValueError as exc:  # InvalidInputError included: a bad series, over the limits
                failed.append(f"series {item.series_uid}: {exc}")
                logger.warning("skipped series %s: %s", item.series_uid, exc)
            if bar is not None:
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    return written, failed
