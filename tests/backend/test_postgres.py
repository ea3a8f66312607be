"""The job store on a real PostgreSQL (Debian's package, a throw-away cluster): the schema is
created by the migrations, two API nodes share one database and data dir, the queue bound holds
across them, and a database outage answers 503 with a detail, then recovers."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from backend import Settings
from tests.backend.conftest import FakePredictor, nifti_bytes, upload, wait_done
from tests.backend.live import live_server
from tests.services import Postgres, postgres_server


def _driver(url: str) -> str:
    """The plain ``postgresql://`` URL a user writes, with the driver the package installs."""
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


@pytest.fixture(scope="module")
def postgres() -> Iterator[Postgres]:
    with postgres_server() as server:
        yield server


@pytest.fixture()
def database(postgres: Postgres) -> Iterator[str]:
    """An empty database for one test."""
    admin = sa.create_engine(_driver(postgres.url), isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    name = f"t{threading.get_ident()}_{id(object())}"
    with admin.connect() as db:
        db.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = postgres.url.rsplit("/", 1)[0] + f"/{name}"
    yield url
    with admin.connect() as db:
        db.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
    admin.dispose()


def test_migrations_create_the_schema_and_a_job_runs(make_client, database: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    client = make_client(data_dir=tmp_path / "data", database_url=database)
    volume = upload(client).json()
    job = wait_done(client, client.post("/api/jobs", json={"volume_id": volume["id"], "prompts": ["liver"]}).json()["id"])
    assert job["status"] == "done" and job["results"][0]["voxels"] > 0
    assert [p["phase"] for p in job["phase_log"]] == ["queued", "segmenting", "writing_results", "done"]
    renamed = client.patch(f"/api/jobs/{job['id']}/masks/0", json={"name": "Leber", "color": [1, 2, 3]})
    assert renamed.status_code == 200, renamed.text
    assert (renamed.json()["results"][0]["name"], renamed.json()["results"][0]["color"]) == ("Leber", [1, 2, 3])
    engine = sa.create_engine(_driver(database))
    with engine.connect() as db:
        assert db.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == "0011"
        assert db.execute(sa.text("SELECT status FROM jobs WHERE id = :id"), {"id": job["id"]}).scalar() == "done"
        assert db.execute(sa.text("SELECT phase FROM jobs WHERE id = :id"), {"id": job["id"]}).scalar() == "done"
        assert '"Leber"' in db.execute(sa.text("SELECT results FROM jobs WHERE id = :id"), {"id": job["id"]}).scalar()
    engine.dispose()
    assert not (tmp_path / "data" / "voxtell.sqlite").exists(), "nothing in SQLite when PostgreSQL is configured"


def test_two_api_nodes_share_jobs_and_the_queue_bound(database: str, tmp_path: Path) -> None:
    data = tmp_path / "shared-data"
    first, second = FakePredictor(), FakePredictor()
    first.gate.clear()
    second.gate.clear()
    settings = Settings(data_dir=data, static_dir=tmp_path / "none", database_url=database, queue_size=10)
    with live_server(settings, first) as node_a, live_server(settings, second) as node_b:
        volume = httpx.post(f"{node_a}/api/volumes", files={"file": ("a.nii.gz", nifti_bytes())}).json()
        assert httpx.get(f"{node_b}/api/volumes/{volume['id']}").status_code == 200
        barrier = threading.Barrier(40)

        def submit(i: int) -> int:
            with httpx.Client(timeout=60) as client:
                barrier.wait()
                node = node_a if i % 2 else node_b
                return client.post(f"{node}/api/jobs", json={"volume_id": volume["id"], "prompts": ["x"]}).status_code

        with ThreadPoolExecutor(40) as pool:
            codes = list(pool.map(submit, range(40)))
        assert codes.count(201) == 10 and codes.count(429) == 30, codes
        first.gate.set()
        second.gate.set()


def test_a_database_outage_answers_503_and_recovers(make_client, postgres: Postgres, database: str,
                                                    tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    client = make_client(data_dir=tmp_path / "data", database_url=database)
    volume = upload(client).json()
    postgres.stop()
    try:
        response = client.get(f"/api/volumes/{volume['id']}")
        assert response.status_code == 503, response.text
        assert "database is unavailable" in response.json()["detail"]
        assert client.get("/api/health").status_code == 200
    finally:
        postgres.start()
    assert client.get(f"/api/volumes/{volume['id']}").status_code == 200
    job = client.post("/api/jobs", json={"volume_id": volume["id"], "prompts": ["x"]}).json()
    assert wait_done(client, job["id"])["status"] == "done"


def _node_starting(database: str, data_dir: str, barrier: Any, errors: Any) -> None:
    """One API node's start in its own process (as on its own machine): open the store, which
    applies the migrations. Each CREATE TABLE takes 0.2 s longer here, so that the nodes'
    migrations surely overlap in time."""
    import time

    import backend.storage.store as store_module
    from backend.storage.db import make_engine

    def slow_engine(url: str) -> sa.Engine:
        engine = make_engine(url)

        @sa.event.listens_for(engine, "before_cursor_execute")
        def slowly(conn: object, cursor: object, statement: str, *args: object) -> None:
            if statement.lstrip().upper().startswith("CREATE TABLE"):
                time.sleep(0.2)

        return engine

    store_module.make_engine = slow_engine  # type: ignore[assignment]
    try:
        barrier.wait(120)
        store_module.Store(Path(data_dir), database).close()
    except BaseException as exc:
        errors.put(f"{type(exc).__name__}: {exc}"[:2000])
        raise


def test_api_nodes_starting_together_migrate_a_fresh_database_once(database: str, tmp_path: Path) -> None:
    """Every process applies the migrations at start; four starting at the same moment on an
    empty database all come up (one migrates, the others wait and find the schema at head)."""
    import multiprocessing

    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from backend.storage.db import MIGRATIONS

    nodes = 4
    spawn = multiprocessing.get_context("spawn")
    barrier, errors = spawn.Barrier(nodes), spawn.Queue()
    processes = [spawn.Process(target=_node_starting, args=(database, str(tmp_path / "shared-data"), barrier, errors))
                 for _ in range(nodes)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(180)
    failures = []
    while not errors.empty():
        failures.append(errors.get())
    assert [p.exitcode for p in processes] == [0] * nodes, failures
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(config).get_current_head()
    engine = sa.create_engine(_driver(database), poolclass=sa.pool.NullPool)
    with engine.connect() as db:
        assert db.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all() == [head]
        tables = set(sa.inspect(db).get_table_names())
    engine.dispose()
    assert {"volumes", "jobs", "workers", "alembic_version"} <= tables
