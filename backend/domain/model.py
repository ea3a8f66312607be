"""What an API node in distributed mode knows of the model without loading it: the model
folder's metadata (name, patch size, demo flag) and the embedding-bank vocabulary. The
network and the text encoder live in the workers only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from backend.settings import Settings


class ModelCatalog:
    """``info()``, ``vocabulary()`` and ``is_demo`` as the predictor gives them; never predicts."""

    def __init__(self, model_dir: Path, is_demo: bool) -> None:
        from voxtell.inference.predictor import find_embedding_bank
        from voxtell.model.config import load_model_config
        from voxtell.text.bank import load_embedding_bank

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
    from voxtell.resolve import find_demo_or_real_model

    model_dir, is_demo = find_demo_or_real_model(settings.model)
    return ModelCatalog(model_dir, is_demo)
