"""Benchmark: NIfTI I/O at clinical sizes (512 x 512 x 400), JSON into bench/results/io_nifti.json.

* writing a uint8 mask through ``voxtell.io.write_mask`` (target < 1 s);
* reading an int16 CT through ``voxtell.io.read_volume`` vs plain ``gzip`` decompression of
  the same file (the floor for any gzip-based reader).
"""

from __future__ import annotations

import gzip
import json
import logging
import sys
import tempfile
import time
from pathlib import Path

import nibabel as nib
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from voxtell.io import read_volume, write_mask  # noqa: E402

logger = logging.getLogger("bench")
SHAPE = (512, 512, 400)


def _best(fn, repeats: int = 3) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp:
        ct_path = Path(tmp) / "ct.nii.gz"
        grid = np.indices(SHAPE, sparse=True)
        body = sum(((g - s / 2) / (s / 2)) ** 2 for g, s in zip(grid, SHAPE)) < 0.8
        ct = np.where(body, 40, -1000).astype(np.int16) + rng.integers(-20, 20, SHAPE, dtype=np.int16)
        affine = np.diag([-0.7, -0.7, 1.25, 1.0])
        nib.save(nib.Nifti1Image(ct, affine), str(ct_path))
        volume = read_volume(ct_path)
        mask = np.zeros(volume.data.shape, np.uint8)
        mask[100:300, 150:350, 120:380] = 1
        out = Path(tmp) / "mask.nii.gz"
        write_s = _best(lambda: write_mask(mask, volume.geometry, out))
        read_s = _best(lambda: read_volume(ct_path), repeats=2)
        gunzip_s = _best(lambda: gzip.decompress(ct_path.read_bytes()), repeats=2)
        result = {
            "shape": list(SHAPE),
            "write_mask_uint8_s": write_s, "mask_file_mb": out.stat().st_size / 1e6,
            "read_ct_int16_s": read_s, "plain_gunzip_s": gunzip_s,
            "read_over_gunzip": read_s / gunzip_s, "ct_file_mb": ct_path.stat().st_size / 1e6,
            "gzip_level": nib.openers.Opener.default_compresslevel,
        }
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / "io_nifti.json").write_text(json.dumps(result, indent=2))
    logger.info(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
