"""Protocols of named structures, as jobs and exports use them.

A job given a protocol gets its prompts, and a snapshot of its structures in the job's options
(``options["structures"]``: name, colour, interpreted type, post-processing per prompt), so that a
later edit of the protocol never changes a job already submitted or its exports.
"""

from __future__ import annotations

import logging
from typing import Any

from backend.domain.context import AppState
from backend.domain.errors import BadInput, NotFound
from voxtell.api import Protocol, ProtocolError, protocol_from_dict, protocol_to_dict, shipped_protocols

logger = logging.getLogger("backend.protocols")

STORED_FIELDS = ("updated", "updated_by", "shipped")


def seed_shipped(state: AppState) -> None:
    """Put the shipped protocols into a database that never held them (an edited or deleted one
    stays as the administrator left it)."""
    added = state.protocols.seed([protocol_to_dict(p) for p in shipped_protocols()])
    if added:
        logger.info("added %d shipped protocol(s)", len(added))


def checked(body: Any) -> Protocol:
    """A protocol from a client's dict form.

    Raises:
        BadInput: naming what is wrong (an unknown interpreted type, a colour, a field).
    """
    try:
        return protocol_from_dict(body)
    except ProtocolError as exc:
        raise BadInput(str(exc)) from None


def from_row(row: dict[str, Any]) -> Protocol:
    """The protocol a stored row holds (the row's bookkeeping fields left out)."""
    return protocol_from_dict({k: v for k, v in row.items() if k not in STORED_FIELDS})


def stored(state: AppState, protocol_id: str) -> tuple[Protocol, dict[str, Any]]:
    """The protocol ``protocol_id`` and its row's ``updated``/``updated_by``/``shipped``.

    Raises:
        NotFound: no such protocol (or deleted).
    """
    row = state.protocols.get(protocol_id)
    if row is None:
        raise NotFound(f"no protocol {protocol_id[:64]!r}")
    return from_row(row), {k: row[k] for k in STORED_FIELDS}


def all_stored(state: AppState) -> list[tuple[Protocol, dict[str, Any]]]:
    return [(from_row(row), {k: row[k] for k in STORED_FIELDS}) for row in state.protocols.all()]


def job_request(protocol: Protocol) -> tuple[list[str], dict[str, object]]:
    """(prompts, options) of a job run with ``protocol``: its prompts, and the structures' names,
    colours, interpreted types and post-processing (``options["structures"]``, one per prompt)."""
    structures = [{"name": s.name, "color": list(s.color), "interpreted_type": s.interpreted_type,
                   "keep_largest_component": s.keep_largest_component, "fill_holes": s.fill_holes}
                  for s in protocol.structures]
    return protocol.prompts, {"protocol": protocol.id, "structures": structures}
