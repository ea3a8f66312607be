"""Distributed mode: throughput with 1 and 2 workers, and the overhead of distributed /predict.

Starts throw-away Redis and PostgreSQL (``backend.devtools.localservices``), one API node and N CPU
workers (demo model), all real processes on this machine:

* ``throughput``: 8 jobs on a 200x200x64 volume (36 demo windows each) submitted at once; jobs
  per minute with 1 worker and with 2 (target: >= 1.8x where there are cores for two). Each
  worker gets ``--threads`` CPU threads (default: half the cores), as `make cluster` does: two
  workers with torch's default of every core each fight over the same cores.
* ``overhead``: a one-patch demo ``/predict``, one request at a time (``--requests``, medians),
  against an embedded server and against the cluster; per request, the time beyond the job's
  own run (``finished - started``); the difference between the modes as a share of the
  inference time the job itself recorded (target < 5 %).

Run by hand; JSON in bench/results/distributed.json.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import httpx
import nibabel as nib
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backend.devtools.localservices import free_port, postgres_server, redis_server  # noqa: E402


def _volume(shape: tuple[int, int, int], seed: int) -> bytes:
    data = np.random.default_rng(seed).normal(100, 30, shape).astype(np.int16)
    return gzip.compress(nib.Nifti1Image(data, np.eye(4)).to_bytes())


def _start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "backend.cli", *args], cwd=ROOT, env=env,
                            stdout=log.open("wb"), stderr=subprocess.STDOUT)


def _until(condition: object, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise RuntimeError("timed out")
        time.sleep(0.2)


def _wait_done(url: str, ids: list[str], timeout: float) -> float:
    """Until every job is done; returns the latest ``finished`` time (epoch s) of the jobs.

    Asks about the unfinished jobs once a second: on a host whose cores the workers need, a
    client polling every job five times a second (and the API node and PostgreSQL answering it)
    would take CPU from the very workers being measured; the jobs' own ``finished`` times keep
    the measurement exact regardless of the polling interval."""
    pending, finished, deadline = set(ids), [], time.monotonic() + timeout
    while pending:
        if time.monotonic() > deadline:
            raise RuntimeError("timed out")
        time.sleep(1.0)
        for job_id in list(pending):
            job = httpx.get(f"{url}/api/jobs/{job_id}").json()
            if job["status"] == "done":
                pending.discard(job_id)
                finished.append(float(job["finished"]))
    return max(finished)


def _up(url: str) -> bool:
    try:
        return httpx.get(f"{url}/api/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _predict_times(url: str, content: bytes, requests: int) -> tuple[list[float], list[float]]:
    """(request seconds, job running seconds) of sequential one-prompt /predict calls."""
    totals, inference = [], []
    with httpx.Client(timeout=600) as client:
        for _ in range(requests + 1):
            started = time.perf_counter()
            response = client.post(f"{url}/predict", files={"image": ("v.nii.gz", content)}, data={"prompt": "liver"})
            elapsed = time.perf_counter() - started
            job_url = f"{url}/api/jobs/{response.headers['x-voxtell-job']}"
            job = client.get(job_url).json()
            while job["status"] not in ("done", "failed", "cancelled"):  # embedded: statistics follow the answer
                time.sleep(0.05)
                job = client.get(job_url).json()
            if len(totals) < requests and job.get("started") and job.get("finished"):
                totals.append(elapsed)
                inference.append(job["finished"] - job["started"])
    return totals[1:] or totals, inference[1:] or inference  # the first call warms the model


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=8)
    parser.add_argument("--requests", type=int, default=7)
    parser.add_argument("--threads", type=int, default=max(1, (os.cpu_count() or 2) // 2),
                        help="CPU threads per worker (default: half the cores, room for two workers)")
    parser.add_argument("--out", default="distributed.json")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="voxtell-bench-dist-"))
    home = scratch / "home"
    base_env = {**os.environ, "VOXTELL_HOME": str(home), "VOXTELL_MODEL": "", "VOXTELL_QUEUE_SIZE": "64",
                "VOXTELL_STATIC_DIR": str(scratch / "no-static"), "VOXTELL_HEARTBEAT_S": "2"}
    small = _volume((48, 48, 48), 1)  # one demo patch
    big = _volume((200, 200, 64), 2)
    result: dict[str, object] = {"bench": "distributed", "host": platform.node(), "cpus": os.cpu_count(),
                                 "jobs": args.jobs, "threads_per_worker": args.threads}
    # Embedded reference for /predict.
    port = free_port()
    embedded = _start(["serve", "--port", str(port), "--data-dir", str(scratch / "embedded")], base_env,
                      scratch / "embedded.log")
    try:
        url = f"http://127.0.0.1:{port}"
        _until(lambda: _up(url), 180)
        embedded_totals, embedded_inference = _predict_times(url, small, args.requests)
    finally:
        embedded.terminate()
        embedded.wait(timeout=60)
    with ExitStack() as stack:
        postgres = stack.enter_context(postgres_server())
        redis = stack.enter_context(redis_server())
        env = {**base_env, "VOXTELL_BROKER_URL": redis.url, "VOXTELL_DATABASE_URL": postgres.url}
        data = scratch / "cluster"
        port = free_port()
        processes = [_start(["serve", "--port", str(port), "--data-dir", str(data)], env, scratch / "api.log")]
        url = f"http://127.0.0.1:{port}"
        try:
            _until(lambda: _up(url), 180)
            throughput = {}
            for workers in (1, 2):
                while len(processes) - 1 < workers:
                    processes.append(_start(["worker", "--device", "cpu", "--data-dir", str(data),
                                             "--threads", str(args.threads)], env,
                                            scratch / f"worker{len(processes)}.log"))
                _until(lambda n=workers: len(httpx.get(f"{url}/api/workers").json()) >= n, 240)
                if workers == 1:
                    cluster_totals, cluster_inference = _predict_times(url, small, args.requests)
                volume = httpx.post(f"{url}/api/volumes", files={"file": ("big.nii.gz", big)}).json()
                started = time.time()  # the same clock as the jobs' timestamps (one host)
                ids = [httpx.post(f"{url}/api/jobs", json={"volume_id": volume["id"], "prompts": ["liver"]}).json()["id"]
                       for _ in range(args.jobs)]
                minutes = (_wait_done(url, ids, timeout=3600) - started) / 60
                throughput[f"{workers}_worker"] = {"jobs_per_min": round(args.jobs / minutes, 2),
                                                   "seconds": round(minutes * 60, 1)}
            throughput["ratio_2_vs_1"] = round(throughput["2_worker"]["jobs_per_min"]  # type: ignore[index]
                                               / throughput["1_worker"]["jobs_per_min"], 2)  # type: ignore[index]
            result["throughput"] = throughput
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(timeout=60)
    # What the request costs beyond its job's own run time, per mode: the workers may run the
    # network on fewer threads than the embedded server, so totals alone would not compare.
    outside_embedded = statistics.median(t - i for t, i in zip(embedded_totals, embedded_inference))
    outside_cluster = statistics.median(t - i for t, i in zip(cluster_totals, cluster_inference))
    inference = statistics.median(cluster_inference)
    result["predict_one_patch"] = {
        "embedded_s": round(statistics.median(embedded_totals), 4),
        "distributed_s": round(statistics.median(cluster_totals), 4),
        "inference_s_embedded": round(statistics.median(embedded_inference), 4),
        "inference_s_distributed": round(inference, 4),
        "outside_job_s_embedded": round(outside_embedded, 4),
        "outside_job_s_distributed": round(outside_cluster, 4),
        "overhead_share_of_inference": round((outside_cluster - outside_embedded) / inference, 4),
    }
    sys.stdout.write(json.dumps(result) + "\n")
    (ROOT / "bench" / "results").mkdir(exist_ok=True)
    (ROOT / "bench" / "results" / args.out).write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
