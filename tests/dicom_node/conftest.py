"""A factory of DICOM nodes on free loopback ports, each stopped at the end of its test."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from backend.integrations.dicom_node.config import NodeConfig
from backend.integrations.dicom_node.receiver import DicomNode
from backend.integrations.dicom_node.records import ReceivedSeries
from tests.dicom_node.helpers import NODE_AE, SCANNER_AE

if shutil.which("storescu") is None or shutil.which("echoscu") is None:
    pytest.skip("dcmtk (echoscu, storescu) is not installed: make dicom-tools", allow_module_level=True)


class Received:
    """What ``on_complete`` was given, in order."""

    def __init__(self) -> None:
        self.series: list[ReceivedSeries] = []
        self.instances: list[list[bytes]] = []

    def __call__(self, series: ReceivedSeries) -> None:
        # The files are deleted once the callback returns: keep their bytes, as a consumer would.
        self.instances.append([p.read_bytes() for p in series.files])
        self.series.append(series)


NodeFactory = Callable[..., tuple[DicomNode, Received]]


@pytest.fixture
def start_node(tmp_path: Path) -> Iterator[NodeFactory]:
    """``start_node(spool=..., watch=..., on_complete=..., **config)`` -> (started node, received)."""
    nodes: list[DicomNode] = []

    def start(spool: Path | None = None, *, watch: bool = False, on_complete: Any = None,
              **config: Any) -> tuple[DicomNode, Received]:
        received = Received()
        settings: dict[str, Any] = {"allowed_callers": [(SCANNER_AE, None)], "quiet_s": 1.0, "ceiling_s": 60.0,
                                    "poll_s": 0.1, **config}
        node = DicomNode(NodeConfig(NODE_AE, 0, spool or tmp_path / "spool", **settings),
                         on_complete or received, watch=watch)
        node.start()
        nodes.append(node)
        return node, received

    yield start
    for node in reversed(nodes):
        node.stop()
