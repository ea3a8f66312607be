"""Benchmark: everything outside the network on a whole CT volume, ours vs official voxtell 0.1.2.

A 512×512×300 int16 CT-like volume (air -1000 HU around a body: crop-to-nonzero finds nothing
to crop, as in real CT) is written once as ``.nii.gz`` (LPS, as most CT). In both packages the
network is replaced by the same cheap stand-in (:class:`StandInNetwork`: ``logit = x - shift``
per prompt, a deterministic function of the patch and the text embedding with the network's
output shape), so what is timed is reading, cropping, normalisation, padding, the window loop,
Gaussian accumulation, threshold, un-crop and writing one mask file per prompt — each package
through its own public functions (official: nnU-Net's ``NibabelIOWithReorient`` + its
``predict_single_image``; ours: ``voxtell.io.read_volume`` + ``predict_single_image`` +
``write_mask``). Each run is its own process (peak RSS = ``ru_maxrss``), packages alternate
over ``--rounds``, medians compared; the written mask files are compared voxel for voxel.

    .venv/bin/python bench/volume_pipeline.py [--rounds 3] [--prompts 1 4] [--shape 512 512 300]
    .venv/bin/python bench/volume_pipeline.py --quick     # 256×200×64, 1 round, 1 prompt

It also estimates the end-to-end time with the real network: windows × the measured time per
patch (``bench/results/official_engine.json``, else ``engine_paths.json``; GPU from
``gpu_check.json`` when present) + the measured time outside the network.
JSON into ``bench/results/volume_pipeline.json`` (``--quick``: a temporary folder).
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))  # after site-packages: a child's PYTHONPATH package stays first

from bench.official_env import (  # noqa: E402
    DEFAULT_OFFICIAL_DIR,
    alternating_order,
    ensure_official,
    imported_voxtell,
    machine,
    make_predictor,
    mask_agreement,
    peak_rss_gb,
    run_child,
    small_model_dir,
    summarise,
    text_dim,
)

logger = logging.getLogger("bench.volume_pipeline")
RESULTS = ROOT / "bench" / "results"
FULL_SHAPE = (512, 512, 300)  # file order (x, y, z)
QUICK_SHAPE = (256, 200, 64)
SPACING = (0.78, 0.78, 1.0)
KEYS = ("total_s", "read_s", "predict_s", "write_s", "outside_network_s", "per_window_outside_network_s",
        "peak_rss_gb")


class StandInNetwork(nn.Module):
    """Stand-in for the VoxTell network with its call signature and output shape.

    ``forward(x (1, 1, P0, P1, P2), text (1, N, D)) -> (1, N, P0, P1, P2)`` float32 with
    ``out[0, n] = x[0, 0] - 0.5 * tanh(mean(text[0, n]))``: a threshold of the normalised image,
    per prompt. Counts its calls and the seconds spent inside, so that the caller can take the
    stand-in's own (tiny) time out of the measurement.
    """

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0
        self.seconds = 0.0

    def forward(self, x: torch.Tensor, text: torch.Tensor) -> torch.Tensor:
        started = time.perf_counter()
        shift = 0.5 * torch.tanh(text.float().mean(-1))  # (1, N)
        out = x[:, :1].float() - shift[:, :, None, None, None]
        self.calls += 1
        self.seconds += time.perf_counter() - started
        return out


def install_standin(package: str, predictor: Any, standin: StandInNetwork) -> None:
    """Replace the network of a constructed ``VoxTellPredictor`` by ``standin``.

    The official predictor calls ``self.network(patch, text)[0]``. Ours calls its fast-path
    forward ``(patch, text) -> (N, P0, P1, P2)``, built once from ``predictor.network``; it is set
    to the stand-in's batch 0. The bench checks the stand-in's call count against the window
    count, so a change of this seam cannot silently time the real network.
    """
    predictor.network = standin
    if package == "ours":
        predictor._fast = lambda x, text: standin(x, text)[0]


def ct_like_volume(shape: tuple[int, int, int] = FULL_SHAPE, seed: int = 0) -> np.ndarray:
    """An int16 CT-like volume in file order ``(x, y, z)``: air (-1000 HU) around an elliptic
    body (fat -100, soft tissue 40, an organ 60, a spine 700 HU), Gaussian noise (sd 20).
    Deterministic; no voxel of the air border is 0, so nothing is cropped."""
    nx, ny, nz = shape
    rng = np.random.default_rng(seed)
    x = np.linspace(-1, 1, nx, dtype=np.float32)[:, None]
    y = np.linspace(-1, 1, ny, dtype=np.float32)[None, :]
    r_body = (x / 0.8) ** 2 + (y / 0.6) ** 2
    spine = (x / 0.08) ** 2 + ((y - 0.4) / 0.08) ** 2 < 1.0
    organ_xy = ((x - 0.25) / 0.25) ** 2 + ((y + 0.1) / 0.2) ** 2
    out = np.empty(shape, dtype=np.int16)
    for z0 in range(0, nz, 32):
        z1 = min(z0 + 32, nz)
        zs = np.linspace(-1, 1, nz, dtype=np.float32)[z0:z1]
        slab = np.full((nx, ny, z1 - z0), -1000.0, dtype=np.float32)
        for k, zk in enumerate(zs):
            s = slab[:, :, k]
            s[r_body < 1.0] = -100
            s[r_body < 0.8] = 40
            s[organ_xy + (zk / 0.6) ** 2 < 1.0] = 60
            s[spine] = 700
        slab += rng.normal(0, 20, slab.shape).astype(np.float32)
        out[:, :, z0:z1] = np.clip(np.rint(slab), -1024, 3071).astype(np.int16)
    return out


def write_ct(path: Path, shape: tuple[int, int, int]) -> Path:
    """The CT-like volume as ``.nii.gz`` (LPS affine, ``SPACING``), written once."""
    if path.is_file():
        return path
    import nibabel as nib

    affine = np.diag([-SPACING[0], -SPACING[1], SPACING[2], 1.0])
    img = nib.Nifti1Image(ct_like_volume(shape), affine)
    img.set_qform(affine, code=1)
    img.set_sform(affine, code=1)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial.nii.gz")
    nib.save(img, str(partial))
    partial.rename(path)
    return path


def child(package: str, model_dir: Path, volume: Path, n_prompts: int, out: Path, official_dir: Path) -> None:
    """Read, predict (stand-in network), write ``n_prompts`` masks through ``package``; JSON to ``out``."""
    where = imported_voxtell(package, official_dir)
    t0 = time.perf_counter()
    predictor = make_predictor(package, model_dir)
    standin = StandInNetwork()
    install_standin(package, predictor, standin)
    gc.collect()
    load_s = time.perf_counter() - t0
    emb = torch.randn(1, n_prompts, text_dim(model_dir), generator=torch.Generator().manual_seed(1))
    files = [out.parent / f"{out.stem}_mask{i}.nii.gz" for i in range(n_prompts)]
    t0 = time.perf_counter()
    if package == "official":
        from nnunetv2.imageio.nibabel_reader_writer import NibabelIOWithReorient

        io = NibabelIOWithReorient()
        data, props = io.read_images([str(volume)])
        t1 = time.perf_counter()
        masks = predictor.predict_single_image(data, text_embeddings=emb)
        t2 = time.perf_counter()
        for i, f in enumerate(files):
            io.write_seg(masks[i], str(f), props)
    else:
        from voxtell.io import read_volume, write_mask

        loaded = read_volume(volume)
        t1 = time.perf_counter()
        masks = predictor.predict_single_image(loaded.data, text_embeddings=emb)
        t2 = time.perf_counter()
        for i, f in enumerate(files):
            write_mask(masks[i], loaded.geometry, f)
    t3 = time.perf_counter()
    predict_s = t2 - t1
    outside = (t3 - t0) - standin.seconds
    out.write_text(json.dumps({
        "package": package, "prompts": n_prompts, "voxtell_source": where, "load_s": load_s,
        "read_s": t1 - t0, "predict_s": predict_s, "write_s": t3 - t2, "total_s": t3 - t0,
        "network_calls": standin.calls, "network_s": standin.seconds, "outside_network_s": outside,
        "per_window_outside_network_s": (predict_s - standin.seconds) / max(standin.calls, 1),
        "peak_rss_gb": peak_rss_gb(), "ras_shape": list(np.shape(masks)[1:]),
        "files": [str(f) for f in files],
    }))


def compare_files(ours: list[str], official: list[str]) -> dict[str, Any]:
    """Voxel agreement and affine equality of the two packages' mask files (file order)."""
    import nibabel as nib

    a: list[Any] = [nib.load(f) for f in ours]
    b: list[Any] = [nib.load(f) for f in official]
    return {
        "mask_agreement_vs_official": mask_agreement(np.stack([np.asanyarray(i.dataobj) for i in a]),
                                                     np.stack([np.asanyarray(i.dataobj) for i in b])),
        "affine_equal": all(np.allclose(i.affine, j.affine, atol=1e-4) for i, j in zip(a, b)),
        "foreground_fraction": float(np.mean([np.asanyarray(i.dataobj).mean() for i in a])),
    }


def estimate_seconds(windows: int, patch_s: float, outside_network_s: float) -> float:
    """End-to-end time with the real network: every window costs one measured patch."""
    return windows * patch_s + outside_network_s


def patch_times(results: Path = RESULTS) -> list[dict[str, Any]]:
    """Measured seconds per 192³ patch: ``[{source, package, prompts, patch_s}]``, from
    official_engine.json (both packages), else engine_paths.json (our fast path only), and
    gpu_check.json (our GPU path, text offloaded) when those files exist and are not quick runs."""
    found: list[dict[str, Any]] = []
    engine = results / "official_engine.json"
    if engine.is_file() and not json.loads(engine.read_text()).get("quick"):
        for row in json.loads(engine.read_text())["medians"]:
            for package in ("official", "ours"):
                if row.get(package):
                    found.append({"source": engine.name, "device": "cpu", "package": package,
                                  "prompts": row["prompts"], "patch_s": row[package]["predict_s"]})
    paths = results / "engine_paths.json"
    if not found and paths.is_file():
        for row in json.loads(paths.read_text()).get("medians", []):
            if row["path"] == "fast":
                found.append({"source": paths.name, "device": "cpu", "package": "ours",
                              "prompts": row["prompts"], "patch_s": row["predict_s"]})
    gpu = results / "gpu_check.json"
    if gpu.is_file():
        check = json.loads(gpu.read_text())
        if not check.get("dry_run"):
            for placement in check["placements"]:
                if placement["placement"] == "offload":
                    for n, s in placement["patch_s"].items():
                        found.append({"source": gpu.name, "device": "cuda", "package": "ours",
                                      "prompts": int(n), "patch_s": s})
    return found


def estimates(windows: int, rows: list[dict[str, Any]], patches: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``estimate_seconds`` for every measured patch time whose package and prompt count this
    run also measured outside the network."""
    out = []
    for p in patches:
        row = next((r for r in rows if r["prompts"] == p["prompts"] and r.get(p["package"])), None)
        if row is None:
            continue
        outside = row[p["package"]]["outside_network_s"]
        out.append({**p, "windows": windows, "outside_network_s": outside,
                    "estimate_s": estimate_seconds(windows, p["patch_s"], outside)})
    return out


def measure(model_dir: Path, official_dir: Path, volume: Path, prompts: list[int], rounds: int,
            work: Path) -> list[dict[str, Any]]:
    runs: list[dict[str, Any]] = []
    for n in prompts:
        for r in range(rounds):
            files: dict[str, list[str]] = {}
            for position, package in enumerate(alternating_order(r)):
                out = work / f"{package}_{n}_{r}.json"
                logger.info("%s, %d prompt(s), round %d", package, n, r + 1)
                run = run_child(Path(__file__), ["--child", package, str(model_dir), str(volume), str(n), str(out),
                                                 str(official_dir)], package, official_dir, out)
                run.update(round=r + 1, position=position + 1)
                files[package] = run.pop("files")
                runs.append(run)
                logger.info("  %d windows, total %.1f s (read %.1f, predict %.1f, write %.1f), peak RSS %.2f GB",
                            run["network_calls"], run["total_s"], run["read_s"], run["predict_s"], run["write_s"],
                            run["peak_rss_gb"])
            ours = next(r for r in runs[-2:] if r["package"] == "ours")
            ours.update(compare_files(files["ours"], files["official"]))
            for f in files["ours"] + files["official"]:
                Path(f).unlink()
    return runs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=None, help="alternating rounds (default 3; --quick 1)")
    parser.add_argument("--prompts", type=int, nargs="+", default=None, help="prompt counts (default 1 4; --quick 1)")
    parser.add_argument("--shape", type=int, nargs=3, default=None, metavar=("X", "Y", "Z"),
                        help="volume shape in file order (default 512 512 300; --quick 256 200 64)")
    parser.add_argument("--quick", action="store_true", help="smoke run: small volume, 1 round, 1 prompt")
    parser.add_argument("--official-dir", type=Path, default=DEFAULT_OFFICIAL_DIR)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "voxtell-bench-models")
    parser.add_argument("--out", type=Path, default=None,
                        help="result file (default bench/results/volume_pipeline.json; --quick: a temp file)")
    parser.add_argument("--child", nargs=6, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.child:
        package, model, volume, n, out, official = args.child
        child(package, Path(model), Path(volume), int(n), Path(out), Path(official))
        return 0
    rounds = args.rounds or (1 if args.quick else 3)
    prompts = args.prompts or ([1] if args.quick else [1, 4])
    shape = tuple(args.shape or (QUICK_SHAPE if args.quick else FULL_SHAPE))
    official_dir = ensure_official(args.official_dir)
    model_dir = small_model_dir(args.cache / "golden-small")
    volume = write_ct(args.cache / f"ct_{shape[0]}x{shape[1]}x{shape[2]}.nii.gz", shape)  # type: ignore[arg-type]
    with tempfile.TemporaryDirectory(prefix="voxtell-volume-pipeline-") as tmp:
        runs = measure(model_dir, official_dir, volume, prompts, rounds, Path(tmp))
    windows = {int(r["network_calls"]) for r in runs}
    if len(windows) != 1 or 0 in windows:
        raise RuntimeError(f"the stand-in network was called {sorted(windows)} times per run: it did not "
                           "replace the network in both packages, or the packages visit different windows")
    rows = summarise(runs, KEYS)
    n_windows = windows.pop()
    result = {
        "benchmark": "whole-volume pipeline outside the network (stand-in network in both packages): "
                     "read .nii.gz, crop, z-score, pad, window loop, Gaussian accumulation, threshold, "
                     "un-crop, write one .nii.gz per prompt; official voxtell 0.1.2 vs ours",
        "quick": args.quick, "volume_file_shape": list(shape), "volume_ras_shape": runs[0]["ras_shape"],
        "dtype": "int16", "windows": n_windows, "rounds": rounds, "prompts": prompts, "machine": machine(),
        "medians": rows, "end_to_end_estimates": estimates(n_windows, rows, patch_times()), "runs": runs,
    }
    out = args.out or (Path(tempfile.gettempdir()) / "voxtell-bench-quick" / "volume_pipeline.json" if args.quick
                       else RESULTS / "volume_pipeline.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1) + "\n")
    for row in rows:
        logger.info("%d prompt(s), %d windows: official %.1f s / %.2f GB, ours %.1f s / %.2f GB -> time %.2fx, "
                    "RSS %.2fx, masks %s", row["prompts"], n_windows, row["official"]["total_s"],
                    row["official"]["peak_rss_gb"], row["ours"]["total_s"], row["ours"]["peak_rss_gb"],
                    row["total_s_ratio"], row["peak_rss_gb_ratio"], row["min_mask_agreement"])
    logger.info("wrote %s", out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
