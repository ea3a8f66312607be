"""Which storage failures are which: a full disk (nothing more can be written: 507, a job fails
as ``disk_full``) and a job database that is away for the moment (503 with ``Retry-After``; a job
pauses and retries). The storage layer knows its drivers' errors; the layers above ask here."""

from __future__ import annotations

import errno
import sqlite3

import sqlalchemy.exc


def is_disk_full(exc: BaseException | None) -> bool:
    """An ``OSError`` (or SQLite error) that says the disk or quota is full, anywhere in the chain."""
    while exc is not None:
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if isinstance(exc, sqlite3.OperationalError) and "full" in str(exc):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def is_database_unavailable(exc: BaseException) -> bool:
    """The job database is unreachable or locked for the moment (not full): worth a retry."""
    if is_disk_full(exc):
        return False
    if isinstance(exc, (sqlite3.OperationalError, sqlalchemy.exc.OperationalError, sqlalchemy.exc.InterfaceError)):
        return True
    return isinstance(exc, sqlalchemy.exc.DBAPIError) and bool(exc.connection_invalidated)
