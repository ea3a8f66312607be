"""Output file names of the official CLI (spec §6.4)."""

from __future__ import annotations

import hashlib

import pytest

from voxtell.inference.naming import case_name, combined_file_name, mask_file_name, safe_prompt_name


@pytest.mark.parametrize(("prompt", "expected"), [
    ("right kidney", "right_kidney"),
    ("L5 vertebra (lumbar)", "L5_vertebra__lumbar_"),
    ("left/right lung", "left_right_lung"),
    ("tumör à droite", "tumör_à_droite"),
])
def test_safe_prompt_names(prompt: str, expected: str) -> None:
    assert safe_prompt_name(prompt) == expected


def test_long_prompts_are_cut_at_141_bytes_plus_a_hash() -> None:
    prompt = "é" * 100  # 200 UTF-8 bytes
    name = safe_prompt_name(prompt)
    head, _, digest = name.rpartition("_")
    assert digest == hashlib.sha1(prompt.encode()).hexdigest()[:8]
    assert head == "é" * 70  # 141 bytes would split a character: the broken one is dropped
    assert len(safe_prompt_name("a" * 150).encode()) == 150  # exactly 150 bytes stays as it is


@pytest.mark.parametrize(("path", "case"), [
    ("a/b/case001.nii.gz", "case001"), ("x.nii", "x"), ("scan.nrrd", "scan"), ("study.v2.zip", "study.v2"),
])
def test_case_names(path: str, case: str) -> None:
    assert case_name(path) == case


def test_file_names() -> None:
    assert mask_file_name("case001", "right kidney") == "case001_right_kidney.nii.gz"
    assert combined_file_name("case001") == "case001.nii.gz"
