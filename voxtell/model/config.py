"""Model configuration: what the network looks like, read from a model directory.

A model directory holds ``plans.json`` (nnU-Net style; only the patch size and the
architecture kwargs are read) and optionally ``voxtell_hyperparameters.json`` that overrides
the VoxTell hyper-parameters the official predictor hard-codes (spec §1.4, §1.5).

Everything that the official implementation hard-codes for a 192³ patch and 32…320 channels
(token grid, positional-buffer size, projection widths) is derived here from the plans, so
that small demo models and the full v1.1 model share one code path.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

PLANS_FILE = "plans.json"
HYPERPARAMETERS_FILE = "voxtell_hyperparameters.json"
CHECKPOINT_FILE = "fold_0/checkpoint_final.pth"
DEMO_MARKER = "voxtell_web_demo"

# Dotted class names in plans.json that we map to our own ops without importing them.
_KNOWN_OPS = {
    "conv_op": {"torch.nn.modules.conv.Conv3d", "torch.nn.Conv3d"},
    "norm_op": {"torch.nn.modules.instancenorm.InstanceNorm3d", "torch.nn.InstanceNorm3d"},
    "nonlin": {"torch.nn.LeakyReLU", "torch.nn.modules.activation.LeakyReLU"},
}


class ModelConfigError(ValueError):
    """The model directory's plans or hyper-parameters cannot describe a VoxTell network."""


@dataclass(frozen=True)
class HyperParameters:
    """VoxTell hyper-parameters (v1.1 defaults) plus the internal widths the official code fixes.

    The last five fields are constants in the official model; they are exposed so that a demo
    model can be small. Their defaults reproduce the official network exactly.
    """

    decoder_layer: int = 4
    text_embedding_dim: int = 2560
    num_maskformer_stages: int = 5
    num_heads: int = 32
    query_dim: int = 2048
    project_to_decoder_hidden_dim: int = 2048
    transformer_layers: int = 6
    transformer_heads: int = 8
    transformer_ffn_dim: int = 2048
    text_hidden_dim: int = 2048

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> HyperParameters:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ModelConfigError(f"unknown VoxTell hyper-parameter(s): {', '.join(unknown)}")
        for key, value in values.items():
            minimum = 0 if key == "decoder_layer" else 1
            if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
                raise ModelConfigError(f"hyper-parameter {key} must be an integer >= {minimum}, got {value!r}")
        return cls(**values)


@dataclass(frozen=True)
class ModelConfig:
    """Everything needed to build the network and run the sliding window.

    Attributes:
        patch_size: sliding-window tile size ``(P0, P1, P2)`` in array axis order.
        features_per_stage: encoder widths, one per stage (v1.1: 32, 64, 128, 256, 320, 320).
        strides: per-stage stride triples; stage 0 has stride 1.
        n_blocks_per_stage: residual blocks per encoder stage.
        conv_bias: whether convolutions carry a bias.
        norm_eps: instance-norm epsilon.
        negative_slope: leaky-ReLU slope.
        hyper: VoxTell hyper-parameters.
        is_demo: the plans mark a demo model with random weights.
        name: a human-readable model name (the directory name).
    """

    patch_size: tuple[int, int, int]
    features_per_stage: tuple[int, ...]
    strides: tuple[tuple[int, int, int], ...]
    n_blocks_per_stage: tuple[int, ...]
    kernel_sizes: tuple[tuple[int, int, int], ...]
    conv_bias: bool = True
    norm_eps: float = 1e-5
    negative_slope: float = 0.01
    hyper: HyperParameters = field(default_factory=HyperParameters)
    is_demo: bool = False
    name: str = "voxtell"

    @property
    def n_stages(self) -> int:
        return len(self.features_per_stage)

    def downsampling_at(self, stage: int) -> tuple[int, int, int]:
        """Total downsampling factor per axis at the output of encoder ``stage``."""
        factor = [1, 1, 1]
        for s in range(stage + 1):
            factor = [f * st for f, st in zip(factor, self.strides[s])]
        return (factor[0], factor[1], factor[2])

    @property
    def token_grid(self) -> tuple[int, int, int]:
        """Spatial size ``(g0, g1, g2)`` of the encoder skip that feeds the prompt decoder."""
        down = self.downsampling_at(self.hyper.decoder_layer)
        return (
            self.patch_size[0] // down[0],
            self.patch_size[1] // down[1],
            self.patch_size[2] // down[2],
        )

    @property
    def n_tokens(self) -> int:
        return math.prod(self.token_grid)

    @property
    def projection_widths(self) -> tuple[int, ...]:
        """Output widths of the mask-embedding projections (spec §2.4): j=0 plain, j>=1 × heads."""
        f, h = self.features_per_stage, self.hyper.num_heads
        return tuple(f[0] if j == 0 else f[j] * h for j in range(self.hyper.num_maskformer_stages))

    def validate(self) -> None:
        n = self.n_stages
        hp = self.hyper
        if n < 2:
            raise ModelConfigError("n_stages must be at least 2")
        for name, seq in (("strides", self.strides), ("n_blocks_per_stage", self.n_blocks_per_stage),
                          ("kernel_sizes", self.kernel_sizes)):
            if len(seq) != n:
                raise ModelConfigError(f"{name} has {len(seq)} entries, expected n_stages={n}")
        if hp.num_maskformer_stages != n - 1:
            raise ModelConfigError(
                f"num_maskformer_stages={hp.num_maskformer_stages} must equal n_stages-1={n - 1}")
        if not 0 <= hp.decoder_layer < n:
            raise ModelConfigError(f"decoder_layer={hp.decoder_layer} outside 0..{n - 1}")
        if hp.query_dim % hp.transformer_heads:
            raise ModelConfigError("query_dim must be divisible by transformer_heads")
        total = self.downsampling_at(n - 1)
        for axis in range(3):
            if self.patch_size[axis] % total[axis]:
                raise ModelConfigError(
                    f"patch size {self.patch_size} is not divisible by the total stride {total}")


def _parse_ops(arch: dict[str, Any]) -> tuple[float, float]:
    for key, allowed in _KNOWN_OPS.items():
        value = arch.get(key)
        if value not in allowed:
            raise ModelConfigError(f"unsupported {key} in plans.json: {value!r}")
    if arch.get("dropout_op") is not None:
        raise ModelConfigError("dropout_op must be null for inference")
    norm_kwargs = arch.get("norm_op_kwargs") or {}
    if not norm_kwargs.get("affine", False):
        raise ModelConfigError("norm_op_kwargs.affine must be true")
    nonlin_kwargs = arch.get("nonlin_kwargs") or {}
    return float(norm_kwargs.get("eps", 1e-5)), float(nonlin_kwargs.get("negative_slope", 0.01))


def _triple(value: Any, what: str) -> tuple[int, int, int]:
    if isinstance(value, int):
        return (value, value, value)
    if isinstance(value, list | tuple) and len(value) == 3 and all(isinstance(v, int) for v in value):
        return (int(value[0]), int(value[1]), int(value[2]))
    raise ModelConfigError(f"{what} must be 3 integers, got {value!r}")


def config_from_plans(plans: dict[str, Any], hyper: HyperParameters | None = None,
                      name: str = "voxtell") -> ModelConfig:
    """Build a :class:`ModelConfig` from a parsed ``plans.json``."""
    try:
        conf = plans["configurations"]["3d_fullres"]
        arch = conf["architecture"]["arch_kwargs"]
        patch = conf["patch_size"]
    except (KeyError, TypeError) as exc:
        raise ModelConfigError(f"plans.json lacks configurations.3d_fullres field {exc}") from exc
    eps, slope = _parse_ops(arch)
    n = int(arch["n_stages"])
    feats = arch["features_per_stage"]
    feats = [feats] * n if isinstance(feats, int) else list(feats)
    blocks = arch["n_blocks_per_stage"]
    blocks = [blocks] * n if isinstance(blocks, int) else list(blocks)
    config = ModelConfig(
        patch_size=_triple(patch, "patch_size"),
        features_per_stage=tuple(int(f) for f in feats),
        strides=tuple(_triple(s, "strides") for s in arch["strides"]),
        n_blocks_per_stage=tuple(int(b) for b in blocks),
        kernel_sizes=tuple(_triple(k, "kernel_sizes") for k in arch["kernel_sizes"]),
        conv_bias=bool(arch.get("conv_bias", False)),
        norm_eps=eps,
        negative_slope=slope,
        hyper=hyper or HyperParameters(),
        is_demo=bool(plans.get(DEMO_MARKER, False)),
        name=name,
    )
    config.validate()
    return config


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise
    except (OSError, ValueError) as exc:
        raise ModelConfigError(f"cannot read {path.name}: {exc}") from exc


def load_model_config(model_dir: str | Path, overrides: dict[str, int] | None = None) -> ModelConfig:
    """Read ``plans.json`` and the optional hyper-parameter file of a model directory.

    Args:
        model_dir: the model folder (``.../voxtell_v1.1``).
        overrides: hyper-parameters given programmatically; they win over the file.
    """
    model_dir = Path(model_dir).expanduser()
    plans_path = model_dir / PLANS_FILE
    if not plans_path.is_file():
        raise FileNotFoundError(f"model directory {model_dir} has no {PLANS_FILE}")
    plans = _read_json(plans_path)
    values: dict[str, Any] = {}
    hp_path = model_dir / HYPERPARAMETERS_FILE
    if hp_path.is_file():
        loaded = _read_json(hp_path)
        if not isinstance(loaded, dict):
            raise ModelConfigError(f"{HYPERPARAMETERS_FILE} must hold a JSON object")
        values.update(loaded)
    values.update(overrides or {})
    return config_from_plans(plans, HyperParameters.from_dict(values), name=model_dir.name)
