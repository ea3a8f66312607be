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
PORT_TAKEN = "address already in use"


def _until_two_workers(process: subprocess.Popen[bytes], port: int) -> dict:
    """``/api/info`` once two workers are online, or the last answer once the command has exited
    or 240 s have passed."""
    deadline = time.monotonic() + 240
    info: dict = {}
    while time.monotonic() < deadline and process.poll() is None:
        try:
            info = httpx.get(f"http://127.0.0.1:{port}/api/info", timeout=2).json()
            if info.get("workers_online") == 2:
                break
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    return info


def _excerpt(output: str) -> str:
    """The first traceback in the cluster's log (a process that failed to start) and its end."""
    start = output.find("Traceback")
    head = output[start:start + 4000] + "\n[...]\n" if 0 <= start < len(output) - 3000 else ""
    return head + output[-3000:]


def test_the_cluster_command_starts_and_stops_everything(tmp_path: Path) -> None:
    env = {**os.environ, "VOXTELL_HOME": str(tmp_path / "home"), "VOXTELL_MODEL": "",
           "VOXTELL_STATIC_DIR": str(tmp_path / "no-static")}
    for attempt in range(3):
        # A subprocess cannot be handed a bound socket: the port is free when chosen, and taken
        # again (another attempt) if something else binds it before the API node does.
        port = free_port()
        log = tmp_path / f"cluster-{attempt}.log"
        with log.open("wb") as out:
            process = subprocess.Popen([sys.executable, "-m", "backend.cli", "cluster", "--port", str(port),
                                        "--data-dir", str(tmp_path / f"data-{attempt}")], cwd=ROOT, env=env,
                                       stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            info = _until_two_workers(process, port)
        finally:
            process.send_signal(signal.SIGINT)
            code = process.wait(timeout=120)
        output = log.read_text(errors="replace")
        if info.get("workers_online") != 2 and PORT_TAKEN in output and attempt < 2:
            continue
        assert info.get("mode") == "distributed" and info.get("workers_online") == 2, (info, _excerpt(output))
        assert code == 0, _excerpt(output)
        break
    survivors = subprocess.run(["pgrep", "-s", str(process.pid)], capture_output=True, text=True).stdout.split()
    assert survivors == [], "every process of the cluster has stopped"
