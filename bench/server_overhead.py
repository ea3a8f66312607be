"""Benchmark: server overhead of ``POST /predict`` with the demo model on a one-patch volume.

Overhead = the HTTP round trip through a real uvicorn server on loopback, seen by a client in
its own process (upload, validation, reorientation, job bookkeeping, writing, download), minus
the engine's own ``predict_single_image`` time *inside that same request* (timed around the
predictor call in the runner thread), as a share of the latter.
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


def client(port: int, image: Path, requests: int, pause_s: float) -> None:
    """The HTTP client, run in its own process (as curl would be: no GIL shared with the
    server): POSTs the image ``requests`` times on one keep-alive connection and writes the
    round-trip seconds as a JSON list to stdout."""
    import http.client

    payload, content_type = _multipart(image.read_bytes(), "liver")
    connection = http.client.HTTPConnection("127.0.0.1", port)
    round_trips = []
    try:
        for _ in range(requests):
            t0 = time.perf_counter()
            connection.request("POST", "/predict", body=payload, headers={"Content-Type": content_type})
            response = connection.getresponse()
            mask = response.read()
            round_trips.append(time.perf_counter() - t0)
            if response.status != 200 or mask[:2] != b"\x1f\x8b":
                raise SystemExit(f"unexpected answer: HTTP {response.status}")
            time.sleep(pause_s)
    finally:
        connection.close()
    sys.stdout.write(json.dumps(round_trips))


def _overhead(predictor: VoxTellPredictor, data_dir: Path, image: Path, requests: int, pause_s: float,
              ) -> tuple[list[float], list[float]]:
    """(round trips, engine seconds inside each request) through a real uvicorn server."""
    import socket
    import subprocess
    import threading

    import uvicorn

    in_request: list[float] = []
    engine_call = predictor.predict_single_image

    def timed(*args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return engine_call(*args, **kwargs)
        finally:
            in_request.append(time.perf_counter() - t0)

    predictor.predict_single_image = timed  # type: ignore[method-assign]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = create_app(Settings(data_dir=data_dir), lambda _: predictor)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        out = subprocess.run([sys.executable, __file__, "--client", str(port), str(image), str(requests),
                              str(pause_s)], check=True, capture_output=True, text=True).stdout
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        predictor.predict_single_image = engine_call  # type: ignore[method-assign]
    return json.loads(out), in_request


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("backend").setLevel(logging.WARNING)  # no line per job
    requests, warm_up = 34, 2  # the first requests warm up the runner thread's OpenMP team
    with tempfile.TemporaryDirectory() as tmp:
        model = ensure_demo_model(Path(tmp) / "demo")
        predictor = VoxTellPredictor(model, device="cpu")
        shape = (64, 64, 64)  # one patch of the demo model
        data = np.random.default_rng(0).normal(100, 30, shape).astype(np.int16)
        image = Path(tmp) / "in.nii.gz"
        image.write_bytes(gzip.compress(nib.Nifti1Image(data, np.diag([-0.8, 0.8, 1.5, 1])).to_bytes(),
                                        compresslevel=1))
        volume = read_volume(image)
        alone = []
        for _ in range(7):
            t0 = time.perf_counter()
            predictor.predict_single_image(volume.data, text_prompts=["liver"])
            alone.append(time.perf_counter() - t0)
        result: dict[str, Any] = {"volume": list(shape), "upload_bytes": image.stat().st_size,
                                  "requests": requests - warm_up, "engine_alone_s": statistics.median(alone)}
        # Back to back (a script looping over cases) and one at a time (a person with curl or
        # the web app: the previous job's statistics have finished).
        for mode, pause_s in (("back_to_back", 0.0), ("one_at_a_time", 0.1)):
            round_trips, engine = _overhead(predictor, Path(tmp) / f"data-{mode}", image, requests, pause_s)
            overhead = [r - e for r, e in zip(round_trips[warm_up:], engine[warm_up:], strict=True)]
            e, o = statistics.median(engine[warm_up:]), statistics.median(overhead)
            result[mode] = {"engine_in_request_s": e, "predict_endpoint_s": statistics.median(round_trips[warm_up:]),
                            "overhead_s": o, "overhead_pct_of_inference": 100 * o / e}
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / "server_overhead.json").write_text(json.dumps(result, indent=2))
    logger.info(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--client"]:
        client(int(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]))
        raise SystemExit(0)
    raise SystemExit(main())
