"""Inference: preprocessing, sliding window and the predictor."""

from voxtell.inference.exceptions import InferenceCancelled, InvalidInputError

__all__ = ["InferenceCancelled", "InvalidInputError"]
