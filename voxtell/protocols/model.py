"""The protocol and structure records, their checks, and TG-263 naming advice."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

# DICOM PS3.3 C.8.8.8 RT ROI Interpreted Type (the defined terms).
INTERPRETED_TYPES = frozenset({
    "EXTERNAL", "PTV", "CTV", "GTV", "AVOIDANCE", "ORGAN", "MARKER", "REGISTRATION", "ISOCENTER",
    "CONTRAST_AGENT", "CAVITY", "BRACHY_CHANNEL", "BRACHY_ACCESSORY", "BRACHY_SRC_APP", "BRACHY_CHNL_SHLD",
    "SUPPORT", "FIXATION", "DOSE_REGION", "CONTROL",
})
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_MODALITIES = frozenset({"CT", "MR", "PT", "NM", "US", "CR", "DX", "MG", "XA"})
MAX_STRUCTURES = 64
MAX_PROMPT_CHARS = 500


class ProtocolError(ValueError):
    """A protocol that cannot be used; the message names the protocol part at fault."""


@dataclass(frozen=True)
class Structure:
    """One structure of a protocol: ``prompt`` goes to the model, ``name`` into exports."""

    prompt: str
    name: str
    color: tuple[int, int, int]
    interpreted_type: str = "ORGAN"
    keep_largest_component: bool = False
    fill_holes: bool = False


@dataclass(frozen=True)
class Protocol:
    """A named set of structures; ``id`` is its slug (``pelvis-rt``), ``modality`` the DICOM
    Modality it is meant for (None: any)."""

    id: str
    name: str
    structures: tuple[Structure, ...]
    description: str = ""
    modality: str | None = None
    warnings: tuple[str, ...] = field(default=(), compare=False)

    @property
    def prompts(self) -> list[str]:
        return [s.prompt for s in self.structures]


def _text(value: Any, where: str, limit: int, required: bool = True) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise ProtocolError(f"{where} must be non-empty text")
    if len(value) > limit:
        raise ProtocolError(f"{where} is longer than {limit} characters")
    return value.strip()


def _flag(value: Any, where: str) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise ProtocolError(f"{where} must be true or false")
    return value


def _color(value: Any, where: str) -> tuple[int, int, int]:
    if (not isinstance(value, (list, tuple)) or len(value) != 3
            or not all(isinstance(c, int) and not isinstance(c, bool) and 0 <= c <= 255 for c in value)):
        raise ProtocolError(f"{where} must be [r, g, b], each a whole number 0..255")
    return (int(value[0]), int(value[1]), int(value[2]))


def _structure(raw: Any, where: str) -> Structure:
    if not isinstance(raw, dict):
        raise ProtocolError(f"{where} must be a mapping with prompt, name and color")
    unknown = set(raw) - {"prompt", "name", "color", "interpreted_type", "keep_largest_component", "fill_holes"}
    if unknown:
        raise ProtocolError(f"{where} has unknown field {sorted(unknown)[0]!r}")
    prompt = _text(raw.get("prompt"), f"{where}.prompt", MAX_PROMPT_CHARS)
    name = _text(raw.get("name", prompt), f"{where}.name", 64)
    kind = raw.get("interpreted_type", "ORGAN")
    if not isinstance(kind, str) or kind.upper() not in INTERPRETED_TYPES:
        raise ProtocolError(f"{where}.interpreted_type {str(kind)[:40]!r} is not an RT ROI Interpreted Type "
                            f"(one of {', '.join(sorted(INTERPRETED_TYPES))})")
    return Structure(prompt=prompt, name=name, color=_color(raw.get("color"), f"{where}.color"),
                     interpreted_type=kind.upper(),
                     keep_largest_component=_flag(raw.get("keep_largest_component"), f"{where}.keep_largest_component"),
                     fill_holes=_flag(raw.get("fill_holes"), f"{where}.fill_holes"))


def protocol_from_dict(raw: Any) -> Protocol:
    """A checked protocol from its dict form (as in the YAML files and the API).

    Raises:
        ProtocolError: naming the first problem (id, a field, a structure by position).
    """
    if not isinstance(raw, dict):
        raise ProtocolError("a protocol must be a mapping with id, name and structures")
    unknown = set(raw) - {"id", "name", "description", "modality", "structures", "warnings"}
    if unknown:
        raise ProtocolError(f"protocol has unknown field {sorted(unknown)[0]!r}")
    pid = raw.get("id")
    if not isinstance(pid, str) or not _ID.match(pid):
        raise ProtocolError("protocol id must be 1-63 lower-case letters, digits and '-' (e.g. pelvis-rt)")
    where = f"protocol {pid}"
    modality = raw.get("modality")
    if modality is not None and (not isinstance(modality, str) or modality.upper() not in _MODALITIES):
        raise ProtocolError(f"{where}: modality must be one of {', '.join(sorted(_MODALITIES))} or absent")
    items = raw.get("structures")
    if not isinstance(items, list) or not items:
        raise ProtocolError(f"{where}: structures must be a non-empty list")
    if len(items) > MAX_STRUCTURES:
        raise ProtocolError(f"{where}: more than {MAX_STRUCTURES} structures")
    structures = tuple(_structure(s, f"{where}: structure {i + 1}") for i, s in enumerate(items))
    names = [s.name for s in structures]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ProtocolError(f"{where}: structure name {twice[0]!r} is used twice")
    protocol = Protocol(id=pid, name=_text(raw.get("name"), f"{where}: name", 120), structures=structures,
                        description=_text(raw.get("description"), f"{where}: description", 2000, required=False),
                        modality=modality.upper() if isinstance(modality, str) else None)
    return Protocol(**{**protocol.__dict__, "warnings": tuple(tg263_warnings(protocol))})


def protocol_to_dict(protocol: Protocol) -> dict[str, Any]:
    """The dict form ``protocol_from_dict`` reads (warnings left out: they are recomputed)."""
    out: dict[str, Any] = {"id": protocol.id, "name": protocol.name}
    if protocol.description:
        out["description"] = protocol.description
    if protocol.modality:
        out["modality"] = protocol.modality
    out["structures"] = [
        {"prompt": s.prompt, "name": s.name, "color": list(s.color), "interpreted_type": s.interpreted_type,
         **({"keep_largest_component": True} if s.keep_largest_component else {}),
         **({"fill_holes": True} if s.fill_holes else {})}
        for s in protocol.structures]
    return out


_TG263_CHARS = re.compile(r"^[A-Za-z0-9_^-]+$")
_SIDE_WORDS = re.compile(r"(?i)(^|_)(left|right|lt|rt)(_|$)")


def tg263_warnings(protocol: Protocol) -> list[str]:
    """What AAPM TG-263 advises against in the structure names (reported, not refused): longer
    than 16 characters, spaces or other characters outside letters, digits, ``_``, ``^``, ``-``,
    laterality spelt out or as a prefix instead of an ``_L`` / ``_R`` suffix."""
    warnings: list[str] = []
    for s in protocol.structures:
        if len(s.name) > 16:
            warnings.append(f"{s.name!r}: longer than 16 characters (TG-263; many planning systems cut it)")
        if not _TG263_CHARS.match(s.name):
            warnings.append(f"{s.name!r}: use only letters, digits, '_', '^' and '-' (no spaces; TG-263)")
        if _SIDE_WORDS.search(s.name.replace(" ", "_")) or re.match(r"^[LR]_", s.name):
            warnings.append(f"{s.name!r}: laterality goes last as _L or _R (TG-263, e.g. Femur_Head_L)")
    return warnings
