"""Two API nodes (distributed mode: one PostgreSQL, one Redis, one shared data dir) asked at the
same moment to import the same PACS series store it once: the second waits for the first (a
database lock, not a lock of one process) and answers the volume the first stored."""

from __future__ import annotations

import threading
from pathlib import Path

import httpx
import sqlalchemy as sa
from fastapi.testclient import TestClient

from backend import Settings, create_app
from backend.storage.db import volumes
from tests.backend.conftest import FakePredictor
from tests.pacs.conftest import PASSWORD, USER, Archive
from tests.services import postgres_server, redis_server


def test_two_api_nodes_importing_one_series_at_once_store_it_once(archive: Archive, tmp_path: Path) -> None:
    series = archive.series["sagittal"]
    body = {"study_uid": series.study_uid, "series_uid": series.series_uid}
    with postgres_server() as postgres, redis_server() as redis:
        settings = Settings(data_dir=tmp_path / "data", static_dir=tmp_path / "none", database_url=postgres.url,
                            broker_url=redis.url, dicomweb_url=archive.url, dicomweb_user=USER,
                            dicomweb_password=PASSWORD)
        predictor = FakePredictor()
        with TestClient(create_app(settings, lambda _: predictor)) as one, \
                TestClient(create_app(settings, lambda _: predictor)) as two:
            start = threading.Barrier(2)
            answers: dict[str, httpx.Response] = {}

            def import_on(name: str, node: TestClient) -> None:
                start.wait()
                answers[name] = node.post("/api/pacs/import", json=body)

            threads = [threading.Thread(target=import_on, args=(name, node)) for name, node in
                       (("one", one), ("two", two))]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(120)
            statuses = sorted(a.status_code for a in answers.values())
            assert statuses == [200, 201], [a.text for a in answers.values()]
            assert answers["one"].json()["id"] == answers["two"].json()["id"]
            engine = sa.create_engine(postgres.url.replace("postgresql://", "postgresql+psycopg://"))
            try:
                with engine.connect() as db:
                    assert db.execute(sa.select(sa.func.count()).select_from(volumes)).scalar_one() == 1
            finally:
                engine.dispose()
            stored = [p for p in (tmp_path / "data" / "volumes").iterdir() if p.is_file()]
            assert len(stored) == 1
