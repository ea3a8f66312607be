"""``bench/gpu_check.py`` without a GPU: ``--cpu-dry-run`` runs every step but the CUDA calls
and prints one JSON line with every documented key; without CUDA (and no dry run) it exits 2
with one line on stderr; the pass/fail rules. No timing is asserted here."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import bench.gpu_check as gpu_check
from bench.official_env import ROOT

SCRIPT = ROOT / "bench" / "gpu_check.py"
TOP_KEYS = ["check", "ok", "dry_run", "device", "torch", "model", "text_encoder", "patch_shape", "volume_shape",
            "windows", "prompts", "placements", "cpu_path", "limits", "failures"]
PLACEMENT_KEYS = ["placement", "text_precision", "text_runs_on", "text_load_and_encode_s", "text_encode_s",
                  "first_patch_s", "patch_s", "volume_s", "seconds_per_window", "peak_vram_gib",
                  "agreement_vs_cpu", "volume_agreement_vs_gpu"]
PHASES = ["text", "patch", "volume", "text_with_network", "pipeline"]


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=600,
                          env={**os.environ, **(env or {})}, cwd=ROOT)


def test_the_documented_keys_are_the_ones_in_the_module_docstring() -> None:
    doc = " ".join((gpu_check.__doc__ or "").split())
    for key in TOP_KEYS + PLACEMENT_KEYS + PHASES:
        assert f"{key}," in doc or f"{key}``" in doc, key


def test_cpu_dry_run_prints_one_json_line_with_every_documented_key(tmp_path: Path) -> None:
    done = _run("--cpu-dry-run", "--cache", str(tmp_path / "cache"), "--out", str(tmp_path / "check.json"))
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert len(lines) == 1, done.stdout[:2000]
    result = json.loads(lines[0])
    assert list(result) == TOP_KEYS
    assert json.loads((tmp_path / "check.json").read_text()) == result
    assert result["check"] == "gpu_check" and result["ok"] is True and result["failures"] == []
    assert result["dry_run"] is True and result["device"] == "cpu"
    assert result["patch_shape"] == [32, 32, 32] and result["volume_shape"] == [24, 40, 48]
    assert result["windows"] == 1 * 2 * 2
    assert result["text_encoder"]["kind"].startswith("stand-in") and result["text_encoder"]["hidden"] == 16
    assert result["limits"] == {"agreement": 0.9999, "vram_gib": 8.0, "vram_checked": False}
    assert [p["placement"] for p in result["placements"]] == ["gpu", "offload", "cpu"]
    for entry in result["placements"]:
        assert sorted(entry) == sorted(PLACEMENT_KEYS)
        assert entry["text_runs_on"] == "cpu", "without CUDA every placement encodes on the CPU"
        assert set(entry["patch_s"]) == set(entry["volume_s"]) == set(entry["agreement_vs_cpu"]) == {"1", "4"}
        assert all(v > 0 for v in [*entry["patch_s"].values(), *entry["volume_s"].values()])
        assert entry["seconds_per_window"]["4"] == pytest.approx(entry["volume_s"]["4"] / 4)
        assert entry["agreement_vs_cpu"] == {"1": 1.0, "4": 1.0}
        if entry["text_precision"] == "fp16":  # the same encoder and precision as the gpu placement
            assert entry["volume_agreement_vs_gpu"] == 1.0
        else:  # bf16 embeddings move a few voxels
            assert 0.99 <= entry["volume_agreement_vs_gpu"] <= 1.0
        assert entry["peak_vram_gib"] == dict.fromkeys(PHASES)
    assert set(result["cpu_path"]["patch_s"]) == {"1", "4"} and result["cpu_path"]["precision"] == "fp32"


def test_without_cuda_it_exits_2_with_one_line_on_stderr() -> None:
    done = _run(env={"CUDA_VISIBLE_DEVICES": ""})
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("gpu_check: no CUDA device"), done.stderr


def _entry(placement: str, agreement: float, reserved: float | None) -> dict:
    peak = None if reserved is None else {"allocated": reserved - 0.5, "reserved": reserved}
    return {"placement": placement, "agreement_vs_cpu": {"1": 1.0, "4": agreement}, "peak_vram_gib": {"pipeline": peak}}


def test_masks_below_the_agreement_or_an_offload_pipeline_above_8_gib_fail_the_check() -> None:
    assert gpu_check.check_failures([_entry("gpu", 0.99995, 11.0), _entry("offload", 0.9999, 7.9)], 0.9999, 8.0) == []
    failures = gpu_check.check_failures([_entry("gpu", 0.99989, 11.0), _entry("offload", 1.0, 8.2)], 0.9999, 8.0)
    assert failures == [
        "gpu: 4-prompt patch masks agree with the CPU path on 0.999890 < 0.9999 of voxels",
        "offload: the pipeline (network + text encoder offloaded) reserved 8.20 GiB > 8.0 GiB"]
    assert gpu_check.check_failures([_entry("offload", 1.0, None)], 0.9999, 8.0) == [], "no VRAM figure: not judged"


def test_the_pipeline_peak_is_the_largest_phase_peak() -> None:
    phases = {"text": {"allocated": 7.5, "reserved": 7.6}, "patch": {"allocated": 3.0, "reserved": 8.1},
              "volume": None}
    assert gpu_check.pipeline_peak(phases) == {"allocated": 7.5, "reserved": 8.1}
    assert gpu_check.pipeline_peak({"text": None}) is None
