"""``voxtell-predict --dicomweb URL --study UID [--series UID]``: segment a series of a DICOMweb
archive; write the result as today or, with ``--store``, send the SEG / RTSTRUCT back (STOW-RS).

Credentials come from the environment (never from a flag, which ``ps`` would show):
``VOXTELL_DICOMWEB_USER`` + ``VOXTELL_DICOMWEB_PASSWORD``, or ``VOXTELL_DICOMWEB_TOKEN``.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from voxtell.cli.dicom_input import predict_dicom
from voxtell.io.dicomweb import (
    ArchiveConfig,
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
                         max_bytes: int = 8 * 1024**3) -> list[Path]:
    """Retrieve the series, segment it, then write to ``output`` and/or store in the archive.

    Raises:
        ValueError: several series and no ``series_uid``, or a bad series (InvalidInputError).
        DicomWebError: the archive failed.
    """
    client = open_archive(archive_config(url))
    series_uid = series_uid or _pick_series(client, study_uid)
    work = Path(tempfile.mkdtemp(prefix="voxtell-dicomweb-"))
    try:
        source = work / series_uid  # the case name of the outputs
        retrieve_series(client, study_uid, series_uid, source, max_bytes=max_bytes, max_voxels=max_voxels)
        target = output if output is not None else work / "out"
        written = predict_dicom(predictor, source, prompts, target, output_format, series_uid, save_combined, progress)
        if store:
            for path in written:
                stored = store_file(client, path)
                sys.stdout.write(f"Stored {path.name} in the archive: series {stored['series_uid']}, "
                                 f"instance {stored['sop_instance_uid']}\n")
        return written if output is not None else []
    finally:
        shutil.rmtree(work, ignore_errors=True)
