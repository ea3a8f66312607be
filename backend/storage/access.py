"""Who may see a stored object: the one filter every read of a volume or job goes through.

A volume or job belongs to its ``owner`` (a user id) and optionally one ``project``; it is seen
by its owner, the project's members and administrators. Anyone else gets nothing back — the
same answer as for an id that does not exist, so a route answers 404 and never reveals that the
object exists. Requests read through an ``Access``; the job system (workers, the retention
sweep) reads with ``None``: everything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa


@dataclass(frozen=True)
class Access:
    """What a signed-in person may see."""

    user_id: str
    everything: bool = False  # an administrator
    projects: frozenset[str] = frozenset()  # ids of the projects the person belongs to

    def sees(self, owner: str, project: str | None) -> bool:
        return self.everything or owner == self.user_id or (project is not None and project in self.projects)


def visible(table: sa.Table, access: Access | None) -> list[Any]:
    """The WHERE conditions that keep to the rows of ``table`` (which has ``owner`` and
    ``project`` columns) that ``access`` may see; none for ``None`` or an administrator."""
    if access is None or access.everything:
        return []
    mine = table.c.owner == access.user_id
    if not access.projects:
        return [mine]
    return [sa.or_(mine, table.c.project.in_(sorted(access.projects)))]
