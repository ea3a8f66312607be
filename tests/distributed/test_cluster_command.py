"""`voxtell-web cluster` (what `make cluster` runs): everything comes up, Ctrl+C stops it all."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.services import free_port

ROOT = Path(__file__).resolve().parents[2]


def test_the_cluster_command_starts_and_stops_everything(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "VOXTELL_HOME": str(tmp_path / "home"), "VOXTELL_MODEL": "",
           "VOXTELL_STATIC_DIR": str(tmp_path / "no-static")}
    process = subprocess.Popen([sys.executable, "-m", "backend.cli", "cluster", "--port", str(port), "--data-dir",
                                str(tmp_path / "data")], cwd=ROOT, env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 240
        info: dict = {}
        while time.monotonic() < deadline:
            try:
                info = httpx.get(f"http://127.0.0.1:{port}/api/info", timeout=2).json()
                if info.get("workers_online") == 2:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        assert info.get("mode") == "distributed" and info.get("workers_online") == 2, info
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=120) == 0
    survivors = subprocess.run(["pgrep", "-s", str(process.pid)], capture_output=True, text=True).stdout.split()
    assert survivors == [], "every process of the cluster has stopped"
