"""The DICOM node inside the server: what happens to a complete series, and to its results.

``NodeService`` receives (``DicomNode``), turns each complete series into a volume owned by the
node's service account (the upload path: same readers, same geometry checks), matches the rules,
queues a job with the rule's protocol in the ordinary fair queue, and — once the job is done and,
for a ``review`` rule, approved — sends an RTSTRUCT and/or DICOM SEG to each destination, with
retries. Every state is a row (``backend.storage.dicom_node``): a restart loses nothing.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Any

from backend.domain.context import AppState
from backend.domain.dicom_rules import Arrival, Rule, first_match, orientation_of
from backend.domain.dicom_worklist import current_rules, release
from backend.domain.errors import DomainError
from backend.domain.identity import Owned, Principal
from backend.domain.ingest_dicom import ingest_dicom
from backend.domain.jobs import submit_job
from backend.domain.masks import dicom_export
from backend.domain.protocols import job_request, stored
from backend.integrations.dicom_node.config import Caller, NodeConfig
from backend.integrations.dicom_node.receiver import DicomNode
from backend.integrations.dicom_node.records import ReceivedSeries, SeriesHeader, SeriesRecord
from backend.integrations.dicom_node.sender import SendFailed, Tls, c_store
from backend.states import TERMINAL, AuditAction, AuthVia, JobStatus, Review, Role, SendState, SeriesState
from backend.storage.audit import AuditEvent
from backend.storage.dicom_node import NodeRows
from voxtell.api import InvalidInputError

logger = logging.getLogger("backend.dicom_node")


def node_config(state: AppState) -> NodeConfig:
    settings = state.settings
    callers = [Caller(*(entry.split("@", 1) if "@" in entry else (entry, None)))  # type: ignore[arg-type]
               for entry in settings.dicom_allowed_callers]
    return NodeConfig(ae_title=settings.dicom_ae_title, port=settings.dicom_port or 0, host=settings.dicom_host,
                      spool_dir=state.store.paths.dicom_spool, allowed_callers=tuple(callers),
                      allow_any=settings.dicom_allow_any, high_water=settings.dicom_high_water,
                      quiet_s=settings.dicom_quiet_s, ceiling_s=settings.dicom_ceiling_s)


def service_principal(state: AppState) -> Principal:
    """The node's service account (made on first use, role ``service``)."""
    identities = state.identities
    user = identities.user_named(state.settings.dicom_service_user)
    if user is None:
        user = identities.add_user(state.settings.dicom_service_user, Role.SERVICE)
    return Principal(user_id=user.id, name=user.name, role=user.role, via=AuthVia.LOCAL,
                     projects=identities.projects_of(user.id), max_queued=user.max_queued,
                     max_daily_compute_s=user.max_daily_compute_s)


def _arrival(header: SeriesHeader, called_ae: str, instances: int) -> Arrival:
    return Arrival(called_ae=called_ae, modality=header.modality, body_part=header.body_part_examined,
                   series_description=header.series_description, image_type=header.image_type,
                   slice_thickness=header.slice_thickness, orientation=orientation_of(header.image_orientation_patient),
                   instances=instances)


class NodeService:
    """The DICOM node, its rules and its sends, in the server process."""

    def __init__(self, state: AppState, poll_s: float = 1.0) -> None:
        self.state = state
        self.rows = NodeRows(state.store)
        self.poll_s = poll_s
        self.node = DicomNode(node_config(state), self.on_complete, quiet_for=self.quiet_for)
        self._rules: tuple[float, list[Rule]] = (0.0, [])
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="voxtell-dicom-results", daemon=True)

    @property
    def port(self) -> int:
        return self.node.port

    def start(self) -> None:
        self.node.start()
        self._thread.start()
        logger.info("DICOM node %s listening on port %d", self.state.settings.dicom_ae_title, self.node.port)

    def stop(self) -> None:
        self._stop.set()
        self.node.stop()
        self._thread.join(timeout=30)

    # -- a complete series ----------------------------------------------------------------------
    def _current_rules(self, max_age_s: float = 5.0) -> list[Rule]:
        """The rules, read at most every ``max_age_s`` (the completion watcher asks every second)."""
        read_at, rules = self._rules
        if time.monotonic() - read_at > max_age_s:
            rules = current_rules(self.state)
            self._rules = (time.monotonic(), rules)
        return rules

    def quiet_for(self, record: SeriesRecord) -> float | None:
        """The quiet time of a series being received: its matching rule's, if it sets one."""
        rule = first_match(self._current_rules(), _arrival(record.header, record.called_ae, record.instance_count))
        return rule.quiet_s if rule is not None else None

    def on_complete(self, series: ReceivedSeries) -> None:
        """Record, store as a volume, match and queue (runs on the node's watcher thread; the
        spool removes the files when this returns; raising makes the node call again later)."""
        header = series.header
        rule = first_match(current_rules(self.state), _arrival(header, series.called_ae, series.instance_count))
        service = service_principal(self.state)
        project = self.state.identities.project_named(rule.project) if rule and rule.project else None
        series_id = self.rows.add_series(
            f"{series.key}:{series.generation}", received=series.last_arrival, calling_ae=series.calling_ae,
            called_ae=series.called_ae, modality=header.modality, series_description=header.series_description,
            instances=series.instance_count, rule=rule.id if rule else None,
            protocol=rule.protocol if rule else None, state=SeriesState.QUEUED.value,
            review=rule.review.value if rule else None, owner=service.user_id, project=project)
        if series_id is None:  # this delivery was recorded before a crash: nothing twice
            return
        self.state.audit.append(AuditEvent(action=AuditAction.DICOM_RECEIVE.value, outcome=200,
                                           via=AuthVia.DICOM.value, user_id=service.user_id,
                                           object_type="dicom_series", object_id=series_id,
                                           source=series.caller_address))
        folder = self.state.store.tmp_path("-dicom-node")
        folder.mkdir()
        for i, path in enumerate(series.files):  # generated names: never a name a peer sent
            Path(path).replace(folder / f"{i:06d}.dcm")
        try:
            volume_id, _ = ingest_dicom(folder, None, self.state.store, self.state.settings,
                                        Owned(service.user_id, project))
        except (InvalidInputError, DomainError, ValueError) as exc:
            self.rows.update_series(series_id, state=SeriesState.REFUSED.value, reason=str(exc)[:500])
            logger.warning("DICOM node: a series could not be read as a volume: %s", exc.__class__.__name__)
            return
        if rule is None:
            self.rows.update_series(series_id, state=SeriesState.UNMATCHED.value, volume_id=volume_id,
                                    reason="no rule matched; kept for the retention period, not processed")
            return
        self._queue(series_id, volume_id, rule, service)

    def _queue(self, series_id: str, volume_id: str, rule: Rule, service: Principal) -> None:
        try:
            prompts, options = job_request(stored(self.state, rule.protocol)[0])
            job = submit_job(self.state, volume_id, prompts, options, service)
        except DomainError as exc:  # protocol deleted since, queue full, over budget: on the worklist
            self.rows.update_series(series_id, state=SeriesState.FAILED.value, volume_id=volume_id,
                                    reason=str(exc)[:500])
            return
        self.rows.update_series(series_id, volume_id=volume_id, job_id=job.id)

    # -- results --------------------------------------------------------------------------------
    def _loop(self) -> None:
        while not self._stop.wait(self.poll_s):
            try:
                self.step()
            except Exception:  # a database hiccup must not end the node's results loop
                logger.exception("DICOM node: results loop")

    def step(self, now: float | None = None) -> None:
        """Move finished jobs on (send, or hold for review) and make the sends that are due."""
        now = time.time() if now is None else now
        for row in self.rows.series_in((SeriesState.QUEUED.value,)):
            if row["job_id"] is None:
                continue
            job = self.state.store.get_job(row["job_id"])
            if job is None or job.status not in TERMINAL:
                continue
            if job.status != JobStatus.DONE:
                self.rows.update_series(row["id"], state=SeriesState.FAILED.value,
                                        reason=f"the job {job.status}: {job.error or ''}"[:500])
            elif row["review"] == Review.REVIEW.value:
                self.rows.update_series(row["id"], state=SeriesState.REVIEW.value)
            else:
                release(self.state, row["id"], now)
        for send in self.rows.due_sends(now):
            self._send(send, now)
        for row in self.rows.series_in((SeriesState.SENDING.value,)):
            self._settle(row["id"])

    def _send(self, send: dict[str, Any], now: float) -> None:
        settings = self.state.settings
        row = self.rows.series(send["series_id"])
        job = self.state.store.get_job(row["job_id"]) if row and row["job_id"] else None
        destinations = {d["name"]: d for d in self.rows.config()[1]}
        dest = destinations.get(send["destination"])
        attempts = send["attempts"] + 1
        try:
            if job is None or dest is None:
                raise SendFailed("its job or destination no longer exists")
            path = dicom_export(self.state, job, send["format"], None)
            if dest.get("dicomweb"):
                from backend.integrations.pacs import Pacs

                Pacs(settings).store(path)
            else:
                tls = Tls(dest.get("ca_file"), dest.get("cert_file"), dest.get("key_file")) if dest.get("tls") else None
                c_store(path, dest["ae_title"], dest["host"], int(dest["port"]), settings.dicom_ae_title, tls=tls)
        except (SendFailed, DomainError) as exc:
            final = attempts >= settings.dicom_send_retries
            self.rows.update_send(send["id"], attempts=attempts, last_error=str(exc)[:500],
                                  state=SendState.FAILED.value if final else SendState.PENDING.value,
                                  next_at=None if final else now + settings.dicom_send_backoff_s * 2 ** (attempts - 1))
            logger.warning("DICOM node: send to %s failed (try %d)", send["destination"], attempts)
            return
        self.rows.update_send(send["id"], attempts=attempts, state=SendState.SENT.value, sent_at=time.time(),
                              last_error=None, next_at=None)
        self.state.audit.append(AuditEvent(action=AuditAction.DICOM_SEND.value, outcome=200, via=AuthVia.DICOM.value,
                                           user_id=row["owner"] if row else None, object_type="job",
                                           object_id=job.id if job else None, source=send["destination"]))

    def _settle(self, series_id: str) -> None:
        sends = self.rows.sends_of([series_id])[series_id]
        if any(s["state"] == SendState.PENDING.value for s in sends):
            return
        failed = [s for s in sends if s["state"] == SendState.FAILED.value]
        self.rows.update_series(series_id, only_if_state=(SeriesState.SENDING.value,),
                                state=SeriesState.FAILED.value if failed else SeriesState.DONE.value,
                                reason=f"{len(failed)} send(s) failed" if failed else None)
