"""``PromptEmbedder``: prompts -> embeddings, from the bank, the persistent cache or the encoder.

Lookup order per prompt (after lower-casing): embedding bank -> persistent cache -> session
memo -> text encoder. The encoder is loaded only if at least one prompt is missing everywhere.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import torch

from voxtell.text.bank import load_embedding_bank
from voxtell.text.cache import PromptCache
from voxtell.text.encoder import TextEncoder
from voxtell.text.template import normalise_prompt

logger = logging.getLogger(__name__)


class PromptEmbedder:
    """Embeds prompts for the predictor.

    Args:
        text_model: Hugging Face id or folder of the Qwen3-Embedding backbone.
        device: compute device of the predictor (the encoder's placement policy uses it).
        precision, placement, idle_unload_s: see :class:`TextEncoder`.
        bank: ``.npz`` path or ``{prompt: vector}`` dict (``None``: no bank).
        cache_dir: folder of the persistent SQLite cache (``None``: in-memory only).
    """

    def __init__(self, text_model: str = "Qwen/Qwen3-Embedding-4B", device: torch.device | None = None, *,
                 precision: str | None = None, placement: str | None = None,
                 idle_unload_s: float | None = 600.0,
                 bank: str | Path | dict[str, np.ndarray] | None = None,
                 cache_dir: str | Path | None = None,
                 clock: Callable[[], float] | None = None) -> None:
        device = device or torch.device("cpu")
        kwargs = {"clock": clock} if clock is not None else {}
        self.encoder = TextEncoder(text_model, device, precision=precision, placement=placement,
                                   idle_unload_s=idle_unload_s, **kwargs)
        if isinstance(bank, dict):
            self.bank = {normalise_prompt(k): np.asarray(v) for k, v in bank.items()}
        elif bank is not None:
            self.bank = load_embedding_bank(bank)
        else:
            self.bank = {}
        self.cache = PromptCache(cache_dir) if cache_dir is not None else None
        self._memo: dict[str, np.ndarray] = {}
        # What embedding took, per distinct prompt of each call: found in the bank, found in this
        # session's memo or the persistent cache, or run through the encoder.
        self.counts = {"bank_hits": 0, "cache_hits": 0, "encoded": 0}

    @property
    def is_loaded(self) -> bool:
        return self.encoder.is_loaded

    @property
    def encode_calls(self) -> int:
        return self.encoder.encode_calls

    def unload(self) -> None:
        self.encoder.unload()

    def vocabulary(self) -> list[str]:
        """The bank's prompts, sorted."""
        return sorted(self.bank)

    def needs_encoder(self, prompts: Sequence[str]) -> bool:
        """Whether embedding ``prompts`` runs the text encoder (a prompt is in neither the bank,
        this session's memo nor the persistent cache)."""
        return bool(self._lookup(prompts)[1])

    def load_encoder(self) -> None:
        """Load the text encoder now (it is otherwise loaded by the first prompt needing it)."""
        self.encoder.load()

    def _lookup(self, prompts: Sequence[str]) -> tuple[dict[str, np.ndarray], list[str]]:
        """(vectors found without the encoder by normalised prompt, normalised prompts missing)."""
        keys = [normalise_prompt(p) for p in prompts]
        found: dict[str, np.ndarray] = {k: self.bank[k] for k in keys if k in self.bank}
        missing = [k for k in dict.fromkeys(keys) if k not in found]
        found.update({k: self._memo[k] for k in missing if k in self._memo})
        missing = [k for k in missing if k not in found]
        if missing and self.cache is not None:
            found.update(self.cache.get(self.encoder.identity, missing))
            missing = [k for k in missing if k not in found]
        return found, missing

    def embed(self, prompts: Sequence[str]) -> torch.Tensor:
        """Prompts -> ``(N, D_t)`` float32 CPU tensor, in input order."""
        keys = [normalise_prompt(p) for p in prompts]
        found, missing = self._lookup(prompts)
        distinct = set(keys)
        in_bank = sum(1 for k in distinct if k in self.bank)
        self.counts["bank_hits"] += in_bank
        self.counts["cache_hits"] += len(distinct) - in_bank - len(missing)
        self.counts["encoded"] += len(missing)
        if missing:
            logger.info("encoding %d prompt(s) with the text backbone", len(missing))
            encoded = self.encoder.encode(missing).numpy()
            fresh = {k: encoded[i] for i, k in enumerate(missing)}
            found.update(fresh)
            self._memo.update(fresh)
            if self.cache is not None:
                self.cache.put(self.encoder.identity, fresh)
        return torch.from_numpy(np.stack([np.asarray(found[k], dtype=np.float32) for k in keys]))
