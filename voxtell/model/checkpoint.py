"""Checkpoint loading: safe unpickling, key canonicalisation and strict validation.

The official checkpoint stores 1095 state-dict keys for 403 distinct tensors: every encoder
tensor also appears as ``decoder.encoder.*`` and every conv/norm unit registers its conv and
norm twice (``conv``/``all_modules.0``, ``norm``/``all_modules.1``) (spec §2.2). We validate
the *whole* official key set (names and shapes), check that aliases hold equal tensors, and
keep only the tensors inference uses.
"""

from __future__ import annotations

import logging
import pickle
import re
from collections.abc import Callable, Iterable
from pathlib import Path

import torch

from voxtell.env import TRUSTED_GLOBALS_ENV
from voxtell.env import trusted_globals as env_trusted_globals
from voxtell.model.config import ModelConfig
from voxtell.model.mapped_pages import MappedPageDropper
from voxtell.model.network import VoxTellNetwork

logger = logging.getLogger(__name__)

# nnU-Net checkpoints keep numpy scalars in their training logs; nothing else is needed.
_NUMPY_SAFE_NAMES = ("numpy._core.multiarray.scalar", "numpy.core.multiarray.scalar", "numpy.dtype")


class CheckpointError(RuntimeError):
    """The checkpoint cannot be loaded safely or does not match the network."""


def canonical_key(key: str) -> str:
    """Map an alias to its canonical name (spec §2.2)."""
    if key.startswith("decoder.encoder."):
        key = "encoder." + key[len("decoder.encoder."):]
    return key.replace(".all_modules.0.", ".conv.").replace(".all_modules.1.", ".norm.")


def official_key_shapes(config: ModelConfig) -> dict[str, tuple[int, ...]]:
    """Every state-dict key of the official network for ``config``, with its shape.

    Built on the meta device, so it is cheap even for the full-size model. Includes the
    aliases and the tensors inference never uses (self-attention, ``norm1``, seg layers).
    """
    with torch.device("meta"):
        net = VoxTellNetwork(config)
    shapes = {k: tuple(v.shape) for k, v in net.state_dict().items()}
    for key in [k for k in shapes if k.startswith("encoder.")]:
        shapes["decoder." + key] = shapes[key]
    q = config.hyper.query_dim
    for layer in range(config.hyper.transformer_layers):
        prefix = f"transformer_decoder.layers.{layer}."
        shapes[prefix + "self_attn.in_proj_weight"] = (3 * q, q)
        shapes[prefix + "self_attn.in_proj_bias"] = (3 * q,)
        shapes[prefix + "self_attn.out_proj.weight"] = (q, q)
        shapes[prefix + "self_attn.out_proj.bias"] = (q,)
        shapes[prefix + "norm1.weight"] = (q,)
        shapes[prefix + "norm1.bias"] = (q,)
    for i, width in enumerate(net.decoder.stage_widths):
        shapes[f"decoder.seg_layers.{i}.weight"] = (1, width + config.hyper.num_heads, 1, 1, 1)
        shapes[f"decoder.seg_layers.{i}.bias"] = (1,)
    return shapes


def _trusted_globals(extra: Iterable[str]) -> list:
    import importlib

    objs = []
    for name in [*_NUMPY_SAFE_NAMES, *extra]:
        module_name, _, attr = name.rpartition(".")
        try:
            objs.append(getattr(importlib.import_module(module_name), attr))
        except (ImportError, AttributeError):
            if name not in _NUMPY_SAFE_NAMES:
                raise CheckpointError(f"trusted checkpoint global {name!r} cannot be imported") from None
    import numpy as np

    objs.extend(type(np.dtype(t)) for t in ("float64", "float32", "int64", "int32", "bool"))
    return objs


def read_checkpoint(path: str | Path, trusted_globals: Iterable[str] = ()) -> dict[str, torch.Tensor]:
    """Load ``network_weights`` from a checkpoint with ``weights_only=True``.

    Never falls back to unsafe unpickling: a checkpoint that needs other classes fails with a
    message naming the class and how to allow it explicitly.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"checkpoint not found: {path}")
    allowed = _trusted_globals([*trusted_globals, *env_trusted_globals()])
    try:
        with torch.serialization.safe_globals(allowed):
            try:
                ckpt = torch.load(path, map_location="cpu", weights_only=True, mmap=True)
            except RuntimeError as exc:
                if "mmap" not in str(exc):
                    raise
                ckpt = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        match = re.search(r"GLOBAL ([\w.]+)", str(exc))
        name = match.group(1) if match else "an unsupported class"
        raise CheckpointError(
            f"checkpoint {path.name} needs {name} to unpickle, which is not on the safe allow-list; "
            f"if you trust this file, set {TRUSTED_GLOBALS_ENV}={name}") from None
    except (OSError, EOFError, RuntimeError, ValueError) as exc:
        raise CheckpointError(f"cannot read checkpoint {path.name}: {exc}") from exc
    if not isinstance(ckpt, dict) or "network_weights" not in ckpt:
        raise CheckpointError(f"checkpoint {path.name} has no 'network_weights' entry")
    weights = ckpt["network_weights"]
    if not isinstance(weights, dict) or not all(isinstance(v, torch.Tensor) for v in weights.values()):
        raise CheckpointError(f"checkpoint {path.name}: 'network_weights' is not a tensor dict")
    return weights


def validate_and_canonicalise(weights: dict[str, torch.Tensor], config: ModelConfig,
                              release: Callable[[torch.Tensor], None] = lambda _: None) -> dict[str, torch.Tensor]:
    """Check the full official key set and alias equality; return canonical tensors.

    ``release`` is called on every alias once it has been compared (its pages are not needed).

    Raises:
        CheckpointError: naming the first missing, unexpected, mis-shaped or diverging key.
    """
    expected = official_key_shapes(config)
    missing = sorted(set(expected) - set(weights))
    unexpected = sorted(set(weights) - set(expected))
    if missing:
        raise CheckpointError(f"checkpoint is missing key {missing[0]!r}"
                              + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""))
    if unexpected:
        raise CheckpointError(f"checkpoint has unexpected key {unexpected[0]!r}"
                              + (f" (and {len(unexpected) - 1} more)" if len(unexpected) > 1 else ""))
    canonical: dict[str, torch.Tensor] = {}
    for key, tensor in weights.items():
        if tuple(tensor.shape) != expected[key]:
            raise CheckpointError(
                f"checkpoint key {key!r} has shape {tuple(tensor.shape)}, expected {expected[key]}")
        name = canonical_key(key)
        if name in canonical:
            if not torch.equal(canonical[name], tensor):
                raise CheckpointError(f"checkpoint key {key!r} differs from its alias {name!r}")
            release(tensor)
            release(canonical[name])
        else:
            canonical[name] = tensor
    return canonical


def load_network(model_dir: str | Path, config: ModelConfig, trusted_globals: Iterable[str] = ()) -> VoxTellNetwork:
    """Build the network and load ``fold_0/checkpoint_final.pth`` (every key accounted for).

    Unused tensors (self-attention, ``norm1``, seg layers) are validated and then released:
    the returned network holds only what inference runs, in float32, on the CPU, in eval mode.
    """
    from voxtell.model.config import CHECKPOINT_FILE

    path = Path(model_dir) / CHECKPOINT_FILE
    weights = read_checkpoint(path, trusted_globals)
    release = MappedPageDropper(path)  # keeps the load peak near one copy of the weights
    canonical = validate_and_canonicalise(weights, config, release)
    del weights
    with torch.device("meta"):
        net = VoxTellNetwork(config)
    copies: dict[str, torch.Tensor] = {}
    state: dict[str, torch.Tensor] = {}
    for key in net.state_dict():
        name = canonical_key(key)
        if name not in copies:
            tensor = canonical[name]
            # A private float32 copy: releases the mmap'd file pages and every unused tensor.
            copies[name] = (tensor.to(dtype=torch.float32, copy=True) if tensor.is_floating_point()
                            else tensor.clone())
            release(tensor)
        state[key] = copies[name]
    del canonical
    net.load_state_dict(state, strict=True, assign=True)
    net.eval()
    for p in net.parameters():
        p.requires_grad_(False)
    return net


def official_state_dict(net: VoxTellNetwork, seed: int = 0) -> dict[str, torch.Tensor]:
    """Expand our network's weights to the official checkpoint layout (every alias and every
    unused tensor, the latter seeded random), e.g. to write a demo or benchmark checkpoint."""
    own = net.state_dict()
    generator = torch.Generator().manual_seed(seed)
    state: dict[str, torch.Tensor] = {}
    for key, shape in official_key_shapes(net.config).items():
        name = canonical_key(key)
        if name in own:
            state[key] = own[name].contiguous()
        else:
            state[key] = torch.randn(shape, generator=generator) * 0.02
    return state


def save_checkpoint(net: VoxTellNetwork, model_dir: str | Path) -> Path:
    """Write ``fold_0/checkpoint_final.pth`` (``{"network_weights": ...}``) for ``net``."""
    from voxtell.model.config import CHECKPOINT_FILE

    path = Path(model_dir) / CHECKPOINT_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"network_weights": official_state_dict(net)}, path)
    return path
