"""What the node accepts: storage SOP classes, transfer syntaxes, and which objects it spools.

Every storage SOP class pynetdicom knows is *accepted* (a sender's association must never fail
because of one odd object in a study), but only image storage classes are *spooled*: RT
structure sets, segmentations, SR, plans and doses, presentation states and key object
selections are answered success and dropped, so the node never re-triggers on its own output.
"""

from __future__ import annotations

import hashlib
import re

from pydicom.uid import (
    JPEG2000,
    UID,
    DeflatedExplicitVRLittleEndian,
    ExplicitVRBigEndian,
    ExplicitVRLittleEndian,
    ImplicitVRLittleEndian,
    JPEG2000Lossless,
    JPEGBaseline8Bit,
    JPEGExtended12Bit,
    JPEGLossless,
    JPEGLosslessSV1,
    JPEGLSLossless,
    JPEGLSNearLossless,
    RLELossless,
)
from pynetdicom import AllStoragePresentationContexts

#: Every transfer syntax a modality may send: uncompressed (implicit/explicit little endian,
#: explicit big endian), deflated, RLE, JPEG baseline / extended, JPEG lossless (process 14 and
#: its selection value 1), JPEG-LS lossless / near-lossless, JPEG 2000 lossless / lossy. The
#: node stores what arrives byte for byte (it never transcodes).
TRANSFER_SYNTAXES: tuple[str, ...] = (
    ExplicitVRLittleEndian,
    ImplicitVRLittleEndian,
    ExplicitVRBigEndian,
    DeflatedExplicitVRLittleEndian,
    RLELossless,
    JPEGBaseline8Bit,
    JPEGExtended12Bit,
    JPEGLosslessSV1,
    JPEGLossless,
    JPEGLSLossless,
    JPEGLSNearLossless,
    JPEG2000Lossless,
    JPEG2000,
)

#: Image objects whose pydicom name does not end in "Image Storage".
_OTHER_IMAGE_CLASSES = frozenset({"1.2.840.10008.5.1.4.1.1.6.3"})  # Enhanced US Volume Storage

#: The Verification SOP class (C-ECHO).
VERIFICATION: str = "1.2.840.10008.1.1"

_UID = re.compile(r"^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))+$")


def storage_sop_classes() -> tuple[str, ...]:
    """Every storage SOP class the node accepts (pynetdicom's full storage list).

    It includes CT, MR, PET, their enhanced and legacy converted enhanced forms, and the
    non-image classes the node answers but ignores.
    """
    return tuple(str(cx.abstract_syntax) for cx in AllStoragePresentationContexts)


def is_image_storage(sop_class_uid: str) -> bool:
    """True for an image storage SOP class, the only objects the node spools."""
    if sop_class_uid in _OTHER_IMAGE_CLASSES:
        return True
    name = UID(sop_class_uid).name
    return name != sop_class_uid and "Image Storage" in name


def is_uid(value: object) -> bool:
    """True when ``value`` is a well-formed DICOM UID (digits and dots, at most 64 characters)."""
    return isinstance(value, str) and 0 < len(value) <= 64 and _UID.match(value) is not None


def digest(*parts: str) -> str:
    """A 32-hex-digit name derived from ``parts``: the node's file and folder names.

    Identifiers sent by a peer never become names on disk: only this digest of them does.
    """
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()[:32]
