"""The DICOM node's worklist as people act on it: approving held drafts, re-sending a failed send,
reading the rules. The node's results loop (``backend.integrations.dicom_node.routing``) makes the
sends these create; any API node can create them (the database is the truth)."""

from __future__ import annotations

import time
from typing import Any

from backend.domain.context import AppState
from backend.domain.dicom_rules import Rule, config_from_dict
from backend.domain.errors import Conflict, NotFound
from backend.states import SendState, SeriesState
from backend.storage.access import Access
from backend.storage.dicom_node import NodeRows


def current_rules(state: AppState) -> list[Rule]:
    rules, destinations = NodeRows(state.store).config()
    protocols = {row["id"] for row in state.protocols.all()}
    return config_from_dict({"rules": rules, "destinations": destinations}, protocols)[0]


def release(state: AppState, series_id: str, now: float | None = None) -> bool:
    """The results of ``series_id`` go to its rule's destinations (auto, or once approved); False
    when it was not waiting (already released by someone else)."""
    rows = NodeRows(state.store)
    row = rows.series(series_id)
    if row is None:
        return False
    rule = next((r for r in current_rules(state) if r.id == row["rule"]), None)
    if rule is None:
        rows.update_series(series_id, state=SeriesState.FAILED.value,
                           reason="its rule was removed before the results were sent")
        return False
    if not rows.update_series(series_id, only_if_state=(SeriesState.QUEUED.value, SeriesState.REVIEW.value),
                              state=SeriesState.SENDING.value if rule.send else SeriesState.DONE.value):
        return False
    rows.add_sends(series_id, [(s.destination, s.format) for s in rule.send], now)
    return True


def approve(state: AppState, series_id: str, access: Access, user_id: str) -> dict[str, Any]:
    """A person approves the drafts (as edited) of a series held for review: they are sent.

    Raises:
        NotFound: no such series, or not the person's to see; Conflict: not waiting for review.
    """
    rows = NodeRows(state.store)
    row = rows.series(series_id, access)
    if row is None:
        raise NotFound("series not found")
    if row["state"] != SeriesState.REVIEW.value:
        raise Conflict(f"this series is {row['state']}, not waiting for review")
    rows.update_series(series_id, approved_by=user_id)
    if not release(state, series_id):
        raise Conflict("this series was approved by someone else meanwhile")
    found = rows.series(series_id)
    assert found is not None
    return found


def resend(state: AppState, send_id: str, access: Access, now: float | None = None) -> None:
    """A failed send tried again at once (by hand); its series back to sending.

    Raises:
        NotFound: no such send, or its series is not the person's to see; Conflict: not failed.
    """
    rows = NodeRows(state.store)
    send = rows.send(send_id)
    if send is None or rows.series(send["series_id"], access) is None:
        raise NotFound("send not found")
    if send["state"] != SendState.FAILED.value:
        raise Conflict(f"this send is {send['state']}; only a failed send is re-sent by hand")
    rows.update_send(send_id, state=SendState.PENDING.value, attempts=0, next_at=time.time() if now is None else now)
    rows.update_series(send["series_id"], state=SeriesState.SENDING.value, reason=None)
