"""`DicomNode`: the receiving half of a DICOM node (a Storage SCP answering C-ECHO and C-STORE).

A hospital's scanner, PACS or planning system sends studies to the node by C-STORE. Each image
instance is written (by a generated name, fsync'd) into a per-association pending area before
success is answered; when the association is released its instances join their series in the
spool, and when it is aborted they are deleted. Complete series are handed to the caller's
``on_complete`` by a `CompletionWatcher` (see ``completion.py`` for what "complete" means).

Logs carry counts and AE titles only: no patient fields, UIDs, addresses or file names.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from pynetdicom import AE, evt
from pynetdicom.association import Association
from pynetdicom.transport import ThreadedAssociationServer

from backend.integrations.dicom_node.completion import CompletionWatcher, OnComplete
from backend.integrations.dicom_node.config import NodeConfig
from backend.integrations.dicom_node.records import SeriesHeader, SeriesRecord
from backend.integrations.dicom_node.sop import (
    TRANSFER_SYNTAXES,
    VERIFICATION,
    digest,
    is_image_storage,
    is_uid,
    storage_sop_classes,
)
from backend.integrations.dicom_node.spool import PendingSeries, Sender, Spool

log = logging.getLogger(__name__)

SUCCESS = 0x0000
OUT_OF_RESOURCES = 0xA700
CANNOT_UNDERSTAND = 0xC000

# A-ASSOCIATE-RJ (result, source, reason)
REJECT_CALLING_AE = (0x01, 0x01, 0x03)  # permanent, service user, calling AE title not recognised
REJECT_CONGESTION = (0x02, 0x03, 0x01)  # transient, service provider (presentation), congestion


@dataclass
class _Association:
    """What the node tracks of one open association."""

    token: str
    sender: Sender
    arrivals: dict[str, PendingSeries] = field(default_factory=dict)
    stored: int = 0
    ignored: int = 0
    failed: int = 0
    finished: bool = False


class DicomNode:
    """A Storage SCP spooling received image series and handing complete ones to ``on_complete``.

    ``on_complete(series)`` runs on the watcher thread (one series at a time); the series' files
    are deleted once it returns, and it is called again later if it raises. Pass
    ``watch=False`` to drive completion yourself through ``node.watcher.poll()``.
    """

    def __init__(self, config: NodeConfig, on_complete: OnComplete, *, watch: bool = True,
                 quiet_for: Callable[[SeriesRecord], float | None] | None = None) -> None:
        self.config = config
        self.spool = Spool(config.spool_dir)
        self.watcher = CompletionWatcher(
            self.spool, on_complete, quiet_s=config.quiet_s, ceiling_s=config.ceiling_s,
            retry_s=config.retry_s, poll_s=config.poll_s, forget_after_s=config.forget_after_s,
            busy=self.busy_series, quiet_for=quiet_for)
        self._watch = watch
        self._lock = threading.Lock()
        self._open: dict[Association, _Association] = {}
        self._ae: AE | None = None
        self._server: ThreadedAssociationServer | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        """Open the spool and listen (non-blocking); start the completion watcher."""
        if self._server is not None:
            return
        pynetdicom_log = logging.getLogger("pynetdicom")
        if pynetdicom_log.getEffectiveLevel() < logging.WARNING:
            pynetdicom_log.setLevel(logging.WARNING)  # its INFO/DEBUG lines can name identifiers
        self.spool.open()
        try:
            self._ae = self._make_ae()
            handlers: list[Any] = [
                (evt.EVT_REQUESTED, self._on_requested), (evt.EVT_ACCEPTED, self._on_accepted),
                (evt.EVT_C_ECHO, self._on_echo), (evt.EVT_C_STORE, self._on_store),
                (evt.EVT_RELEASED, self._on_released), (evt.EVT_ABORTED, self._on_aborted)]
            self._server = self._ae.start_server(
                (self.config.host, self.config.port), block=False, evt_handlers=handlers)
        except BaseException:
            self.spool.close()
            raise
        if not self.config.allow_any and not self.config.allowed_callers:
            log.warning("dicom node: no caller is allowed; every association will be refused")
        if self._watch:
            self.watcher.start()
        log.info("dicom node %s listening on port %d", self.config.ae_title, self.port)

    def stop(self) -> None:
        """Stop listening; open associations are aborted (their instances dropped)."""
        if self._ae is not None:
            self._ae.shutdown()
            self._ae = None
            self._reap()
        self._server = None
        self.watcher.stop()
        self.spool.close()

    def __enter__(self) -> DicomNode:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The port listened on (the one picked when the configuration says 0)."""
        if self._server is None:
            raise RuntimeError("the node is not started")
        return int(self._server.server_address[1])

    def busy_series(self) -> set[str]:
        """Keys of the series that open associations are adding to."""
        self._reap()
        with self._lock:
            return {key for state in self._open.values() for key in state.arrivals}

    def _reap(self) -> None:
        """Drop what associations that ended without release or abort (a lost connection) left.

        Their thread has ended without either event, so nothing else will. (A closed connection
        is not an event to act on: the peer closes it right after the release answer, maybe
        before the association thread has committed.)
        """
        with self._lock:
            ended = [(assoc, state) for assoc, state in self._open.items()
                     if not assoc.is_alive() and not state.finished]
        for assoc, _ in ended:
            self._end_unreleased(assoc)

    def _make_ae(self) -> AE:
        ae = AE(ae_title=self.config.ae_title)
        ae.maximum_associations = self.config.max_associations
        ae.network_timeout = self.config.network_timeout_s
        ae.acse_timeout = self.config.acse_timeout_s
        ae.dimse_timeout = self.config.dimse_timeout_s
        ae.require_called_aet = self.config.require_called_ae
        ae.add_supported_context(VERIFICATION)
        for sop_class in storage_sop_classes():
            ae.add_supported_context(sop_class, list(TRANSFER_SYNTAXES))
        return ae

    # -- association events ------------------------------------------------------------------

    def _on_requested(self, event: evt.Event) -> None:
        assoc = event.assoc
        calling = _titles(assoc)[1]
        address = str(assoc.requestor.address)
        if not self.config.admits(calling, address):
            log.warning("dicom node: association from %s refused (caller not allowed)", calling)
            self._reject(assoc, REJECT_CALLING_AE)
        elif not self.spool.has_room(self.config.high_water, self.config.min_free_bytes):
            log.warning("dicom node: association from %s refused (spool disk above its high-water mark)", calling)
            self._reject(assoc, REJECT_CONGESTION)

    @staticmethod
    def _reject(assoc: Association, reason: tuple[int, int, int]) -> None:
        assoc.acse.send_reject(*reason)
        evt.trigger(assoc, evt.EVT_REJECTED, {})
        assoc.kill()

    def _on_accepted(self, event: evt.Event) -> None:
        assoc = event.assoc
        called, calling = _titles(assoc)
        sender = Sender(called_ae=called, calling_ae=calling, address=str(assoc.requestor.address))
        with self._lock:
            self._open[assoc] = _Association(token=uuid.uuid4().hex, sender=sender)

    def _on_echo(self, event: evt.Event) -> int:
        return SUCCESS

    def _on_released(self, event: evt.Event) -> None:
        state = self._finish(event.assoc)
        if state is None:
            return
        try:
            added, dropped = self.spool.commit(state.token, state.arrivals, state.sender)
        except OSError as exc:
            self.spool.discard(state.token)
            self._forget(event.assoc)
            log.error("dicom node: association from %s released but its %d instance(s) could not be "
                      "spooled (%s)", state.sender.calling_ae, state.stored, type(exc).__name__)
            return
        log.info("dicom node: association from %s released: %d instance(s) spooled in %d series, "
                 "%d already handed over, %d non-image object(s) ignored, %d failed",
                 state.sender.calling_ae, added, len(state.arrivals), dropped, state.ignored, state.failed)
        self._forget(event.assoc)

    def _on_aborted(self, event: evt.Event) -> None:
        self._end_unreleased(event.assoc)

    def _end_unreleased(self, assoc: Association) -> None:
        state = self._finish(assoc)
        if state is None:
            return
        self.spool.discard(state.token)
        self._forget(assoc)
        if state.stored:
            log.warning("dicom node: association from %s ended without release: %d instance(s) dropped",
                        state.sender.calling_ae, state.stored)

    def _finish(self, assoc: Association) -> _Association | None:
        """The association's state, once: a release or an abort ends it."""
        with self._lock:
            state = self._open.get(assoc)
            if state is None or state.finished:
                return None
            state.finished = True
        return state

    def _forget(self, assoc: Association) -> None:
        with self._lock:
            self._open.pop(assoc, None)

    # -- C-STORE -----------------------------------------------------------------------------

    def _on_store(self, event: evt.Event) -> int:
        with self._lock:
            state = self._open.get(event.assoc)
        if state is None or state.finished:
            return OUT_OF_RESOURCES
        sop_class = str(event.request.AffectedSOPClassUID)
        if not is_image_storage(sop_class):
            state.ignored += 1  # SEG, RTSTRUCT, SR, plans, doses, presentation states...
            return SUCCESS
        if not self.spool.has_room(self.config.high_water, self.config.min_free_bytes):
            state.failed += 1
            return OUT_OF_RESOURCES
        try:
            ds = event.dataset
            study, series, instance = (str(ds.get(k, "")) for k in
                                       ("StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID"))
        except Exception:  # undecodable: the peer hears "cannot understand"
            state.failed += 1
            return CANNOT_UNDERSTAND
        if not (is_uid(study) and is_uid(series) and is_uid(instance)):
            state.failed += 1
            return CANNOT_UNDERSTAND
        key = digest(state.sender.called_ae, study, series)
        try:
            self.spool.write_pending(state.token, key, digest(instance), event.encoded_dataset())
        except OSError as exc:
            state.failed += 1
            log.error("dicom node: an instance from %s could not be written (%s)",
                      state.sender.calling_ae, type(exc).__name__)
            return OUT_OF_RESOURCES
        with self._lock:
            if key not in state.arrivals:
                state.arrivals[key] = PendingSeries(SeriesHeader.from_dataset(ds, sop_class), time.time())
            state.arrivals[key].instances += 1
        state.stored += 1
        return SUCCESS


def _titles(assoc: Association) -> tuple[str, str]:
    """(called, calling) AE titles of an association's request."""
    request = assoc.requestor.primitive
    if request is None:
        return "", ""
    return str(request.called_ae_title).strip(), str(request.calling_ae_title).strip()
