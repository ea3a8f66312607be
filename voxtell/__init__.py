"""VoxTell inference engine: free-text promptable 3D medical image segmentation.

``VoxTellPredictor`` and ``InferenceCancelled`` are imported lazily so that light-weight
consumers (``voxtell.io``, ``voxtell.postprocess``) do not pay for importing torch models.
"""

from typing import Any

__all__ = ["InferenceCancelled", "VoxTellPredictor"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    if name == "VoxTellPredictor":
        from voxtell.inference.predictor import VoxTellPredictor

        return VoxTellPredictor
    if name == "InferenceCancelled":
        from voxtell.errors import InferenceCancelled

        return InferenceCancelled
    raise AttributeError(name)
