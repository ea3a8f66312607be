"""The DICOM worklist a page at a time: ``limit`` and ``before`` (the last series of the page seen)
walk every series the caller may see exactly once, newest first, whatever arrives meanwhile; a
page from another person's series, or one that is gone, answers 404 like any object of theirs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from backend.states import SeriesState
from backend.storage.dicom_node import NodeRows
from tests.backend.conftest import FakePredictor
from tests.backend.people import ADMIN, KEY, person


@pytest.fixture()
def keyed(make_client: Callable[..., TestClient], tmp_path: Path) -> TestClient:
    return make_client(FakePredictor(), api_key=KEY, data_dir=tmp_path / "data")


def _received(client: TestClient, owner: str, received: float, description: str) -> str:
    """A worklist row as the node writes it when a series is complete."""
    rows = NodeRows(client.app.state.voxtell.store)  # type: ignore[attr-defined]
    series_id = rows.add_series(f"delivery-{description}", received=received, calling_ae="CT1", called_ae="VOXTELL",
                                modality="CT", series_description=description, instances=1,
                                state=SeriesState.UNMATCHED.value, owner=owner)
    assert series_id is not None
    return series_id


def _page(client: TestClient, who: dict[str, str], limit: int, before: str | None = None) -> list[dict[str, Any]]:
    params: dict[str, Any] = {"limit": limit} | ({"before": before} if before else {})
    answer = client.get("/api/dicom/series", params=params, headers=who)
    assert answer.status_code == 200, answer.text
    return list(answer.json())


def test_pages_walk_every_series_once_newest_first_whatever_arrives_meanwhile(keyed: TestClient, tmp_path: Path) -> None:
    alice = person(tmp_path / "data", "alice")
    alice_id = keyed.get("/api/me", headers=alice).json()["id"]
    # 23 series, three of them received in the same second (the id orders those).
    times = [1000.0 + i for i in range(20)] + [1010.0, 1010.0, 1010.0]
    for i, t in enumerate(times):
        _received(keyed, alice_id, t, f"series {i:02d}")
    everything = _page(keyed, alice, 500)
    assert len(everything) == 23
    assert [s["received"] for s in everything] == sorted(times, reverse=True)

    seen: list[str] = []
    page = _page(keyed, alice, 5)
    _received(keyed, alice_id, 2000.0, "arrived while paging")  # newest: on the first page only, not shifting the rest
    while page:
        assert len(page) <= 5
        seen += [s["id"] for s in page]
        page = _page(keyed, alice, 5, before=page[-1]["id"])
    assert seen == [s["id"] for s in everything], "every series once, in order"
    assert _page(keyed, alice, 5)[0]["series_description"] == "arrived while paging"


def test_a_page_from_another_persons_series_or_one_that_is_gone_is_404(keyed: TestClient, tmp_path: Path) -> None:
    alice = person(tmp_path / "data", "alice")
    bob = person(tmp_path / "data", "bob")
    alice_id = keyed.get("/api/me", headers=alice).json()["id"]
    hers = _received(keyed, alice_id, 1000.0, "hers")
    _received(keyed, alice_id, 999.0, "older")
    for who, before in ((bob, hers), (alice, "no-such-series")):
        answer = keyed.get("/api/dicom/series", params={"before": before}, headers=who)
        assert answer.status_code == 404, answer.text
        assert "reload the worklist" in answer.json()["detail"]
    # the administrator sees every series, and pages from hers
    assert [s["series_description"] for s in _page(keyed, ADMIN, 5, before=hers)] == ["older"]
    assert keyed.get("/api/dicom/series", params={"before": "x" * 65}, headers=alice).status_code == 422
