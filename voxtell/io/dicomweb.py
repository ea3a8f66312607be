"""A DICOMweb archive (Orthanc, dcm4chee, Google/Azure DICOM) as a series source and a store.

Library choice: ``dicomweb-client`` (QIDO-RS, WADO-RS, STOW-RS). A series is retrieved with
WADO-RS, streamed one instance at a time into a private folder (bytes and voxels counted as
they arrive, so a series over the limits is stopped early), and then read by the same DICOM
reader as a zip upload (:mod:`voxtell.io.dicom`). Every network failure becomes a
:class:`DicomWebError` saying what happened, in words; patient fields and credentials are
never logged (the libraries' loggers are kept at WARNING, see :mod:`voxtell.logs`).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from voxtell.errors import InvalidInputError

ErrorKind = Literal["unreachable", "timeout", "credentials", "not_found", "refused", "bad_answer"]

for _name in ("dicomweb_client", "urllib3", "requests"):  # debug logs name query strings (patient names)
    logging.getLogger(_name).setLevel(logging.WARNING)


class DicomWebError(Exception):
    """The archive could not answer (``kind`` says why; ``status`` is its HTTP status if any)."""

    def __init__(self, kind: ErrorKind, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.kind: ErrorKind = kind
        self.status = status


class SeriesTooLarge(InvalidInputError):
    """A series over the byte or voxel limit: nothing of it is kept."""


@dataclass(frozen=True)
class ArchiveConfig:
    url: str
    user: str | None = None
    password: str | None = None
    token: str | None = None
    connect_timeout_s: float = 5.0
    read_timeout_s: float = 60.0


def open_archive(config: ArchiveConfig) -> Any:
    """A ``DICOMwebClient`` with the credentials and timeouts of ``config``."""
    import requests
    from dicomweb_client.api import DICOMwebClient

    class _Session(requests.Session):
        def request(self, method: Any, url: Any, *args: Any, **kwargs: Any) -> Any:
            # dicomweb-client percent-encodes the QIDO wildcard; some archives (Orthanc 1.10) then
            # match it literally. ``*`` is legal in a query (RFC 3986 sub-delims).
            if isinstance(url, str) and "?" in url:
                path, _, query = url.partition("?")
                url = f"{path}?{query.replace('%2A', '*')}"
            return super().request(method, url, *args, **kwargs)

    session = _Session()
    session.trust_env = True  # REQUESTS_CA_BUNDLE for a site's own certificate authority
    if config.token:
        session.headers["Authorization"] = f"Bearer {config.token}"
    elif config.user:
        session.auth = (config.user, config.password or "")
    client = DICOMwebClient(config.url.rstrip("/"), session=session,
                            timeout=(config.connect_timeout_s, config.read_timeout_s))
    client.set_http_retry_params(retry=False)  # a person is waiting: one attempt, then say what happened
    return client


@contextlib.contextmanager
def archive_errors(what: str) -> Iterator[None]:
    """Translate the network and HTTP failures of ``what`` into :class:`DicomWebError`."""
    import requests

    try:
        yield
    except InvalidInputError:
        raise
    except requests.exceptions.Timeout:
        raise DicomWebError("timeout", f"the PACS did not answer in time ({what})") from None
    except requests.exceptions.ConnectionError:
        raise DicomWebError("unreachable", f"the PACS cannot be reached ({what}); is it running?") from None
    except requests.exceptions.HTTPError as exc:
        status = exc.response.status_code if exc.response is not None else None
        if status == 401:
            raise DicomWebError("credentials", f"the PACS refused our credentials ({what}: HTTP 401); "
                                "check the DICOMweb user, password or token", status) from None
        if status == 403:
            raise DicomWebError("refused", f"the PACS does not allow this ({what}: HTTP 403 Forbidden)", status) from None
        if status == 404:
            raise DicomWebError("not_found", f"the PACS does not have it ({what}: HTTP 404)", status) from None
        raise DicomWebError("refused", f"the PACS answered HTTP {status} ({what})", status) from None
    except requests.exceptions.RequestException as exc:
        raise DicomWebError("unreachable", f"the PACS request failed ({what}: {type(exc).__name__})") from None
    except ValueError as exc:  # a malformed multipart or JSON answer
        raise DicomWebError("bad_answer", f"the PACS sent an answer that cannot be read ({what}: {exc})") from None


def retrieve_series(client: Any, study_uid: str, series_uid: str, folder: Path, *, max_bytes: int,
                    max_voxels: int) -> list[Path]:
    """WADO-RS: write every instance of the series into ``folder`` (created), one file each.

    Raises:
        DicomWebError: the archive failed or does not have the series (``not_found``).
        SeriesTooLarge: over ``max_bytes`` on disk or ``max_voxels``; the files written are removed.
    """
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    total_bytes = total_voxels = 0
    try:
        with archive_errors("retrieving the series"):
            for n, ds in enumerate(client.iter_series(study_uid, series_uid)):
                frames = int(getattr(ds, "NumberOfFrames", 1) or 1)
                total_voxels += int(getattr(ds, "Rows", 0) or 0) * int(getattr(ds, "Columns", 0) or 0) * frames
                if total_voxels > max_voxels:
                    raise SeriesTooLarge(f"the series has more than {max_voxels} voxels; this server's limit")
                path = folder / f"{n:06d}.dcm"
                ds.save_as(str(path), enforce_file_format=True)
                written.append(path)
                total_bytes += path.stat().st_size
                if total_bytes > max_bytes:
                    raise SeriesTooLarge(f"the series is larger than {max_bytes} bytes; this server's limit")
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    if not written:
        raise DicomWebError("not_found", "the PACS returned no instances for this series")
    return written


def store_file(client: Any, path: Path) -> dict[str, str]:
    """STOW-RS one DICOM file; returns its ``study_uid``, ``series_uid`` and ``sop_instance_uid``.

    Raises:
        DicomWebError: ``refused`` when the archive lists the instance as failed (its reason code).
    """
    import pydicom

    ds = pydicom.dcmread(str(path))
    study, series, sop = str(ds.StudyInstanceUID), str(ds.SeriesInstanceUID), str(ds.SOPInstanceUID)
    with archive_errors("storing the result"):
        answer = client.store_instances([ds], study_instance_uid=study)
    failed = list(getattr(answer, "FailedSOPSequence", None) or [])
    if failed:
        reason = getattr(failed[0], "FailureReason", None)
        code = f"0x{int(reason):04X}" if reason is not None else "no reason given"
        raise DicomWebError("refused", f"the PACS refused to store the object (failure reason {code})")
    with archive_errors("checking the stored result"):  # some archives answer success and drop the object
        listed = client.search_for_instances(study, series, search_filters={"SOPInstanceUID": sop})
    if not listed:
        raise DicomWebError("refused", "the PACS answered that it stored the object but does not list it; "
                            "an archive rule may have dropped it")
    return {"study_uid": study, "series_uid": series, "sop_instance_uid": sop}


def orientation_hint(iop: Any) -> str:
    """``axial``, ``coronal``, ``sagittal`` or ``oblique`` from ImageOrientationPatient ("" if unknown)."""
    import numpy as np

    try:
        values = np.asarray([float(v) for v in iop], float)
    except (TypeError, ValueError):
        return ""
    if values.shape != (6,) or not np.all(np.isfinite(values)):
        return ""
    normal = np.cross(values[:3], values[3:])
    length = float(np.linalg.norm(normal))
    if length < 1e-6:
        return ""
    normal = np.abs(normal / length)
    axis = int(np.argmax(normal))
    if normal[axis] < 0.995:  # more than ~6 degrees off a main plane
        return "oblique"
    return ("sagittal", "coronal", "axial")[axis]
