"""Post-processing options and statistics through the HTTP API, on a hand-drawn mask.

The predictor returns the drawing of ``tests/drawn.py``; every expected mask is the drawing
edited by hand (cavity filled, small parts removed) and every expected number is counted by
hand or with plain numpy on the drawing, never with ``voxtell.postprocess``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from tests.backend.conftest import load_nifti, upload, wait_done
from tests.backend.fakes import ScriptedPredictor, file_order, ras_nifti_bytes
from tests.drawn import BIG_BOX, CAVITY, NOTCH, SHAPE, drawn_image, drawn_mask

SPACING_XYZ = (0.5, 0.8, 2.0)
VOXEL_ML = 0.5 * 0.8 * 2.0 / 1000


def _drawn_predictor() -> ScriptedPredictor:
    def rule(data: np.ndarray, _: int) -> np.ndarray:
        assert data.shape == SHAPE, "the server hands the predictor the RAS array"
        return drawn_mask()

    return ScriptedPredictor(rule, windows=1)


def _filled() -> np.ndarray:
    mask = drawn_mask()
    mask[CAVITY] = 1
    return mask


def _big_only(fill: bool) -> np.ndarray:
    mask = np.zeros(SHAPE, np.uint8)
    mask[BIG_BOX] = 1
    mask[NOTCH] = 0
    if not fill:
        mask[CAVITY] = 0
    return mask


# options -> (expected RAS mask, voxels, components, bbox), all counted by hand (see tests/drawn.py)
CASES: dict[str, tuple[dict[str, bool], Callable[[], np.ndarray], int, int, list[list[int]]]] = {
    "none": ({}, drawn_mask, 200 + 12 + 1, 3, [[2, 11], [2, 12], [2, 14]]),
    "fill_holes": ({"fill_holes": True}, _filled, 200 + 12 + 1 + 6, 3, [[2, 11], [2, 12], [2, 14]]),
    "keep_largest": ({"keep_largest_component": True}, lambda: _big_only(False), 200, 1, [[2, 7], [2, 8], [2, 9]]),
    "both": ({"fill_holes": True, "keep_largest_component": True}, lambda: _big_only(True), 206, 1,
             [[2, 7], [2, 8], [2, 9]]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_job_options_change_the_mask_and_its_statistics(make_client, case: str) -> None:  # type: ignore[no-untyped-def]
    options, expected_fn, voxels, components, bbox = CASES[case]
    expected = expected_fn()
    assert int(expected.sum()) == voxels
    image = drawn_image()
    client = make_client(_drawn_predictor())
    vol = upload(client, ras_nifti_bytes(image, SPACING_XYZ)).json()
    job = client.post("/api/jobs", json={"volume_id": vol["id"], "prompts": ["organ"], "options": options}).json()
    done = wait_done(client, job["id"])
    assert done["status"] == "done", done
    assert done["options"]["fill_holes"] is bool(options.get("fill_holes"))

    mask = load_nifti(client.get(f"/api/jobs/{job['id']}/masks/0.nii.gz").content)
    assert mask.get_data_dtype() == np.uint8
    np.testing.assert_array_equal(np.asarray(mask.dataobj), file_order(expected))

    stats = done["results"][0]
    values = image[expected > 0].astype(np.float64)
    mean = values.sum() / voxels
    assert stats["voxels"] == voxels and stats["components"] == components and stats["bbox"] == bbox
    assert stats["volume_ml"] == pytest.approx(voxels * VOXEL_ML, rel=1e-6)  # float32 pixdims
    assert stats["mean"] == pytest.approx(mean, rel=1e-12)
    assert stats["sd"] == pytest.approx(np.sqrt(((values - mean) ** 2).sum() / voxels), rel=1e-12)


def test_predict_form_options_are_applied(make_client) -> None:  # type: ignore[no-untyped-def]
    client = make_client(_drawn_predictor())
    content = ras_nifti_bytes(drawn_image(), SPACING_XYZ)
    for fields, expected in (({}, drawn_mask()),
                             ({"fill_holes": "true"}, _filled()),
                             ({"keep_largest_component": "true", "fill_holes": "true"}, _big_only(True))):
        response = client.post("/predict", files={"image": ("scan.nii.gz", content)}, data={"prompt": "organ", **fields})
        assert response.status_code == 200, response.text
        np.testing.assert_array_equal(np.asarray(load_nifti(response.content).dataobj), file_order(expected),
                                      err_msg=str(fields))
        job = wait_done(client, response.headers["X-VoxTell-Job"])
        assert job["results"][0]["voxels"] == int(expected.sum())


def test_label_map_of_post_processed_masks(make_client) -> None:  # type: ignore[no-untyped-def]
    """Two prompts: the drawing, and the drawing shifted by one voxel along A2; with
    keep-largest both lose their small parts before the label map is built."""
    def rule(data: np.ndarray, i: int) -> np.ndarray:
        return np.roll(drawn_mask(), i, axis=2)

    client = make_client(ScriptedPredictor(rule, windows=1))
    content = ras_nifti_bytes(drawn_image(), SPACING_XYZ)
    response = client.post("/predict", files={"image": ("scan.nii.gz", content)},
                           data={"prompt": ["first", "second"], "keep_largest_component": "true"})
    assert response.status_code == 200, response.text
    first, second = _big_only(False), np.roll(_big_only(False), 1, axis=2)
    expected = np.zeros(SHAPE, np.uint8)
    expected[first > 0] = 1
    expected[second > 0] = 2
    # label 1 is what the shift uncovers: the A2 = 2 face (5 x 6) and one column behind the notch
    # and behind the cavity (2 voxels each); the second mask wins everywhere else
    assert (expected == 1).sum() == 30 + 2 + 2 and (expected == 2).sum() == 200
    np.testing.assert_array_equal(np.asarray(load_nifti(response.content).dataobj), file_order(expected))
