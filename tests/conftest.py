"""Shared fixtures: the demo model is built once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from voxtell.demo import make_demo_model


@pytest.fixture(scope="session")
def demo_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_demo_model(tmp_path_factory.mktemp("demo") / "voxtell_demo")


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's models, cache or environment."""
    monkeypatch.delenv("VOXTELL_MODEL", raising=False)
    monkeypatch.setenv("VOXTELL_HOME", str(tmp_path / "voxtell-home"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
