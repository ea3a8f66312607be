"""Embedding bank: precomputed prompt embeddings in the official ``.npz`` format (spec §5.6).

The file holds ``labels`` (M,) unicode and ``embeddings`` (M, D_t) float16. Keys are
lower-cased; if two labels lower-case to the same key, the later one wins.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from voxtell.text.template import normalise_prompt


class EmbeddingBankError(ValueError):
    """The bank file cannot be read or has the wrong layout."""


def load_embedding_bank(path: str | Path) -> dict[str, np.ndarray]:
    """Read a bank file into ``{lower-cased prompt: (D_t,) float16 vector}``."""
    path = Path(path).expanduser()
    try:
        with np.load(path, allow_pickle=False) as data:
            labels = data["labels"]
            embeddings = data["embeddings"]
    except FileNotFoundError:
        raise
    except (OSError, KeyError, ValueError) as exc:
        raise EmbeddingBankError(f"cannot read embedding bank {path.name}: {exc}") from None
    if embeddings.ndim != 2 or len(labels) != embeddings.shape[0]:
        raise EmbeddingBankError(
            f"embedding bank {path.name}: {len(labels)} labels for embeddings of shape {embeddings.shape}")
    return {normalise_prompt(str(label)): embeddings[i] for i, label in enumerate(labels)}


def save_embedding_bank(path: str | Path, bank: dict[str, np.ndarray]) -> Path:
    """Write ``{prompt: vector}`` in the official format (float16 embeddings)."""
    path = Path(path)
    labels = np.array(list(bank), dtype=np.str_)
    embeddings = np.stack([np.asarray(v, dtype=np.float16) for v in bank.values()])
    np.savez(path, labels=labels, embeddings=embeddings)
    return path
