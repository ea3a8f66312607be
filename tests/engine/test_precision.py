"""Precision by hardware (issue: fp16 autocast on CUDA as official; bf16 on CPU only on request)."""

from __future__ import annotations

import pytest
import torch

from voxtell.inference.precision import autocast_dtype, default_accumulation_dtype, precision_name

CPU, CUDA = torch.device("cpu"), torch.device("cuda", 0)  # a device object needs no GPU


@pytest.mark.parametrize("reference", [False, True])
def test_cuda_runs_fp16_autocast_on_both_paths(reference: bool) -> None:
    assert autocast_dtype(CUDA, reference) is torch.float16
    assert precision_name(CUDA, reference) == "fp16-autocast"


def test_cpu_is_fp32_unless_bf16_is_asked_for_on_the_fast_path() -> None:
    assert autocast_dtype(CPU, reference=False) is None and precision_name(CPU, False) == "fp32"
    assert autocast_dtype(CPU, reference=False, cpu_bf16=True) is torch.bfloat16
    assert precision_name(CPU, False, cpu_bf16=True) == "bf16-autocast"
    # The reference path stays golden-exact float32 whatever is asked.
    assert autocast_dtype(CPU, reference=True, cpu_bf16=True) is None


@pytest.mark.parametrize("device", [CPU, CUDA])
def test_accumulators_are_float16_as_official(device: torch.device) -> None:
    assert default_accumulation_dtype(device, reference=False) is torch.float16
