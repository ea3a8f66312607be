"""The engine's exceptions, in one place.

:class:`InvalidInputError` is the base of every "the user's data is wrong" error: each reader
converts the library errors it can provoke (nibabel, pydicom, SimpleITK, numpy) into it, with a
message that names the problem, so a caller needs one ``except`` for "the input is bad" and
anything else is a bug or an environment fault (a server shows it as an internal error).
"""

from __future__ import annotations


class VoxTellError(Exception):
    """Base of the engine's own exceptions."""


class InvalidInputError(VoxTellError, ValueError):
    """The image, series or prompts cannot be processed; the message says why."""


class InvalidImageError(InvalidInputError):
    """The file is not an image the engine can read (header, body or geometry is wrong)."""


class UnsafeInputError(InvalidInputError):
    """The file asks the reader to go outside itself (an external data file, a pattern)."""


class ComputeBudgetExceeded(InvalidInputError):
    """The image needs more sliding windows than the configured budget allows."""


class InferenceCancelled(VoxTellError, RuntimeError):
    """The progress callback returned ``False``; partial results were discarded."""
