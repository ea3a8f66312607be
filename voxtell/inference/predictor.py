"""``VoxTellPredictor``: the engine's public entry point (API of the official voxtell 0.1.2).

Construction is cheap-ish (reads the plans, loads and validates the checkpoint on the CPU);
the text backbone is loaded lazily on the first prompt that is neither in the embedding bank
nor in the persistent cache. The network moves to the compute device at first prediction.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from voxtell.env import configure_cpu_allocator
from voxtell.errors import InferenceCancelled, InvalidInputError
from voxtell.inference import preprocessing as prep
from voxtell.inference.batch import BatchMixin
from voxtell.inference.precision import autocast_dtype, default_accumulation_dtype, precision_name
from voxtell.inference.sliding_window import ProgressCallback, sliding_window_logits, threshold_into
from voxtell.model import ModelConfig, VoxTellNetwork, load_model_config, load_network
from voxtell.model.fast import FastForward

logger = logging.getLogger(__name__)

DEFAULT_TEXT_MODEL = "Qwen/Qwen3-Embedding-4B"
NoticeCallback = Callable[[str], None]
# What a prediction is doing, in order: "loading_text_model" (only when a prompt needs the text
# encoder and it is not loaded), "encoding_prompts", "segmenting" (preprocessing and the windows).
PhaseCallback = Callable[[str], None]


def default_device() -> torch.device:
    return torch.device("cuda") if torch.cuda.is_available() else torch.device("cpu")


def _is_oom(exc: BaseException) -> bool:
    return isinstance(exc, torch.OutOfMemoryError) or (
        isinstance(exc, RuntimeError) and "out of memory" in str(exc).lower())


def find_embedding_bank(model_dir: Path) -> Path | None:
    """The bank shipped with a model: ``<model>/text_embeddings.npz`` or the Hub layout
    ``<models>/embeddings/<model name>/text_embeddings.npz``."""
    for candidate in (model_dir / "text_embeddings.npz",
                      model_dir.parent / "embeddings" / model_dir.name / "text_embeddings.npz"):
        if candidate.is_file():
            return candidate
    return None


class VoxTellPredictor(BatchMixin):
    """Free-text promptable 3D segmentation.

    Args:
        model_dir: model folder (``plans.json``, ``fold_0/checkpoint_final.pth``, optional
            ``voxtell_hyperparameters.json``); ``None`` resolves it (argument >
            ``VOXTELL_MODEL`` > ``./models/voxtell_v1.1``).
        device: compute device; default CUDA when available, else CPU.
        text_encoding_model: Hugging Face id or folder of the text backbone; default the
            model's own ``text_encoder/`` folder if present (demo models), else Qwen3-Embedding-4B.
        embedding_bank: ``.npz`` path or ``{prompt: vector}`` dict of precomputed embeddings;
            default the bank shipped next to the model, if any.
        use_precomputed_embeddings: look for the shipped bank at all.
        hyperparameters: programmatic overrides of ``voxtell_hyperparameters.json``.
        cache_dir: folder of the persistent prompt-embedding cache (``None``: no disk cache).
        text_precision / text_placement / text_idle_unload_s: see :class:`voxtell.text.TextEncoder`
            (fp16 on CUDA, bf16 on CPU; ``offload`` on CUDA; unload after 10 idle minutes).
        reference: run the reference path (official algorithm, fp32 contiguous layout, decoder
            re-run per prompt, fp16 accumulators) instead of the default fast path.
        accumulation_dtype: sliding-window accumulator dtype; default float16 (as official);
            float32 avoids underflow in patch corners.
        cpu_bf16: bfloat16 autocast on the CPU fast path (faster only with AMX; less exact).
        notice_callback: receives human-readable notices (OOM fallbacks).
        phase_callback: receives the name of each phase a prediction enters (see ``PhaseCallback``);
            ``None`` costs nothing.
    """

    def __init__(
        self,
        model_dir: str | Path | None = None,
        device: torch.device | str | None = None,
        text_encoding_model: str | None = None,
        embedding_bank: str | Path | dict[str, np.ndarray] | None = None,
        use_precomputed_embeddings: bool = True,
        *,
        hyperparameters: dict[str, int] | None = None,
        cache_dir: str | Path | None = None,
        text_precision: str | None = None,
        text_placement: str | None = None,
        text_idle_unload_s: float | None = 600.0,
        reference: bool = False,
        cpu_bf16: bool = False,
        accumulation_dtype: torch.dtype | None = None,
        notice_callback: NoticeCallback | None = None,
        phase_callback: PhaseCallback | None = None,
    ) -> None:
        if model_dir is None:
            from voxtell.resolve import resolve_model_dir

            model_dir = resolve_model_dir(None)
        configure_cpu_allocator()  # before the first large tensor: see its docstring
        self.model_dir = Path(model_dir).expanduser()
        self.device = torch.device(device) if device is not None else default_device()
        self.config: ModelConfig = load_model_config(self.model_dir, hyperparameters)
        self.network: VoxTellNetwork = load_network(self.model_dir, self.config)
        self._network_device = torch.device("cpu")
        self.patch_size = self.config.patch_size
        self.tile_step_size = 0.5
        self.perform_everything_on_device = True
        self.reference = reference
        self.cpu_bf16 = cpu_bf16
        self._accumulation_dtype = accumulation_dtype
        self._fast: FastForward | None = None
        self.max_text_length = 8192
        self.notice_callback = notice_callback
        self.oom_fallbacks = 0  # notices said (each an out-of-memory fallback)
        self.phase_callback = phase_callback
        local_encoder = self.model_dir / "text_encoder"
        self.text_encoding_model = text_encoding_model or (
            str(local_encoder) if (local_encoder / "config.json").is_file() else DEFAULT_TEXT_MODEL)
        if embedding_bank is None and use_precomputed_embeddings:
            embedding_bank = find_embedding_bank(self.model_dir)
        self._bank_source = embedding_bank
        self._cache_dir = Path(cache_dir) if cache_dir is not None else None
        self._text_precision = text_precision
        self._text_placement = text_placement
        self._text_idle_unload_s = text_idle_unload_s
        self._embedder: Any = None

    # -- description ---------------------------------------------------------------------
    @property
    def is_demo(self) -> bool:
        return self.config.is_demo

    @property
    def precision(self) -> str:
        return precision_name(self.device, self.reference, self.cpu_bf16)

    @property
    def path(self) -> str:
        return "reference" if self.reference else "fast"

    @property
    def accumulation_dtype(self) -> torch.dtype:
        if self._accumulation_dtype is not None:
            return self._accumulation_dtype
        return default_accumulation_dtype(self.device, self.reference)

    @accumulation_dtype.setter
    def accumulation_dtype(self, value: torch.dtype | None) -> None:
        self._accumulation_dtype = value

    def info(self) -> dict[str, Any]:
        return {
            "model_name": self.config.name,
            "model_dir": str(self.model_dir),
            "demo": self.is_demo,
            "device": str(self.device),
            "precision": self.precision,
            "path": self.path,
            "accumulation_dtype": str(self.accumulation_dtype).replace("torch.", ""),
            "patch_size": list(self.patch_size),
            "tile_step_size": self.tile_step_size,
            "text_model": self.text_encoding_model,
            "counters": self.counters(),
        }

    def _phase(self, name: str) -> None:
        if self.phase_callback is not None:
            self.phase_callback(name)

    def counters(self) -> dict[str, int]:
        """Running totals of this predictor (for operators' metrics): out-of-memory fallbacks,
        text encoder loads, prompts found in the embedding bank / the prompt caches / encoded."""
        embedder = self._embedder
        counts = embedder.counts if embedder is not None else {}
        return {"oom_fallbacks": self.oom_fallbacks,
                "text_encoder_loads": embedder.encoder.load_count if embedder is not None else 0,
                "embedding_bank_hits": counts.get("bank_hits", 0), "prompt_cache_hits": counts.get("cache_hits", 0),
                "prompts_encoded": counts.get("encoded", 0)}

    def _notice(self, message: str) -> None:
        self.oom_fallbacks += 1  # every notice of the engine is an out-of-memory fallback
        logger.warning(message)
        if self.notice_callback is not None:
            self.notice_callback(message)

    # -- text ------------------------------------------------------------------------------
    @property
    def embedder(self) -> Any:
        """The :class:`voxtell.text.PromptEmbedder` (constructed on first use; cheap)."""
        if self._embedder is None:
            from voxtell.text import PromptEmbedder

            self._embedder = PromptEmbedder(
                self.text_encoding_model, self.device, precision=self._text_precision,
                placement=self._text_placement, idle_unload_s=self._text_idle_unload_s,
                bank=self._bank_source, cache_dir=self._cache_dir)
        return self._embedder

    def embed_text_prompts(self, prompts: str | Sequence[str]) -> torch.Tensor:
        """Prompts -> ``(1, N, D_t)`` float32 embeddings on the predictor's device."""
        prompts = [prompts] if isinstance(prompts, str) else list(prompts)
        if not prompts or any(not isinstance(p, str) or not p.strip() for p in prompts):
            raise InvalidInputError("prompts must be a non-empty list of non-empty strings")
        if self.phase_callback is not None:  # only then is it worth asking what embedding will take
            if not self.embedder.is_loaded and self.embedder.needs_encoder(prompts):
                self._phase("loading_text_model")
                self.embedder.load_encoder()
            self._phase("encoding_prompts")
        if self._network_must_make_room_for_text(prompts):
            self._network_off_device()
        emb = self.embedder.embed(prompts)
        return torch.as_tensor(emb, dtype=torch.float32)[None].to(self.device)

    def _network_must_make_room_for_text(self, prompts: Sequence[str]) -> bool:
        """The offloaded text encoder is about to run on the GPU that holds the network: its fp16
        weights (Qwen3-Embedding-4B: 7.5 GiB) beside the network's (1.3 GiB) would not fit in
        8 GiB, so the network leaves the GPU while the prompts are encoded (and comes back for
        the next window, through :meth:`_network_on_device`)."""
        return (self.device.type == "cuda" and self._network_device == self.device
                and self.embedder.encoder.placement == "offload" and self.embedder.needs_encoder(prompts))

    def _network_off_device(self) -> None:
        self.network.to("cpu")
        self._network_device = torch.device("cpu")
        self._fast = None
        if torch.cuda.is_available():
            torch.cuda.empty_cache()  # the freed weights' blocks go back, for the encoder to use

    def vocabulary(self) -> list[str]:
        """Prompts of the embedding bank (sorted), for autocomplete."""
        return list(self.embedder.vocabulary())

    def list_available_embeddings(self) -> list[str]:
        return self.vocabulary()

    # -- network ---------------------------------------------------------------------------
    def _network_on_device(self) -> VoxTellNetwork:
        if self._network_device != self.device:
            self.network.to(self.device)
            self._network_device = self.device
            self._fast = None
            if self.device.type == "cuda":
                torch.backends.cudnn.benchmark = True
        return self.network

    def _forward(self) -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
        """The network call of the active path: ``(x (1,1,P...), text (1,N,D)) -> (N, P...)``."""
        net = self._network_on_device()
        if self.reference:
            self._fast = None
            # The fast path left its weights channels-last (also after a move between devices,
            # which drops the fast path object): the reference runs the official layout.
            if any(p.dim() == 5 and not p.is_contiguous() for p in net.parameters()):
                net.to(memory_format=torch.contiguous_format)
            return lambda x, text: net(x, text)[0]
        if self._fast is None:
            self._fast = FastForward(net)
        return self._fast

    def _net_fn(self, embeddings: torch.Tensor) -> Callable[[torch.Tensor], torch.Tensor]:
        forward = self._forward()
        emb = embeddings.to(self.device, torch.float32)
        dtype = autocast_dtype(self.device, self.reference, self.cpu_bf16)

        def run(patch: torch.Tensor) -> torch.Tensor:
            with torch.inference_mode(), torch.autocast(
                    self.device.type, dtype=dtype or torch.float32, enabled=dtype is not None):
                return forward(patch.to(self.device, non_blocking=True), emb)

        return run

    def predict_sliding_window_return_logits(
        self, img_tensor: torch.Tensor, text_embeddings: torch.Tensor,
        progress_callback: ProgressCallback | None = None, tile_step_size: float | None = None,
    ) -> torch.Tensor:
        """Logits ``(N, S0, S1, S2)`` for a normalised, padded ``(C, S0, S1, S2)`` tensor;
        ``tile_step_size`` overrides the predictor's for this call."""
        if not isinstance(img_tensor, torch.Tensor) or img_tensor.ndim != 4:
            raise ValueError("img_tensor must be a 4-D torch tensor (C, A0, A1, A2)")
        on_device = self.perform_everything_on_device
        image = img_tensor.to(self.device if on_device else torch.device("cpu"))
        return sliding_window_logits(
            self._net_fn(text_embeddings), image, self.patch_size,
            tile_step_size=self.tile_step_size if tile_step_size is None else tile_step_size,
            accumulation_dtype=self.accumulation_dtype,
            accumulation_device=self.device if on_device else torch.device("cpu"),
            progress_callback=progress_callback)

    # -- the main call ---------------------------------------------------------------------
    def _prepare_image(self, data: np.ndarray) -> tuple[torch.Tensor, prep.CropInfo, tuple[slice, ...]]:
        arr = np.asarray(data)
        if arr.ndim == 3:
            arr = arr[None]
        if arr.ndim != 4:
            raise InvalidInputError(f"expected a 3-D image (or 1 x 3-D), got shape {arr.shape}")
        if arr.shape[0] != 1:
            raise InvalidInputError(f"the network takes 1 channel, the image has {arr.shape[0]}")
        if not np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.complexfloating):
            raise InvalidInputError(f"unsupported image dtype {arr.dtype}")
        as_float = arr.astype(np.float32, copy=False)
        cropped, crop = prep.crop_to_nonzero(as_float)
        # A float copy made just here may be normalised in place (the caller's array never is).
        normalised = prep.zscore(cropped, in_place=as_float is not arr)
        if not np.all(np.isfinite(normalised)):
            raise InvalidInputError("the image contains NaN or infinite values")
        padded, unpad = prep.pad_to_patch(normalised, self.patch_size)
        return torch.from_numpy(np.ascontiguousarray(padded)), crop, unpad

    def _resolve_embeddings(self, text_prompts: str | Sequence[str] | None,
                            text_embeddings: torch.Tensor | np.ndarray | None) -> torch.Tensor:
        if text_embeddings is not None:
            emb = torch.as_tensor(text_embeddings, dtype=torch.float32)
            if emb.ndim == 2:
                emb = emb[None]
            if emb.ndim == 4 and emb.shape[2] == 1:
                emb = emb.squeeze(2)
            dim = self.config.hyper.text_embedding_dim
            if emb.ndim != 3 or emb.shape[0] != 1 or emb.shape[2] != dim or emb.shape[1] == 0:
                raise InvalidInputError(f"text_embeddings must be (1, N, {dim}), got {tuple(emb.shape)}")
            return emb
        if text_prompts is None:
            raise ValueError("give text_prompts or text_embeddings")
        return self.embed_text_prompts(text_prompts)

    def predict_single_image(
        self,
        data: np.ndarray,
        text_prompts: str | Sequence[str] | None = None,
        text_embeddings: torch.Tensor | np.ndarray | None = None,
        progress_callback: ProgressCallback | None = None,
        tile_step_size: float | None = None,
    ) -> np.ndarray:
        """Segment a RAS array for every prompt.

        Args:
            data: ``(A0, A1, A2)`` or ``(1, A0, A1, A2)`` RAS array (see ``voxtell.io.read_volume``).
            text_prompts: a prompt or list of prompts, or
            text_embeddings: precomputed ``(1, N, D_t)`` embeddings.
            progress_callback: ``cb(done, total)`` after each window; ``False`` cancels.
            tile_step_size: window step for this call (default: the predictor's ``tile_step_size``);
                a shared predictor is never changed, so concurrent callers cannot disturb each other.

        Returns:
            ``(N, A0, A1, A2)`` uint8 masks (0/1), prompts in input order.
        """
        emb = self._resolve_embeddings(text_prompts, text_embeddings)
        self._phase("segmenting")
        image, crop, unpad = self._prepare_image(data)
        n_prompts = emb.shape[1]
        # The answer in the caller's shape; each batch is thresholded straight into its crop box
        # (no padded, cropped and un-cropped copies of N full-size masks).
        masks, in_box = prep.uncropped_output(n_prompts, crop)
        batch = n_prompts
        start = 0
        progress = _BatchedProgress(progress_callback, n_prompts)
        original_flag = self.perform_everything_on_device
        try:
            while start < n_prompts:
                size = min(batch, n_prompts - start)
                try:
                    progress.begin(start, size)
                    logits = self.predict_sliding_window_return_logits(
                        image, emb[:, start:start + size], progress, tile_step_size)
                except InferenceCancelled:
                    raise
                except Exception as exc:
                    if self.device.type != "cuda" or not _is_oom(exc):
                        raise
                    gc.collect()
                    torch.cuda.empty_cache()
                    if size > 1:
                        batch = max(1, size // 2)
                        self._notice(f"Low GPU memory - reducing batch to {batch}...")
                    elif self.perform_everything_on_device:
                        self.perform_everything_on_device = False
                        self._notice("Low GPU memory - accumulating on the CPU for this prompt...")
                    else:
                        raise
                    continue
                threshold_into(logits[(slice(None), *unpad[1:])], in_box[start:start + size])
                del logits
                start += size
                self.perform_everything_on_device = original_flag
        finally:
            self.perform_everything_on_device = original_flag
        return masks


class _BatchedProgress:
    """Presents progress over several prompt batches as one ``done/total`` count."""

    def __init__(self, callback: ProgressCallback | None, n_prompts: int) -> None:
        self.callback = callback
        self.n_prompts = n_prompts
        self.start = 0
        self.size = n_prompts

    def begin(self, start: int, size: int) -> None:
        self.start, self.size = start, size

    def __call__(self, done: int, total: int) -> object:
        if self.callback is None:
            return None
        if self.size == self.n_prompts:
            return self.callback(done, total)
        # Weighted by prompts: a batch of k prompts is k/N of the whole job.
        grand_total = total * self.n_prompts
        return self.callback(self.start * total + done * self.size, grand_total)
