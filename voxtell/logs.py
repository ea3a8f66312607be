"""Logging policy shared by the command-line tools and the server.

Medical data: logs carry no file names, patient fields, DICOM identifiers or image content.
Our own code logs ids and counts only; some libraries log DICOM UIDs at INFO level (highdicom
names every source dataset it copies attributes from), so those are kept at WARNING.
"""

from __future__ import annotations

import logging

LIBRARIES_LOGGING_IDENTIFIERS = ("highdicom", "pydicom")


def keep_identifiers_out_of_logs() -> None:
    """Raise the libraries that log DICOM identifiers at INFO to WARNING."""
    for name in LIBRARIES_LOGGING_IDENTIFIERS:
        logging.getLogger(name).setLevel(logging.WARNING)
