"""Results back to a DICOM peer: one C-STORE association per file (a planning system, a PACS).

The peer's answer decides: success (0x0000, or a warning 0xB000-0xB007) is sent; anything else
raises ``SendFailed`` with the peer's status or the network error in words, for the worklist.
"""

from __future__ import annotations

from pathlib import Path

import pydicom
from pydicom.uid import ExplicitVRLittleEndian, ImplicitVRLittleEndian

RT_STRUCTURE_SET_STORAGE = "1.2.840.10008.5.1.4.1.1.481.3"
SEGMENTATION_STORAGE = "1.2.840.10008.5.1.4.1.1.66.4"


class SendFailed(Exception):
    """The peer refused, or could not be reached; the message says which, for the worklist."""


def c_store(path: Path, ae_title: str, host: str, port: int, calling_ae: str, timeout_s: float = 30.0) -> None:
    """Send the DICOM file ``path`` to ``ae_title`` at ``host:port``.

    Raises:
        SendFailed: association refused or not possible, or a failure status from the peer.
    """
    from pynetdicom import AE

    dataset = pydicom.dcmread(str(path))
    ae = AE(ae_title=calling_ae)
    ae.acse_timeout = ae.dimse_timeout = ae.network_timeout = timeout_s
    for sop_class in (RT_STRUCTURE_SET_STORAGE, SEGMENTATION_STORAGE):
        ae.add_requested_context(sop_class, [ExplicitVRLittleEndian, ImplicitVRLittleEndian])
    try:
        assoc = ae.associate(host, port, ae_title=ae_title)
    except (OSError, ValueError) as exc:
        raise SendFailed(f"cannot reach {ae_title} at {host}:{port}: {exc.__class__.__name__}") from None
    if not assoc.is_established:
        if assoc.is_rejected:
            raise SendFailed(f"{ae_title} at {host}:{port} rejected the association")
        raise SendFailed(f"no association with {ae_title} at {host}:{port} (refused, aborted or no answer)")
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
