"""Shared by the benches that run the official voxtell 0.1.2 package beside ours.

* :func:`ensure_official` installs the official package with ``pip install --target`` (no
  dependencies: our venv's torch, nnU-Net, dynamic-network-architectures, acvl-utils and
  transformers are reused);
* :func:`full_model_dir` / :func:`small_model_dir` write the model folders both packages load:
  the full-size v1.1 network (``keys_v1.1.json`` + the FILL RULE of the golden fixtures) or the
  golden small network;
* :func:`run_child` runs one measurement in its own process with the chosen package first on
  ``PYTHONPATH`` (peak RSS per process), from a working directory outside our checkout;
* :func:`make_predictor` (child side) builds either package's ``VoxTellPredictor`` through its
  public constructor;
* :func:`mask_agreement`, :func:`summarise` and :func:`alternating_order` are the pure maths of
  the comparison (tested in ``tests/bench``).

This module imports neither package at import time: a child imports whichever ``voxtell`` its
``PYTHONPATH`` puts first.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OFFICIAL_VERSION = "0.1.2"
DEFAULT_OFFICIAL_DIR = Path(tempfile.gettempdir()) / "official"
PACKAGES = ("official", "ours")
V11_BLOCKS = [1, 3, 4, 6, 6, 6]


# -- set-up (parent process) -------------------------------------------------------------------
def ensure_official(target: Path = DEFAULT_OFFICIAL_DIR) -> Path:
    """The official package installed under ``target`` (``pip install --target``, once)."""
    if not (target / "voxtell" / "inference" / "predictor.py").is_file():
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--target", str(target),
                        f"voxtell=={OFFICIAL_VERSION}", "positional-encodings", "--no-deps"], check=True)
    return target


def full_model_dir(target: Path) -> Path:
    """A full-size v1.1 model folder: the golden plans with the v1.1 block counts (spec §1.3), no
    hyper-parameter file (the v1.1 defaults apply in both packages) and a checkpoint holding
    all 1095 keys of ``keys_v1.1.json`` filled with the FILL RULE (spec §8.3). ~1.8 GB, once."""
    checkpoint = target / "fold_0" / "checkpoint_final.pth"
    if checkpoint.is_file():
        return target
    import torch

    from tests.golden import GOLDEN, SMALL, fill_rule_state_dict

    checkpoint.parent.mkdir(parents=True, exist_ok=True)
    plans = json.loads((SMALL / "plans.json").read_text())
    plans["configurations"]["3d_fullres"]["architecture"]["arch_kwargs"]["n_blocks_per_stage"] = V11_BLOCKS
    (target / "plans.json").write_text(json.dumps(plans, indent=1))
    partial = checkpoint.with_suffix(".partial")
    torch.save({"network_weights": fill_rule_state_dict(GOLDEN / "keys_v1.1.json")}, partial)
    partial.rename(checkpoint)
    return target


def small_model_dir(target: Path) -> Path:
    """The golden small model (FILL RULE, 192³ patch, one block per stage, text dim 64)."""
    if (target / "fold_0" / "checkpoint_final.pth").is_file():
        return target
    from tests.golden import build_golden_model_dir

    return build_golden_model_dir(target)


def text_dim(model_dir: Path) -> int:
    """``text_embedding_dim`` of a model folder (2560 unless its hyper-parameter file says otherwise)."""
    hp = model_dir / "voxtell_hyperparameters.json"
    return int(json.loads(hp.read_text()).get("text_embedding_dim", 2560)) if hp.is_file() else 2560


def child_env(package: str, official_dir: Path) -> dict[str, str]:
    """Environment of a child: the package's source first on ``PYTHONPATH``; our checkout is
    appended by the bench scripts themselves (after site-packages), so it never shadows the
    official ``voxtell``. tqdm bars (the official predictor's) are off."""
    if package not in PACKAGES:
        raise ValueError(f"package must be one of {PACKAGES}, got {package!r}")
    source = official_dir if package == "official" else ROOT
    return {**os.environ, "PYTHONPATH": str(source), "TQDM_DISABLE": "1"}


def run_child(script: Path, args: Sequence[str], package: str, official_dir: Path, out: Path) -> dict[str, Any]:
    """Run ``script --child ...`` for ``package`` in its own process (cwd outside the checkout,
    so that our ``voxtell/`` cannot shadow the official one); returns the JSON it wrote."""
    subprocess.run([sys.executable, str(script), *args], env=child_env(package, official_dir),
                   cwd=out.parent, check=True)
    return dict(json.loads(out.read_text()))


# -- child side ----------------------------------------------------------------------------------
def imported_voxtell(package: str, official_dir: Path) -> str:
    """Where ``voxtell`` was imported from; raises unless it is ``package``'s own source."""
    import voxtell

    where = str(Path(voxtell.__file__).resolve())
    expected = (official_dir if package == "official" else ROOT).resolve()
    if not where.startswith(str(expected)):
        raise RuntimeError(f"{package}: imported voxtell from {where}, expected it under {expected}")
    return where


def make_predictor(package: str, model_dir: Path) -> Any:
    """The package's ``VoxTellPredictor`` on the CPU, no embedding bank. The official 0.1.2
    constructor hard-codes the v1.1 hyper-parameters; for a model folder with a
    ``voxtell_hyperparameters.json`` (the golden small model) its network class gets those values,
    as the golden fixtures were made."""
    import torch

    import voxtell.inference.predictor as predictor_module

    hp_file = model_dir / "voxtell_hyperparameters.json"
    if package == "official" and hp_file.is_file():
        hp = json.loads(hp_file.read_text())
        original = predictor_module.VoxTellModel  # type: ignore[attr-defined]
        predictor_module.VoxTellModel = lambda **kw: original(**{**kw, **hp})  # type: ignore[attr-defined]
    return predictor_module.VoxTellPredictor(str(model_dir), device=torch.device("cpu"),
                                             use_precomputed_embeddings=False)


def peak_rss_gb() -> float:
    """This process's peak resident set size (``ru_maxrss``, kB on Linux) in GB."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6


# -- comparison maths (pure) -----------------------------------------------------------------------
def alternating_order(round_index: int) -> tuple[str, str]:
    """Which package goes first in round ``round_index`` (0-based): official on even rounds."""
    return ("official", "ours") if round_index % 2 == 0 else ("ours", "official")


def mask_agreement(a: np.ndarray, b: np.ndarray) -> float:
    """Fraction of voxels (over every prompt) where two ``(N, A0, A1, A2)`` masks are equal."""
    if a.shape != b.shape:
        raise ValueError(f"mask shapes differ: {a.shape} vs {b.shape}")
    if a.size == 0:
        raise ValueError("empty masks")
    return float(np.count_nonzero(a == b)) / a.size


def summarise(runs: Sequence[dict[str, Any]], keys: Sequence[str] = ("predict_s", "peak_rss_gb")) -> list[dict[str, Any]]:
    """Medians per ``(prompts, package)`` over the rounds, and ours as a fraction of official.

    Each run has ``package``, ``prompts``, ``round`` and the numeric ``keys``; ours' runs may
    carry ``mask_agreement_vs_official``. Returns one row per prompt count::

        {"prompts", "rounds", "official": {key: median}, "ours": {key: median},
         "<key>_ratio": ours median / official median,
         "per_round_<key>_ratio": [ours / official of each round both ran],
         "min_mask_agreement": lowest agreement of ours vs official (None if never compared)}
    """
    rows = []
    for n in sorted({int(r["prompts"]) for r in runs}):
        mine = [r for r in runs if int(r["prompts"]) == n]
        row: dict[str, Any] = {"prompts": n}
        for package in PACKAGES:
            chosen = [r for r in mine if r["package"] == package]
            row[package] = {k: statistics.median(float(r[k]) for r in chosen) for k in keys} if chosen else None
            row[package + "_rounds"] = len(chosen)
        row["rounds"] = min(row["official_rounds"], row["ours_rounds"])
        for k in keys:
            both = row["official"] is not None and row["ours"] is not None
            row[k + "_ratio"] = row["ours"][k] / row["official"][k] if both and row["official"][k] else None
            by_round: dict[int, dict[str, float]] = {}
            for r in mine:
                by_round.setdefault(int(r["round"]), {})[r["package"]] = float(r[k])
            row["per_round_" + k + "_ratio"] = [v["ours"] / v["official"] for _, v in sorted(by_round.items())
                                                if "ours" in v and v.get("official")]
        agreements = [float(r["mask_agreement_vs_official"]) for r in mine
                      if r["package"] == "ours" and r.get("mask_agreement_vs_official") is not None]
        row["min_mask_agreement"] = min(agreements) if agreements else None
        rows.append(row)
    return rows


def machine() -> dict[str, Any]:
    """What the numbers depend on: CPU count, torch threads and version."""
    import platform

    import torch

    return {"cpus": os.cpu_count(), "torch_threads": torch.get_num_threads(), "torch": torch.__version__,
            "python": platform.python_version(), "processor": platform.processor() or platform.machine()}
