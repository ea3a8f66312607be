"""Benchmark: does ``torch.compile`` pay on CPU? One full-size encoder block, three ways.

Block: the first ``BasicBlockD`` of stage 1 of VoxTell v1.1 (32 -> 64 channels, stride 2, with the
avg-pool + 1x1 residual), input 1 x 32 x 192³, i.e. the shape a one-patch volume meets. Compares
the eager module (reference path), ``torch.compile`` of that module (inductor, default mode; the
compile time is reported separately) and the fast path's block. JSON into
``bench/results/torch_compile.json``.

    .venv/bin/python bench/torch_compile.py
"""

from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.engine_paths import fill_like_golden, full_size_plans  # noqa: E402
from voxtell.model import fast  # noqa: E402
from voxtell.model.config import config_from_plans  # noqa: E402
from voxtell.model.network import VoxTellNetwork  # noqa: E402

logger = logging.getLogger("bench")


def _best(fn, x: torch.Tensor, reps: int = 3) -> float:  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        fn(x)
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    net = VoxTellNetwork(config_from_plans(full_size_plans())).eval()
    fill_like_golden(net)
    block = net.encoder.stages[1].blocks[0]
    slope = net.config.negative_slope
    x = torch.randn(1, 32, 192, 192, 192, generator=torch.Generator().manual_seed(0))
    x_cl = x.contiguous(memory_format=torch.channels_last_3d)
    result: dict[str, object] = {"block": "encoder stage 1 block 0 (32->64, stride 2)", "input": [1, 32, 192, 192, 192],
                                 "threads": torch.get_num_threads(), "torch": torch.__version__}
    with torch.inference_mode():
        expected = block(x)
        result["eager_s"] = _best(block, x)
        try:
            compiled = torch.compile(block)
            t0 = time.perf_counter()
            got = compiled(x)
            result["compile_s"] = time.perf_counter() - t0
            result["compiled_s"] = _best(compiled, x)
            result["compiled_max_abs_diff"] = float((got - expected).abs().max())
        except Exception as exc:  # noqa: BLE001 - a missing compiler is a result too
            result["compile_error"] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
        block.to(memory_format=torch.channels_last_3d)
        got = fast._basic_block(block, x_cl, slope)
        result["fast_path_s"] = _best(lambda t: fast._basic_block(block, t, slope), x_cl)
        result["fast_path_max_abs_diff"] = float((got - expected).abs().max())
    out = ROOT / "bench" / "results" / "torch_compile.json"
    out.write_text(json.dumps(result, indent=2))
    logger.info(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
