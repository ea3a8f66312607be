"""Prompt normalisation and the instruction template of the official text path (spec §5.1)."""

from __future__ import annotations

INSTRUCTION = "Given an anatomical term query, retrieve the precise anatomical entity and location it represents"


def normalise_prompt(prompt: str) -> str:
    """Lower-casing as in voxtell 0.1.2 (``str.lower``); also the bank and cache key."""
    return prompt.lower()


def wrap_prompt(prompt: str) -> str:
    """``Instruct: <instruction>\\nQuery: <prompt>`` (no trailing space)."""
    return f"Instruct: {INSTRUCTION}\nQuery: {prompt}"
