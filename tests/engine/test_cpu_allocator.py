"""The heap tuning of ``voxtell.env.configure_cpu_allocator``: slab-sized temporaries of the
fast path are reused from the heap instead of being mapped afresh (a page fault per 4 KB)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# In a fresh process: build a predictor (or not), then allocate, fill and free a 40 MB tensor
# eight times (the size of one slab temporary) and count the minor page faults of the loop.
# Transparent huge pages off for the probe process (prctl PR_SET_THP_DISABLE): with THP "always"
# (or GLIBC_TUNABLES=glibc.malloc.hugetlb=1) one fault maps 2 MB instead of 4 KB, and the counts
# below would depend on the host's setting. The probe says whether it could switch them off.
PROBE = """
import ctypes, json, resource, sys
thp_off = ctypes.CDLL(None, use_errno=True).prctl(41, 1, 0, 0, 0) == 0  # PR_SET_THP_DISABLE
import torch
if sys.argv[1] == "predictor":
    from voxtell.inference.predictor import VoxTellPredictor
    VoxTellPredictor(sys.argv[2], device="cpu")
from voxtell.env import configure_cpu_allocator
tuned = configure_cpu_allocator()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(8):
    t = torch.empty(10 * 1024 * 1024, dtype=torch.float32)
    t.fill_(1.0)
    del t
faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
print(json.dumps({"tuned": tuned, "faults": faults, "thp_off": thp_off}))
"""


def _probe(mode: str, model: Path, **env: str) -> dict[str, object]:
    run_env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    done = subprocess.run([sys.executable, "-c", PROBE, mode, str(model)], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, env={**run_env, "PYTHONPATH": str(ROOT), **env})
    assert done.returncode == 0, done.stderr[-2000:]
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def test_building_a_predictor_lets_slab_sized_temporaries_be_reused(demo_model_dir: Path) -> None:
    tuned = _probe("predictor", demo_model_dir)
    default = _probe("predictor", demo_model_dir, VOXTELL_MALLOC_TUNING="0")
    assert tuned["tuned"] is True and default["tuned"] is False
    assert tuned["thp_off"] is True and default["thp_off"] is True, "faults are counted in 4 KB pages"
    pages = 40 * 1024 * 1024 // 4096  # one 40 MB tensor's pages
    # glibc's default maps every block over 32 MB afresh: each of the 8 rounds faults its pages in.
    assert int(default["faults"]) >= 6 * pages  # type: ignore[call-overload]
    # Tuned, only the first round does; the others reuse the same heap memory.
    assert int(tuned["faults"]) <= 2 * pages  # type: ignore[call-overload]


def test_a_user_s_own_glibc_thresholds_are_kept(demo_model_dir: Path) -> None:
    assert _probe("none", demo_model_dir, MALLOC_MMAP_THRESHOLD_="1048576")["tuned"] is False
