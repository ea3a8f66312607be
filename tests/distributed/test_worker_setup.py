"""How a worker process is set up: the prompt cache every worker shares, and its CPU threads."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from backend import cli
from backend.jobs.distributed.worker import worker_settings
from backend.settings import Settings

ROOT = Path(__file__).resolve().parents[2]

# One worker process: built as `voxtell-web worker` builds it, it embeds one free-text prompt.
WORKER_EMBEDS = """
import json, sys
from backend.app import default_predictor
from backend.settings import Settings
from backend.jobs.distributed.worker import worker_settings

settings = worker_settings(Settings(data_dir=sys.argv[1], model=sys.argv[2]), "cpu")
predictor = default_predictor(settings)
embedding = predictor.embed_text_prompts(["left adrenal gland lesion"])
print(json.dumps({"encode_calls": predictor.embedder.encode_calls,
                  "embedding": embedding.flatten()[:16].tolist()}))
"""


def _worker_embeds(data_dir: Path, model: Path, home: Path) -> dict[str, Any]:
    env = {**os.environ, "VOXTELL_HOME": str(home), "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", WORKER_EMBEDS, str(data_dir), str(model)], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def test_a_prompt_encoded_by_one_worker_is_never_encoded_by_another(tmp_path: Path, demo_model_dir: Path) -> None:
    data = tmp_path / "shared-data"  # the data dir every node mounts
    # Two worker processes on two "machines": nothing in common but the shared data dir.
    first = _worker_embeds(data, demo_model_dir, tmp_path / "home-a")
    second = _worker_embeds(data, demo_model_dir, tmp_path / "home-b")
    assert first["encode_calls"] == 1, "the prompt is not in the model's bank: the first worker encodes it"
    assert second["encode_calls"] == 0, "the second worker found it in the shared cache"
    assert second["embedding"] == first["embedding"]
    assert (data / "prompt-cache").is_dir()


def test_a_configured_cache_dir_is_kept(tmp_path: Path) -> None:
    settings = worker_settings(Settings(data_dir=tmp_path / "d", cache_dir=tmp_path / "c"), "cuda:1")
    assert settings.cache_dir == tmp_path / "c" and settings.device == "cuda:1"


def test_worker_threads_from_the_command_line_and_the_environment(monkeypatch: pytest.MonkeyPatch,
                                                                   tmp_path: Path) -> None:
    import backend.jobs.distributed.worker as worker_module

    seen: list[Settings] = []
    monkeypatch.setattr(worker_module, "serve_worker", lambda settings, device: seen.append(settings) or 0)
    assert cli.main(["worker", "--device", "cpu", "--threads", "1", "--data-dir", str(tmp_path)]) == 0
    monkeypatch.setenv("VOXTELL_WORKER_THREADS", "3")
    assert cli.main(["worker", "--device", "cpu", "--data-dir", str(tmp_path)]) == 0
    assert [s.worker_threads for s in seen] == [1, 3]


WORKER_THREADS = """
import sys, torch
import backend.jobs.distributed.worker as w
from backend.settings import Settings

class Stop(Exception):
    pass

def stop_at_store(*args, **kwargs):
    raise Stop  # the worker has set itself up up to its store: enough to see its threads

w.Store = stop_at_store
try:
    w.serve_worker(Settings(data_dir=sys.argv[1], broker_url="redis://127.0.0.1:1/0", worker_threads=1,
                            database_url="postgresql://unused"), "cpu")
except Stop:
    print(torch.get_num_threads())
"""


def test_a_worker_runs_its_network_on_the_threads_it_was_given(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", WORKER_THREADS, str(tmp_path)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split()[-1] == "1"
