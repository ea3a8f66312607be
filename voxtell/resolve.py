"""Where models live: model-directory resolution and the demo-model fallback."""

from __future__ import annotations

import logging
from pathlib import Path

from voxtell.env import MODEL_ENV, home_override, model_override, voxtell_home
from voxtell.model.config import CHECKPOINT_FILE, PLANS_FILE

logger = logging.getLogger(__name__)

__all__ = ["ModelNotFoundError", "find_demo_or_real_model", "resolve_model_dir", "voxtell_home"]
DEFAULT_MODEL_NAME = "voxtell_v1.1"


class ModelNotFoundError(FileNotFoundError):
    """No model directory could be found; the message says how to get one."""


def default_models_dir() -> Path:
    return Path("models")


def check_model_dir(path: Path) -> Path:
    """A model folder must hold plans.json and fold_0/checkpoint_final.pth."""
    if not path.is_dir():
        raise ModelNotFoundError(f"model directory {path} does not exist")
    for name in (PLANS_FILE, CHECKPOINT_FILE):
        if not (path / name).is_file():
            raise ModelNotFoundError(f"model directory {path} has no {name}")
    return path


def resolve_model_dir(explicit: str | Path | None = None) -> Path:
    """Explicit argument > ``$VOXTELL_MODEL`` (empty = unset) > ``./models/voxtell_v1.1``
    (then ``$VOXTELL_HOME/models/voxtell_v1.1``, where ``download_model.py`` puts it) > error."""
    if explicit is not None and str(explicit).strip():
        return check_model_dir(Path(explicit).expanduser())
    env = model_override()
    if env is not None:
        return check_model_dir(env)
    default = default_models_dir() / DEFAULT_MODEL_NAME
    if default.is_dir():
        return check_model_dir(default)
    home = home_override()
    if home is not None:
        home_model = home / "models" / DEFAULT_MODEL_NAME
        if home_model.is_dir():
            return check_model_dir(home_model)
    raise ModelNotFoundError(
        f"no VoxTell model found (no -m/--model, no ${MODEL_ENV}, no ./{default}); "
        "run `python download_model.py` to fetch voxtell_v1.1")


def find_demo_or_real_model(explicit: str | Path | None = None) -> tuple[Path, bool]:
    """The real model if one resolves, else a demo model (created on first use).

    Returns ``(model_dir, is_demo)``. An explicit or ``$VOXTELL_MODEL`` path that is broken
    is an error, not a reason to fall back silently.
    """
    if (explicit is not None and str(explicit).strip()) or model_override() is not None:
        return resolve_model_dir(explicit), False
    try:
        return resolve_model_dir(None), False
    except ModelNotFoundError:
        from voxtell.demo import DEMO_NOTICE, ensure_demo_model

        demo = ensure_demo_model(voxtell_home() / "demo-model")
        logger.warning("no real VoxTell model found: using the %s", DEMO_NOTICE)
        return demo, True
