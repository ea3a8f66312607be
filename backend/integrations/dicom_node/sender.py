"""Results back to a DICOM peer: one C-STORE association per file (a planning system, a PACS).

The peer's answer decides: success (0x0000, or a warning 0xB000-0xB007) is sent; anything else
raises ``SendFailed`` with the peer's status or the network error in words, for the worklist.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path

import pydicom
from pydicom.uid import ExplicitVRLittleEndian, ImplicitVRLittleEndian

RT_STRUCTURE_SET_STORAGE = "1.2.840.10008.5.1.4.1.1.481.3"
SEGMENTATION_STORAGE = "1.2.840.10008.5.1.4.1.1.66.4"


class SendFailed(Exception):
    """The peer refused, or could not be reached; the message says which, for the worklist."""


@dataclass(frozen=True)
class Tls:
    """DICOM over TLS: the peer's certificate is checked against ``ca_file`` (PEM; None: the
    system's CAs) and the host name it was reached by; ``cert_file``/``key_file`` for a peer that
    asks for this node's certificate."""

    ca_file: str | None = None
    cert_file: str | None = None
    key_file: str | None = None

    def context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=self.ca_file)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        if self.cert_file and self.key_file:
            context.load_cert_chain(self.cert_file, self.key_file)
        return context


def c_store(path: Path, ae_title: str, host: str, port: int, calling_ae: str, timeout_s: float = 30.0,
            tls: Tls | None = None) -> None:
    """Send the DICOM file ``path`` to ``ae_title`` at ``host:port`` (over TLS with ``tls``).

    Raises:
        SendFailed: association refused or not possible (a TLS certificate that does not check out
        included), or a failure status from the peer.
    """
    from pynetdicom import AE

    dataset = pydicom.dcmread(str(path))
    ae = AE(ae_title=calling_ae)
    ae.acse_timeout = ae.dimse_timeout = ae.network_timeout = timeout_s
    for sop_class in (RT_STRUCTURE_SET_STORAGE, SEGMENTATION_STORAGE):
        ae.add_requested_context(sop_class, [ExplicitVRLittleEndian, ImplicitVRLittleEndian])
    try:
        tls_args = (tls.context(), host) if tls is not None else None
    except (OSError, ssl.SSLError) as exc:
        raise SendFailed(f"the TLS certificates for {ae_title} cannot be read: {exc}") from None
    try:
        assoc = ae.associate(host, port, ae_title=ae_title, tls_args=tls_args)
    except (OSError, ValueError) as exc:
        raise SendFailed(f"cannot reach {ae_title} at {host}:{port}: {exc.__class__.__name__}") from None
    if not assoc.is_established:
        if assoc.is_rejected:
            raise SendFailed(f"{ae_title} at {host}:{port} rejected the association")
        over = " over TLS (is its certificate trusted, for this host name?)" if tls is not None else ""
        raise SendFailed(f"no association with {ae_title} at {host}:{port}{over} (refused, aborted or no answer)")
    try:
        status = assoc.send_c_store(dataset)
    finally:
        if assoc.is_established:
            assoc.release()
    code = getattr(status, "Status", None)
    if code is None:
        raise SendFailed(f"{ae_title} gave no answer to the C-STORE (connection lost or timed out)")
    if code != 0x0000 and not 0xB000 <= code <= 0xB007:
        raise SendFailed(f"{ae_title} answered C-STORE status 0x{code:04X}")
