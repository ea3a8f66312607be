"""Benchmark: the official ``voxtell-server`` protocol over loopback, our server against the
official one (voxtell 0.1.2), same small model, same image, same client.

For a 256³ int16 volume: ``POST /images`` (the napari plugin's Submit: ``include_image=false``),
``POST /jobs`` + the NDJSON event stream to its terminal status, ``GET /jobs/{id}/result``;
timed by a client in this process (httpx, the plugin's library). The two servers run as
separate processes, one request at a time (the other idle), alternating which goes first in
each round; medians reported. Model: the golden fixtures' small model (FILL-RULE weights,
``tests/golden.py``) with a one-prompt embedding bank, on the CPU.

The official server comes from ``pip install --target <dir> voxtell==0.1.2 positional-encodings
--no-deps`` (our torch, nnU-Net and the rest are reused), put first on ``PYTHONPATH``.

    .venv/bin/python bench/official_protocol.py [--rounds 3] [--official-dir /tmp/official]

JSON into bench/results/official_protocol.json.
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
from pathlib import Path
from typing import Any

import httpx
import nibabel as nib
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from voxtell.io.packed import unpack_array  # noqa: E402

SHAPE = (256, 256, 256)
# ``voxtell-server`` 0.1.2 unchanged, except that its predictor builds the network with the small
# model's hyper-parameters (0.1.2 hard-codes the full-size ones; the golden fixtures were made
# the same way). Run with the official package first on PYTHONPATH, never ours.
OFFICIAL_LAUNCHER = """
import json, sys
from pathlib import Path
import voxtell.inference.predictor as predictor
hp = json.loads((Path(sys.argv[1]) / "voxtell_hyperparameters.json").read_text())
original = predictor.VoxTellModel
predictor.VoxTellModel = lambda **kw: original(**{**kw, **hp})
from voxtell.server.__main__ import main
sys.argv = ["voxtell-server", "-m", *sys.argv[1:]]
sys.exit(main())
"""


def serve_ours(port: int, model: str, bank: str, data_dir: str) -> None:
    """Our server as ``voxtell-web serve`` runs it, with the bench model and bank (own process)."""
    import uvicorn

    from backend import Settings, create_app
    from voxtell.inference.predictor import VoxTellPredictor

    settings = Settings(data_dir=Path(data_dir), static_dir=Path(data_dir) / "none", max_windows=100000)
    app = create_app(settings, lambda _: VoxTellPredictor(model, device="cpu", embedding_bank=bank))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False, server_header=False)


def ensure_official(target: Path) -> Path:
    if not (target / "voxtell" / "server" / "app.py").is_file():
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--target", str(target), "voxtell==0.1.2",
                        "positional-encodings", "--no-deps"], check=True)
    return target


def make_inputs(work: Path) -> tuple[Path, Path, bytes]:
    from tests.golden import build_golden_model_dir

    model = build_golden_model_dir(work / "model")
    bank = work / "bank.npz"
    rng = np.random.default_rng(0)
    np.savez(bank, labels=np.array(["liver"]), embeddings=rng.standard_normal((1, 64)).astype(np.float16))
    zz, yy, xx = np.meshgrid(*[np.linspace(-1, 1, s, dtype=np.float32) for s in SHAPE], indexing="ij")
    body = (zz ** 2 + yy ** 2 + xx ** 2 < 0.5).astype(np.float32) * 400
    data = (body + rng.normal(0, 40, SHAPE)).astype(np.int16)
    affine = np.diag([-0.8, -0.8, 1.0, 1.0])  # LPS, as most CT
    image = gzip.compress(nib.Nifti1Image(data, affine).to_bytes(), compresslevel=1)
    return model, bank, image


def wait_up(url: str, process: subprocess.Popen, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server at {url} exited with {process.returncode}")
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"server at {url} did not come up")


def one_round(url: str, image: bytes) -> tuple[dict[str, float], np.ndarray]:
    with httpx.Client(base_url=url, timeout=httpx.Timeout(1200, connect=10)) as client:
        t0 = time.perf_counter()
        resp = client.post("/images", content=image, params={"include_image": "false"},
                           headers={"Content-Type": "application/octet-stream"})
        resp.raise_for_status()
        image_id = json.loads(resp.headers["X-Meta"])["image_id"]
        t1 = time.perf_counter()
        job_id = client.post("/jobs", json={"image_id": image_id, "prompts": ["liver"]}).json()["job_id"]
        last: dict[str, Any] = {}
        with client.stream("GET", f"/jobs/{job_id}/events", timeout=None) as events:
            for line in events.iter_lines():
                if line.strip():
                    last = json.loads(line)
        assert last.get("status") == "done", last
        t2 = time.perf_counter()
        result = client.get(f"/jobs/{job_id}/result")
        result.raise_for_status()
        masks = unpack_array(result.content)
        t3 = time.perf_counter()
    return {"upload_s": t1 - t0, "job_s": t2 - t1, "result_s": t3 - t2, "total_s": t3 - t0}, masks


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--official-dir", type=Path, default=Path(tempfile.gettempdir()) / "official")
    parser.add_argument("--serve-ours", nargs=4, metavar=("PORT", "MODEL", "BANK", "DATA"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_ours:
        port, model, bank, data = args.serve_ours
        serve_ours(int(port), model, bank, data)
        return
    official = ensure_official(args.official_dir)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        model, bank, image = make_inputs(work)
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        ours = subprocess.Popen([sys.executable, __file__, "--serve-ours", "15271", str(model), str(bank),
                                 str(work / "data")], env=env)
        theirs = subprocess.Popen([sys.executable, "-c", OFFICIAL_LAUNCHER, str(model), "--device", "cpu",
                                   "--embeddings", str(bank), "--no-precomputed", "--port", "15272"],
                                  env={**os.environ, "PYTHONPATH": str(official)}, stderr=subprocess.DEVNULL,
                                  cwd=work)  # not our checkout: its voxtell/ would shadow the official one
        servers = {"ours": ("http://127.0.0.1:15271", ours), "official": ("http://127.0.0.1:15272", theirs)}
        try:
            for url, process in servers.values():
                wait_up(url, process)
            times: dict[str, list[dict[str, float]]] = {"ours": [], "official": []}
            masks: dict[str, np.ndarray] = {}
            for r in range(args.rounds):
                order = ["ours", "official"] if r % 2 == 0 else ["official", "ours"]
                for name in order:
                    timing, masks[name] = one_round(servers[name][0], image)
                    times[name].append(timing)
                    print(name, {k: round(v, 2) for k, v in timing.items()}, flush=True)  # noqa: T201
        finally:
            for _, process in servers.values():
                process.terminate()
                process.wait(timeout=30)
    medians = {name: {k: statistics.median(t[k] for t in runs) for k in runs[0]} for name, runs in times.items()}
    agree = float((masks["ours"] == masks["official"]).mean())
    result = {
        "benchmark": "official voxtell-server protocol: upload (include_image=false) + job + events + result, "
                     "256^3 int16 LPS volume, golden small model (patch 192^3, 8 windows), one prompt, CPU",
        "rounds": args.rounds, "medians_s": medians, "runs_s": times,
        "ratio_total_ours_over_official": medians["ours"]["total_s"] / medians["official"]["total_s"],
        "mask_voxel_agreement": agree, "mask_shape": list(masks["ours"].shape),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "torch_threads": _threads()},
    }
    out = ROOT / "bench" / "results" / "official_protocol.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps({"medians_s": medians, "agreement": agree}, indent=1))  # noqa: T201


def _threads() -> int:
    import torch

    return int(torch.get_num_threads())


if __name__ == "__main__":
    main()
