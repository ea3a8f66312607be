"""Exceptions raised by the inference engine."""


class InferenceCancelled(RuntimeError):
    """The progress callback returned ``False``; partial results were discarded."""


class InvalidInputError(ValueError):
    """The image or prompts given to the predictor cannot be processed (message says why)."""
