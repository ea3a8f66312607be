"""Golden-fixture helpers: the FILL RULE (spec §8.3) and a model directory built from it."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import torch

GOLDEN = Path(__file__).parent / "fixtures" / "voxtell-golden"
SMALL = GOLDEN / "small"


def _is_norm_weight(key: str) -> bool:
    parts = key.split(".")
    return key.endswith("norm.weight") or (
        len(parts) >= 2 and parts[-2] in {"norm1", "norm2", "norm3", "norm"} and key.endswith("weight"))


def fill_rule_state_dict(keys_json: Path) -> dict[str, torch.Tensor]:
    """Regenerate the golden weights from the key table with the FILL RULE."""
    table = json.loads(keys_json.read_text())
    state: dict[str, torch.Tensor] = {}
    for i, entry in enumerate(table["canonical"]):
        key, shape = entry["key"], tuple(entry["shape"])
        g = torch.Generator().manual_seed(1000 + i)
        r = torch.randn(shape, generator=g)
        if key == "pos_embed":
            value = r
        elif len(shape) >= 2:
            value = r / math.sqrt(math.prod(shape[1:]))
        elif _is_norm_weight(key):
            value = 1 + 0.1 * r
        else:
            value = 0.1 * r
        state[key] = value
        for alias in entry["aliases"]:
            state[alias] = value
    return state


def build_golden_model_dir(target: Path) -> Path:
    """Write plans, hyper-parameters and a FILL-RULE checkpoint for the golden small model."""
    target.mkdir(parents=True, exist_ok=True)
    for name in ("plans.json", "voxtell_hyperparameters.json"):
        shutil.copy(SMALL / name, target / name)
    (target / "fold_0").mkdir(exist_ok=True)
    torch.save({"network_weights": fill_rule_state_dict(SMALL / "keys.json")},
               target / "fold_0" / "checkpoint_final.pth")
    return target
