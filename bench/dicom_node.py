"""Benchmark: the DICOM node (issue 29).

1. **Receiving**: instances per second into the node (``DicomNode``, written and fsync'd before
   success, as in production) and into dcmtk's ``storescp`` (the peer, writing each file too, one
   process: no ``--fork``; both dcmtk tools with ``TCP_NODELAY=1``),
   side by side, rounds alternating, medians — one association (one ``storescu`` of every file)
   and four at once (four ``storescu``, a quarter each). CT-like slices of 512 x 512 x 16 bit.
2. **Latency** through a real server (uvicorn, the demo model on CPU, the node inside it): from
   the last instance's C-STORE answer to the job's start, and to the RTSTRUCT's arrival at the
   destination (``storescp``), with the quiet time subtracted (a node must wait for it: DIMSE has
   no end of series).

JSON into bench/results/dicom_node.json.
"""

from __future__ import annotations

import argparse
import json
import os
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

from backend.devtools.localservices import free_port  # noqa: E402
from backend.integrations.dicom_node.config import Caller, NodeConfig  # noqa: E402
from backend.integrations.dicom_node.receiver import DicomNode  # noqa: E402
from tests.dicom.series import write_series  # noqa: E402


def _series(folder: Path, slices: int, size: int, seed: int = 0, phantom: bool = False) -> list[Path]:
    """Random HU (receiving: content does not matter), or a smooth phantom — a body of water with
    two denser organs — whose masks have the few contours of anatomy (random noise would give the
    RTSTRUCT thousands of one-voxel contours no organ has)."""
    if phantom:
        i, j, k = np.mgrid[:size, :size, :slices].astype(np.float32)
        c, r = size / 2, size / 2.5
        volume = np.where((i - c) ** 2 + (j - c) ** 2 < r ** 2, 0, -1000).astype(np.int16)
        for (ci, cj, rr, hu) in ((0.4, 0.5, 0.15, 60), (0.62, 0.45, 0.1, 200)):
            inside = (i - ci * size) ** 2 + (j - cj * size) ** 2 + ((k - slices / 2) * 2.5 / 0.8) ** 2 < (rr * size) ** 2
            volume[inside] = hu
    else:
        volume = np.random.default_rng(seed).integers(-1000, 1000, (size, size, slices)).astype(np.int16)
    files, _ = write_series(folder, volume, np.array([1.0, 0, 0]), np.array([0, 1.0, 0]), (0.8, 0.8, 2.5),
                            np.zeros(3), shuffle=False)
    return files


# dcmtk leaves Nagle's algorithm on unless TCP_NODELAY is set: with it off, every instance waits
# ~40 ms for a delayed ACK on loopback. Both dcmtk tools get it, as a tuned site would set it.
DCMTK_ENV = {**os.environ, "TCP_NODELAY": "1"}


def _send(port: int, called: str, files: list[Path], associations: int) -> float:
    """Seconds to send ``files`` over ``associations`` concurrent storescu processes."""
    parts = [files[i::associations] for i in range(associations)]
    start = time.perf_counter()
    running = [subprocess.Popen(["storescu", "-aet", "CT1", "-aec", called, "127.0.0.1", str(port), *map(str, part)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=DCMTK_ENV)
               for part in parts]
    codes = [p.wait() for p in running]
    elapsed = time.perf_counter() - start
    assert codes == [0] * associations, codes
    return elapsed


def receiving(files: list[Path], rounds: int, work: Path) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for associations in (1, 4):
        times: dict[str, list[float]] = {"voxtell_node": [], "dcmtk_storescp": []}
        for r in range(rounds):
            for peer in (("voxtell_node", "dcmtk_storescp") if r % 2 == 0 else ("dcmtk_storescp", "voxtell_node")):
                target = work / f"{peer}-{associations}-{r}"
                if peer == "voxtell_node":
                    node = DicomNode(NodeConfig("VOXTELL", 0, target, allowed_callers=(Caller("CT1"),),
                                                quiet_s=3600, ceiling_s=3600), lambda _: None, watch=False)
                    node.start()
                    try:
                        times[peer].append(_send(node.port, "VOXTELL", files, associations))
                    finally:
                        node.stop()
                else:
                    port = free_port()
                    target.mkdir(parents=True)
                    scp = subprocess.Popen(["storescp", "-aet", "STORESCP", "-od", str(target), "+xa", str(port)],
                                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=DCMTK_ENV)
                    try:
                        deadline = time.monotonic() + 10
                        while subprocess.run(["echoscu", "-aec", "STORESCP", "127.0.0.1", str(port)],
                                             capture_output=True).returncode != 0:
                            assert time.monotonic() < deadline
                            time.sleep(0.05)
                        times[peer].append(_send(port, "STORESCP", files, associations))
                    finally:
                        scp.kill()
                        scp.wait()
        results[f"{associations}_association{'s' if associations > 1 else ''}"] = {
            peer: {"instances_per_s_median": round(len(files) / statistics.median(t), 1),
                   "seconds": [round(x, 3) for x in t]} for peer, t in times.items()}
    return results


def latency(files: list[Path], rounds: int, work: Path, quiet_s: float) -> dict[str, Any]:
    import httpx
    import pydicom
    import uvicorn
    from pydicom.uid import generate_uid

    from backend import Settings, create_app
    from voxtell.api import VoxTellPredictor
    from voxtell.demo import ensure_demo_model

    model = ensure_demo_model(work / "demo")
    predictor = VoxTellPredictor(model, device="cpu")
    dest_port = free_port()
    dest = work / "tps"
    dest.mkdir()
    scp = subprocess.Popen(["storescp", "-aet", "TPS", "-od", str(dest), "+xa", str(dest_port)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    node_port = free_port()
    settings = Settings(data_dir=work / "data", static_dir=work / "none", dicom_port=node_port,
                        dicom_allowed_callers=["CT1"], dicom_quiet_s=quiet_s)
    app = create_app(settings, lambda _: predictor)
    http_port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=http_port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    api = f"http://127.0.0.1:{http_port}"
    # The demo model's weights are random: its masks are noise, thousands of one-voxel islands no
    # organ has (and whose contours would dominate the time). Each structure keeps its largest
    # component, with holes filled, as a department's protocol may ask.
    thorax = httpx.get(f"{api}/api/protocols/thorax-rt").json()
    structures = [{**{k: s[k] for k in ("prompt", "name", "color", "interpreted_type")},
                   "keep_largest_component": True, "fill_holes": True} for s in thorax["structures"]]
    assert httpx.put(f"{api}/api/protocols/bench-thorax", json={"name": "bench", "structures": structures}
                     ).status_code == 201
    config = {"destinations": [{"name": "tps", "ae_title": "TPS", "host": "127.0.0.1", "port": dest_port}],
              "rules": [{"id": "ct", "match": {"modality": "CT"}, "protocol": "bench-thorax",
                         "send": [{"destination": "tps"}]}]}
    assert httpx.put(f"{api}/api/dicom/config", json=config).status_code == 200
    to_start, to_arrival = [], []
    try:
        for r in range(rounds):
            # a new series each round (new UIDs): the node must not take it for a resend
            series_uid = generate_uid()
            for f in files:
                ds = pydicom.dcmread(f)
                ds.SeriesInstanceUID, ds.SOPInstanceUID = series_uid, generate_uid()
                ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
                ds.save_as(f, enforce_file_format=True)
            before = len(list(dest.iterdir()))
            _send(node_port, "VOXTELL", files, 1)
            sent_at = time.time()
            while len(list(dest.iterdir())) == before:
                time.sleep(0.02)
            arrived = time.time()
            newest = max(httpx.get(f"{api}/api/dicom/series").json(), key=lambda s: s["received"])
            job = httpx.get(f"{api}/api/jobs/{newest['job_id']}").json()
            to_start.append(job["started"] - sent_at - quiet_s)
            to_arrival.append(arrived - sent_at - quiet_s)
            sys.stderr.write(f"round {r}: start {to_start[-1]:.2f} s, arrival {to_arrival[-1]:.2f} s\n")
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        scp.kill()
        scp.wait()
    return {"quiet_s_subtracted": quiet_s, "model": "demo (CPU)", "protocol_structures": 6,
            "last_instance_to_job_start_s_median": round(statistics.median(to_start), 3),
            "last_instance_to_rtstruct_at_destination_s_median": round(statistics.median(to_arrival), 3),
            "to_job_start_s": [round(x, 3) for x in to_start], "to_arrival_s": [round(x, 3) for x in to_arrival]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--slices", type=int, default=120)
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "dicom_node.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        files = _series(work / "ct", args.slices, args.size)
        result: dict[str, Any] = {"instances": len(files), "slice": [args.size, args.size], "bytes_per_instance":
                                  files[0].stat().st_size, "receiving": receiving(files, args.rounds, work)}
        small = _series(work / "small", 24, 96, seed=1, phantom=True)
        result["latency"] = latency(small, args.rounds, work, quiet_s=1.0)
        result["latency"]["series"] = "24 slices of 96 x 96 (a phantom: body and two organs)"
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    sys.stdout.write(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
