"""``AppState``: what a request (or a job step) works with — the settings, the store, the model and
the job queue of this node. Built once by ``backend.app``'s lifespan; the HTTP layer hands it to
the domain functions (it is plain data: no web framework here)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from backend.domain.model import Predictor
from backend.domain.ports import BearerVerifier, JobQueue
from backend.settings import Settings
from backend.storage.audit import AuditTrail
from backend.storage.identities import Identities
from backend.storage.protocols import ProtocolRows
from backend.storage.store import Store


@dataclass
class AppState:
    settings: Settings
    store: Store
    predictor: Predictor
    runner: JobQueue
    edit_lock: threading.Lock = field(default_factory=threading.Lock)
    oidc: BearerVerifier | None = None  # VOXTELL_OIDC_ISSUER: bearer JWTs of the identity provider

    @property
    def identities(self) -> Identities:
        """Users and personal tokens (on the store's database)."""
        return Identities(self.store)

    @property
    def protocols(self) -> ProtocolRows:
        """Protocols of named structures (on the store's database)."""
        return ProtocolRows(self.store)

    @property
    def audit(self) -> AuditTrail:
        """The append-only audit trail (on the store's database)."""
        return AuditTrail(self.store)
