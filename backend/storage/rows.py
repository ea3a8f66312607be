"""A job's row: the ``Job`` record and the column encodings every writer of the ``jobs`` table
shares (JSON columns, enum values, the phase log)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from backend.states import TERMINAL, ErrorKind, JobStatus, Phase
from backend.storage.db import jobs

_TERMINAL = tuple(s.value for s in TERMINAL)


@dataclass
class Job:
    id: str
    volume_id: str
    created: float
    prompts: list[str]
    options: dict[str, Any]
    status: JobStatus
    attempts: int = 0
    started: float | None = None
    finished: float | None = None
    done: int = 0
    total: int = 0
    error: str | None = None
    results: list[dict[str, Any]] = field(default_factory=list)
    error_kind: ErrorKind | None = None  # once failed
    next_mask_index: int = 0  # the index the next result gets (indices are never reused)
    worker_id: str | None = None  # distributed mode: the worker running it
    cancel_requested: bool = False  # distributed mode: a cancel for a running job, seen by its worker
    published: float | None = None  # distributed mode: when it was last handed to the broker
    notices: list[str] = field(default_factory=list)  # the engine's notices (out-of-memory fallbacks)
    phase: Phase = Phase.QUEUED  # what it is doing, in plain words
    phase_log: list[dict[str, Any]] = field(default_factory=list)  # [{phase, started, finished}], in order
    owner: str = "admin"  # the user who submitted it (backend.storage.access)
    project: str | None = None  # the volume's project


def _held_by(owner: str | None) -> list[Any]:
    return [] if owner is None else [jobs.c.worker_id == owner]


def _plain(value: Any) -> Any:
    """An enum member as the string the database keeps (drivers may write an enum's name)."""
    return value.value if isinstance(value, Enum) else value


def _encoded(values: dict[str, Any]) -> dict[str, Any]:
    return {k: json.dumps(v) if k in ("results", "prompts", "options", "notices", "phase_log") else _plain(v)
            for k, v in values.items()}


def _phase_change(current: str | None, log_json: str | None, phase: str, now: float) -> dict[str, Any]:
    """The column values that move a job from phase ``current`` to ``phase`` at ``now``: the
    open log entry ends, a new one starts (an ending is over as it starts); ``{}`` when
    ``phase`` is the current one."""
    if current == phase:
        return {}
    log = json.loads(log_json or "[]")
    if log and log[-1].get("finished") is None:
        log[-1]["finished"] = now
    log.append({"phase": phase, "started": now, "finished": now if phase in _TERMINAL else None})
    return {"phase": phase, "phase_log": json.dumps(log)}


def _job(row: Any) -> Job:
    """A ``Job`` from a row of ``jobs`` (a mapping)."""
    values = dict(row)
    for key in ("prompts", "options", "results", "notices", "phase_log"):
        values[key] = json.loads(values[key])
    values["status"] = JobStatus(values["status"])
    values["phase"] = Phase(values["phase"]) if values["phase"] in Phase._value2member_map_ else Phase.QUEUED
    kind = values["error_kind"]
    values["error_kind"] = ErrorKind(kind) if kind in ErrorKind._value2member_map_ else None
    return Job(**values)
