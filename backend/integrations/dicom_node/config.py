"""`NodeConfig`: what a DICOM node listens as, whom it accepts, where it spools, when a series ends."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple


class Caller(NamedTuple):
    """A peer allowed to send: its calling AE title and, optionally, the one address it may use."""

    ae_title: str
    address: str | None = None

    def admits(self, ae_title: str, address: str) -> bool:
        """True when a request from ``ae_title`` at ``address`` is this caller."""
        if ae_title.strip() != self.ae_title.strip():
            return False
        return self.address is None or _same_address(self.address, address)


def _same_address(a: str, b: str) -> bool:
    try:
        return ipaddress.ip_address(a) == ipaddress.ip_address(b)
    except ValueError:
        return a == b


def _check_ae_title(value: str, what: str) -> str:
    title = value.strip()
    if not 0 < len(title) <= 16 or "\\" in title or not title.isascii() or not title.isprintable():
        raise ValueError(f"{what} must be 1 to 16 printable ASCII characters without a backslash")
    return title


@dataclass(frozen=True)
class NodeConfig:
    """Configuration of a receiving DICOM node (a Storage SCP).

    Parameters
    ----------
    ae_title
        The node's own (called) AE title.
    port
        TCP port to listen on; 0 picks a free one (see `DicomNode.port`).
    spool_dir
        Where received instances live; the files there are the truth (see the README).
    host
        Address to bind; loopback unless a deployment says otherwise.
    allowed_callers
        Peers allowed to associate: ``(calling AE title, address or None)`` pairs. An empty list
        refuses everybody unless ``allow_any`` is set.
    allow_any
        Accept any calling AE title from any address (for a closed network only).
    require_called_ae
        Refuse an association addressed to another called AE title.
    high_water
        Fraction of the spool file system in use above which associations are refused and
        stores fail with 0xA700 (out of resources).
    min_free_bytes
        Also refuse when fewer bytes than this are free on the spool file system.
    quiet_s
        A series is complete once no association has added to it for this long (DIMSE has no
        "end of series": silence is the only signal).
    ceiling_s
        ... or once this long has passed since its first instance, however it keeps trickling.
    retry_s
        How long after an ``on_complete`` that raised the series is offered again.
    forget_after_s
        How long the record of a handed-over series (which instances it had) is kept, so that
        a resend of the same instances is recognised and dropped.
    poll_s
        How often the completion watcher looks for complete series.
    max_associations
        Concurrent associations; more are refused (local limit exceeded).
    network_timeout_s, acse_timeout_s, dimse_timeout_s
        pynetdicom's timeouts: an idle association is aborted (and its instances dropped).
    """

    ae_title: str
    port: int
    spool_dir: Path
    host: str = "127.0.0.1"
    allowed_callers: Sequence[Caller | tuple[str, str | None]] = field(default_factory=tuple)
    allow_any: bool = False
    require_called_ae: bool = True
    high_water: float = 0.9
    min_free_bytes: int = 0
    quiet_s: float = 30.0
    ceiling_s: float = 600.0
    retry_s: float = 30.0
    forget_after_s: float = 7 * 24 * 3600.0
    poll_s: float = 1.0
    max_associations: int = 10
    network_timeout_s: float = 60.0
    acse_timeout_s: float = 30.0
    dimse_timeout_s: float = 30.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "ae_title", _check_ae_title(self.ae_title, "ae_title"))
        object.__setattr__(self, "spool_dir", Path(self.spool_dir))
        callers = tuple(Caller(_check_ae_title(c[0], "a calling AE title"), c[1]) for c in self.allowed_callers)
        object.__setattr__(self, "allowed_callers", callers)
        if not 0 <= self.port <= 65535:
            raise ValueError("port must be 0 to 65535")
        if not 0.0 < self.high_water <= 1.0:
            raise ValueError("high_water must be a fraction in (0, 1]")
        if self.min_free_bytes < 0:
            raise ValueError("min_free_bytes must not be negative")
        if self.quiet_s <= 0 or self.ceiling_s < self.quiet_s:
            raise ValueError("quiet_s must be positive and ceiling_s at least quiet_s")
        if self.retry_s <= 0 or self.poll_s <= 0 or self.forget_after_s <= 0:
            raise ValueError("retry_s, poll_s and forget_after_s must be positive")
        if self.max_associations < 1:
            raise ValueError("max_associations must be at least 1")

    def admits(self, calling_ae: str, address: str) -> bool:
        """True when a peer calling as ``calling_ae`` from ``address`` may associate."""
        return self.allow_any or any(Caller(*c).admits(calling_ae, address) for c in self.allowed_callers)
