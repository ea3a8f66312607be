"""Inference: preprocessing, sliding window and the predictor."""

from voxtell.errors import InferenceCancelled, InvalidInputError

__all__ = ["InferenceCancelled", "InvalidInputError"]
