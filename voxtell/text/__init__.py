"""Text path: Qwen3-Embedding encoder, embedding bank and persistent prompt cache."""

from voxtell.text.bank import EmbeddingBankError, load_embedding_bank, save_embedding_bank
from voxtell.text.cache import PromptCache
from voxtell.text.embedder import PromptEmbedder
from voxtell.text.encoder import TextEncoder

__all__ = [
    "EmbeddingBankError",
    "PromptCache",
    "PromptEmbedder",
    "TextEncoder",
    "load_embedding_bank",
    "save_embedding_bank",
]
