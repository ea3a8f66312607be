"""A DICOM node in its own process, for the kill -9 test: prints its port, then serves forever.

    python -m tests.dicom_node.node_process SPOOL_DIR
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from backend.integrations.dicom_node.config import NodeConfig
from backend.integrations.dicom_node.receiver import DicomNode


def main() -> None:
    config = NodeConfig("VOXTELL", 0, Path(sys.argv[1]), allowed_callers=[("CT1", None)],
                        quiet_s=600.0, ceiling_s=3600.0)
    node = DicomNode(config, lambda series: None, watch=False)
    node.start()
    print(node.port, flush=True)  # noqa: T201 - the parent test reads the port
    while True:
        time.sleep(1)


if __name__ == "__main__":
    main()
