"""GPU check: the full-size network on a CUDA GPU — time per patch and per volume, peak VRAM,
three text-encoder placements, masks against the CPU path.

    .venv/bin/python bench/gpu_check.py [--out bench/results/gpu_check.json]
    .venv/bin/python bench/gpu_check.py --cpu-dry-run      # everything but CUDA, tiny shapes, CPU

For each text-encoder placement — ``gpu`` (fp16, kept on the GPU), ``offload`` (fp16, on the GPU
only while encoding: the product's CUDA default) and ``cpu`` (bf16) — a fresh
``VoxTellPredictor`` on ``cuda:0`` encodes 4 prompts (load included), runs one 192³ patch (a
warm-up, then timed with 1 and 4 prompts), a 512×512×300 CT-like volume with 1 and 4 prompts,
then encodes 4 new prompts after the network has run (a second request; with ``offload`` the
predictor moves the network off the GPU while the encoder is there). Peak VRAM
(``torch.cuda.max_memory_allocated`` and ``max_memory_reserved``) is taken per phase and over
the whole pipeline. The patch masks are compared with the CPU path (our default CPU engine,
float32) given the same embeddings.

Model: ``--model``, else a real v1.1 model if one resolves (``./models/voxtell_v1.1``,
``$VOXTELL_MODEL``), else the full-size v1.1 network with FILL-RULE weights. Text encoder:
``--text-model``, else Qwen3-Embedding-4B if present (``./models/Qwen3-Embedding-4B`` or the
Hugging Face cache), else a stand-in: a random Qwen3 with the network's embedding width and
``--standin-layers`` layers (default 36: the Qwen3-Embedding-4B shape, so VRAM is representative;
2 for a quick check) and the demo model's tokenizer.

Prints ONE JSON line on stdout (progress goes to stderr) with the keys
``check, ok, dry_run, device, torch, model, text_encoder, patch_shape, volume_shape, windows,
prompts, placements, cpu_path, limits, failures``; each entry of ``placements`` has
``placement, text_precision, text_runs_on, text_load_and_encode_s, text_encode_s, first_patch_s,
patch_s, volume_s, seconds_per_window, peak_vram_gib, agreement_vs_cpu, volume_agreement_vs_gpu``
(``patch_s``, ``volume_s``, ``seconds_per_window``, ``agreement_vs_cpu`` keyed by prompt count;
``peak_vram_gib`` per phase ``text, patch, volume, text_with_network, pipeline``, each
``{allocated, reserved}``, ``null`` in a dry run).

Exit status: 0 every check passed; 1 a check failed (``failures`` says which): patch masks agree
with the CPU path on fewer than ``--agreement`` (0.9999) of voxels, or the ``offload`` pipeline
(network + text encoder offloaded) reserved more than ``--vram-limit-gib`` (8 GiB); 2 no CUDA
device (one line on stderr) unless ``--cpu-dry-run``.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import logging
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))

logger = logging.getLogger("bench.gpu_check")
GIB = 1 << 30
PROMPTS = ["liver", "left kidney", "spleen", "aorta"]
SECOND_PROMPTS = ["pancreas", "right lung upper lobe", "urinary bladder", "L5 vertebra"]
PLACEMENTS = (("gpu", "fp16"), ("offload", "fp16"), ("cpu", "bf16"))
PHASES = ("text", "patch", "volume", "text_with_network")
TEXT_MODEL = "Qwen/Qwen3-Embedding-4B"
NO_CUDA = ("gpu_check: no CUDA device (torch.cuda.is_available() is False); "
           "run it on a GPU machine, or use --cpu-dry-run to exercise it on the CPU\n")


class Vram:
    """Peak VRAM per phase on a CUDA device; ``None`` everywhere else."""

    def __init__(self, device: torch.device) -> None:
        self.device = device
        self.cuda = device.type == "cuda"

    def start(self) -> None:
        if self.cuda:
            torch.cuda.synchronize(self.device)
            torch.cuda.reset_peak_memory_stats(self.device)

    def peak(self) -> dict[str, float] | None:
        if not self.cuda:
            return None
        torch.cuda.synchronize(self.device)
        return {"allocated": torch.cuda.max_memory_allocated(self.device) / GIB,
                "reserved": torch.cuda.max_memory_reserved(self.device) / GIB}


def pipeline_peak(phases: dict[str, dict[str, float] | None]) -> dict[str, float] | None:
    """The whole pipeline's peak: the largest of the per-phase peaks (``None`` without CUDA)."""
    known = [p for p in phases.values() if p is not None]
    if not known:
        return None
    return {k: max(p[k] for p in known) for k in ("allocated", "reserved")}


def agreement(a: np.ndarray, b: np.ndarray) -> float:
    if a.shape != b.shape:
        raise ValueError(f"mask shapes differ: {a.shape} vs {b.shape}")
    return float(np.count_nonzero(a == b)) / a.size


def check_failures(entries: list[dict[str, Any]], min_agreement: float, vram_limit_gib: float) -> list[str]:
    """What fails the check: any placement's patch masks agreeing with the CPU path on fewer
    than ``min_agreement`` of voxels, or the ``offload`` pipeline's reserved peak above the
    limit (not checked where VRAM is unknown: a dry run)."""
    failures = []
    for entry in entries:
        for n, value in entry["agreement_vs_cpu"].items():
            if value < min_agreement:
                failures.append(f"{entry['placement']}: {n}-prompt patch masks agree with the CPU path on "
                                f"{value:.6f} < {min_agreement} of voxels")
        peak = entry["peak_vram_gib"]["pipeline"]
        if entry["placement"] == "offload" and peak is not None and peak["reserved"] > vram_limit_gib:
            failures.append(f"offload: the pipeline (network + text encoder offloaded) reserved "
                            f"{peak['reserved']:.2f} GiB > {vram_limit_gib} GiB")
    return failures


def find_text_model(explicit: str | None, dry_run: bool) -> str | None:
    """The real text encoder to use, if any: ``--text-model``, ``./models/Qwen3-Embedding-4B``,
    or Qwen3-Embedding-4B in the Hugging Face cache. ``None``: use the stand-in."""
    if explicit:
        return explicit
    if dry_run:
        return None
    local = Path("models") / TEXT_MODEL.split("/")[-1]
    if (local / "config.json").is_file():
        return str(local)
    try:
        from huggingface_hub import try_to_load_from_cache

        cached = try_to_load_from_cache(TEXT_MODEL, "config.json")
    except Exception:  # noqa: BLE001 - no cache, no hub client: the stand-in is used
        return None
    return TEXT_MODEL if isinstance(cached, str) else None


def standin_text_encoder(target: Path, hidden: int, layers: int) -> Path:
    """A random Qwen3 backbone whose output width is the network's ``text_embedding_dim``.

    With ``hidden`` 2560 it has the Qwen3-Embedding-4B shape (vocabulary 151,665, FFN 9728,
    32/8 heads of 128) with ``layers`` layers (36 = the real depth); otherwise the demo
    encoder's small shape. The tokenizer is the demo model's (``voxtell.demo``). Written once.
    """
    if (target / "config.json").is_file():
        return target
    from transformers import Qwen3Config, Qwen3Model

    from voxtell.demo import write_text_encoder

    staging = target.with_name(target.name + ".partial")
    write_text_encoder(staging)
    vocab = int(json.loads((staging / "config.json").read_text())["vocab_size"])
    for weights in staging.glob("model*.safetensors*"):  # the demo's tiny weights: replaced below
        weights.unlink()
    shape: dict[str, Any]
    if hidden == 2560:
        shape = {"vocab_size": 151_665, "intermediate_size": 9728, "num_attention_heads": 32,
                 "num_key_value_heads": 8, "head_dim": 128, "max_position_embeddings": 40_960}
    else:
        shape = {"vocab_size": vocab, "intermediate_size": 2 * hidden, "num_attention_heads": 4,
                 "num_key_value_heads": 2, "head_dim": max(hidden // 4, 8), "max_position_embeddings": 512}
    config = Qwen3Config(hidden_size=hidden, num_hidden_layers=layers, rms_norm_eps=1e-6,
                         tie_word_embeddings=True, **shape)
    torch.manual_seed(0)
    torch.set_default_dtype(torch.bfloat16)
    try:
        model = Qwen3Model(config).eval()
    finally:
        torch.set_default_dtype(torch.float32)
    model.save_pretrained(str(staging))
    staging.rename(target)
    return target


def dry_run_model_dir(target: Path) -> Path:
    """The tests' tiny model (``tests/tiny_model.py``: widths 4-8, text dim 16) with a 32³ patch,
    so that a dry run costs seconds. Written once."""
    if (target / "fold_0" / "checkpoint_final.pth").is_file():
        return target
    from tests.golden import SMALL
    from tests.tiny_model import TINY_HYPER
    from voxtell.model import save_checkpoint
    from voxtell.model.config import load_model_config
    from voxtell.model.network import VoxTellNetwork

    target.mkdir(parents=True, exist_ok=True)
    plans = json.loads((SMALL / "plans.json").read_text())
    conf = plans["configurations"]["3d_fullres"]
    conf["patch_size"] = [32, 32, 32]
    conf["architecture"]["arch_kwargs"]["features_per_stage"] = [4, 8, 8, 8, 8, 8]
    (target / "plans.json").write_text(json.dumps(plans))
    (target / "voxtell_hyperparameters.json").write_text(json.dumps(TINY_HYPER))
    torch.manual_seed(0)
    net = VoxTellNetwork(load_model_config(target))
    with torch.no_grad():  # larger random weights, so that masks are not trivially empty
        for p in net.parameters():
            p.mul_(2.0)
    save_checkpoint(net, target)
    return target


def resolve_model(explicit: Path | None, cache: Path, dry_run: bool) -> tuple[Path, str]:
    """(model folder, kind): the tests' tiny model in a dry run; else ``--model``, a real v1.1
    model, or the full-size FILL-RULE network."""
    if dry_run:
        return dry_run_model_dir(cache / "dry-run-model"), "tiny, 32³ patch (random weights, dry run)"
    if explicit is not None:
        return explicit, "given (--model)"
    from voxtell.resolve import ModelNotFoundError, resolve_model_dir

    try:
        return resolve_model_dir(None), "real v1.1"
    except ModelNotFoundError:
        from bench.official_env import full_model_dir

        return full_model_dir(cache / "v1.1-fill-rule"), "full-size v1.1 (FILL RULE, random)"


def timed(fn: Any, *args: Any, **kwargs: Any) -> tuple[Any, float]:
    """``fn(*args, **kwargs)`` and the seconds it took."""
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - started


def run_placement(model_dir: Path, device: torch.device, text_source: str, placement: str, precision: str,
                  patch: np.ndarray, volume: np.ndarray) -> tuple[dict[str, Any], dict[str, Any]]:
    """One text placement end to end; returns (the JSON entry, masks and embeddings to compare)."""
    from voxtell.inference.predictor import VoxTellPredictor

    vram = Vram(device)
    peaks: dict[str, dict[str, float] | None] = {}
    logger.info("placement %s (%s): load the network", placement, precision)
    predictor = VoxTellPredictor(model_dir, device=device, text_encoding_model=text_source,
                                 use_precomputed_embeddings=False, text_precision=precision,
                                 text_placement=placement, text_idle_unload_s=None)
    vram.start()
    emb, text_first_s = timed(predictor.embed_text_prompts, PROMPTS)
    peaks["text"] = vram.peak()
    entry: dict[str, Any] = {"placement": placement, "text_precision": precision,
                             "text_runs_on": predictor.embedder.encoder.placement,
                             "text_load_and_encode_s": text_first_s}
    vram.start()
    _, entry["first_patch_s"] = timed(predictor.predict_single_image, patch, text_embeddings=emb[:, :1])
    masks: dict[str, Any] = {"embeddings": emb.cpu(), "patch": {}, "volume": {}}
    entry["patch_s"], entry["volume_s"], entry["seconds_per_window"] = {}, {}, {}
    for n in (1, 4):
        masks["patch"][n], entry["patch_s"][str(n)] = timed(
            predictor.predict_single_image, patch, text_embeddings=emb[:, :n])
    peaks["patch"] = vram.peak()
    windows: list[int] = []
    vram.start()
    for n in (1, 4):
        logger.info("placement %s: volume, %d prompt(s)", placement, n)
        masks["volume"][n], entry["volume_s"][str(n)] = timed(
            predictor.predict_single_image, volume, text_embeddings=emb[:, :n],
            progress_callback=lambda done, total: windows.append(total))
        entry["seconds_per_window"][str(n)] = entry["volume_s"][str(n)] / windows[-1]
    peaks["volume"] = vram.peak()
    vram.start()
    _, entry["text_encode_s"] = timed(predictor.embed_text_prompts, SECOND_PROMPTS)
    peaks["text_with_network"] = vram.peak()
    entry["peak_vram_gib"] = {**peaks, "pipeline": pipeline_peak(peaks)}
    masks["windows"] = windows[-1]
    predictor.embedder.unload()
    del predictor
    gc.collect()
    if device.type == "cuda":
        torch.cuda.empty_cache()
    return entry, masks


def cpu_masks(model_dir: Path, patch: np.ndarray, embeddings: list[torch.Tensor]) -> tuple[list[dict[int, Any]], dict]:
    """The CPU path's patch masks for every distinct set of embeddings (1 and 4 prompts)."""
    from voxtell.inference.predictor import VoxTellPredictor

    predictor = VoxTellPredictor(model_dir, device="cpu", use_precomputed_embeddings=False)
    done: dict[str, dict[int, Any]] = {}
    times: dict[str, float] = {}
    for emb in embeddings:
        key = hashlib.sha1(emb.numpy().tobytes()).hexdigest()
        if key in done:
            continue
        done[key] = {}
        for n in (1, 4):
            logger.info("CPU path, %d prompt(s)", n)
            done[key][n], seconds = timed(predictor.predict_single_image, patch, text_embeddings=emb[:, :n])
            times.setdefault(str(n), seconds)
    keys = [hashlib.sha1(e.numpy().tobytes()).hexdigest() for e in embeddings]
    return [done[k] for k in keys], {"patch_s": times, "embedding_sets": len(done),
                                     "threads": torch.get_num_threads(), "precision": predictor.precision}


def run_check(args: argparse.Namespace) -> dict[str, Any]:
    from bench.engine_paths import synthetic_volume
    from bench.volume_pipeline import ct_like_volume
    from voxtell.model import load_model_config

    device = torch.device("cpu") if args.cpu_dry_run else torch.device("cuda", 0)
    model_dir, model_kind = resolve_model(args.model, args.cache, args.cpu_dry_run)
    config = load_model_config(model_dir)
    dim = config.hyper.text_embedding_dim
    text_source = find_text_model(args.text_model, args.cpu_dry_run)
    layers = args.standin_layers or (2 if args.cpu_dry_run else 36)
    if text_source is None:
        logger.info("building the stand-in text encoder (hidden %d, %d layers)", dim, layers)
        text_source = str(standin_text_encoder(args.cache / f"text-standin-{dim}-{layers}", dim, layers))
        text = {"source": text_source, "kind": "stand-in (random Qwen3, demo tokenizer)", "layers": layers,
                "hidden": dim}
    else:
        text = {"source": text_source, "kind": "real", "layers": None, "hidden": dim}
    patch_shape = tuple(int(p) for p in config.patch_size)
    patch = synthetic_volume(patch_shape)  # type: ignore[arg-type]
    file_shape = tuple(args.shape or ((48, 40, 24) if args.cpu_dry_run else (512, 512, 300)))
    volume = np.ascontiguousarray(ct_like_volume(file_shape).transpose(2, 1, 0), dtype=np.float32)  # type: ignore[arg-type]
    entries, kept = [], []
    for placement, precision in PLACEMENTS:
        entry, masks = run_placement(model_dir, device, text_source, placement, precision, patch, volume)
        entries.append(entry)
        kept.append(masks)
    references, cpu_path = cpu_masks(model_dir, patch, [m["embeddings"] for m in kept])
    first_volume = kept[0]["volume"][4]
    for entry, masks, ref in zip(entries, kept, references):
        entry["agreement_vs_cpu"] = {str(n): agreement(masks["patch"][n], ref[n]) for n in (1, 4)}
        entry["volume_agreement_vs_gpu"] = agreement(masks["volume"][4], first_volume)
    failures = check_failures(entries, args.agreement, args.vram_limit_gib)
    offload = next(e for e in entries if e["placement"] == "offload")["peak_vram_gib"]["pipeline"]
    return {
        "check": "gpu_check", "ok": not failures, "dry_run": args.cpu_dry_run, "device": str(device),
        "torch": {"version": torch.__version__, "cuda": torch.version.cuda,
                  "gpu": torch.cuda.get_device_name(device) if device.type == "cuda" else None},
        "model": {"dir": str(model_dir), "kind": model_kind, "patch_size": list(patch_shape)},
        "text_encoder": text, "patch_shape": list(patch_shape), "volume_shape": list(volume.shape),
        "windows": kept[0]["windows"], "prompts": PROMPTS, "placements": entries, "cpu_path": cpu_path,
        "limits": {"agreement": args.agreement, "vram_gib": args.vram_limit_gib,
                   "vram_checked": offload is not None},
        "failures": failures,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cpu-dry-run", action="store_true",
                        help="no CUDA: a tiny model (32³ patch), a stand-in text encoder and tiny shapes on the CPU")
    parser.add_argument("--model", type=Path, default=None, help="model folder (default: real v1.1 or FILL RULE)")
    parser.add_argument("--text-model", default=None, help="text encoder folder or Hugging Face id")
    parser.add_argument("--standin-layers", type=int, default=None,
                        help="layers of the stand-in text encoder (default 36; 2 in a dry run)")
    parser.add_argument("--shape", type=int, nargs=3, default=None, metavar=("X", "Y", "Z"),
                        help="volume shape (default 512 512 300; dry run 48 40 24)")
    parser.add_argument("--agreement", type=float, default=0.9999, help="minimum mask agreement with the CPU path")
    parser.add_argument("--vram-limit-gib", type=float, default=8.0, help="VRAM budget of the offload pipeline")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "voxtell-bench-models")
    parser.add_argument("--out", type=Path, default=None, help="also write the JSON to this file")
    args = parser.parse_args(argv)
    if not args.cpu_dry_run and not torch.cuda.is_available():
        sys.stderr.write(NO_CUDA)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    result = run_check(args)
    line = json.dumps(result, separators=(",", ":"))
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(line + "\n")
    sys.stdout.write(line + "\n")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
