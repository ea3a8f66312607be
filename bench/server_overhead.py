"""Benchmark: server overhead of ``POST /predict`` with the demo model on a one-patch volume.

Overhead = (HTTP round trip: upload, validation, reorientation, job, writing, download)
minus the engine's own ``predict_single_image`` time on the same volume, as a share of the
latter. JSON into bench/results/server_overhead.json.
"""

from __future__ import annotations

import gzip
import json
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nibabel as nib
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backend import Settings, create_app  # noqa: E402
from voxtell.demo import ensure_demo_model  # noqa: E402
from voxtell.inference.predictor import VoxTellPredictor  # noqa: E402
from voxtell.io import read_volume  # noqa: E402

logger = logging.getLogger("bench")


def main() -> int:
    from fastapi.testclient import TestClient

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    with tempfile.TemporaryDirectory() as tmp:
        model = ensure_demo_model(Path(tmp) / "demo")
        predictor = VoxTellPredictor(model, device="cpu")
        shape = (64, 64, 64)  # one patch of the demo model
        data = np.random.default_rng(0).normal(100, 30, shape).astype(np.int16)
        body = gzip.compress(nib.Nifti1Image(data, np.diag([-0.8, 0.8, 1.5, 1])).to_bytes(), compresslevel=1)
        (Path(tmp) / "in.nii.gz").write_bytes(body)
        volume = read_volume(Path(tmp) / "in.nii.gz")
        engine, http = [], []
        client = TestClient(create_app(Settings(data_dir=Path(tmp) / "data"), lambda _: predictor))
        with client:
            for _ in range(5):
                t0 = time.perf_counter()
                predictor.predict_single_image(volume.data, text_prompts=["liver"])
                engine.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                response = client.post("/predict", files={"image": ("in.nii.gz", body)}, data={"prompt": "liver"})
                http.append(time.perf_counter() - t0)
                assert response.status_code == 200
    e, h = statistics.median(engine), statistics.median(http)
    result = {"volume": list(shape), "engine_s": e, "predict_endpoint_s": h, "overhead_s": h - e,
              "overhead_pct_of_inference": 100 * (h - e) / e}
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / "server_overhead.json").write_text(json.dumps(result, indent=2))
    logger.info(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
