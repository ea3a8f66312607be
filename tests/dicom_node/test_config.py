"""NodeConfig checks and the caller allow-list."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend.integrations.dicom_node.config import Caller, NodeConfig
from backend.integrations.dicom_node.sop import digest, is_image_storage, is_uid


def test_callers_by_title_and_address(tmp_path: Path) -> None:
    config = NodeConfig("VOXTELL", 0, tmp_path, allowed_callers=[("CT1", None), Caller("PACS", "10.0.0.5")])
    assert config.admits("CT1", "192.168.1.9")
    assert config.admits("PACS", "10.0.0.5") and not config.admits("PACS", "10.0.0.6")
    assert not config.admits("ct1", "10.0.0.5")  # AE titles are case-sensitive
    assert not NodeConfig("VOXTELL", 0, tmp_path).admits("CT1", "127.0.0.1")
    assert NodeConfig("VOXTELL", 0, tmp_path, allow_any=True).admits("ANY", "127.0.0.1")


@pytest.mark.parametrize("bad", [{"ae_title": ""}, {"ae_title": "A" * 17}, {"ae_title": "BACK\\SLASH"},
                                 {"port": 70000}, {"high_water": 0.0}, {"quiet_s": 0.0},
                                 {"quiet_s": 10.0, "ceiling_s": 5.0}, {"allowed_callers": [("", None)]}])
def test_a_bad_configuration_is_refused(tmp_path: Path, bad: dict[str, object]) -> None:
    settings: dict[str, object] = {"ae_title": "VOXTELL", "port": 0, "spool_dir": tmp_path, **bad}
    with pytest.raises(ValueError):
        NodeConfig(**settings)  # type: ignore[arg-type]


def test_what_is_spooled_and_named() -> None:
    assert is_image_storage("1.2.840.10008.5.1.4.1.1.2")  # CT
    assert is_image_storage("1.2.840.10008.5.1.4.1.1.2.2")  # legacy converted enhanced CT
    assert is_image_storage("1.2.840.10008.5.1.4.1.1.4.1")  # enhanced MR
    for non_image in ("1.2.840.10008.5.1.4.1.1.66.4", "1.2.840.10008.5.1.4.1.1.481.3",
                      "1.2.840.10008.5.1.4.1.1.481.2", "1.2.840.10008.5.1.4.1.1.88.22",
                      "1.2.840.10008.5.1.4.1.1.11.1", "1.2.840.10008.5.1.4.1.1.88.59", "1.2.3.4"):
        assert not is_image_storage(non_image)
    assert is_uid("1.2.840.10008") and not is_uid("1.2.03") and not is_uid("../../etc") and not is_uid("1." * 40)
    assert len(digest("a", "b")) == 32 and digest("a", "b") != digest("ab", "")
