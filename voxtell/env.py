"""Every environment variable the engine reads, in one place (the server's ``VOXTELL_*``
settings are ``backend/settings.py``).

| variable | meaning |
|---|---|
| ``VOXTELL_HOME`` | demo model, prompt cache, downloaded models (default ``~/.cache/voxtell-web``) |
| ``VOXTELL_MODEL`` | model folder (empty = unset) |
| ``VOXTELL_TRUSTED_CHECKPOINT_GLOBALS`` | extra classes a checkpoint may unpickle (comma-separated) |
| ``HF_ENDPOINT`` | Hugging Face mirror for downloads |
| ``PYTORCH_CUDA_ALLOC_CONF`` | set by :func:`configure_cuda_allocator` unless the user set it |
"""

from __future__ import annotations

import os
from pathlib import Path

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
