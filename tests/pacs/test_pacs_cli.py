"""``voxtell-predict --dicomweb``: read a series from a real Orthanc, write or store the result."""

from __future__ import annotations

import re
from pathlib import Path

import pydicom
import pytest

from tests.pacs.conftest import PASSWORD, USER, Archive
from voxtell.cli.predict import main
from voxtell.io.dicomweb import ArchiveConfig, open_archive


@pytest.fixture()
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VOXTELL_DICOMWEB_USER", USER)
    monkeypatch.setenv("VOXTELL_DICOMWEB_PASSWORD", PASSWORD)


def _args(archive: Archive, demo_model_dir: Path, *extra: str) -> list[str]:
    return ["--dicomweb", archive.url, "-m", str(demo_model_dir), "--device", "cpu", "-p", "liver", "spleen", *extra]


def test_a_study_with_two_series_asks_which(archive: Archive, demo_model_dir: Path, credentials: None,
                                            tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    axial = archive.series["axial"]
    code = main(_args(archive, demo_model_dir, "--study", axial.study_uid, "-o", str(tmp_path / "out")))
    err = capsys.readouterr().err
    assert code == 2
    assert "the study holds 2 series, choose one with --series" in err
    assert axial.series_uid in err and archive.series["sagittal"].series_uid in err and "sagittal" in err


def test_store_sends_the_seg_back(archive: Archive, demo_model_dir: Path, credentials: None,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    sagittal = archive.series["sagittal"]
    code = main(_args(archive, demo_model_dir, "--study", sagittal.study_uid, "--series", sagittal.series_uid,
                      "--output-format", "dicom-seg", "--store"))
    out = capsys.readouterr().out
    assert code == 0, out
    match = re.search(r"Stored \S+_seg\.dcm in the archive: series ([0-9.]+), instance ([0-9.]+)", out)
    assert match, out
    client = open_archive(ArchiveConfig(url=archive.url, user=USER, password=PASSWORD))
    seg = client.retrieve_instance(sagittal.study_uid, match.group(1), match.group(2))
    assert seg.Modality == "SEG"
    assert seg.ReferencedSeriesSequence[0].SeriesInstanceUID == sagittal.series_uid
    assert [s.SegmentLabel for s in seg.SegmentSequence] == ["liver", "spleen"]


def test_without_store_the_file_is_written_and_nothing_sent(archive: Archive, demo_model_dir: Path,
                                                            credentials: None, tmp_path: Path) -> None:
    oblique = archive.series["oblique"]
    before = archive.orthanc.instance_count()
    code = main(_args(archive, demo_model_dir, "--study", oblique.study_uid, "--output-format", "rtstruct",
                      "-o", str(tmp_path / "out")))
    assert code == 0
    written = sorted((tmp_path / "out").iterdir())
    assert [p.name for p in written] == [f"{oblique.series_uid}_rtstruct.dcm"]
    rt = pydicom.dcmread(written[0])
    assert rt.ReferencedFrameOfReferenceSequence[0].RTReferencedStudySequence[0].RTReferencedSeriesSequence[0] \
        .SeriesInstanceUID == oblique.series_uid
    assert archive.orthanc.instance_count() == before


def test_archive_errors_are_one_line(archive: Archive, demo_model_dir: Path, monkeypatch: pytest.MonkeyPatch,
                                     tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("VOXTELL_DICOMWEB_USER", USER)
    monkeypatch.setenv("VOXTELL_DICOMWEB_PASSWORD", "wrong")
    axial = archive.series["axial"]
    code = main(_args(archive, demo_model_dir, "--study", axial.study_uid, "--series", axial.series_uid,
                      "-o", str(tmp_path / "out")))
    assert code == 2
    assert capsys.readouterr().err.strip() == ("voxtell-predict: error: the PACS refused our credentials "
                                               "(retrieving the series: HTTP 401); check the DICOMweb "
                                               "user, password or token")
    assert main(_args(archive, demo_model_dir, "--study", axial.study_uid, "--store")) == 2
    assert "--store sends a DICOM object" in capsys.readouterr().err
