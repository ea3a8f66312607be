"""Health latency under request bursts, and how fast a full queue refuses (issue 12).

Starts a real ``voxtell-web serve`` (demo model, queue of 16) and, while a separate process
probes ``GET /api/health`` every 10 ms, sends:

* ``jobs``: 5 bursts of 80 concurrent ``POST /api/jobs`` (the queue takes 16; the rest get 429);
* ``predict``: 100 concurrent ``POST /predict`` of a 64x64x48 volume (16 accepted, 84 refused);
* ``idle``: probes alone, for comparison.

Reports health p50/p99/max per phase, the latency of the 429 refusals, in the bursts (where
each waits for the ones before it) and one at a time against a full queue, the statuses each
burst got, and the volumes stored against the /predict calls accepted. Targets: health p99
< 100 ms during bursts; a full queue answers 429 in < 50 ms; only 200/201 and 429 (issue 26:
503s under a burst on the default SQLite store); nothing stored for a refused call. Run by
hand; JSON in bench/results/.
"""

from __future__ import annotations

import argparse
import gzip
import json
import multiprocessing as mp
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import nibabel as nib
import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def _probe(url: str, stop: mp.Event, out: mp.Queue) -> None:  # type: ignore[type-arg]
    """Runs in its own process: (time, latency) of health calls every 10 ms."""
    samples = []
    with httpx.Client(timeout=30) as client:
        while not stop.is_set():
            started = time.perf_counter()
            client.get(f"{url}/api/health")
            samples.append((time.time(), time.perf_counter() - started))
            time.sleep(0.01)
    out.put(samples)


def _volume() -> bytes:
    data = np.random.default_rng(0).normal(100, 30, (64, 64, 48)).astype(np.int16)
    return gzip.compress(nib.Nifti1Image(data, np.eye(4)).to_bytes())


def _summary(values: list[float]) -> dict[str, float]:
    if not values:
        return {"n": 0}
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, int(round(0.99 * (len(ordered) - 1))))]
    return {"n": len(values), "p50_ms": round(1000 * statistics.median(ordered), 2),
            "p99_ms": round(1000 * p99, 2), "max_ms": round(1000 * ordered[-1], 2)}


def _wait_ready(url: str, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/api/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("server did not start")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=18431)
    parser.add_argument("--out", default="health_under_burst.json")
    args = parser.parse_args()
    url = f"http://127.0.0.1:{args.port}"
    scratch = Path(tempfile.mkdtemp(prefix="voxtell-health-"))
    env = {**os.environ, "VOXTELL_HOME": str(scratch / "home"), "VOXTELL_MODEL": "", "VOXTELL_QUEUE_SIZE": "16",
           "VOXTELL_STATIC_DIR": str(scratch / "no-static")}
    server = subprocess.Popen([sys.executable, "-m", "backend.cli", "serve", "--port", str(args.port),
                               "--data-dir", str(scratch / "data")], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    phases: dict[str, tuple[float, float]] = {}
    refusals: dict[str, list[float]] = {"jobs": [], "predict": [], "predict_one_at_a_time": [],
                                        "jobs_one_at_a_time": []}
    statuses: dict[str, Counter[int]] = {"jobs": Counter(), "predict": Counter()}
    stored: dict[str, int] = {}
    try:
        _wait_ready(url)
        volume = _volume()
        volume_id = httpx.post(f"{url}/api/volumes", files={"file": ("v.nii.gz", volume)}).json()["id"]
        stop, out = mp.Event(), mp.Queue()
        prober = mp.Process(target=_probe, args=(url, stop, out))
        prober.start()
        time.sleep(0.5)
        started = time.time()
        time.sleep(3)
        phases["idle"] = (started, time.time())

        def timed(call: object) -> tuple[int, float]:
            t0 = time.perf_counter()
            status = call()  # type: ignore[operator]
            return status, time.perf_counter() - t0

        with httpx.Client(timeout=120, limits=httpx.Limits(max_connections=200)) as client, \
                ThreadPoolExecutor(100) as pool:
            started = time.time()
            for _ in range(5):
                barrier = threading.Barrier(80)

                def submit(barrier: threading.Barrier = barrier) -> int:
                    barrier.wait()
                    return client.post(f"{url}/api/jobs", json={"volume_id": volume_id,
                                                                "prompts": ["liver"]}).status_code

                for status, seconds in pool.map(lambda _: timed(submit), range(80)):
                    statuses["jobs"][status] += 1
                    if status == 429:
                        refusals["jobs"].append(seconds)
                while client.get(f"{url}/api/info").json()["queue_length"] > 0:
                    time.sleep(0.2)
            phases["jobs"] = (started, time.time())

            started = time.time()
            barrier = threading.Barrier(100)

            def predict() -> int:
                barrier.wait()
                return client.post(f"{url}/predict", files={"image": ("v.nii.gz", volume)},
                                   data={"prompt": "liver"}).status_code

            for status, seconds in pool.map(lambda _: timed(predict), range(100)):
                statuses["predict"][status] += 1
                if status == 429:
                    refusals["predict"].append(seconds)
            phases["predict"] = (started, time.time())
            while client.get(f"{url}/api/info").json()["queue_length"] > 0:
                time.sleep(0.2)
            # One volume was uploaded for the job bursts; every other one must be an accepted /predict.
            stored = {"predict_accepted": statuses["predict"][200],
                      "predict_volumes_stored": sum(1 for p in (scratch / "data" / "volumes").iterdir()
                                                    if p.is_file()) - 1}

            # One request at a time against a full queue: the refusal itself, not a burst's line.
            for _ in range(50):
                while client.post(f"{url}/api/jobs", json={"volume_id": volume_id, "prompts": ["x"]}).status_code != 429:
                    pass
                status, seconds = timed(lambda: client.post(f"{url}/predict", files={"image": ("v.nii.gz", volume)},
                                                            data={"prompt": "liver"}).status_code)
                if status == 429:
                    refusals["predict_one_at_a_time"].append(seconds)
                status, seconds = timed(lambda: client.post(f"{url}/api/jobs", json={
                    "volume_id": volume_id, "prompts": ["x"]}).status_code)
                if status == 429:
                    refusals["jobs_one_at_a_time"].append(seconds)
        stop.set()
        samples = out.get(timeout=60)
        prober.join(timeout=30)
    finally:
        server.terminate()
        server.wait(timeout=60)
    result = {
        "bench": "health_under_burst", "host": platform.node(), "cpus": os.cpu_count(),
        "health": {name: _summary([lat for t, lat in samples if start <= t <= end])
                   for name, (start, end) in phases.items()},
        "refusal_429": {name: _summary(values) for name, values in refusals.items()},
        "statuses": {name: {str(k): v for k, v in sorted(counts.items())} for name, counts in statuses.items()},
        "stored": stored,
        "targets": {"health_p99_ms": 100, "refusal_ms": 50, "statuses": "only 200/201 and 429",
                    "stored": "predict_volumes_stored == predict_accepted"},
    }
    sys.stdout.write(json.dumps(result) + "\n")
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / args.out).write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
