"""The PACS of the browser tests: a real Orthanc with its DICOMweb plugin on ``--port`` (loopback),
temporary storage, and generated CT series loaded through Orthanc's REST API.

Run by Playwright's ``webServer`` (playwright.config.ts) with the venv python; prints
``PACS ready on <url>`` once the series are stored and then runs until terminated. Orthanc is its
child in the same process group (Playwright ends the whole group); on SIGTERM/SIGINT/SIGHUP it
is stopped and the storage removed. Reuses tests/pacs/orthanc.py and tests/dicom/series.py.

Loaded: patient ``E2E^Pacs`` (id ``E2E-PACS-1``), one study with two axial CT series,
"arterial" (48x40x12) and "venous" (48x40x8); and patient ``Other^Patient`` with one CT series,
which a search for ``E2E`` must not find.
"""

from __future__ import annotations

import argparse
import shutil
import signal
import sys
import tempfile
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pydicom  # noqa: E402
from pydicom.uid import generate_uid  # noqa: E402

from tests.dicom.series import write_series  # noqa: E402
from tests.pacs.orthanc import Orthanc, orthanc_available  # noqa: E402


def make_study(folder: Path, patient: tuple[str, str], description: str, series: list[tuple[str, int]],
               seed: int) -> list[Path]:
    """One study of ``patient`` (name, id) with a CT series per (description, slices)."""
    study, files = generate_uid(), []
    for i, (name, slices) in enumerate(series):
        data = np.random.default_rng(seed + i).integers(-200, 800, (48, 40, slices)).astype(np.int16)
        written, _ = write_series(folder / f"{seed}-{name}", data, np.array([1.0, 0, 0]), np.array([0, 1.0, 0]),
                                  (0.8, 0.8, 2.5), np.array([-20.0, 10.0, 0.0]), description=name)
        for path in written:  # write_series names every patient Doe^Jane: this study's patient and study
            ds = pydicom.dcmread(path)
            ds.PatientName, ds.PatientID = patient
            ds.StudyInstanceUID, ds.StudyDescription, ds.StudyDate = study, description, "20240517"
            ds.SeriesNumber = i + 1
            ds.save_as(path, enforce_file_format=True)
        files += written
    return files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    if not orthanc_available():
        sys.stderr.write("Orthanc or its DICOMweb plugin is missing: make orthanc\n")
        return 2

    def terminate(signum: int, _frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, terminate)

    folder = Path(tempfile.mkdtemp(prefix="voxtell-e2e-pacs-"))
    archive = Orthanc(folder / "orthanc", port=args.port)
    try:
        archive.start()
        archive.upload(make_study(folder / "series", ("E2E^Pacs", "E2E-PACS-1"), "CT abdomen e2e",
                                  [("arterial", 12), ("venous", 8)], seed=12))
        archive.upload(make_study(folder / "series", ("Other^Patient", "OTHER-2"), "CT chest other",
                                  [("plain", 6)], seed=40))
        sys.stdout.write(f"PACS ready on {archive.url} ({archive.instance_count()} instances)\n")
        sys.stdout.flush()  # the ready signal Playwright waits for
        assert archive.process is not None
        return archive.process.wait()  # Orthanc ending on its own ends this server too
    finally:
        archive.stop()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
