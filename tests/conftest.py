"""Shared fixtures (the demo model is built once per test session) and the ``gpu`` marker's
policy: tests marked ``gpu`` run only where CUDA is available. Elsewhere they are deselected,
never skipped, and the summary says so: ``gpu tests: 0 of N ran (no CUDA device)``."""

from __future__ import annotations

from pathlib import Path

import pytest

from voxtell.demo import make_demo_model

_GPU_SELECTED = pytest.StashKey[list[str]]()
_GPU_RAN = pytest.StashKey[dict[str, str]]()
_CUDA = pytest.StashKey[bool]()
_CONFIG: dict[str, pytest.Config] = {}


@pytest.fixture(scope="session")
def demo_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_demo_model(tmp_path_factory.mktemp("demo") / "voxtell_demo")


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's models, cache or environment."""
    monkeypatch.delenv("VOXTELL_MODEL", raising=False)
    monkeypatch.setenv("VOXTELL_HOME", str(tmp_path / "voxtell-home"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.hookimpl(trylast=True)  # after ``-m``/``-k`` have deselected what the user left out
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    gpu = [item for item in items if item.get_closest_marker("gpu") is not None]
    config.stash[_GPU_SELECTED] = [item.nodeid for item in gpu]
    config.stash[_GPU_RAN] = {}
    if not gpu:
        config.stash[_CUDA] = False
        return
    import torch

    config.stash[_CUDA] = torch.cuda.is_available()
    if not config.stash[_CUDA]:
        items[:] = [item for item in items if item.get_closest_marker("gpu") is None]
        config.hook.pytest_deselected(items=gpu)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Remember the outcome of every gpu test that ran (its call, or the setup that failed)."""
    config = _CONFIG.get("config")
    if config is None or report.nodeid not in config.stash.get(_GPU_SELECTED, []):
        return
    if report.when == "call" or (report.when == "setup" and not report.passed):
        config.stash[_GPU_RAN][report.nodeid] = report.outcome


def pytest_configure(config: pytest.Config) -> None:
    _CONFIG["config"] = config


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    selected = config.stash.get(_GPU_SELECTED, [])
    if not selected:
        return
    if not config.stash.get(_CUDA, False):
        terminalreporter.write_line(f"gpu tests: 0 of {len(selected)} ran (no CUDA device)")
        return
    ran = config.stash.get(_GPU_RAN, {})
    outcomes = sorted(set(ran.values()))
    detail = ", ".join(f"{sum(1 for o in ran.values() if o == outcome)} {outcome}" for outcome in outcomes)
    import torch

    terminalreporter.write_line(f"gpu tests: {len(ran)} ran ({detail}) of {len(selected)} on "
                                f"{torch.cuda.get_device_name(0)}")
