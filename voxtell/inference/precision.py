"""Choice of compute precision (measured in bench/, see docs/performance.md).

* CUDA: float16 autocast, as the official implementation.
* CPU: float32 by default. bfloat16 autocast is available on request (``cpu_bf16=True``) and
  only pays on CPUs with AMX; even there it is not the default, because its masks agree with
  the float32 reference on only ~98.8 % of voxels on the golden case (target: >= 99.99 %).
* The reference path is always float32 on CPU (golden-exact).
"""

from __future__ import annotations

import functools
from pathlib import Path

import torch


@functools.lru_cache(maxsize=1)
def cpu_has_amx() -> bool:
    """True when /proc/cpuinfo lists the ``amx_bf16`` flag (Linux only)."""
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="ignore")
    except OSError:
        return False
    return any(line.startswith("flags") and "amx_bf16" in line.split() for line in text.splitlines())


def autocast_dtype(device: torch.device, reference: bool, cpu_bf16: bool = False) -> torch.dtype | None:
    """The autocast dtype for the network, or ``None`` for plain float32."""
    if device.type == "cuda":
        return torch.float16
    if device.type == "cpu" and cpu_bf16 and not reference:
        return torch.bfloat16
    return None


def precision_name(device: torch.device, reference: bool, cpu_bf16: bool = False) -> str:
    dtype = autocast_dtype(device, reference, cpu_bf16)
    if dtype == torch.float16:
        return "fp16-autocast"
    if dtype == torch.bfloat16:
        return "bf16-autocast"
    return "fp32"


def default_accumulation_dtype(device: torch.device, reference: bool) -> torch.dtype:
    """float16, as the official implementation, on every path and device.

    Measured: float32 accumulators are *more* exact (float16 underflows ``logit x weight`` in
    patch corners, where the Gaussian weight is ~1e-8, turning small positive logits into
    background), but they change up to ~0.5 % of voxels of a random-weight model relative to
    the official numbers, while the time they save on CPU is < 1 % of a patch. So float16 stays
    the default and float32 is an option (``accumulation_dtype=torch.float32``).
    """
    return torch.float16
