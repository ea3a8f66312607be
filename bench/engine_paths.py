"""Benchmark: reference path vs fast path on the full-size VoxTell v1.1 network (random weights).

One command runs both paths on the same one-patch 192³ input, each in its own child process
so that peak RSS is measured per path, and writes ``bench/results/engine_paths.json`` (``--out``).

    .venv/bin/python bench/engine_paths.py [--prompts 1 4] [--paths reference fast] [--rounds 3]

With ``--rounds N`` the paths run N times, alternating, and ``medians`` compares them (this
shared 2-core host drifts by tens of percent within minutes).

Also records this machine's float32 matmul and channels-last conv throughput, to express the
network's speed as a fraction of what the hardware does on plain kernels.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from voxtell.inference.precision import cpu_has_amx  # noqa: E402
from voxtell.model.checkpoint import save_checkpoint  # noqa: E402
from voxtell.model.config import config_from_plans  # noqa: E402
from voxtell.model.network import VoxTellNetwork  # noqa: E402

logger = logging.getLogger("bench")
RESULTS = ROOT / "bench" / "results"
PLANS = ROOT / "tests" / "fixtures" / "voxtell-golden" / "small" / "plans.json"
TFLOP_PER_PATCH = {1: 5.057, 2: 6.623, 4: 9.753}  # spec §7 (multiply-add = 2)


def full_size_plans() -> dict:
    plans = json.loads(PLANS.read_text())
    plans["configurations"]["3d_fullres"]["architecture"]["arch_kwargs"]["n_blocks_per_stage"] = [1, 3, 4, 6, 6, 6]
    return plans


def write_full_model(target: Path) -> Path:
    """A v1.1-shaped model folder with seeded random weights and every official key."""
    if (target / "fold_0" / "checkpoint_final.pth").is_file():
        return target
    target.mkdir(parents=True, exist_ok=True)
    plans = full_size_plans()
    (target / "plans.json").write_text(json.dumps(plans))
    net = VoxTellNetwork(config_from_plans(plans))
    fill_like_golden(net)
    save_checkpoint(net, target)
    return target


def fill_like_golden(net: VoxTellNetwork, seed: int = 0) -> None:
    """Random weights scaled as the golden fixtures' FILL RULE (randn/sqrt(fan-in), norms ~1,
    biases ~0.1): unlike PyTorch's default init, this gives confident logits (std ~2) as a
    trained model has, so mask agreement measures real differences, not noise around 0."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, t in net.state_dict().items():
            if ".all_modules." in name:  # an alias of the conv/norm just filled
                continue
            r = torch.randn(t.shape, generator=g)
            if name == "pos_embed":
                t.copy_(r)
            elif t.ndim >= 2:
                t.copy_(r / math.sqrt(math.prod(t.shape[1:])))
            elif name.endswith("weight") and "norm" in name.rsplit(".", 2)[-2]:
                t.copy_(1 + 0.1 * r)
            else:
                t.copy_(0.1 * r)


def synthetic_volume(shape: tuple[int, int, int] = (192, 192, 192)) -> np.ndarray:
    """A smooth synthetic 'body' with structure: deterministic, one patch."""
    grid = np.stack(np.meshgrid(*[np.linspace(-1, 1, s, dtype=np.float32) for s in shape], indexing="ij"))
    body = (np.square(grid).sum(0) < 0.8).astype(np.float32) * 40
    organ = (np.square(grid - 0.3).sum(0) < 0.05).astype(np.float32) * 80
    rng = np.random.default_rng(0)
    return body + organ + rng.normal(0, 5, shape).astype(np.float32)


def run_child(model_dir: Path, path: str, n_prompts: int, out: Path) -> None:
    """Child process: one prediction, writes masks and timings."""
    from voxtell.inference.predictor import VoxTellPredictor

    t0 = time.perf_counter()
    predictor = VoxTellPredictor(model_dir, device="cpu", use_precomputed_embeddings=False,
                                 reference=path == "reference", cpu_bf16=path == "fast-bf16")
    load_s = time.perf_counter() - t0
    emb = torch.randn(1, n_prompts, predictor.config.hyper.text_embedding_dim,
                      generator=torch.Generator().manual_seed(1))
    image = synthetic_volume()
    t0 = time.perf_counter()
    masks = predictor.predict_single_image(image, text_embeddings=emb)
    predict_s = time.perf_counter() - t0
    np.save(out.with_suffix(".npy"), masks)
    out.write_text(json.dumps({
        "path": path, "prompts": n_prompts, "load_s": load_s, "predict_s": predict_s,
        "peak_rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6,
        "precision": predictor.precision, "accumulation": str(predictor.accumulation_dtype),
        "threads": torch.get_num_threads(),
    }))


def hardware_peaks() -> dict:
    a = torch.randn(4096, 4096)
    b = torch.randn(4096, 4096)
    a @ b
    t0 = time.perf_counter()
    for _ in range(3):
        a @ b
    matmul = 3 * 2 * 4096**3 / (time.perf_counter() - t0) / 1e9
    conv = torch.nn.Conv3d(64, 64, 3, padding=1).eval().to(memory_format=torch.channels_last_3d)
    x = torch.randn(1, 64, 64, 64, 64).contiguous(memory_format=torch.channels_last_3d)
    with torch.inference_mode():
        conv(x)
        t0 = time.perf_counter()
        conv(x)
        conv_s = time.perf_counter() - t0
    conv_gflops = 2 * 64 * 64 * 27 * 64**3 / conv_s / 1e9
    return {"matmul_fp32_gflops": matmul, "conv3d_channels_last_gflops": conv_gflops}


def _medians(runs: list[dict]) -> list[dict]:
    """Per path and prompt count: median time and peak RSS over the rounds, and both as a
    fraction of the reference path's medians."""
    keys = sorted({(r["prompts"], r["path"]) for r in runs})
    out = []
    for n, path in keys:
        mine = [r for r in runs if (r["prompts"], r["path"]) == (n, path)]
        out.append({"path": path, "prompts": n, "rounds": len(mine),
                    "predict_s": statistics.median(r["predict_s"] for r in mine),
                    "peak_rss_gb": statistics.median(r["peak_rss_gb"] for r in mine),
                    "min_mask_agreement_vs_reference": min(r.get("mask_agreement_vs_reference", math.nan) for r in mine)})
    for m in out:
        ref = next((r for r in out if r["path"] == "reference" and r["prompts"] == m["prompts"]), None)
        if ref is not None:
            m["time_vs_reference"] = m["predict_s"] / ref["predict_s"]
            m["peak_rss_vs_reference"] = m["peak_rss_gb"] / ref["peak_rss_gb"]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prompts", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--paths", nargs="+", default=["reference", "fast", "fast-bf16"],
                        choices=["reference", "fast", "fast-bf16"])
    parser.add_argument("--model-cache", type=Path, default=Path(tempfile.gettempdir()) / "voxtell-bench-full-v2")
    parser.add_argument("--out", default="engine_paths.json", help="file name in bench/results/")
    parser.add_argument("--rounds", type=int, default=1,
                        help="run the paths this many times, alternating, and compare medians (a shared host drifts)")
    parser.add_argument("--child", nargs=3, metavar=("PATH", "PROMPTS", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.child:
        run_child(args.model_cache, args.child[0], int(args.child[1]), Path(args.child[2]))
        return 0
    model_dir = write_full_model(args.model_cache)
    RESULTS.mkdir(parents=True, exist_ok=True)
    peaks = hardware_peaks()
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.prompts:
            for round_ in range(args.rounds):
                masks = {}
                for path in args.paths:
                    out = Path(tmp) / f"{path}_{n}.json"
                    logger.info("running %s path, %d prompt(s), round %d", path, n, round_ + 1)
                    subprocess.run([sys.executable, __file__, "--model-cache", str(model_dir),
                                    "--child", path, str(n), str(out)], check=True)
                    run = json.loads(out.read_text())
                    run["round"] = round_ + 1
                    run["gflops"] = TFLOP_PER_PATCH.get(n, math.nan) * 1e3 / run["predict_s"]
                    run["pct_matmul_peak"] = 100 * run["gflops"] / peaks["matmul_fp32_gflops"]
                    masks[path] = np.load(out.with_suffix(".npy"))
                    runs.append(run)
                if "reference" in masks:
                    for run in runs[-len(args.paths):]:
                        run["mask_agreement_vs_reference"] = float((masks[run["path"]] == masks["reference"]).mean())
    result = {"machine": {"cpu": platform.processor() or platform.machine(), "cores": torch.get_num_threads(),
                          "amx_bf16": cpu_has_amx(), "torch": torch.__version__, **peaks},
              "volume": [192, 192, 192], "runs": runs, "medians": _medians(runs)}
    (RESULTS / args.out).write_text(json.dumps(result, indent=2))
    logger.info(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
