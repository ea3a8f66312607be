"""Mask colours live on the server: every result carries one, from the server's palette until
the user picks another."""

from __future__ import annotations

import colorsys
import math

from tests.backend.conftest import upload, wait_done


def palette(index: int) -> list[int]:
    """The web app's former ``maskColor(index)``, from the standard library's HLS conversion
    and JavaScript's ``Math.round`` (half up): what the server must answer."""
    r, g, b = colorsys.hls_to_rgb(((index * 137.508 + 10) % 360) / 360, 0.55, 0.85)
    return [math.floor(v * 255 + 0.5) for v in (r, g, b)]


def test_palette_matches_the_web_apps_former_colours() -> None:
    # Values the web app showed (frontend/src/lib/colors.ts, evaluated in Node) for masks 0..3.
    assert [palette(i) for i in range(4)] == [[238, 75, 43], [43, 238, 132], [189, 43, 238], [230, 238, 43]]


def test_results_carry_palette_colours_by_index(make_client) -> None:  # type: ignore[no-untyped-def]
    client = make_client()
    volume = upload(client).json()
    job = client.post("/api/jobs", json={"volume_id": volume["id"], "prompts": ["a", "b", "c"]}).json()
    job = wait_done(client, job["id"])
    assert [r["color"] for r in job["results"]] == [palette(i) for i in range(3)]


def test_results_stored_before_colours_existed_get_their_palette_colour(make_client) -> None:  # type: ignore[no-untyped-def]
    client = make_client()
    volume = upload(client).json()
    job = wait_done(client, client.post("/api/jobs", json={"volume_id": volume["id"], "prompts": ["a", "b"]}).json()["id"])
    store = client.app.state.voxtell.store  # type: ignore[attr-defined]
    store.edit_results(job["id"], lambda results: [{k: v for k, v in r.items() if k != "color"} for r in results])
    assert "color" not in store.get_job(job["id"]).results[1]
    assert [r["color"] for r in client.get(f"/api/jobs/{job['id']}").json()["results"]] == [palette(0), palette(1)]
