"""Protocols: named sets of structures a department segments together ("Male pelvis RT").

A protocol is data, not code: shipped ones are YAML files in ``shipped/`` (copied into the server's
database, where administrators edit them), and anyone can write their own. Each structure pairs
the **prompt** sent to the model with the **name** written in exports (AAPM TG-263 for the shipped
ones), a display colour, the RT ROI Interpreted Type and its post-processing.

``protocol_from_dict`` checks a protocol and refuses what no export could carry (an unknown
interpreted type, a colour out of range, two structures of one name); ``tg263_warnings`` reports
what a planning system may dislike without refusing it.
"""

from voxtell.protocols.files import find_protocol, protocols_from_yaml, protocols_to_yaml, shipped_protocols
from voxtell.protocols.model import (
    INTERPRETED_TYPES,
    Protocol,
    ProtocolError,
    Structure,
    protocol_from_dict,
    protocol_to_dict,
    tg263_warnings,
)

__all__ = [
    "INTERPRETED_TYPES",
    "Protocol",
    "ProtocolError",
    "Structure",
    "find_protocol",
    "protocol_from_dict",
    "protocol_to_dict",
    "protocols_from_yaml",
    "protocols_to_yaml",
    "shipped_protocols",
    "tg263_warnings",
]
