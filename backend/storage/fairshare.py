"""Fair share of the machine between people: which queued job starts next.

Slurm's idea, simplified: each person's *usage* is the compute time of their jobs (running ones
up to now), each job's share halving every ``FAIR_SHARE_HALF_LIFE_S`` since it ended. The queue is
served round robin over the people waiting — those with no job running first (one running job per
person while others wait), then the one with the least usage; each person's
own jobs keep the order they were submitted in. So a person with one job waits for at most one
job of someone whose batch of 20 is running; with one person the order is plain first come,
first served. Both modes start jobs in this order (``Store.fair_queue``): the database decides.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

FAIR_SHARE_HALF_LIFE_S = 3600.0  # an hour-old job weighs half as much as one running now
USAGE_HORIZON_S = 8 * FAIR_SHARE_HALF_LIFE_S  # older jobs weigh under 0.4 %: not read at all


def decayed_usage(runs: Iterable[tuple[str, float, float | None]], now: float,
                  half_life_s: float = FAIR_SHARE_HALF_LIFE_S) -> dict[str, float]:
    """Usage per owner from ``(owner, started, finished or None while running)`` of their jobs:
    seconds of compute, each job's weighted by ``0.5 ** (time since it ended / half_life_s)``."""
    usage: dict[str, float] = defaultdict(float)
    for owner, started, finished in runs:
        end = now if finished is None else min(finished, now)
        usage[owner] += max(0.0, end - started) * 0.5 ** ((now - end) / half_life_s)
    return dict(usage)


def fair_order(queued: Iterable[tuple[str, str, float]], usage: dict[str, float],
               running: Iterable[str] = ()) -> list[str]:
    """The ids of queued jobs ``(id, owner, created)`` in the order they are to start: round robin
    over the owners — those with no job ``running`` now first (one running job per person while
    others wait: a free worker goes to someone who has none), then the least-used (ties: whoever
    has waited longest) — each owner's jobs oldest first."""
    busy = set(running)
    by_owner: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for job_id, owner, created in queued:
        by_owner[owner].append((created, job_id))
    for jobs in by_owner.values():
        jobs.sort()
    owners = sorted(by_owner, key=lambda o: (o in busy, usage.get(o, 0.0), by_owner[o][0][0]))
    order: list[str] = []
    for turn in range(max((len(j) for j in by_owner.values()), default=0)):
        order.extend(by_owner[o][turn][1] for o in owners if turn < len(by_owner[o]))
    return order
