"""The job database: SQLAlchemy Core tables, the engine, and schema migrations (Alembic).

SQLite in the data dir is the embedded default (``sqlite:///<data dir>/voxtell.sqlite``, WAL);
``VOXTELL_DATABASE_URL=postgresql://...`` puts volumes, jobs and progress in PostgreSQL through
the same code. ``upgrade(engine)`` brings any earlier database to the current schema, including
the data dirs written before Alembic (their ``PRAGMA user_version`` says how far they were).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from backend.storage.datadir import DataDir

metadata = sa.MetaData()

volumes = sa.Table(
    "volumes", metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("created", sa.Float, nullable=False),
    sa.Column("file", sa.Text, nullable=False),
    sa.Column("meta", sa.Text, nullable=False),
    sa.Column("owner", sa.Text, nullable=False, server_default="admin"),  # a user id
    sa.Column("project", sa.Text),  # a project id: its members see the volume too
    sa.Index("volumes_owner", "owner", "created"),
)

jobs = sa.Table(
    "jobs", metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("volume_id", sa.Text, nullable=False),
    sa.Column("created", sa.Float, nullable=False),
    sa.Column("prompts", sa.Text, nullable=False),
    sa.Column("options", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("started", sa.Float),
    sa.Column("finished", sa.Float),
    sa.Column("done", sa.Integer, nullable=False, server_default="0"),
    sa.Column("total", sa.Integer, nullable=False, server_default="0"),
    sa.Column("error", sa.Text),
    sa.Column("results", sa.Text, nullable=False, server_default="[]"),
    sa.Column("error_kind", sa.Text),
    sa.Column("next_mask_index", sa.Integer, nullable=False, server_default="0"),
    sa.Column("worker_id", sa.Text),
    sa.Column("cancel_requested", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("published", sa.Float),
    sa.Column("notices", sa.Text, nullable=False, server_default="[]"),
    sa.Column("phase", sa.Text, nullable=False, server_default="queued"),
    sa.Column("phase_log", sa.Text, nullable=False, server_default="[]"),
    sa.Column("owner", sa.Text, nullable=False, server_default="admin"),  # who submitted it
    sa.Column("project", sa.Text),  # the volume's project
    sa.Index("jobs_status", "status", "created"),
    sa.Index("jobs_owner", "owner", "created"),
)

workers = sa.Table(
    "workers", metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("host", sa.Text, nullable=False),
    sa.Column("device", sa.Text, nullable=False),
    sa.Column("gpu_name", sa.Text),
    sa.Column("current_job", sa.Text),
    sa.Column("started", sa.Float, nullable=False),
    sa.Column("last_seen", sa.Float, nullable=False),
)

users = sa.Table(
    "users", metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("name", sa.Text, nullable=False, unique=True),
    sa.Column("role", sa.Text, nullable=False),  # backend.states.Role
    sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("created", sa.Float, nullable=False),
    sa.Column("max_queued", sa.Integer),  # jobs this user may have waiting; NULL: the server's default
    sa.Column("max_daily_compute_s", sa.Float),  # compute seconds per UTC day; NULL: the server's default
)

tokens = sa.Table(
    "tokens", metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("user_id", sa.Text, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("secret_hash", sa.Text, nullable=False),  # SHA-256 of the secret; the secret is never kept
    sa.Column("scope", sa.Text, nullable=False),  # backend.states.Scope
    sa.Column("created", sa.Float, nullable=False),
    sa.Column("expires", sa.Float),
    sa.Column("last_used", sa.Float),  # written at most every few minutes
    sa.Column("revoked", sa.Float),
)

projects = sa.Table(
    "projects", metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("name", sa.Text, nullable=False, unique=True),
    sa.Column("created", sa.Float, nullable=False),
)

project_members = sa.Table(
    "project_members", metadata,
    sa.Column("project_id", sa.Text, sa.ForeignKey("projects.id"), primary_key=True),
    sa.Column("user_id", sa.Text, primary_key=True),
)

# Append-only (triggers refuse UPDATE and DELETE); each row's hash chains it to the one before.
audit_events = sa.Table(
    "audit_events", metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.Float, nullable=False),
    sa.Column("user_id", sa.Text),
    sa.Column("via", sa.Text, nullable=False),
    sa.Column("token_id", sa.Text),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("outcome", sa.Integer, nullable=False),
    sa.Column("object_type", sa.Text),
    sa.Column("object_id", sa.Text),
    sa.Column("source", sa.Text),
    sa.Column("request_id", sa.Text),
    sa.Column("detail", sa.Text),  # an infer's prompts, only with VOXTELL_AUDIT_PROMPTS
    sa.Column("prev_hash", sa.Text, nullable=False),
    sa.Column("hash", sa.Text, nullable=False),
)

# One row per prune of the audit trail past its retention (the hash of the last row removed
# anchors the chain of the rows kept).
audit_prunes = sa.Table(
    "audit_prunes", metadata,
    sa.Column("last_seq", sa.Integer, primary_key=True),
    sa.Column("last_hash", sa.Text, nullable=False),
    sa.Column("removed", sa.Integer, nullable=False),
    sa.Column("at", sa.Float, nullable=False),
)

# Protocols of named structures (their checked dict form as JSON); a deleted one keeps its row
# (``deleted`` set) so that a shipped protocol an administrator removed is not seeded again.
protocols = sa.Table(
    "protocols", metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("updated", sa.Float, nullable=False),
    sa.Column("updated_by", sa.Text),
    sa.Column("shipped", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("deleted", sa.Float),
)

# The DICOM node: routing rules (first match wins, by position), destinations of results, the
# series received (the worklist) and each result's send to each destination.
dicom_rules = sa.Table(
    "dicom_rules", metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
)

dicom_destinations = sa.Table(
    "dicom_destinations", metadata,
    sa.Column("name", sa.Text, primary_key=True),
    sa.Column("body", sa.Text, nullable=False),
)

dicom_series = sa.Table(
    "dicom_series", metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("delivery", sa.Text, nullable=False, unique=True),  # the spool's key + generation: once only
    sa.Column("received", sa.Float, nullable=False),
    sa.Column("calling_ae", sa.Text),
    sa.Column("called_ae", sa.Text),
    sa.Column("modality", sa.Text),
    sa.Column("series_description", sa.Text),
    sa.Column("instances", sa.Integer, nullable=False),
    sa.Column("rule", sa.Text),
    sa.Column("protocol", sa.Text),
    sa.Column("state", sa.Text, nullable=False),  # backend.states.SeriesState
    sa.Column("reason", sa.Text),
    sa.Column("review", sa.Text),  # backend.states.Review, when the rule holds drafts for review
    sa.Column("volume_id", sa.Text),
    sa.Column("job_id", sa.Text),
    sa.Column("owner", sa.Text, nullable=False),
    sa.Column("project", sa.Text),
    sa.Column("approved_by", sa.Text),
    sa.Index("dicom_series_received", "received"),
)

dicom_sends = sa.Table(
    "dicom_sends", metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("series_id", sa.Text, nullable=False),
    sa.Column("destination", sa.Text, nullable=False),
    sa.Column("format", sa.Text, nullable=False),  # rtstruct | seg
    sa.Column("state", sa.Text, nullable=False),  # backend.states.SendState
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_at", sa.Float),
    sa.Column("last_error", sa.Text),
    sa.Column("sent_at", sa.Float),
    sa.Column("created", sa.Float, nullable=False),
    sa.Index("dicom_sends_due", "state", "next_at"),
)

MIGRATIONS = Path(__file__).with_name("migrations")
# Before Alembic, SQLite data dirs counted applied changes in PRAGMA user_version.
_LEGACY_REVISIONS = {0: "0001", 1: "0002", 2: "0003"}  # never beyond 0003


def sqlite_url(data_dir: Path) -> str:
    return f"sqlite:///{DataDir(data_dir).sqlite_file.resolve()}"


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL, a busy timeout and explicit transactions."""
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                                  pool_size=8, max_overflow=32)

        @sa.event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _: Any) -> None:
            dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
            cursor = dbapi_connection.cursor()
            # WAL + NORMAL: commits are atomic and the database stays consistent after a crash;
            # only the last moments before a power cut may be lost (a job then re-runs).
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.close()

        @sa.event.listens_for(engine, "begin")
        def _on_begin(connection: sa.Connection) -> None:
            # An "immediate" transaction takes the write lock at once (count-then-insert is atomic).
            immediate = connection.get_execution_options().get("immediate", False)
            connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    if url.startswith(("postgresql://", "postgres://")):  # the driver this package installs
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return sa.create_engine(url, pool_pre_ping=True, pool_size=8, max_overflow=32)


def upgrade(engine: Engine, data_dir: Path) -> None:
    """Apply every migration the database lacks (Alembic ``upgrade head``)."""
    from alembic.config import Config

    with _UPGRADES:  # Alembic's command context is process-global: one upgrade at a time per process
        _upgrade(engine, data_dir, Config())


_UPGRADES = threading.Lock()


def _upgrade(engine: Engine, data_dir: Path, config: Any) -> None:
    from alembic import command

    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["data_dir"] = Path(data_dir)
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":  # nodes starting together migrate one at a time
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(734113)"))
        config.attributes["connection"] = connection
        inspector = sa.inspect(connection)
        tables = set(inspector.get_table_names())
        if "volumes" in tables and "alembic_version" not in tables and engine.dialect.name == "sqlite":
            version = int(connection.exec_driver_sql("PRAGMA user_version").scalar() or 0)
            command.stamp(config, _LEGACY_REVISIONS[min(version, 2)])
        command.upgrade(config, "head")
