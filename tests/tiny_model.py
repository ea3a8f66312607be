"""A tiny random-weight VoxTell model folder (64³ patch, widths 4-8) for fast engine tests."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import torch

from tests.golden import SMALL
from voxtell.model import save_checkpoint
from voxtell.model.config import config_from_plans, load_model_config
from voxtell.model.network import VoxTellNetwork

TINY_HYPER = {
    "decoder_layer": 4, "text_embedding_dim": 16, "num_maskformer_stages": 5, "num_heads": 2,
    "query_dim": 16, "project_to_decoder_hidden_dim": 16, "transformer_layers": 2,
    "transformer_heads": 2, "transformer_ffn_dim": 32, "text_hidden_dim": 32,
}


def build_tiny_model_dir(target: Path, seed: int = 0) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    plans = json.loads((SMALL / "plans.json").read_text())
    conf = plans["configurations"]["3d_fullres"]
    conf["patch_size"] = [64, 64, 64]
    conf["architecture"]["arch_kwargs"]["features_per_stage"] = [4, 8, 8, 8, 8, 8]
    (target / "plans.json").write_text(json.dumps(plans))
    (target / "voxtell_hyperparameters.json").write_text(json.dumps(TINY_HYPER))
    torch.manual_seed(seed)
    net = VoxTellNetwork(load_model_config(target))
    with torch.no_grad():  # larger random weights so that masks are not trivially empty
        for p in net.parameters():
            p.mul_(2.0)
    save_checkpoint(net, target)
    return target


def copy_model_dir(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


__all__ = ["build_tiny_model_dir", "config_from_plans", "copy_model_dir"]
