"""Benchmark: server overhead of ``POST /predict`` with the demo model on a one-patch volume.

Overhead = the HTTP round trip through a real uvicorn server on loopback (upload, validation, reorientation, job bookkeeping, writing,
statistics, download) minus the engine's own ``predict_single_image`` time *inside that same
request* (timed around the predictor call in the runner thread), as a share of the latter.
Timing the engine in the same thread matters: OpenMP keeps one worker team per calling thread,
and alternating calls from two threads on a 2-core machine makes both slower. The engine alone
(called directly, no server) is reported for reference. JSON into
bench/results/server_overhead.json.
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
from typing import Any

import nibabel as nib
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backend import Settings, create_app  # noqa: E402
from voxtell.demo import ensure_demo_model  # noqa: E402
from voxtell.inference.predictor import VoxTellPredictor  # noqa: E402
from voxtell.io import read_volume  # noqa: E402

logger = logging.getLogger("bench")


def _multipart(image: bytes, prompt: str) -> tuple[bytes, str]:
    boundary = "voxtell-bench-boundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="image"; filename="in.nii.gz"\r\n'
        "Content-Type: application/gzip\r\n\r\n".encode(), image,
        f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="prompt"\r\n\r\n{prompt}\r\n'
        f"--{boundary}--\r\n".encode(),
    ]
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def main() -> int:
    import http.client
    import socket
    import threading

    import uvicorn

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    with tempfile.TemporaryDirectory() as tmp:
        model = ensure_demo_model(Path(tmp) / "demo")
        predictor = VoxTellPredictor(model, device="cpu")
        shape = (64, 64, 64)  # one patch of the demo model
        data = np.random.default_rng(0).normal(100, 30, shape).astype(np.int16)
        body = gzip.compress(nib.Nifti1Image(data, np.diag([-0.8, 0.8, 1.5, 1])).to_bytes(), compresslevel=1)
        (Path(tmp) / "in.nii.gz").write_bytes(body)
        volume = read_volume(Path(tmp) / "in.nii.gz")
        alone = []
        for _ in range(7):
            t0 = time.perf_counter()
            predictor.predict_single_image(volume.data, text_prompts=["liver"])
            alone.append(time.perf_counter() - t0)
        in_request: list[float] = []
        engine_call = predictor.predict_single_image

        def timed(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return engine_call(*args, **kwargs)
            finally:
                in_request.append(time.perf_counter() - t0)

        predictor.predict_single_image = timed  # type: ignore[method-assign]
        round_trips, overhead = [], []
        # A real server on loopback and a plain HTTP client, as `curl POST /predict` would see it.
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        app = create_app(Settings(data_dir=Path(tmp) / "data"), lambda _: predictor)
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        payload, content_type = _multipart(body, "liver")
        connection = http.client.HTTPConnection("127.0.0.1", port)
        try:
            for i in range(32):
                t0 = time.perf_counter()
                connection.request("POST", "/predict", body=payload, headers={"Content-Type": content_type})
                response = connection.getresponse()
                mask = response.read()
                elapsed = time.perf_counter() - t0
                assert response.status == 200 and mask[:2] == b"\x1f\x8b", response.status
                if i >= 2:  # the first requests warm up the runner thread's OpenMP team
                    round_trips.append(elapsed)
                    overhead.append(elapsed - in_request[-1])
        finally:
            connection.close()
            server.should_exit = True
            thread.join(timeout=10)
    e, h, o = statistics.median(in_request[2:]), statistics.median(round_trips), statistics.median(overhead)
    result = {"volume": list(shape), "engine_alone_s": statistics.median(alone), "engine_in_request_s": e,
              "predict_endpoint_s": h, "overhead_s": o, "overhead_pct_of_inference": 100 * o / e}
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / "server_overhead.json").write_text(json.dumps(result, indent=2))
    logger.info(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
