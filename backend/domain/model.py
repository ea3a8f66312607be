"""The model as the server sees it: the ``Predictor`` protocol (what it needs of the engine), a
typed ``ModelInfo``, the default predictor of a node that runs jobs, and the ``ModelCatalog`` of
an API node in distributed mode (metadata and vocabulary without loading the network)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from backend.settings import Settings

logger = logging.getLogger("backend")


class Predictor(Protocol):
    """What the server needs from ``voxtell.api.VoxTellPredictor`` (tests pass fakes).

    ``notice_callback`` and ``phase_callback`` are set by the job executor while one of its jobs
    runs (the predictor runs one job at a time): the engine's notices (an out-of-memory fallback)
    and its phases (``loading_text_model``, ``encoding_prompts``, ``segmenting``)."""

    notice_callback: Callable[[str], None] | None
    phase_callback: Callable[[str], None] | None

    @property
    def is_demo(self) -> bool: ...

    def predict_single_image(self, data: Any, text_prompts: Any = None, text_embeddings: Any = None,
                             progress_callback: Any = None, tile_step_size: float | None = None) -> Any:
        """``tile_step_size`` is passed only when a job asks for one (fakes may omit it)."""

    def info(self) -> dict[str, Any]: ...

    def vocabulary(self) -> list[str]: ...


@dataclass(frozen=True)
class ModelInfo:
    """``Predictor.info()`` read once, with the defaults of a predictor that leaves a field out."""

    model_name: str = "voxtell"
    demo: bool = False
    device: str = "cpu"
    precision: str = "fp32"
    path: str = "fast"
    patch_size: tuple[int, ...] = ()
    tile_step_size: float = 0.5
    counters: tuple[tuple[str, int], ...] = ()  # the engine's running totals (``VoxTellPredictor.counters``)

    @classmethod
    def of(cls, predictor: Predictor) -> ModelInfo:
        raw = predictor.info()
        step = getattr(predictor, "tile_step_size", None) or raw.get("tile_step_size") or 0.5
        return cls(model_name=str(raw.get("model_name") or "voxtell"), demo=bool(raw.get("demo", False)),
                   device=str(raw.get("device") or "cpu"), precision=str(raw.get("precision") or "fp32"),
                   path=str(raw.get("path") or "fast"),
                   patch_size=tuple(int(p) for p in raw.get("patch_size") or ()), tile_step_size=float(step),
                   counters=tuple((str(k), int(v)) for k, v in (raw.get("counters") or {}).items()))

    def public(self) -> dict[str, Any]:
        """What the start-up log says (no paths)."""
        return {"model_name": self.model_name, "demo": self.demo, "device": self.device,
                "precision": self.precision, "path": self.path, "patch_size": list(self.patch_size)}


def default_predictor(settings: Settings) -> Predictor:
    """The real model if one resolves, else the demo model (said in the log)."""
    from voxtell.api import DEMO_NOTICE, VoxTellPredictor, find_demo_or_real_model, voxtell_home

    model_dir, is_demo = find_demo_or_real_model(settings.model)
    device = None if settings.device == "auto" else settings.device
    predictor = VoxTellPredictor(model_dir, device=device, cache_dir=settings.cache_dir or voxtell_home() / "cache")
    if predictor.is_demo or is_demo:
        logger.warning(DEMO_NOTICE)
    return predictor  # type: ignore[no-any-return]


class ModelCatalog:
    """What an API node in distributed mode knows of the model without loading it: ``info()``,
    ``vocabulary()`` and ``is_demo`` as the predictor gives them; never predicts (the network and
    the text encoder live in the workers only)."""

    notice_callback: Callable[[str], None] | None = None
    phase_callback: Callable[[str], None] | None = None

    def __init__(self, model_dir: Path, is_demo: bool) -> None:
        from voxtell.api import find_embedding_bank, load_embedding_bank, load_model_config

        self.model_dir = model_dir
        self.config = load_model_config(model_dir)
        self._demo = is_demo or self.config.is_demo
        bank = find_embedding_bank(model_dir)
        self._vocabulary = sorted(load_embedding_bank(bank)) if bank is not None else []

    @property
    def is_demo(self) -> bool:
        return self._demo

    def info(self) -> dict[str, Any]:
        return {"model_name": self.config.name, "demo": self._demo, "device": "workers", "precision": "by worker",
                "path": "fast", "patch_size": list(self.config.patch_size), "tile_step_size": 0.5}

    def vocabulary(self) -> list[str]:
        return list(self._vocabulary)

    def predict_single_image(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("an API node in distributed mode does not run the network; workers do")


def catalog_for(settings: Settings) -> ModelCatalog:
    from voxtell.api import find_demo_or_real_model

    model_dir, is_demo = find_demo_or_real_model(settings.model)
    return ModelCatalog(model_dir, is_demo)
