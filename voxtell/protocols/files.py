"""Protocols in YAML files: the shipped ones and those a department writes."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from voxtell.protocols.model import Protocol, ProtocolError, protocol_from_dict, protocol_to_dict

MAX_FILE_BYTES = 1 << 20


def protocols_from_yaml(text: str) -> list[Protocol]:
    """The protocols of a YAML document: one protocol mapping, or a list of them.

    Raises:
        ProtocolError: not YAML, or a protocol that fails its checks (the message names which).
    """
    import yaml

    if len(text) > MAX_FILE_BYTES:
        raise ProtocolError("a protocol file is larger than 1 MiB")
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" at line {where.line + 1}" if where is not None else ""
        raise ProtocolError(f"not valid YAML{line}") from None
    items = raw if isinstance(raw, list) else [raw]
    protocols = [protocol_from_dict(item) for item in items]
    ids = [p.id for p in protocols]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        raise ProtocolError(f"protocol id {twice[0]!r} appears twice")
    return protocols


def protocols_to_yaml(protocols: list[Protocol]) -> str:
    import yaml

    return yaml.safe_dump([protocol_to_dict(p) for p in protocols], sort_keys=False, allow_unicode=True)


def shipped_protocols() -> list[Protocol]:
    """The protocols that come with VoxTell (``voxtell/protocols/shipped/*.yaml``), by id."""
    folder = resources.files("voxtell.protocols") / "shipped"
    found: list[Protocol] = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            found.extend(protocols_from_yaml(entry.read_text(encoding="utf-8")))
    return sorted(found, key=lambda p: p.id)


def find_protocol(name: str) -> Protocol:
    """A shipped protocol by id, or the single protocol of a YAML file at path ``name``.

    Raises:
        ProtocolError: no such shipped protocol and no such file; a file with several protocols.
    """
    for protocol in shipped_protocols():
        if protocol.id == name:
            return protocol
    path = Path(name)
    if path.suffix.lower() in (".yaml", ".yml") and path.is_file():
        protocols = protocols_from_yaml(path.read_text(encoding="utf-8"))
        if len(protocols) != 1:
            raise ProtocolError("the protocol file holds several protocols; give one id")
        return protocols[0]
    known = ", ".join(p.id for p in shipped_protocols())
    raise ProtocolError(f"no protocol {name[:60]!r}: give a shipped one ({known}) or a .yaml file")
