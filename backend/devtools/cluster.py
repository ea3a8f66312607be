"""``voxtell-web cluster`` (``make cluster``): the distributed mode on one machine, to try it.

Starts Redis and PostgreSQL (throw-away, loopback), one API node and two CPU workers (the real
model if one resolves, the demo model otherwise) sharing one data dir, prints the address, and
stops everything on Ctrl+C.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from backend.devtools.localservices import postgres_server, redis_server

logger = logging.getLogger("backend.devtools.cluster")


def run_cluster(port: int = 8000, workers: int = 2, data_dir: Path | None = None) -> int:
    data = data_dir or Path(tempfile.mkdtemp(prefix="voxtell-cluster-")) / "data"
    with postgres_server() as postgres, redis_server() as redis:
        env = {**os.environ, "VOXTELL_BROKER_URL": redis.url, "VOXTELL_DATABASE_URL": postgres.url}
        command = [sys.executable, "-m", "backend.cli"]
        processes = [subprocess.Popen([*command, "serve", "--port", str(port), "--data-dir", str(data)], env=env)]
        # Each CPU worker gets its share of the cores: torch's default (every core each) makes two
        # workers on one machine slower together than one alone.
        threads = str(max(1, (os.cpu_count() or 1) // max(1, workers)))
        processes += [subprocess.Popen([*command, "worker", "--device", "cpu", "--data-dir", str(data),
                                        "--threads", threads], env=env)
                      for _ in range(workers)]
        logger.info("cluster: http://127.0.0.1:%d (1 API node, %d workers, Redis, PostgreSQL); Ctrl+C stops it",
                    port, workers)
        stop = False

        def on_signal(*_: object) -> None:
            nonlocal stop
            stop = True

        signal.signal(signal.SIGINT, on_signal)
        signal.signal(signal.SIGTERM, on_signal)
        try:
            while not stop and all(p.poll() is None for p in processes):
                time.sleep(0.5)
        finally:
            for process in processes:
                if process.poll() is None:
                    process.terminate()
            for process in processes:
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
    return 0
