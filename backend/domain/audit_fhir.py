"""The audit trail as FHIR R4 ``AuditEvent`` resources (``voxtell-web audit export --format fhir``),
for a hospital's audit repository (IHE ATNA over FHIR, the RESTful form of DICOM PS3.15 A.5).

What each event holds is what the trail holds — who (user id, how they signed in, token), what
(action, the HTTP outcome), which object (type and id), from where (the client's address), the
request id and the row's chain hash — never image data, file names, prompts or patient fields.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

_DCM = "http://dicom.nema.org/resources/ontology/DCM"
_EVENT_TYPE = "http://terminology.hl7.org/CodeSystem/audit-event-type"
_ENTITY_TYPE = "http://terminology.hl7.org/CodeSystem/audit-entity-type"
_VOXTELL = "urn:voxtell-web:audit-action"

# action -> (FHIR AuditEvent.action: C create, R read, U update, D delete, E execute; event type)
_ACTIONS: dict[str, tuple[str, dict[str, str]]] = {
    "login": ("E", {"system": _DCM, "code": "110114", "display": "User Authentication"}),
    "denied": ("E", {"system": _DCM, "code": "110114", "display": "User Authentication"}),
    "upload": ("C", {"system": _DCM, "code": "110107", "display": "Import"}),
    "pacs_import": ("C", {"system": _DCM, "code": "110107", "display": "Import"}),
    "view": ("R", {"system": _EVENT_TYPE, "code": "rest", "display": "RESTful Operation"}),
    "download": ("R", {"system": _DCM, "code": "110106", "display": "Export"}),
    "export": ("R", {"system": _DCM, "code": "110106", "display": "Export"}),
    "pacs_store": ("R", {"system": _DCM, "code": "110106", "display": "Export"}),
    "infer": ("E", {"system": _EVENT_TYPE, "code": "rest", "display": "RESTful Operation"}),
    "edit": ("U", {"system": _EVENT_TYPE, "code": "rest", "display": "RESTful Operation"}),
    "delete": ("D", {"system": _EVENT_TYPE, "code": "rest", "display": "RESTful Operation"}),
    "admin": ("E", {"system": _DCM, "code": "110136", "display": "Security Roles Changed"}),
}


def fhir_audit_event(row: dict[str, Any]) -> dict[str, Any]:
    """One row of ``audit_events`` as a FHIR R4 AuditEvent resource (a JSON-ready dict)."""
    action, event_type = _ACTIONS.get(row["action"], ("E", {"system": _EVENT_TYPE, "code": "rest"}))
    status = int(row["outcome"])
    recorded = dt.datetime.fromtimestamp(float(row["at"]), dt.timezone.utc).isoformat(timespec="milliseconds")
    agent: dict[str, Any] = {
        "requestor": True,
        "who": {"identifier": {"system": "urn:voxtell-web:user", "value": row["user_id"]}}
        if row.get("user_id") else {"display": "not signed in"},
        "altId": f"{row['via']}:{row['token_id']}" if row.get("token_id") else row["via"],
    }
    if row.get("source"):
        agent["network"] = {"address": row["source"], "type": "2"}  # 2: IP address
    resource: dict[str, Any] = {
        "resourceType": "AuditEvent",
        "id": f"voxtell-{row['seq']}",
        "type": event_type,
        "subtype": [{"system": _VOXTELL, "code": row["action"]}],
        "action": action,
        "recorded": recorded.replace("+00:00", "Z"),
        # 0 success; 4 minor failure (the request was refused); 8 serious failure (the server's)
        "outcome": "0" if status < 400 else ("4" if status < 500 else "8"),
        "outcomeDesc": f"HTTP {status}",
        "agent": [agent],
        "source": {"observer": {"display": "VoxTell Web"},
                   "type": [{"system": "http://terminology.hl7.org/CodeSystem/security-source-type", "code": "4",
                             "display": "Application Server"}]},
        "entity": [{"what": {"identifier": {"system": "urn:voxtell-web:request", "value": row["request_id"]}},
                    "type": {"system": _ENTITY_TYPE, "code": "2", "display": "System Object"},
                    "description": f"request; audit chain hash {row['hash']}"}] if row.get("request_id") else [],
    }
    if row.get("object_id"):
        resource["entity"].insert(0, {
            "what": {"identifier": {"system": f"urn:voxtell-web:{row.get('object_type') or 'object'}",
                                    "value": row["object_id"]}},
            "type": {"system": _ENTITY_TYPE, "code": "2", "display": "System Object"}})
    if row.get("detail"):  # an infer's prompts, kept only where the administrator asked for them
        resource["entity"].append({"type": {"system": _ENTITY_TYPE, "code": "2", "display": "System Object"},
                                   "description": "prompts", "detail": [{"type": "prompts",
                                                                          "valueString": row["detail"]}]})
    if not resource["entity"]:
        del resource["entity"]
    return resource
