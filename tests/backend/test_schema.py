"""The OpenAPI document tells the truth: schemathesis, with all its checks, against a live
server (real uvicorn, fake predictor) — every status and body it sees must be documented."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from backend import Settings
from tests.backend.conftest import FakePredictor
from tests.backend.live import live_server

CONFIG = Path(__file__).with_name("schemathesis.toml")


def test_schemathesis_finds_nothing(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", static_dir=tmp_path / "none")
    st = Path(sys.executable).with_name("st")
    with live_server(settings, FakePredictor()) as url:
        run = subprocess.run(
            [str(st), "--config-file", str(CONFIG), "run", f"{url}/openapi.json", "--checks", "all",
             "--max-examples", "25", "--seed", "1", "--no-color", "--workers", "1"],
            capture_output=True, text=True, timeout=600, cwd=tmp_path,
            env={**os.environ, "SCHEMATHESIS_HOOKS": ""})
    assert run.returncode == 0, run.stdout[-8000:] + run.stderr[-2000:]
    assert "No issues found" in run.stdout or " passed" in run.stdout
