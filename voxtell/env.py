"""Every environment variable the engine reads, in one place (the server's ``VOXTELL_*``
settings are ``backend/settings.py``).

| variable | meaning |
|---|---|
| ``VOXTELL_HOME`` | demo model, prompt cache, downloaded models (default ``~/.cache/voxtell-web``) |
| ``VOXTELL_MODEL`` | model folder (empty = unset) |
| ``VOXTELL_TRUSTED_CHECKPOINT_GLOBALS`` | extra classes a checkpoint may unpickle (comma-separated) |
| ``HF_ENDPOINT`` | Hugging Face mirror for downloads |
| ``PYTORCH_CUDA_ALLOC_CONF`` | set by :func:`configure_cuda_allocator` unless the user set it |
| ``VOXTELL_MALLOC_TUNING`` | ``0`` keeps glibc's default heap thresholds (see :func:`configure_cpu_allocator`) |
"""

from __future__ import annotations

import ctypes
import logging
import os
import sys
from pathlib import Path

logger = logging.getLogger("voxtell.env")

HOME_ENV = "VOXTELL_HOME"
MODEL_ENV = "VOXTELL_MODEL"
TRUSTED_GLOBALS_ENV = "VOXTELL_TRUSTED_CHECKPOINT_GLOBALS"
HUB_ENDPOINT_ENV = "HF_ENDPOINT"
DEFAULT_HUB = "https://huggingface.co"


def _get(name: str) -> str:
    return os.environ.get(name, "").strip()


def home_override() -> Path | None:
    """``$VOXTELL_HOME`` when set (non-empty), else None."""
    value = _get(HOME_ENV)
    return Path(value).expanduser() if value else None


def voxtell_home() -> Path:
    """``$VOXTELL_HOME`` or ``~/.cache/voxtell-web`` (demo model, prompt cache)."""
    return home_override() or Path.home() / ".cache" / "voxtell-web"


def model_override() -> Path | None:
    """``$VOXTELL_MODEL`` when set (non-empty), else None."""
    value = _get(MODEL_ENV)
    return Path(value).expanduser() if value else None


def trusted_globals() -> list[str]:
    """Names in ``$VOXTELL_TRUSTED_CHECKPOINT_GLOBALS``."""
    return [n.strip() for n in _get(TRUSTED_GLOBALS_ENV).split(",") if n.strip()]


def hub_endpoint(explicit: str | None = None) -> str:
    """Explicit endpoint > ``$HF_ENDPOINT`` > huggingface.co, without a trailing slash."""
    return (explicit or _get(HUB_ENDPOINT_ENV) or DEFAULT_HUB).rstrip("/")


def configure_cuda_allocator() -> None:
    """``expandable_segments`` for the CUDA caching allocator (fewer fragmentation OOMs on 3-D
    convolutions), unless the user chose otherwise. Entry points call it before CUDA starts;
    importing the library changes no environment."""
    os.environ.setdefault("PYTORCH_CUDA_ALLOC_CONF", "expandable_segments:True")


MALLOC_TUNING_ENV = "VOXTELL_MALLOC_TUNING"
# glibc keeps blocks below this in its heap (above: a fresh mmap per allocation). The fast path's
# temporaries are slabs of up to ~40 MB (192² x 32 channels x 8 rows at float32).
HEAP_BLOCK_LIMIT = 64 * 1024 * 1024
HEAP_TRIM_THRESHOLD = 128 * 1024 * 1024  # free heap memory kept for reuse before it is returned
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
_cpu_allocator_configured: bool | None = None


def configure_cpu_allocator() -> bool:
    """Let glibc reuse freed blocks of up to 64 MB instead of mapping fresh zero pages for each.

    With glibc's defaults every allocation over 32 MB is a new ``mmap``, so each slab-sized
    temporary of the network costs a page fault per 4 KB: measured on one full-size patch
    (2 cores), 1.56 M page faults and twice the time, for a peak RSS 4 % lower. Called when a
    predictor is built; a no-op outside glibc, when ``VOXTELL_MALLOC_TUNING=0``, or when the user
    set glibc's own ``MALLOC_MMAP_THRESHOLD_`` / ``MALLOC_TRIM_THRESHOLD_``. Returns whether the
    tuning is in effect."""
    global _cpu_allocator_configured
    if _cpu_allocator_configured is not None:
        return _cpu_allocator_configured
    _cpu_allocator_configured = False
    if (_get(MALLOC_TUNING_ENV) == "0" or not sys.platform.startswith("linux")
            or "MALLOC_MMAP_THRESHOLD_" in os.environ or "MALLOC_TRIM_THRESHOLD_" in os.environ):
        return False
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    _cpu_allocator_configured = bool(mallopt(_M_MMAP_THRESHOLD, HEAP_BLOCK_LIMIT)
                                     and mallopt(_M_TRIM_THRESHOLD, HEAP_TRIM_THRESHOLD))
    if not _cpu_allocator_configured:
        logger.debug("glibc refused the heap thresholds; keeping its defaults")
    return _cpu_allocator_configured
