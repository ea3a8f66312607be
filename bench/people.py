"""Benchmark: what people cost and what fair share buys (issue 28).

1. **Sign-in and audit overhead** of ``GET /api/jobs/{id}`` through a real uvicorn server on
   loopback, the client in its own process (no GIL shared with the server): the same server and
   job read as the implicit local user (no sign-in; the audit event is written all the same),
   with the bootstrap key, and with a personal token (a database lookup of the token and its
   projects). Rounds alternate; medians of the per-round p50 / p95. The append of one audit
   event alone is timed too (it is in every variant).
2. **Fair share**: one person submits a batch of 20 jobs, then a second person one job, with a
   predictor that takes a fixed time per job; how many of the batch ran before the small job, and
   its wait, with the fair order (as built) and with plain first come, first served (the order
   before it, for comparison).

JSON into bench/results/people.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backend import Settings, create_app  # noqa: E402
from backend.devtools.localservices import free_port  # noqa: E402
from backend.storage.audit import AuditEvent, AuditTrail  # noqa: E402
from backend.storage.identities import Identities  # noqa: E402
from backend.storage.store import Store  # noqa: E402

KEY = "bench-bootstrap-key-0123456789"
_CLIENT = """
import http.client, json, sys, time
port, path, token, count = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
headers = {"Authorization": "Bearer " + token} if token else {}
connection = http.client.HTTPConnection("127.0.0.1", port)
times = []
for _ in range(count):
    start = time.perf_counter()
    connection.request("GET", path, headers=headers)
    answer = connection.getresponse(); answer.read()
    assert answer.status == 200, answer.status
    times.append(time.perf_counter() - start)
print(json.dumps(times))
"""


class _Instant:
    """A predictor that answers at once (only the HTTP path is measured)."""

    notice_callback = None
    phase_callback = None
    is_demo = False

    def __init__(self, seconds: float = 0.0) -> None:
        self.seconds = seconds
        self.order: list[str] = []

    def predict_single_image(self, data: Any, text_prompts: Any = None, text_embeddings: Any = None,
                             progress_callback: Any = None) -> Any:
        prompts = [text_prompts] if isinstance(text_prompts, str) else list(text_prompts)
        self.order.append(prompts[0])
        time.sleep(self.seconds)
        if progress_callback is not None:
            progress_callback(1, 1)
        return np.zeros((len(prompts), *np.asarray(data).shape[-3:]), dtype=np.uint8)

    def info(self) -> dict[str, Any]:
        return {"model_name": "bench", "patch_size": [64, 64, 64]}

    def vocabulary(self) -> list[str]:
        return []


def _volume_bytes() -> bytes:
    import gzip

    import nibabel as nib

    image = nib.Nifti1Image(np.zeros((16, 16, 8), dtype=np.int16), np.eye(4))
    return gzip.compress(image.to_bytes())


def _serve(settings: Settings, predictor: Any) -> tuple[Any, threading.Thread, int]:
    import uvicorn

    port = free_port()
    app = create_app(settings.model_copy(update={"port": port}), lambda _: predictor)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    return server, thread, port


def sign_in_overhead(requests: int, rounds: int) -> dict[str, Any]:
    import httpx

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        store = Store(data)
        user = Identities(store).add_user("bench", "user")
        _, token = Identities(store).create_token(user.id, "bench")
        store.close()
        server, thread, port = _serve(Settings(data_dir=data, static_dir=Path(tmp) / "none", api_key=KEY), _Instant())
        try:
            base = f"http://127.0.0.1:{port}"
            auth = {"Authorization": f"Bearer {token}"}
            volume = httpx.post(f"{base}/api/volumes", files={"file": ("v.nii.gz", _volume_bytes())}, headers=auth).json()
            job = httpx.post(f"{base}/api/jobs", json={"volume_id": volume["id"], "prompts": ["a"]}, headers=auth).json()
            while httpx.get(f"{base}/api/jobs/{job['id']}", headers=auth).json()["status"] != "done":
                time.sleep(0.05)
            path = f"/api/jobs/{job['id']}"
            variants = {"bootstrap key": KEY, "personal token": token}
            per_round: dict[str, list[tuple[float, float]]] = {name: [] for name in variants}
            for _ in range(rounds):
                for name, credential in variants.items():
                    out = subprocess.run([sys.executable, "-c", _CLIENT, str(port), path, credential, str(requests)],
                                         capture_output=True, text=True, check=True).stdout
                    times = sorted(json.loads(out))
                    per_round[name].append((statistics.median(times), times[int(0.95 * (len(times) - 1))]))
        finally:
            server.should_exit = True
            thread.join(10)
        # The local user (no key): the same job in a server without sign-in.
        server, thread, port = _serve(Settings(data_dir=data, static_dir=Path(tmp) / "none"), _Instant())
        local: list[tuple[float, float]] = []
        try:
            for _ in range(rounds):
                out = subprocess.run([sys.executable, "-c", _CLIENT, str(port), path, "", str(requests)],
                                     capture_output=True, text=True, check=True).stdout
                times = sorted(json.loads(out))
                local.append((statistics.median(times), times[int(0.95 * (len(times) - 1))]))
        finally:
            server.should_exit = True
            thread.join(10)
        store = Store(data)
        trail = AuditTrail(store)
        appends = []
        for n in range(200):
            start = time.perf_counter()
            trail.append(AuditEvent(action="view", outcome=200, via="token", user_id="u", object_type="job",
                                    object_id=str(n)))
            appends.append(time.perf_counter() - start)
        store.close()
    per_round["local user (no sign-in)"] = local
    result = {name: {"p50_ms": round(1000 * statistics.median(p for p, _ in r), 3),
                     "p95_ms": round(1000 * statistics.median(q for _, q in r), 3)} for name, r in per_round.items()}
    result["personal token minus local user, p50_ms"] = round(
        result["personal token"]["p50_ms"] - result["local user (no sign-in)"]["p50_ms"], 3)
    result["audit append alone, p50_ms"] = round(1000 * statistics.median(appends), 3)
    return result


def fair_share(batch: int, job_s: float, fair: bool) -> dict[str, Any]:
    from fastapi.testclient import TestClient

    from backend.storage import store as store_module

    predictor = _Instant(job_s)
    original = store_module.Store.fair_queue
    if not fair:  # plain first come, first served, as before fair share
        store_module.Store.fair_queue = lambda self: self.queued_ids()  # type: ignore[method-assign]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            data = Path(tmp) / "data"
            settings = Settings(data_dir=data, static_dir=Path(tmp) / "none", api_key=KEY, queue_size=batch + 8,
                                max_queued_per_user=batch + 1)
            with TestClient(create_app(settings, lambda _: predictor)) as client:
                identities = Identities(client.app.state.voxtell.store)  # type: ignore[attr-defined]
                tokens = {}
                for name in ("big", "small"):
                    user = identities.add_user(name, "user")
                    tokens[name] = {"Authorization": f"Bearer {identities.create_token(user.id, 'b')[1]}"}
                volumes = {name: client.post("/api/volumes", files={"file": ("v.nii.gz", _volume_bytes())},
                                             headers=auth).json()["id"] for name, auth in tokens.items()}
                ids = [client.post("/api/jobs", json={"volume_id": volumes["big"], "prompts": [f"big{n}"]},
                                   headers=tokens["big"]).json()["id"] for n in range(batch)]
                small = client.post("/api/jobs", json={"volume_id": volumes["small"], "prompts": ["small"]},
                                    headers=tokens["small"]).json()
                while client.get(f"/api/jobs/{small['id']}", headers=tokens["small"]).json()["status"] != "done":
                    time.sleep(0.02)
                job = client.get(f"/api/jobs/{small['id']}", headers=tokens["small"]).json()
                for job_id in ids:
                    while client.get(f"/api/jobs/{job_id}", headers=tokens["big"]).json()["status"] != "done":
                        time.sleep(0.02)
    finally:
        store_module.Store.fair_queue = original  # type: ignore[method-assign]
    return {"order": "fair share" if fair else "first come, first served",
            "big jobs run before the small one": predictor.order.index("small"),
            "small job's wait_s": round(job["started"] - job["created"], 2)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch", type=int, default=20)
    parser.add_argument("--job-s", type=float, default=0.2)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "people.json")
    args = parser.parse_args()
    result = {"sign_in_and_audit": sign_in_overhead(args.requests, args.rounds),
              "fair_share": [fair_share(args.batch, args.job_s, fair) for fair in (True, False)],
              "machine": {"cpus": __import__("os").cpu_count()}}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    sys.stdout.write(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
