"""The data directory: the one owner of its layout (every other module asks here for a path).

Layout (unchanged since the first release; every API node and worker mounts the same one)::

    voxtell.sqlite                 volumes and jobs (embedded mode; else VOXTELL_DATABASE_URL)
    volumes/<volume id>.nii[.gz]   uploads (never named after the uploaded file)
    volumes/<volume id>-dicom/     header-only copies of a DICOM volume's slices (for exports)
    results/<job id>/mask_<i>.nii.gz, labelmap-<selection>.nii.gz, <selection>-<export>.dcm
    tmp/                           staging: written here, then renamed into place
    pacs/<key>.json                which volume a PACS series was imported as
    prompt-cache/                  distributed mode: the workers' shared prompt-embedding cache
    dicom-spool/                   the DICOM node's received instances until a series is complete
"""

from __future__ import annotations

import uuid
from pathlib import Path


def new_id() -> str:
    """A fresh object id (also every generated file name: a sent name is never a path)."""
    return uuid.uuid4().hex


class DataDir:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def create(self) -> None:
        """Make the folders every node writes into (idempotent)."""
        for folder in (self.volumes, self.results, self.tmp):
            folder.mkdir(parents=True, exist_ok=True)

    @property
    def sqlite_file(self) -> Path:
        return self.root / "voxtell.sqlite"

    @property
    def volumes(self) -> Path:
        return self.root / "volumes"

    @property
    def results(self) -> Path:
        return self.root / "results"

    @property
    def tmp(self) -> Path:
        return self.root / "tmp"

    @property
    def pacs(self) -> Path:
        return self.root / "pacs"

    @property
    def dicom_spool(self) -> Path:
        return self.root / "dicom-spool"

    @property
    def prompt_cache(self) -> Path:
        return self.root / "prompt-cache"

    def tmp_path(self, suffix: str = "") -> Path:
        """A fresh staging name in ``tmp/`` (nothing is created)."""
        return self.tmp / f"{new_id()}{suffix}"

    def volume_file(self, name: str) -> Path:
        return self.volumes / name

    def dicom_headers(self, volume_id: str) -> Path:
        return self.volumes / f"{volume_id}-dicom"

    def result_dir(self, job_id: str) -> Path:
        return self.results / job_id

    def pacs_record(self, key: str) -> Path:
        return self.pacs / f"{key}.json"
