"""``voxtell-predict --dicomweb``: read a series from a real Orthanc, write or store the result."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path

import nibabel as nib
import numpy as np
import pydicom
import pytest
from pydicom.uid import MRImageStorage, generate_uid

from tests.dicom.series import write_series
from tests.pacs.conftest import PASSWORD, USER, Archive
from tests.pacs.orthanc import Orthanc, orthanc_available
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


# The archive of the batch query: (study, date, modality of each series).
DATED = {"january": ("20260110", ("CT", "MR")), "january-mr": ("20260120", ("MR",)), "december": ("20251220", ("CT",))}


@pytest.fixture(scope="module")
def dated_archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Orthanc, dict[tuple[str, str], str]]]:
    """An Orthanc of its own holding three studies: 2026-01-10 (a CT and an MR series), 2026-01-20
    (MR) and 2025-12-20 (CT). Yields it and the series UIDs by (study, modality)."""
    if not orthanc_available():
        pytest.skip("Orthanc and its DICOMweb plugin are not installed")
    root = tmp_path_factory.mktemp("dated")
    uids: dict[tuple[str, str], str] = {}
    files: list[Path] = []
    for n, (study, (date, modalities)) in enumerate(DATED.items()):
        study_uid = generate_uid()
        for m, modality in enumerate(modalities):
            volume = np.random.default_rng(10 * n + m).normal(0, 200, (20, 16, 6 + m)).astype(np.float32)
            volume[4:-4, 4:-4, 1:-1] += 400
            written, made = write_series(root / f"{study}-{modality}", volume, np.array([1.0, 0, 0]),
                                         np.array([0, 1.0, 0]), (0.8, 0.9, 2.0), np.array([-20.0, 15.0, 40.0]),
                                         description=f"{study} {modality}")
            for f in written:
                ds = pydicom.dcmread(f)
                ds.StudyInstanceUID, ds.StudyDate, ds.StudyTime, ds.Modality = study_uid, date, "090000", modality
                if modality == "MR":
                    ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID = MRImageStorage
                ds.save_as(f, enforce_file_format=True)
            uids[(study, modality)] = made["series"]
            files.extend(written)
    with Orthanc(root / "orthanc", users={USER: PASSWORD}) as orthanc:
        orthanc.upload(files)
        yield orthanc, uids


QUERY_PROTOCOL = """id: query-test
name: Query test
modality: CT
structures:
  - {prompt: liver, name: Liver, color: [221, 130, 101], keep_largest_component: true}
  - {prompt: spleen, name: Spleen, color: [157, 108, 162], interpreted_type: AVOIDANCE}
"""


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_a_date_and_modality_query_segments_only_the_matching_series(
        dated_archive: tuple[Orthanc, dict[tuple[str, str], str]], demo_model_dir: Path, credentials: None,
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    orthanc, uids = dated_archive
    protocol = tmp_path / "p.yaml"
    protocol.write_text(QUERY_PROTOCOL)
    out, stats = tmp_path / "out", tmp_path / "stats.csv"
    base = ["--dicomweb", orthanc.dicomweb, "-m", str(demo_model_dir), "--device", "cpu",
            "--study-date", "20260101-20260131"]
    code = main([*base, "--modality", "CT", "--protocol", str(protocol), "-o", str(out), "--stats", str(stats)])
    stdout, err = capsys.readouterr()
    assert code == 0, err
    assert "Found 1 CT series in studies dated 20260101-20260131" in stdout
    ct = uids[("january", "CT")]
    assert sorted(p.name for p in out.iterdir()) == [f"{ct}_Liver.nii.gz", f"{ct}_Spleen.nii.gz"]
    rows = _rows(stats)
    assert [(r["volume"], r["structure"], r["prompt"]) for r in rows] == [(ct, "Liver", "liver"),
                                                                         (ct, "Spleen", "spleen")]
    for row in rows:
        mask = np.asarray(nib.load(str(out / f"{ct}_{row['structure']}.nii.gz")).dataobj)
        assert int(row["voxels"]) == int(mask.sum())
        assert float(row["volume_ml"]) == pytest.approx(int(mask.sum()) * 0.8 * 0.9 * 2.0 / 1000, rel=1e-6)

    # MR in January: the MR series of both January studies, none of December; as RTSTRUCTs
    before = orthanc.instance_count()
    code = main([*base, "--modality", "mr", "-p", "liver", "--output-format", "rtstruct", "-o", str(tmp_path / "mr"),
                 "--stats", str(tmp_path / "mr.csv")])
    assert code == 0, capsys.readouterr().err
    mr = sorted([uids[("january", "MR")], uids[("january-mr", "MR")]])
    assert sorted(p.name for p in (tmp_path / "mr").iterdir()) == [f"{uid}_rtstruct.dcm" for uid in mr]
    assert sorted({r["volume"] for r in _rows(tmp_path / "mr.csv")}) == mr
    assert orthanc.instance_count() == before, "nothing stored without --store"

    # the protocol's modality is the default; --store sends each RTSTRUCT back, names and types included
    code = main([*base, "--protocol", str(protocol), "--output-format", "rtstruct", "--store"])
    stdout = capsys.readouterr().out
    assert code == 0 and stdout.count("Stored ") == 1 and f"{ct}_rtstruct.dcm" in stdout
    match = re.search(r"series ([0-9.]+), instance ([0-9.]+)", stdout)
    assert match
    client = open_archive(ArchiveConfig(url=orthanc.dicomweb, user=USER, password=PASSWORD))
    study = next(s for s in client.search_for_series(search_filters={"SeriesInstanceUID": ct}))["0020000D"]["Value"][0]
    rt = client.retrieve_instance(study, match.group(1), match.group(2))
    assert [r.ROIName for r in rt.StructureSetROISequence] == ["Liver", "Spleen"]
    assert [o.RTROIInterpretedType for o in rt.RTROIObservationsSequence] == ["ORGAN", "AVOIDANCE"]
    assert [list(map(int, c.ROIDisplayColor)) for c in rt.ROIContourSequence] == [[221, 130, 101], [157, 108, 162]]


def test_query_arguments_are_checked(archive: Archive, demo_model_dir: Path, credentials: None, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture) -> None:
    base = ["--dicomweb", archive.url, "-m", str(demo_model_dir), "--device", "cpu", "-o", str(tmp_path / "o")]
    code = main([*base, "--study-date", "20260230", "-p", "liver"])
    assert code == 2 and capsys.readouterr().err.strip() == "voxtell-predict: error: --study-date: 20260230 is not a date"
    code = main([*base, "--study-date", "2026-01-01", "-p", "liver"])
    assert code == 2 and "--study-date must be YYYYMMDD or a range" in capsys.readouterr().err
    for extra, message in ((["-p", "liver"], "--dicomweb needs --study UID, or --study-date RANGE"),
                           (["--study", "1.2.3", "--study-date", "20260101", "-p", "liver"], "not with --study"),
                           (["--study-date", "20260101"], "give exactly one of -p/--prompts and --protocol")):
        with pytest.raises(SystemExit) as exc:
            main([*base, *extra])
        assert exc.value.code == 2 and message in capsys.readouterr().err
    # no matching study: nothing to do, said on stderr
    code = main([*base, "--study-date", "19990101-19991231", "--modality", "CT", "-p", "liver"])
    assert code == 0 and "the archive has no CT series in studies dated 19990101-19991231" in caplog.text
    assert "Wrote 0 file(s)" in capsys.readouterr().out


def test_a_series_that_cannot_be_segmented_is_skipped_and_reported(
        dated_archive: tuple[Orthanc, dict[tuple[str, str], str]], demo_model_dir: Path, credentials: None,
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import voxtell.cli.dicomweb_input as dicomweb_input
    from voxtell.errors import InvalidInputError

    orthanc, uids = dated_archive
    bad = uids[("january", "MR")]
    real = dicomweb_input.predict_dicom

    def refuse_one(predictor: object, source: Path, *args: object, **kwargs: object) -> list[Path]:
        if source.name == bad:
            raise InvalidInputError("the slices are not evenly spaced")
        return real(predictor, source, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(dicomweb_input, "predict_dicom", refuse_one)
    stats = tmp_path / "mr.csv"
    code = main(["--dicomweb", orthanc.dicomweb, "-m", str(demo_model_dir), "--device", "cpu", "--study-date",
                 "20260101-20260131", "--modality", "MR", "-p", "liver", "-o", str(tmp_path / "out"),
                 "--stats", str(stats)])
    out, err = capsys.readouterr()
    good = uids[("january-mr", "MR")]
    assert code == 2 and "Wrote 1 file(s); 1 series skipped." in out
    assert err.strip().splitlines()[-1] == (f"voxtell-predict: error: 1 series could not be segmented: "
                                            f"series {bad}: the slices are not evenly spaced")
    assert [p.name for p in (tmp_path / "out").iterdir()] == [f"{good}_liver.nii.gz"]
    assert [r["volume"] for r in _rows(stats)] == [good], "the series after the bad one was still done"
