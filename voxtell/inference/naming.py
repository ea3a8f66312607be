"""Output file naming, compatible with the official ``voxtell-predict`` (spec §6.4)."""

from __future__ import annotations

import hashlib
from pathlib import Path

_MAX_BYTES = 150
_KEEP_BYTES = 141


def case_name(path: str | Path) -> str:
    """``a/b/case001.nii.gz`` -> ``case001``; other names lose only their last extension."""
    name = Path(path).name
    for suffix in (".nii.gz", ".nii"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return Path(name).stem


def safe_prompt_name(prompt: str) -> str:
    """File-name part for a prompt: non-alphanumerics (except space/_) -> ``_``, spaces -> ``_``.

    Names over 150 UTF-8 bytes keep their first 141 bytes plus ``_`` and 8 hex digits of the
    SHA-1 of the original prompt.
    """
    safe = "".join(ch if (ch.isalnum() or ch in " _") else "_" for ch in prompt).replace(" ", "_")
    encoded = safe.encode("utf-8")
    if len(encoded) <= _MAX_BYTES:
        return safe
    head = encoded[:_KEEP_BYTES].decode("utf-8", errors="ignore")
    return f"{head}_{hashlib.sha1(prompt.encode('utf-8')).hexdigest()[:8]}"


def mask_file_name(case: str, prompt: str) -> str:
    return f"{case}_{safe_prompt_name(prompt)}.nii.gz"


def combined_file_name(case: str) -> str:
    return f"{case}.nii.gz"
