"""VoxTell network definition, configuration and checkpoint loading."""

from voxtell.model.checkpoint import (
    CheckpointError,
    load_network,
    official_key_shapes,
    official_state_dict,
    save_checkpoint,
)
from voxtell.model.config import HyperParameters, ModelConfig, ModelConfigError, load_model_config
from voxtell.model.network import VoxTellNetwork

__all__ = [
    "CheckpointError",
    "HyperParameters",
    "ModelConfig",
    "ModelConfigError",
    "VoxTellNetwork",
    "load_model_config",
    "load_network",
    "official_key_shapes",
    "official_state_dict",
    "save_checkpoint",
]
