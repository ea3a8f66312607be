"""Jobs that fail inside the predictor: the job ends ``failed`` with the right message, nothing
is left behind as a result, ``/predict`` answers 422 (the user's input) or 500 (our fault),
and the runner goes on with the next job."""

from __future__ import annotations

import json

import numpy as np
import pytest
from fastapi.testclient import TestClient

from tests.backend.conftest import load_nifti, nifti_bytes, upload, wait_done
from tests.backend.fakes import ScriptedPredictor
from voxtell.errors import InvalidImageError, InvalidInputError

INTERNAL = "internal error"
# Exceptions that are not the user's fault, with a detail that must not reach the client.
INTERNAL_ERRORS = [
    pytest.param(ValueError("operands could not be broadcast together with shapes (3,) (4,)"), id="ValueError"),
    pytest.param(RuntimeError("CUDA error: device-side assert triggered"), id="RuntimeError"),
    pytest.param(KeyError("decoder.stages.0"), id="KeyError"),
]


def _events(client: TestClient, job_id: str) -> list[dict]:
    with client.stream("GET", f"/api/jobs/{job_id}/events") as response:
        assert response.status_code == 200
        return [json.loads(line[6:]) for line in response.iter_lines() if line.startswith("data: ")]


def _run_job(client: TestClient, prompts: list[str] | None = None) -> dict:
    vol = upload(client).json()
    job = client.post("/api/jobs", json={"volume_id": vol["id"], "prompts": prompts or ["liver"]})
    assert job.status_code == 201, job.text
    return wait_done(client, job.json()["id"])


def _assert_no_results(client: TestClient, job: dict) -> None:
    assert job["results"] == []
    for path in ("masks/0.nii.gz", "labelmap.nii.gz", "masks.zip", "labels.json"):
        response = client.get(f"/api/jobs/{job['id']}/{path}")
        assert response.status_code == 409, path
        assert "the job is failed" in response.json()["detail"]


@pytest.mark.parametrize("error", [InvalidInputError("the image has no foreground voxels"),
                                   InvalidImageError("the image has no foreground voxels")],
                         ids=["InvalidInputError", "InvalidImageError"])
def test_invalid_input_inside_the_predictor_fails_the_job_with_its_message(make_client, error: Exception) -> None:  # type: ignore[no-untyped-def]
    predictor = ScriptedPredictor(error=error)
    client = make_client(predictor)
    job = _run_job(client)
    assert job["status"] == "failed"
    assert job["error"] == "the image has no foreground voxels"
    assert job["done"] == 1 and job["finished"] is not None
    _assert_no_results(client, job)
    events = _events(client, job["id"])
    assert events[-1]["status"] == "failed" and events[-1]["error"] == "the image has no foreground voxels"

    predictor.error = None  # the runner survives a failed job: the next one runs
    after = _run_job(client)
    assert after["status"] == "done" and after["results"][0]["voxels"] > 0


@pytest.mark.parametrize("error", INTERNAL_ERRORS)
def test_other_exceptions_fail_the_job_as_an_internal_error(make_client, error: Exception) -> None:  # type: ignore[no-untyped-def]
    """A bug is never reported as bad input, and its details stay in the server log."""
    predictor = ScriptedPredictor(error=error)
    client = make_client(predictor)
    job = _run_job(client)
    assert job["status"] == "failed"
    assert job["error"].startswith(INTERNAL), job["error"]
    assert str(error).strip("'") not in job["error"]
    _assert_no_results(client, job)
    predictor.error = None
    assert _run_job(client)["status"] == "done"


def test_predict_answers_422_with_the_message_of_invalid_input(make_client) -> None:  # type: ignore[no-untyped-def]
    client = make_client(ScriptedPredictor(error=InvalidInputError("the image has no foreground voxels")))
    for prompts in (["liver"], ["liver", "spleen"]):  # the one-mask and the label-map answers
        response = client.post("/predict", files={"image": ("scan.nii.gz", nifti_bytes())}, data={"prompt": prompts})
        assert response.status_code == 422, response.text
        assert "the image has no foreground voxels" in response.json()["detail"]
        assert response.headers["content-type"].startswith("application/json")


@pytest.mark.parametrize("error", INTERNAL_ERRORS)
def test_predict_answers_500_for_an_internal_error(make_client, error: Exception) -> None:  # type: ignore[no-untyped-def]
    predictor = ScriptedPredictor(error=error)
    client = make_client(predictor)
    for prompts in (["liver"], ["liver", "spleen"]):
        response = client.post("/predict", files={"image": ("scan.nii.gz", nifti_bytes())}, data={"prompt": prompts})
        assert response.status_code == 500, response.text
        detail = response.json()["detail"]
        assert INTERNAL in detail and str(error).strip("'") not in detail
    predictor.error = None  # and the server still answers the next request
    ok = client.post("/predict", files={"image": ("scan.nii.gz", nifti_bytes())}, data={"prompt": "liver"})
    assert ok.status_code == 200 and np.asarray(load_nifti(ok.content).dataobj).any()
