"""Checkpoint loading: every key accounted for, errors that name the key, safe unpickling."""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath

import pytest
import torch

from tests.tiny_model import build_tiny_model_dir
from voxtell.model import CheckpointError, ModelConfigError, load_model_config, load_network
from voxtell.model.checkpoint import read_checkpoint

CKPT = "fold_0/checkpoint_final.pth"


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_model_dir(tmp_path_factory.mktemp("tiny-loader"))


def _weights(model_dir: Path) -> dict[str, torch.Tensor]:
    return torch.load(model_dir / CKPT, weights_only=True)["network_weights"]


def _with_weights(tmp_path: Path, source: Path, weights: object) -> Path:
    target = tmp_path / "model"
    (target / "fold_0").mkdir(parents=True)
    for name in ("plans.json", "voxtell_hyperparameters.json"):
        (target / name).write_text((source / name).read_text())
    torch.save(weights, target / CKPT)
    return target


def test_loaded_network_holds_only_what_inference_uses(tiny_dir: Path) -> None:
    net = load_network(tiny_dir, load_model_config(tiny_dir))
    keys = set(net.state_dict())
    assert not any(".self_attn." in k or ".norm1." in k or "seg_layers" in k or k.startswith("decoder.encoder.")
                   for k in keys)
    assert all(p.dtype == torch.float32 and not p.requires_grad for p in net.parameters())
    assert not net.training


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda w: w.pop("transformer_decoder.layers.0.norm1.weight"),
     "missing key 'transformer_decoder.layers.0.norm1.weight'"),
    (lambda w: w.__setitem__("decoder.extra.weight", torch.zeros(1)), "unexpected key 'decoder.extra.weight'"),
    (lambda w: w.__setitem__("project_text_embed.0.bias", torch.zeros(3)), "'project_text_embed.0.bias' has shape (3,)"),
    (lambda w: w.__setitem__("decoder.encoder.stem.convs.0.conv.bias",
                             w["decoder.encoder.stem.convs.0.conv.bias"] + 1),
     "'decoder.encoder.stem.convs.0.conv.bias' differs from its alias"),
])
def test_key_errors_name_the_key(tiny_dir: Path, tmp_path: Path, mutate, message: str) -> None:  # type: ignore[no-untyped-def]
    weights = dict(_weights(tiny_dir))
    mutate(weights)
    model = _with_weights(tmp_path, tiny_dir, {"network_weights": weights})
    with pytest.raises(CheckpointError) as exc:
        load_network(model, load_model_config(model))
    assert message in str(exc.value)


def test_checkpoint_without_network_weights(tiny_dir: Path, tmp_path: Path) -> None:
    model = _with_weights(tmp_path, tiny_dir, {"state_dict": {}})
    with pytest.raises(CheckpointError, match="no 'network_weights'"):
        read_checkpoint(model / CKPT)


def test_extra_nnunet_entries_are_ignored(tiny_dir: Path, tmp_path: Path) -> None:
    import numpy as np

    model = _with_weights(tmp_path, tiny_dir, {
        "network_weights": _weights(tiny_dir), "trainer_name": "nnUNetTrainer", "current_epoch": 1000,
        "init_args": {"plans": {}, "fold": 0}, "logging": {"ema_fg_dice": [np.float64(0.5)]},
        "inference_allowed_mirroring_axes": (0, 1, 2)})
    load_network(model, load_model_config(model))


def test_unsafe_class_is_refused_with_instructions(tiny_dir: Path, tmp_path: Path) -> None:
    model = _with_weights(tmp_path, tiny_dir, {"network_weights": _weights(tiny_dir),
                                               "extra": PurePosixPath("/tmp/x")})
    with pytest.raises(CheckpointError) as exc:
        read_checkpoint(model / CKPT)
    assert "pathlib.PurePosixPath" in str(exc.value) and "VOXTELL_TRUSTED_CHECKPOINT_GLOBALS" in str(exc.value)
    assert read_checkpoint(model / CKPT, trusted_globals=["pathlib.PurePosixPath"])


def test_truncated_checkpoint(tiny_dir: Path, tmp_path: Path) -> None:
    model = _with_weights(tmp_path, tiny_dir, {"network_weights": _weights(tiny_dir)})
    raw = (model / CKPT).read_bytes()
    (model / CKPT).write_bytes(raw[: len(raw) // 2])
    with pytest.raises(CheckpointError, match="cannot read checkpoint"):
        read_checkpoint(model / CKPT)


def test_plans_errors(tmp_path: Path, tiny_dir: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no plans.json"):
        load_model_config(tmp_path)
    plans = json.loads((tiny_dir / "plans.json").read_text())
    plans["configurations"]["3d_fullres"]["architecture"]["arch_kwargs"]["conv_op"] = "torch.nn.Conv2d"
    (tmp_path / "plans.json").write_text(json.dumps(plans))
    with pytest.raises(ModelConfigError, match="unsupported conv_op"):
        load_model_config(tmp_path)
    (tmp_path / "plans.json").write_text((tiny_dir / "plans.json").read_text())
    (tmp_path / "voxtell_hyperparameters.json").write_text('{"query_dims": 3}')
    with pytest.raises(ModelConfigError, match="unknown VoxTell hyper-parameter"):
        load_model_config(tmp_path)
