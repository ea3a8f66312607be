"""The Qwen3-Embedding text backbone: lazy loading, precision, placement and idle unloading.

Text path (spec §5): lower-cased prompts wrapped in the instruction template, tokenised with
left padding (``max_length`` 8192, truncation), at most 32 prompts per forward, last-token
pooling, float32 output, no normalisation.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import torch

from voxtell.text.template import normalise_prompt, wrap_prompt

logger = logging.getLogger(__name__)

PLACEMENTS = ("gpu", "offload", "cpu")
PRECISIONS = {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}
CHUNK = 32
MAX_LENGTH = 8192


def default_precision(device: torch.device) -> str:
    """fp16 on CUDA (half the memory of fp32); bf16 on CPU (fp16 matmuls are slow there)."""
    return "fp16" if device.type == "cuda" else "bf16"


def default_placement(device: torch.device) -> str:
    return "offload" if device.type == "cuda" else "cpu"


def _load_tokenizer(source: str) -> Any:
    from transformers import AutoTokenizer, PreTrainedTokenizerFast

    try:
        tok = AutoTokenizer.from_pretrained(source, padding_side="left")
    except (ValueError, OSError, KeyError, TypeError) as exc:
        tok_file = Path(source) / "tokenizer.json"
        if not tok_file.is_file():
            raise
        logger.info("AutoTokenizer rejected the tokenizer (%s); using tokenizer.json directly", type(exc).__name__)
        tok = PreTrainedTokenizerFast(tokenizer_file=str(tok_file), pad_token="<|endoftext|>",
                                      eos_token="<|endoftext|>", model_max_length=MAX_LENGTH)
    tok.padding_side = "left"
    return tok


class TextEncoder:
    """Qwen3-Embedding backbone, loaded on first :meth:`encode`.

    Args:
        source: Hugging Face id or local folder.
        device: the compute device of the predictor.
        precision: ``fp32`` | ``fp16`` | ``bf16`` (default: fp16 on CUDA, bf16 on CPU).
        placement: ``gpu`` (stay on the GPU), ``offload`` (GPU only while encoding), ``cpu``.
        idle_unload_s: free the backbone after this many idle seconds (``None``/0: never).
        clock: time source (tests inject one).
    """

    def __init__(self, source: str, device: torch.device, *, precision: str | None = None,
                 placement: str | None = None, idle_unload_s: float | None = 600.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.source = source
        self.device = device
        self.precision = precision or default_precision(device)
        if self.precision not in PRECISIONS:
            raise ValueError(f"text precision must be one of {sorted(PRECISIONS)}, got {self.precision!r}")
        self.placement = placement or default_placement(device)
        if self.placement not in PLACEMENTS:
            raise ValueError(f"text placement must be one of {PLACEMENTS}, got {self.placement!r}")
        if device.type != "cuda":
            self.placement = "cpu"
        self.idle_unload_s = idle_unload_s
        self.clock = clock
        self.encode_calls = 0
        self.load_count = 0
        self.last_used: float | None = None
        self._model: Any = None
        self._tokenizer: Any = None
        self._lock = threading.RLock()
        self._timer: threading.Timer | None = None

    @property
    def identity(self) -> str:
        """Cache key part: which backbone and precision produced an embedding."""
        return f"{self.source}|{self.precision}"

    @property
    def is_loaded(self) -> bool:
        return self._model is not None

    @property
    def location(self) -> str | None:
        """``None`` when unloaded, else the device type the weights are on."""
        if self._model is None:
            return None
        return next(self._model.parameters()).device.type

    def load(self) -> None:
        """Load the backbone now, if it is not loaded (:meth:`encode` does it otherwise)."""
        with self._lock:
            if self._model is None:
                self._load()

    def _load(self) -> None:
        from transformers import AutoModel
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        started = time.perf_counter()
        self._tokenizer = _load_tokenizer(self.source)
        model = AutoModel.from_pretrained(self.source, dtype=PRECISIONS[self.precision])
        model.eval()
        model.requires_grad_(False)
        if self.placement == "gpu":
            model.to(self.device)
        self._model = model
        self.load_count += 1
        logger.info("text encoder loaded (%s, %s, placement %s) in %.1f s",
                    self.source, self.precision, self.placement, time.perf_counter() - started)

    def unload(self) -> None:
        """Free the backbone entirely (it reloads on the next prompt that needs it)."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if self._model is None:
                return
            self._model = None
            self._tokenizer = None
            gc.collect()
            if torch.cuda.is_available():
                torch.cuda.empty_cache()
            logger.info("text encoder unloaded")

    def unload_if_idle(self) -> bool:
        """Unload when idle for ``idle_unload_s``; returns whether it unloaded."""
        with self._lock:
            if (self._model is None or not self.idle_unload_s or self.last_used is None
                    or self.clock() - self.last_used < self.idle_unload_s):
                return False
            self.unload()
            return True

    def _arm_idle_timer(self) -> None:
        if not self.idle_unload_s:
            return
        if self._timer is not None:
            self._timer.cancel()
        self._timer = threading.Timer(self.idle_unload_s, self.unload_if_idle)
        self._timer.daemon = True
        self._timer.start()

    @torch.inference_mode()
    def encode(self, prompts: Sequence[str]) -> torch.Tensor:
        """Prompts -> ``(N, D)`` float32 CPU tensor, in input order."""
        with self._lock:
            if self._model is None:
                self._load()
            model, tok = self._model, self._tokenizer
            run_device = self.device if self.placement in ("gpu", "offload") else torch.device("cpu")
            if self.placement == "offload":
                model.to(run_device)
            try:
                texts = [wrap_prompt(normalise_prompt(p)) for p in prompts]
                out = []
                for start in range(0, len(texts), CHUNK):
                    batch = tok(texts[start:start + CHUNK], padding=True, truncation=True,
                                max_length=MAX_LENGTH, return_tensors="pt")
                    ids = batch["input_ids"].to(run_device)
                    mask = batch["attention_mask"].to(run_device)
                    hidden = model(input_ids=ids, attention_mask=mask).last_hidden_state
                    out.append(last_token_pool(hidden, mask).float().cpu())
                    self.encode_calls += 1
            finally:
                if self.placement == "offload":
                    model.to("cpu")
                    if torch.cuda.is_available():
                        torch.cuda.empty_cache()
            self.last_used = self.clock()
            self._arm_idle_timer()
            return torch.cat(out)


def last_token_pool(hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """``hidden`` (B, L, D), ``mask`` (B, L) -> (B, D): the last non-padding token of each row."""
    if bool(mask[:, -1].all()):
        return hidden[:, -1]
    lengths = mask.sum(dim=1) - 1
    return hidden[torch.arange(hidden.shape[0], device=hidden.device), lengths]
