"""The DICOM node's routing: rules that pick a protocol and where results go, and destinations.

A rule matches on what arrived (called AE title, Modality, BodyPartExamined, SeriesDescription as
a regular expression, ImageType values, a slice-thickness range, the orientation, a number of
instances); the first matching rule, by position, wins. A series no rule matches is kept and
listed, not processed. Rules and destinations are data in the database, imported and exported as
YAML (``voxtell-web dicom import|export``) or over ``/api/dicom/config``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from backend.domain.errors import BadInput
from backend.states import Review

FORMATS = ("rtstruct", "seg")
ORIENTATIONS = ("axial", "coronal", "sagittal")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


@dataclass(frozen=True)
class Destination:
    """Where results go: a DICOM peer by C-STORE (``ae_title``, ``host``, ``port``), or the
    configured DICOMweb archive by STOW-RS (``dicomweb``)."""

    name: str
    ae_title: str | None = None
    host: str | None = None
    port: int | None = None
    dicomweb: bool = False
    tls: bool = False  # DICOM over TLS: the peer's certificate checked against ca_file and its host name
    ca_file: str | None = None  # CA certificates (PEM) the peer's is checked against (default: the system's)
    cert_file: str | None = None  # this node's certificate (PEM), for a peer that asks for one
    key_file: str | None = None


@dataclass(frozen=True)
class Send:
    destination: str
    format: str = "rtstruct"


@dataclass(frozen=True)
class Match:
    called_ae: str | None = None
    modality: str | None = None
    body_part: str | None = None
    series_description: str | None = None  # a regular expression, searched, case-insensitive
    image_type: tuple[str, ...] = ()  # every one of these values present
    slice_thickness: tuple[float, float] | None = None  # [min, max] mm
    orientation: str | None = None
    instances: tuple[int, int] | None = None  # [min, max]


@dataclass(frozen=True)
class Rule:
    id: str
    protocol: str
    match: Match = field(default_factory=Match)
    send: tuple[Send, ...] = ()
    review: Review = Review.AUTO
    project: str | None = None  # a project's name: its members see the series, volume and job
    quiet_s: float | None = None  # this rule's quiet time (None: VOXTELL_DICOM_QUIET_S)


@dataclass(frozen=True)
class Arrival:
    """What a rule looks at of a received series."""

    called_ae: str | None
    modality: str | None
    body_part: str | None
    series_description: str | None
    image_type: tuple[str, ...]
    slice_thickness: float | None
    orientation: str | None
    instances: int


def orientation_of(iop: tuple[float, ...] | None) -> str | None:
    """axial / coronal / sagittal from ImageOrientationPatient (the slice normal's largest axis)."""
    if iop is None or len(iop) != 6:
        return None
    r, c = iop[:3], iop[3:]
    normal = (r[1] * c[2] - r[2] * c[1], r[2] * c[0] - r[0] * c[2], r[0] * c[1] - r[1] * c[0])
    axis = max(range(3), key=lambda i: abs(normal[i]))
    return ("sagittal", "coronal", "axial")[axis]


def matches(rule: Rule, arrival: Arrival) -> bool:
    m = rule.match

    def same(want: str | None, have: str | None) -> bool:
        return want is None or (have or "").strip().upper() == want.strip().upper()

    if not (same(m.called_ae, arrival.called_ae) and same(m.modality, arrival.modality)
            and same(m.body_part, arrival.body_part)):
        return False
    if m.series_description is not None and not re.search(m.series_description, arrival.series_description or "",
                                                          re.IGNORECASE):
        return False
    have_types = {t.upper() for t in arrival.image_type}
    if any(t.upper() not in have_types for t in m.image_type):
        return False
    if m.slice_thickness is not None and (arrival.slice_thickness is None or
                                          not m.slice_thickness[0] <= arrival.slice_thickness <= m.slice_thickness[1]):
        return False
    if m.orientation is not None and arrival.orientation != m.orientation:
        return False
    return m.instances is None or m.instances[0] <= arrival.instances <= m.instances[1]


def first_match(rules: list[Rule], arrival: Arrival) -> Rule | None:
    return next((rule for rule in rules if matches(rule, arrival)), None)


# -- the dict form (YAML and the API) -------------------------------------------------------------
def _range(raw: Any, where: str, kind: type) -> tuple[Any, Any] | None:
    if raw is None:
        return None
    if (not isinstance(raw, list) or len(raw) != 2 or any(isinstance(v, bool) or not isinstance(v, (int, float))
                                                         for v in raw) or raw[0] > raw[1]):
        raise BadInput(f"{where} must be [min, max] numbers")
    return kind(raw[0]), kind(raw[1])


def _opt_text(raw: dict[str, Any], key: str, where: str, limit: int = 64) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise BadInput(f"{where}.{key} must be text of at most {limit} characters")
    return value.strip()


def _only(raw: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = set(raw) - allowed
    if unknown:
        raise BadInput(f"{where} has unknown field {sorted(unknown)[0]!r}")


def match_from_dict(raw: Any, where: str) -> Match:
    if raw is None:
        return Match()
    if not isinstance(raw, dict):
        raise BadInput(f"{where} must be a mapping")
    _only(raw, {"called_ae", "modality", "body_part", "series_description", "image_type", "slice_thickness",
                "orientation", "instances"}, where)
    pattern = _opt_text(raw, "series_description", where, 200)
    if pattern is not None:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise BadInput(f"{where}.series_description is not a regular expression: {exc}") from None
    image_type = raw.get("image_type") or []
    if isinstance(image_type, str):
        image_type = [image_type]
    if not isinstance(image_type, list) or not all(isinstance(t, str) and t.strip() for t in image_type):
        raise BadInput(f"{where}.image_type must be a value or a list of values, e.g. [ORIGINAL, AXIAL]")
    orientation = _opt_text(raw, "orientation", where)
    if orientation is not None and orientation.lower() not in ORIENTATIONS:
        raise BadInput(f"{where}.orientation must be one of {', '.join(ORIENTATIONS)}")
    return Match(called_ae=_opt_text(raw, "called_ae", where, 16), modality=_opt_text(raw, "modality", where, 16),
                 body_part=_opt_text(raw, "body_part", where), series_description=pattern,
                 image_type=tuple(t.strip() for t in image_type),
                 slice_thickness=_range(raw.get("slice_thickness"), f"{where}.slice_thickness", float),
                 orientation=orientation.lower() if orientation else None,
                 instances=_range(raw.get("instances"), f"{where}.instances", int))


def rule_from_dict(raw: Any, position: int, destinations: set[str], protocols: set[str]) -> Rule:
    where = f"rule {position + 1}"
    if not isinstance(raw, dict):
        raise BadInput(f"{where} must be a mapping with id, match, protocol and send")
    _only(raw, {"id", "match", "protocol", "send", "review", "project", "quiet_s"}, where)
    rule_id = raw.get("id")
    if not isinstance(rule_id, str) or not _NAME.match(rule_id):
        raise BadInput(f"{where}: id must be 1-64 letters, digits, '_', '.', '-'")
    where = f"rule {rule_id}"
    protocol = raw.get("protocol")
    if not isinstance(protocol, str) or protocol not in protocols:
        raise BadInput(f"{where}: protocol {str(protocol)[:64]!r} does not exist")
    sends = raw.get("send") or []
    if not isinstance(sends, list):
        raise BadInput(f"{where}: send must be a list of {{destination, format}}")
    parsed: list[Send] = []
    for item in sends:
        if not isinstance(item, dict):
            raise BadInput(f"{where}: send must be a list of {{destination, format}}")
        _only(item, {"destination", "format"}, f"{where}: send")
        if item.get("destination") not in destinations:
            raise BadInput(f"{where}: destination {str(item.get('destination'))[:64]!r} is not configured")
        fmt = item.get("format", "rtstruct")
        if fmt not in FORMATS:
            raise BadInput(f"{where}: format must be rtstruct or seg")
        parsed.append(Send(destination=item["destination"], format=fmt))
    review = raw.get("review", Review.AUTO.value)
    if review not in {r.value for r in Review}:
        raise BadInput(f"{where}: review must be auto or review")
    quiet = raw.get("quiet_s")
    if quiet is not None and (isinstance(quiet, bool) or not isinstance(quiet, (int, float)) or not 0 < quiet <= 3600):
        raise BadInput(f"{where}: quiet_s must be a number of seconds, more than 0 and at most 3600")
    return Rule(id=rule_id, protocol=protocol, match=match_from_dict(raw.get("match"), f"{where}: match"),
                send=tuple(parsed), review=Review(review), project=_opt_text(raw, "project", where, 120),
                quiet_s=float(quiet) if quiet is not None else None)


def destination_from_dict(raw: Any) -> Destination:
    if not isinstance(raw, dict):
        raise BadInput("a destination must be a mapping with name and ae_title/host/port (or dicomweb: true)")
    _only(raw, {"name", "ae_title", "host", "port", "dicomweb", "tls", "ca_file", "cert_file", "key_file"},
          "destination")
    name = raw.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise BadInput("destination name must be 1-64 letters, digits, '_', '.', '-'")
    if raw.get("dicomweb") is True:
        if any(raw.get(k) is not None for k in ("ae_title", "host", "port")):
            raise BadInput(f"destination {name}: dicomweb goes to VOXTELL_DICOMWEB_URL; no ae_title, host or port")
        return Destination(name=name, dicomweb=True)
    ae = raw.get("ae_title")
    if not isinstance(ae, str) or not 0 < len(ae.strip()) <= 16 or "\\" in ae or not ae.isascii():
        raise BadInput(f"destination {name}: ae_title must be 1 to 16 ASCII characters")
    host = raw.get("host")
    if not isinstance(host, str) or not host.strip() or len(host) > 255:
        raise BadInput(f"destination {name}: host must be a host name or address")
    port = raw.get("port")
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
        raise BadInput(f"destination {name}: port must be 1..65535")
    tls = raw.get("tls", False)
    if not isinstance(tls, bool):
        raise BadInput(f"destination {name}: tls must be true or false")
    files = {key: _opt_text(raw, key, f"destination {name}", 1024) for key in ("ca_file", "cert_file", "key_file")}
    if not tls and any(files.values()):
        raise BadInput(f"destination {name}: ca_file, cert_file and key_file go with tls: true")
    if (files["cert_file"] is None) != (files["key_file"] is None):
        raise BadInput(f"destination {name}: give both cert_file and key_file, or neither")
    return Destination(name=name, ae_title=ae.strip(), host=host.strip(), port=port, tls=tls,
                       ca_file=files["ca_file"], cert_file=files["cert_file"], key_file=files["key_file"])


def rule_to_dict(rule: Rule) -> dict[str, Any]:
    m = rule.match
    match = {k: v for k, v in {
        "called_ae": m.called_ae, "modality": m.modality, "body_part": m.body_part,
        "series_description": m.series_description, "image_type": list(m.image_type) or None,
        "slice_thickness": list(m.slice_thickness) if m.slice_thickness else None, "orientation": m.orientation,
        "instances": list(m.instances) if m.instances else None}.items() if v is not None}
    out: dict[str, Any] = {"id": rule.id, "match": match, "protocol": rule.protocol,
                           "send": [{"destination": s.destination, "format": s.format} for s in rule.send],
                           "review": rule.review.value}
    if rule.project:
        out["project"] = rule.project
    if rule.quiet_s is not None:
        out["quiet_s"] = rule.quiet_s
    return out


def destination_to_dict(d: Destination) -> dict[str, Any]:
    if d.dicomweb:
        return {"name": d.name, "dicomweb": True}
    out: dict[str, Any] = {"name": d.name, "ae_title": d.ae_title, "host": d.host, "port": d.port}
    if d.tls:
        out["tls"] = True
        out.update({k: v for k, v in (("ca_file", d.ca_file), ("cert_file", d.cert_file),
                                      ("key_file", d.key_file)) if v})
    return out


def config_from_dict(raw: Any, protocols: set[str]) -> tuple[list[Rule], list[Destination]]:
    """Rules and destinations of a node configuration ``{destinations: [...], rules: [...]}``.

    Raises:
        BadInput: naming the first problem (a rule by id or position, a destination by name).
    """
    if not isinstance(raw, dict):
        raise BadInput("a DICOM node configuration is a mapping with destinations and rules")
    _only(raw, {"destinations", "rules"}, "the configuration")
    raw_destinations = raw.get("destinations") or []
    raw_rules = raw.get("rules") or []
    if not isinstance(raw_destinations, list) or not isinstance(raw_rules, list):
        raise BadInput("destinations and rules must be lists")
    destinations = [destination_from_dict(d) for d in raw_destinations]
    names = [d.name for d in destinations]
    if len(set(names)) != len(names):
        raise BadInput("a destination name is used twice")
    rules = [rule_from_dict(r, i, set(names), protocols) for i, r in enumerate(raw_rules)]
    ids = [r.id for r in rules]
    if len(set(ids)) != len(ids):
        raise BadInput("a rule id is used twice")
    return rules, destinations
