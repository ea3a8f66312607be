"""What operators measure, in the Prometheus text format (``prometheus_client``).

Two kinds of figures:

* **This process's events** — HTTP requests, jobs submitted, rejected, finished, their waiting and
  running times, sliding windows — counted where they happen, in ``PROCESS`` (one registry per
  process; each API node and each worker is its own scrape target: see docs/operations.md).
* **The state of the whole deployment** — queue depth, running jobs, workers online — read from the
  job database at scrape time, and the engine's own totals (prompt cache and embedding bank hits,
  text encoder loads, out-of-memory fallbacks) read from this process's predictor.

**No label ever carries a user, patient, study, file name, prompt or id**: labels are route
templates, methods, status classes and the values of the enums below.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from backend.domain.context import AppState
from backend.domain.model import ModelInfo, Predictor
from backend.states import JobStatus, Mode
from backend.storage.store import Store

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
PROCESS = CollectorRegistry(auto_describe=True)
_SECONDS = (0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800, 3600, 4 * 3600)


class Rejection(str, enum.Enum):
    """Why a job was not accepted (the ``reason`` label)."""

    QUEUE_FULL = "queue_full"
    USER_LIMIT = "user_limit"
    COMPUTE_BUDGET = "compute_budget"
    DISK_FULL = "disk_full"
    DATABASE_UNAVAILABLE = "database_unavailable"


HTTP_REQUESTS = Counter("voxtell_http_requests", "HTTP requests answered, by route template and status class",
                        ["route", "method", "status_class"], registry=PROCESS)
JOBS_SUBMITTED = Counter("voxtell_jobs_submitted", "jobs accepted into the queue", registry=PROCESS)
JOBS_REJECTED = Counter("voxtell_jobs_rejected", "job or upload requests refused, by reason", ["reason"],
                        registry=PROCESS)
JOBS_FINISHED = Counter("voxtell_jobs_finished", "jobs this process ran to an end, by outcome", ["status"],
                        registry=PROCESS)
QUEUE_WAIT = Histogram("voxtell_job_queue_wait_seconds", "from submission to start, of jobs this process started",
                       buckets=_SECONDS, registry=PROCESS)
INFERENCE_TIME = Histogram("voxtell_job_run_seconds", "from start to end, of jobs this process ran",
                           buckets=_SECONDS, registry=PROCESS)
WINDOWS = Counter("voxtell_sliding_windows", "sliding windows computed by this process", registry=PROCESS)
for _status in (JobStatus.DONE, JobStatus.FAILED, JobStatus.CANCELLED):
    JOBS_FINISHED.labels(status=_status.value)
for _reason in Rejection:
    JOBS_REJECTED.labels(reason=_reason.value)


def status_class(status: int) -> str:
    return f"{status // 100}xx"


def job_ended(status: str, created: float, started: float | None, finished: float | None) -> None:
    """Count a job this process ran to an end (``done``, ``failed``, ``cancelled``)."""
    JOBS_FINISHED.labels(status=str(status)).inc()
    if started is not None:
        QUEUE_WAIT.observe(max(0.0, started - created))
        if finished is not None:
            INFERENCE_TIME.observe(max(0.0, finished - started))


class DeploymentCollector(Collector):
    """Figures read at scrape time: the job database's queue, running jobs and workers, and the
    engine's totals of this process's predictor (absent ones read as 0)."""

    def __init__(self, store: Store | None, predictor: Callable[[], Predictor | None],
                 workers_online: Callable[[], int]) -> None:
        self.store = store
        self.predictor = predictor
        self.workers_online = workers_online

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        if self.store is not None:
            yield GaugeMetricFamily("voxtell_queue_depth", "jobs waiting to start (every node)",
                                    value=len(self.store.queued_ids()))
            yield GaugeMetricFamily("voxtell_jobs_running", "jobs running now (every node)",
                                    value=len(self.store.running_jobs()))
        yield GaugeMetricFamily("voxtell_workers_online", "workers that heartbeated recently (embedded: the runner)",
                                value=self.workers_online())
        predictor = self.predictor()
        counters = dict(ModelInfo.of(predictor).counters) if predictor is not None else {}
        for name, help_text in (("prompt_cache_hits", "prompts found in the prompt caches (memo, persistent)"),
                                ("embedding_bank_hits", "prompts found in the embedding bank"),
                                ("prompts_encoded", "prompts run through the text encoder"),
                                ("text_encoder_loads", "text encoder loads"),
                                ("oom_fallbacks", "out-of-memory fallbacks of the engine")):
            yield CounterMetricFamily(f"voxtell_{name}", help_text, value=counters.get(name, 0))
        gpu = _gpu_memory_bytes()
        if gpu is not None:
            yield GaugeMetricFamily("voxtell_gpu_memory_bytes", "CUDA memory allocated by this process", value=gpu)


def _gpu_memory_bytes() -> int | None:
    import sys

    torch = sys.modules.get("torch")  # only where the engine is loaded (never imported for this)
    if torch is None or not torch.cuda.is_available() or not torch.cuda.is_initialized():
        return None
    return int(torch.cuda.memory_allocated())


def registry_of(state: AppState) -> CollectorRegistry:
    """The scrape of an API node: its counters, the database's figures, its predictor's totals."""
    def workers_online() -> int:
        if state.settings.mode == Mode.DISTRIBUTED:
            return len(state.store.workers_online(state.settings.worker_lost_after_s))
        return int(state.runner.is_alive())

    return registry_for(DeploymentCollector(state.store, lambda: state.predictor, workers_online))


def serve_on_loopback(port: int, registry: CollectorRegistry) -> Callable[[], None]:
    """Serve ``registry`` at ``http://127.0.0.1:<port>/metrics`` (``VOXTELL_METRICS_PORT``: a scrape
    target that needs no sign-in because only this machine reaches it); returns its stop."""
    from prometheus_client import start_http_server

    server, thread = start_http_server(port, addr="127.0.0.1", registry=registry)

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join(5)

    return stop


def registry_for(collector: DeploymentCollector) -> CollectorRegistry:
    """This process's counters and ``collector``'s figures, as one scrape."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Process())
    registry.register(collector)
    return registry


class _Process(Collector):
    def collect(self) -> Iterator[object]:  # type: ignore[override]
        yield from PROCESS.collect()


def scrape(registry: CollectorRegistry) -> bytes:
    return generate_latest(registry)
