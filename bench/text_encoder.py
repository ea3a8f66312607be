"""Benchmark: text-encoder load time, encode time per prompt and peak RSS, fp32 vs bf16 (CPU).

    .venv/bin/python bench/text_encoder.py            # the demo encoder
    .venv/bin/python bench/text_encoder.py --full     # also a random full-size Qwen3-Embedding-4B (~16 GB RAM)

Each measurement runs in its own process (peak RSS per run); JSON into
bench/results/text_encoder.json.
"""

from __future__ import annotations

import argparse
import json
import logging
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

logger = logging.getLogger("bench")
PROMPTS = ["liver", "left kidney", "right lung upper lobe", "a pancreatic head lesion with necrosis",
           "prostate tumor", "L5 vertebra", "spleen", "aorta"]


def child(model_dir: str, precision: str, out: str) -> None:
    from voxtell.text.encoder import TextEncoder

    enc = TextEncoder(model_dir, torch.device("cpu"), precision=precision, idle_unload_s=None)
    t0 = time.perf_counter()
    enc.encode(["warm-up"])  # includes the load
    first_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    enc.encode(PROMPTS)
    encode_s = time.perf_counter() - t0
    Path(out).write_text(json.dumps({
        "precision": precision, "load_and_first_prompt_s": first_s,
        "encode_s_per_prompt": encode_s / len(PROMPTS), "batch": len(PROMPTS),
        "peak_rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6}))


def full_size_encoder(target: Path, tokenizer_from: Path) -> Path:
    """A randomly initialised Qwen3-Embedding-4B-shaped model (public architecture), saved in bf16."""
    if (target / "config.json").is_file():
        return target
    import shutil

    from transformers import Qwen3Config, Qwen3Model

    config = Qwen3Config(vocab_size=151_665, hidden_size=2560, intermediate_size=9728, num_hidden_layers=36,
                         num_attention_heads=32, num_key_value_heads=8, head_dim=128,
                         max_position_embeddings=40_960, rms_norm_eps=1e-6, tie_word_embeddings=True)
    torch.set_default_dtype(torch.bfloat16)
    model = Qwen3Model(config)
    torch.set_default_dtype(torch.float32)
    model.save_pretrained(str(target))
    for name in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(tokenizer_from / name, target / name)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "voxtell-bench-text")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.child:
        child(*args.child)
        return 0
    from voxtell.demo import ensure_demo_model

    demo = ensure_demo_model(args.cache / "demo") / "text_encoder"
    encoders = {"demo (2 layers, hidden 64)": demo}
    if args.full:
        encoders["Qwen3-Embedding-4B shape, random weights"] = full_size_encoder(args.cache / "qwen3-4b-random", demo)
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for label, path in encoders.items():
            for precision in ("fp32", "bf16"):
                out = Path(tmp) / f"{len(runs)}.json"
                logger.info("%s, %s", label, precision)
                subprocess.run([sys.executable, __file__, "--child", str(path), precision, str(out)], check=True)
                runs.append({"encoder": label, **json.loads(out.read_text())})
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / "text_encoder.json").write_text(json.dumps({"threads": torch.get_num_threads(), "runs": runs}, indent=2))
    logger.info(json.dumps(runs, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
