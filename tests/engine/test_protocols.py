"""Protocols as files: the shipped ones are valid and TG-263 clean; a department's YAML is checked
with messages that name the part at fault; the dict form round-trips."""

from __future__ import annotations

from pathlib import Path

import pytest

from voxtell.protocols import (
    ProtocolError,
    find_protocol,
    protocol_from_dict,
    protocol_to_dict,
    protocols_from_yaml,
    protocols_to_yaml,
    shipped_protocols,
)


def test_the_shipped_protocols_are_valid_and_follow_tg263() -> None:
    shipped = shipped_protocols()
    assert [p.id for p in shipped] == ["abdomen-ct", "brain-mr", "head-neck-rt", "pelvis-rt", "thorax-rt"]
    for protocol in shipped:
        assert protocol.warnings == (), protocol.id
        assert protocols_from_yaml(protocols_to_yaml([protocol])) == [protocol], "YAML round trip"
        assert protocol_from_dict(protocol_to_dict(protocol)) == protocol
    pelvis = find_protocol("pelvis-rt")
    assert {s.name: s.prompt for s in pelvis.structures}["Femur_Head_L"] == "left femoral head"


@pytest.mark.parametrize(("text", "message"), [
    ("id: Pelvis\nname: x\nstructures: [{prompt: a, name: A, color: [1, 2, 3]}]",
     "protocol id must be 1-63 lower-case letters, digits and '-' (e.g. pelvis-rt)"),
    ("id: p\nname: x\nstructures: []", "protocol p: structures must be a non-empty list"),
    ("id: p\nname: x\nstructures: [{prompt: a, name: A, color: [1, 2, 3], interpreted_type: TUMOUR}]",
     "protocol p: structure 1.interpreted_type 'TUMOUR' is not an RT ROI Interpreted Type"),
    ("id: p\nname: x\nstructures: [{prompt: a, name: A, color: [1, 2, 300]}]",
     "protocol p: structure 1.color must be [r, g, b], each a whole number 0..255"),
    ("id: p\nname: x\nstructures: [{prompt: a, name: A, color: [1, 2, 3], colour: red}]",
     "protocol p: structure 1 has unknown field 'colour'"),
    ("id: p\nname: x\nmodality: XR\nstructures: [{prompt: a, name: A, color: [1, 2, 3]}]",
     "protocol p: modality must be one of"),
    ("id: p\nname: [x\n", "not valid YAML at line"),
    ("- id: p\n  name: x\n  structures: [{prompt: a, name: A, color: [1, 2, 3]}]\n"
     "- id: p\n  name: y\n  structures: [{prompt: a, name: A, color: [1, 2, 3]}]\n", "protocol id 'p' appears twice"),
])
def test_a_bad_protocol_file_is_refused_naming_the_problem(text: str, message: str) -> None:
    with pytest.raises(ProtocolError) as refused:
        protocols_from_yaml(text)
    assert str(refused.value).startswith(message)


def test_tg263_advice_and_finding_a_protocol_file(tmp_path: Path) -> None:
    protocol = protocol_from_dict({"id": "mine", "name": "Mine", "structures": [
        {"prompt": "left lung", "name": "Left Lung", "color": [1, 2, 3]},
        {"prompt": "right lung", "name": "Lung_R", "color": [1, 2, 3]},
        {"prompt": "heart", "name": "Heart_and_pericardium", "color": [1, 2, 3]}]})
    assert protocol.warnings == (
        "'Left Lung': use only letters, digits, '_', '^' and '-' (no spaces; TG-263)",
        "'Left Lung': laterality goes last as _L or _R (TG-263, e.g. Femur_Head_L)",
        "'Heart_and_pericardium': longer than 16 characters (TG-263; many planning systems cut it)")
    path = tmp_path / "mine.yaml"
    path.write_text(protocols_to_yaml([protocol]))
    assert find_protocol(str(path)) == protocol
    with pytest.raises(ProtocolError, match="no protocol 'nothing': give a shipped one"):
        find_protocol("nothing")
