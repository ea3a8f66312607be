"""Metrics for the operators: ``GET /metrics`` in the Prometheus text format (parsed with
``prometheus_client.parser``), for administrators only (or on a loopback port of its own), with
figures that follow what happens — a job submitted, run and finished, one refused — and labels
that never carry an id, a name, a file or a prompt."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from backend import Settings, create_app
from tests.backend.conftest import FakePredictor, nifti_bytes, wait_done
from tests.backend.people import ADMIN, KEY, cli_ok
from tests.services import free_port
from voxtell.text.embedder import PromptEmbedder

PROMPT = "tumour of patient Doe"


class CountingPredictor(FakePredictor):
    """Reports engine totals as the real predictor does (``info()["counters"]``)."""

    def info(self) -> dict[str, Any]:
        return {**super().info(), "counters": {"prompt_cache_hits": 5, "embedding_bank_hits": 7,
                                               "prompts_encoded": 2, "text_encoder_loads": 1, "oom_fallbacks": 3}}


def _scrape(text: str) -> tuple[dict[str, str], dict[tuple[str, tuple[tuple[str, str], ...]], float]]:
    """(type of each family, value of each sample by name and labels)."""
    types, values = {}, {}
    for family in text_string_to_metric_families(text):
        types[family.name] = family.type
        for sample in family.samples:
            values[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return types, values


def _value(values: dict[Any, float], name: str, **labels: str) -> float:
    return values.get((name, tuple(sorted(labels.items()))), 0.0)




def test_a_scrape_follows_a_job_and_a_refusal(make_client: Callable[..., TestClient], tmp_path: Path) -> None:
    client = make_client(CountingPredictor(patches=3), api_key=KEY, queue_size=1)
    before_text = client.get("/metrics", headers=ADMIN)
    assert before_text.status_code == 200 and before_text.headers["content-type"].startswith("text/plain")
    types, before = _scrape(before_text.text)
    assert types["voxtell_jobs_submitted"] == "counter" and types["voxtell_queue_depth"] == "gauge"
    assert types["voxtell_job_queue_wait_seconds"] == "histogram" and types["voxtell_http_requests"] == "counter"
    volume = client.post("/api/volumes", files={"file": ("doe_ct.nii.gz", nifti_bytes())}, headers=ADMIN).json()
    job = client.post("/api/jobs", json={"volume_id": volume["id"], "prompts": [PROMPT]}, headers=ADMIN).json()
    wait_done(client, job["id"], headers=ADMIN)
    refused = client.post("/api/jobs", json={"volume_id": volume["id"], "prompts": ["x"] * 40}, headers=ADMIN)
    assert refused.status_code == 422  # too many prompts: a bad request, not a refusal for capacity
    text = client.get("/metrics", headers=ADMIN).text
    _, after = _scrape(text)
    assert _value(after, "voxtell_jobs_submitted_total") == _value(before, "voxtell_jobs_submitted_total") + 1
    assert sum(v for (name, _), v in after.items() if name == "voxtell_jobs_rejected_total") == \
        sum(v for (name, _), v in before.items() if name == "voxtell_jobs_rejected_total")
    assert _value(after, "voxtell_jobs_finished_total", status="done") == \
        _value(before, "voxtell_jobs_finished_total", status="done") + 1
    assert _value(after, "voxtell_sliding_windows_total") >= _value(before, "voxtell_sliding_windows_total") + 3
    assert _value(after, "voxtell_job_run_seconds_count") == _value(before, "voxtell_job_run_seconds_count") + 1
    assert _value(after, "voxtell_queue_depth") == 0 and _value(after, "voxtell_jobs_running") == 0
    assert _value(after, "voxtell_workers_online") == 1
    uploads = ("voxtell_http_requests_total", {"route": "/api/volumes", "method": "POST", "status_class": "2xx"})
    assert _value(after, uploads[0], **uploads[1]) == _value(before, uploads[0], **uploads[1]) + 1
    assert (_value(after, "voxtell_embedding_bank_hits_total"), _value(after, "voxtell_oom_fallbacks_total")) == (7, 3)
    _guard_labels(text, forbidden=[volume["id"], job["id"], PROMPT, "Doe", "doe_ct", KEY])


def test_a_full_queue_counts_a_rejection_by_reason(make_client: Callable[..., TestClient]) -> None:
    client = make_client(FakePredictor(patches=3, delay=0.5), queue_size=1)
    volume = client.post("/api/volumes", files={"file": ("a.nii.gz", nifti_bytes())}).json()
    _, before = _scrape(client.get("/metrics").text)
    first = client.post("/api/jobs", json={"volume_id": volume["id"], "prompts": ["a"]}).json()
    assert client.post("/api/jobs", json={"volume_id": volume["id"], "prompts": ["b"]}).status_code == 429
    _, after = _scrape(client.get("/metrics").text)
    assert _value(after, "voxtell_jobs_rejected_total", reason="queue_full") == \
        _value(before, "voxtell_jobs_rejected_total", reason="queue_full") + 1
    wait_done(client, first["id"])


def test_metrics_are_for_administrators_or_a_loopback_port(tmp_path: Path) -> None:
    data = tmp_path / "data"
    port = free_port()
    settings = Settings(data_dir=data, static_dir=tmp_path / "none", api_key=KEY, metrics_port=port)
    with TestClient(create_app(settings, lambda _: FakePredictor())) as client:
        cli_ok("users", "add", "alice", "--data-dir", str(data))
        alice = {"Authorization": f"Bearer {cli_ok('tokens', 'create', 'alice', '--data-dir', str(data))}"}
        assert client.get("/metrics").status_code == 401
        refused = client.get("/metrics", headers=alice)
        assert refused.status_code == 403 and "administrators" in refused.json()["detail"]
        local = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10)  # no sign-in: only this machine
        assert local.status_code == 200 and "voxtell_queue_depth" in local.text
    assert _port_closed(port), "stopped with the server"


def _port_closed(port: int) -> bool:
    try:
        httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=2)
    except httpx.HTTPError:
        return True
    return False


_LABEL_VALUE = re.compile(r"^[A-Za-z0-9_./{}:+-]{0,80}$")
_ID_LIKE = re.compile(r"[0-9a-f]{16,}")


def _guard_labels(text: str, forbidden: list[str]) -> None:
    """Every label value is a short token (a route template, a method, an enum value) — none an
    id, a name, a file name or a prompt."""
    values = {value for family in text_string_to_metric_families(text) for sample in family.samples
              for value in sample.labels.values()}
    assert values, "the scrape has labels to check"
    bad = sorted(v for v in values if not _LABEL_VALUE.match(v) or _ID_LIKE.search(v)
                 or any(f.lower() in v.lower() for f in forbidden))
    assert bad == []


def test_the_guard_catches_an_id_a_prompt_or_a_name_in_a_label() -> None:
    for leaked in ('x_total{route="/api/jobs/3f2a9c0d4b5e6f708192a3b4c5d6e7f8"} 1',
                   'x_total{prompt="tumour of patient Doe"} 1', 'x_total{file="doe_ct.nii.gz"} 1'):
        try:
            _guard_labels(f"# TYPE x counter\n{leaked}\n", forbidden=["Doe", "doe_ct"])
        except AssertionError:
            continue
        raise AssertionError(f"the guard let {leaked} through")


def test_the_engine_counts_bank_hits_per_distinct_prompt() -> None:
    embedder = PromptEmbedder(bank={"liver": np.ones(4, dtype=np.float32)})
    embedder.embed(["liver", "Liver", "liver"])  # one distinct prompt (the bank key is lower-case)
    assert embedder.counts == {"bank_hits": 1, "cache_hits": 0, "encoded": 0}
