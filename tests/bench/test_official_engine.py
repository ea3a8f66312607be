"""The comparison maths of ``bench/official_engine.py`` (shared in ``bench/official_env.py``) on
small hand-made inputs: mask agreement, medians and ratios over alternating rounds, targets.
No timing is measured here."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bench.official_engine import TARGETS, targets_met
from bench.official_env import ROOT, alternating_order, child_env, mask_agreement, summarise


def test_mask_agreement_counts_equal_voxels_over_every_prompt() -> None:
    a = np.zeros((2, 3, 4, 5), dtype=np.uint8)
    b = a.copy()
    b[0, 0, 0, 0] = 1
    b[1, 2, 3, 4] = 1
    b[1, 0, 1, 2] = 1
    assert mask_agreement(a, a) == 1.0
    assert mask_agreement(a, b) == pytest.approx(117 / 120)
    assert mask_agreement(1 - a, a) == 0.0


def test_mask_agreement_refuses_different_shapes() -> None:
    with pytest.raises(ValueError, match="shapes differ"):
        mask_agreement(np.zeros((1, 4, 4, 4)), np.zeros((2, 4, 4, 4)))


def test_packages_alternate_which_goes_first() -> None:
    assert [alternating_order(r) for r in range(3)] == [
        ("official", "ours"), ("ours", "official"), ("official", "ours")]


def _run(package: str, prompts: int, round_: int, seconds: float, rss: float, agreement: float | None = None) -> dict:
    run = {"package": package, "prompts": prompts, "round": round_, "predict_s": seconds, "peak_rss_gb": rss}
    if agreement is not None:
        run["mask_agreement_vs_official"] = agreement
    return run


def test_summary_takes_medians_per_package_and_ratios_ours_over_official() -> None:
    runs = [
        _run("official", 1, 1, 50.0, 7.7), _run("ours", 1, 1, 30.0, 3.5, 0.99999),
        _run("ours", 1, 2, 45.0, 3.4, 1.0), _run("official", 1, 2, 60.0, 7.8),
        _run("official", 1, 3, 40.0, 7.6), _run("ours", 1, 3, 28.0, 3.6, 0.99997),
        _run("official", 4, 1, 100.0, 7.9),  # ours never ran with 4 prompts
    ]
    one, four = summarise(runs)
    assert one["prompts"] == 1 and one["rounds"] == 3
    assert one["official"] == {"predict_s": 50.0, "peak_rss_gb": 7.7}
    assert one["ours"] == {"predict_s": 30.0, "peak_rss_gb": 3.5}
    assert one["predict_s_ratio"] == pytest.approx(0.6)
    assert one["peak_rss_gb_ratio"] == pytest.approx(3.5 / 7.7)
    assert one["per_round_predict_s_ratio"] == pytest.approx([0.6, 0.75, 0.7])
    assert one["min_mask_agreement"] == 0.99997
    assert four["prompts"] == 4 and four["rounds"] == 0 and four["ours"] is None
    assert four["predict_s_ratio"] is None and four["per_round_predict_s_ratio"] == []
    assert four["min_mask_agreement"] is None


def test_targets_are_judged_on_the_medians() -> None:
    runs = [_run("official", 1, 1, 50.0, 8.0), _run("ours", 1, 1, 30.0, 3.7, 0.99995),
            _run("official", 4, 1, 100.0, 8.0), _run("ours", 4, 1, 61.0, 3.6, 0.99985)]
    assert TARGETS == {"time_ratio_max": 0.60, "peak_rss_ratio_max": 0.45, "mask_agreement_min": 0.9999}
    assert targets_met(summarise(runs)) == {
        "1": {"time": True, "peak_rss": False, "masks": True},    # 0.60x, 0.4625x, 99.995 %
        "4": {"time": False, "peak_rss": True, "masks": False},   # 0.61x, 0.45x, 99.985 %
    }


def test_each_child_gets_its_own_package_first_on_the_path(tmp_path: Path) -> None:
    assert child_env("official", tmp_path)["PYTHONPATH"] == str(tmp_path)
    assert child_env("ours", tmp_path)["PYTHONPATH"] == str(ROOT)
    with pytest.raises(ValueError, match="package must be one of"):
        child_env("reference", tmp_path)
