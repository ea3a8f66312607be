"""Seed a running VoxTell Web server with the browser benchmark's case: a 512x512x300 (or --shape) CT-like
volume (int16 HU: air, a body ellipse of soft tissue, a spine, noise) and one finished job of 12
masks (spheres and boxes of organ size), stored through the server's own API as edited masks
(real files and statistics); the job row, cut short by the server's tiny job time limit, is then
marked done in the data dir's database. Prints {"volume_id", "job_id"} as JSON.

    python bench/web/seed_case.py --url http://127.0.0.1:PORT --data-dir DIR
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time

import httpx
import nibabel as nib
import numpy as np

SHAPE = (512, 512, 300)  # --shape X,Y,Z replaces it
SPACING = (0.78, 0.78, 1.5)


def ct_volume(rng: np.random.Generator) -> np.ndarray:
    x, y = np.ogrid[:SHAPE[0], :SHAPE[1]]
    body = ((x - 256) / 230.0) ** 2 + ((y - 256) / 170.0) ** 2 < 1
    spine = ((x - 256) / 25.0) ** 2 + ((y - 360) / 25.0) ** 2 < 1
    plane = np.where(body, 40, -1000).astype(np.int16)
    plane[spine] = 700
    vol = np.repeat(plane[:, :, None], SHAPE[2], axis=2)
    vol += rng.integers(-20, 21, size=SHAPE, dtype=np.int16)
    return vol


def masks() -> list[np.ndarray]:
    out = []
    x, y, z = np.ogrid[:SHAPE[0], :SHAPE[1], :SHAPE[2]]
    for k in range(12):
        # Spread along z in proportion to the slice count (60..225 of 300 slices).
        cx, cy, cz = 150 + 40 * (k % 6), 180 + 120 * (k // 6), round((60 + 15 * k) * SHAPE[2] / 300)
        r = 20 + 3 * k
        if k % 2 == 0:
            m = ((x - cx) ** 2 + (y - cy) ** 2 + ((z - cz) * 2) ** 2) < r * r
        else:
            m = (abs(x - cx) < r) & (abs(y - cy) < r * 0.7) & (abs(z - cz) < r * 0.5)
        out.append(m.astype(np.uint8))
    return out


def main() -> None:
    global SHAPE
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--shape", default=",".join(map(str, SHAPE)), help="X,Y,Z (default 512,512,300)")
    args = parser.parse_args()
    SHAPE = tuple(int(v) for v in args.shape.split(","))
    affine = np.diag([*SPACING, 1.0])
    client = httpx.Client(base_url=args.url, timeout=600)
    volume = nib.Nifti1Image(ct_volume(np.random.default_rng(0)), affine)
    body = gzip.compress(volume.to_bytes(), compresslevel=1)
    answer = client.post("/api/volumes", files={"file": ("bench_ct.nii.gz", body)})
    if answer.status_code != 201:
        raise SystemExit(f"upload refused: {answer.status_code} {answer.text[:300]}")
    info = answer.json()
    job = client.post("/api/jobs", json={"volume_id": info["id"], "prompts": ["seed"]}).raise_for_status().json()
    while client.get(f"/api/jobs/{job['id']}").json()["status"] not in ("done", "failed", "cancelled"):
        time.sleep(0.2)
    from backend.storage.store import Store
    store = Store(__import__("pathlib").Path(args.data_dir))
    store.update_job(job["id"], status="done", phase="done", error=None, results=[])
    store.result_dir(job["id"]).mkdir(parents=True, exist_ok=True)  # a job cut short wrote none
    store.close()
    for k, mask in enumerate(masks()):
        nifti = gzip.compress(nib.Nifti1Image(mask, affine).to_bytes(), compresslevel=1)
        client.post(f"/api/jobs/{job['id']}/masks", files={"file": ("m.nii.gz", nifti)},
                    data={"name": f"structure {k + 1}"}).raise_for_status()
    sys.stdout.write(json.dumps({"volume_id": info["id"], "job_id": job["id"]}) + "\n")


if __name__ == "__main__":
    main()
