"""``voxtell-web users|tokens|projects|audit``: people, their personal API tokens, the projects
whose members share volumes, and the audit trail, on
the command line (the same job database the server uses: ``VOXTELL_DATA_DIR`` /
``VOXTELL_DATABASE_URL``). A token's text is printed once, when it is made; only its hash is kept.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path
from typing import Any

from backend.domain.audit_fhir import fhir_audit_event
from backend.domain.dicom_rules import config_from_dict, destination_to_dict, rule_to_dict
from backend.domain.errors import BadInput
from backend.domain.protocols import from_row
from backend.settings import Settings
from backend.states import Role, Scope
from backend.storage.audit import AuditTrail
from backend.storage.dicom_node import NodeRows
from backend.storage.identities import Identities, Token, User
from backend.storage.protocols import ProtocolRows
from backend.storage.store import Store
from voxtell.api import (
    ProtocolError,
    protocol_to_dict,
    protocols_from_yaml,
    protocols_to_yaml,
    shipped_protocols,
)


def _out(line: str) -> None:
    sys.stdout.write(line + "\n")


def add_commands(sub: Any) -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", type=Path, default=None, help="the server's data dir (VOXTELL_DATA_DIR)")
    users = sub.add_parser("users", help="people who may sign in (admin, user, service)")
    users_sub = users.add_subparsers(dest="action", required=True)
    add = users_sub.add_parser("add", help="add a user", parents=[common])
    add.add_argument("name")
    add.add_argument("--role", choices=[r.value for r in Role], default=Role.USER.value)
    users_sub.add_parser("list", help="list users", parents=[common])
    disable = users_sub.add_parser("disable", help="disable a user (every token of theirs stops working)", parents=[common])
    disable.add_argument("name")
    enable = users_sub.add_parser("enable", help="enable a disabled user again", parents=[common])
    enable.add_argument("name")
    limit = users_sub.add_parser("limit", help="a user's own limit of waiting jobs", parents=[common])
    limit.add_argument("name")
    limit.add_argument("--queued", default=None, help="waiting jobs: a number, or 'default' for the server's")
    limit.add_argument("--daily-compute-s", default=None,
                       help="compute seconds per UTC day: a number, or 'default' for the server's")

    tokens = sub.add_parser("tokens", help="personal API tokens (vxt_<id>_<secret>)")
    tokens_sub = tokens.add_subparsers(dest="action", required=True)
    create = tokens_sub.add_parser("create", help="make a token for a user; its text is printed once", parents=[common])
    create.add_argument("user")
    create.add_argument("--name", default="token", help="what the token is for")
    create.add_argument("--scope", choices=[s.value for s in Scope], default=Scope.FULL.value)
    create.add_argument("--expires-days", type=float, default=None, help="default: never")
    listing = tokens_sub.add_parser("list", help="list tokens (never their secrets)", parents=[common])
    listing.add_argument("user", nargs="?")
    revoke = tokens_sub.add_parser("revoke", help="revoke a token by its id", parents=[common])
    revoke.add_argument("token_id")

    projects = sub.add_parser("projects", help="projects: their members see the project's volumes and jobs")
    projects_sub = projects.add_subparsers(dest="action", required=True)
    padd = projects_sub.add_parser("add", help="make a project; prints its id (the upload's `project` field)",
                                   parents=[common])
    padd.add_argument("name")
    projects_sub.add_parser("list", help="list projects and their members", parents=[common])
    for action, what in (("add-member", "add a member"), ("remove-member", "remove a member")):
        member = projects_sub.add_parser(action, help=what, parents=[common])
        member.add_argument("project")
        member.add_argument("user")

    audit = sub.add_parser("audit", help="the audit trail")
    audit_sub = audit.add_subparsers(dest="action", required=True)
    audit_sub.add_parser("verify", help="walk the hash chain; exit 1 naming the first broken row", parents=[common])
    export = audit_sub.add_parser("export", help="write the events as JSON lines (or FHIR R4 AuditEvent resources, "
                                  "one per line)", parents=[common])
    export.add_argument("--since", default=None, help="ISO date or time (UTC), e.g. 2026-12-01")
    export.add_argument("--format", choices=["jsonl", "fhir"], default="jsonl")
    prune = audit_sub.add_parser("prune", help="archive, then remove, the events older than "
                                 "VOXTELL_AUDIT_RETENTION_DAYS (default six years)", parents=[common])
    prune.add_argument("--archive", type=Path, required=True, help="a new JSON-lines file the events go to first")


    protocols = sub.add_parser("protocols", help="protocols of named structures (prompts, export names, colours)")
    protocols_sub = protocols.add_subparsers(dest="action", required=True)
    protocols_sub.add_parser("list", help="list protocols with their structures", parents=[common])
    pimport = protocols_sub.add_parser("import", help="add or replace the protocols of a YAML file (checked first: "
                                       "nothing is stored if one is refused)", parents=[common])
    pimport.add_argument("file", type=Path)
    pexport = protocols_sub.add_parser("export", help="write protocols as YAML (stdout, or --output)", parents=[common])
    pexport.add_argument("ids", nargs="*", help="which (default: all)")
    pexport.add_argument("--output", type=Path, default=None)
    pdelete = protocols_sub.add_parser("delete", help="delete a protocol", parents=[common])
    pdelete.add_argument("id")


    dicom = sub.add_parser("dicom", help="the DICOM node's destinations and rules (YAML)")
    dicom_sub = dicom.add_subparsers(dest="action", required=True)
    dimport = dicom_sub.add_parser("import", help="replace the destinations and rules with a YAML file's "
                                   "(checked first: nothing changes if one is refused)", parents=[common])
    dimport.add_argument("file", type=Path)
    dexport = dicom_sub.add_parser("export", help="write the destinations and rules as YAML", parents=[common])
    dexport.add_argument("--output", type=Path, default=None)


def run(args: argparse.Namespace, settings: Settings) -> int:
    store = Store(settings.data_dir, settings.database_url)
    args.settings = settings
    try:
        return {"users": _users, "tokens": _tokens, "projects": _projects, "audit": _audit,
                "protocols": _protocols, "dicom": _dicom}[args.command](args, store)
    except _Refused as exc:
        sys.stderr.write(f"voxtell-web: error: {exc}\n")
        return 2
    finally:
        store.close()


class _Refused(Exception):
    pass


def _user_named(identities: Identities, name: str) -> User:
    user = identities.user_named(name)
    if user is None:
        raise _Refused(f"no user named {name!r}")
    return user


def _users(args: argparse.Namespace, store: Store) -> int:
    identities = Identities(store)
    if args.action == "add":
        try:
            user = identities.add_user(args.name, Role(args.role))
        except ValueError as exc:
            raise _Refused(str(exc)) from None
        _out(f"{user.id}\t{user.name}\t{user.role}")
    elif args.action == "list":
        for user in identities.list_users():
            shown = "default" if user.max_queued is None else str(user.max_queued)
            _out(f"{user.id}\t{user.name}\t{user.role}\t{'disabled' if user.disabled else 'active'}\tqueued<={shown}")
    elif args.action == "limit":
        user = _user_named(identities, args.name)
        if args.queued is None and args.daily_compute_s is None:
            raise _Refused("give --queued and/or --daily-compute-s")
        if args.queued is not None:
            identities.set_max_queued(user.id, None if args.queued == "default" else _positive(args.queued))
        if args.daily_compute_s is not None:
            seconds = None if args.daily_compute_s == "default" else float(_positive(args.daily_compute_s))
            identities.set_max_daily_compute(user.id, seconds)
    else:
        identities.set_disabled(_user_named(identities, args.name).id, args.action == "disable")
    return 0


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise _Refused(f"a limit must be a whole number of at least 1, or 'default'; got {text!r}")
    return int(text)


def _tokens(args: argparse.Namespace, store: Store) -> int:
    identities = Identities(store)
    if args.action == "create":
        user = _user_named(identities, args.user)
        expires = time.time() + args.expires_days * 86400 if args.expires_days else None
        token, text = identities.create_token(user.id, args.name, Scope(args.scope), expires)
        sys.stderr.write(f"token {token.id} for {user.name} ({token.scope}); it is shown once, keep it safe:\n")
        _out(text)
    elif args.action == "list":
        owner = _user_named(identities, args.user).id if args.user else None
        for token in identities.list_tokens(owner):
            _out("\t".join([token.id, token.user_id, token.name, token.scope, _state(token)]))
    elif not identities.revoke_token(args.token_id):
        raise _Refused(f"no active token {args.token_id!r}")
    return 0


def _projects(args: argparse.Namespace, store: Store) -> int:
    identities = Identities(store)
    if args.action == "add":
        try:
            _out(identities.add_project(args.name))
        except ValueError as exc:
            raise _Refused(str(exc)) from None
    elif args.action == "list":
        names = {user.id: user.name for user in identities.list_users()}
        for project_id, name, members in identities.list_projects():
            _out("\t".join([project_id, name, ",".join(names.get(m, m) for m in members)]))
    else:
        found = identities.project_named(args.project)
        if found is None:
            raise _Refused(f"no project named {args.project!r}")
        user = _user_named(identities, args.user)
        if not identities.set_member(found, user.id, args.action == "add-member"):
            raise _Refused(f"{user.name} is {'already' if args.action == 'add-member' else 'not'} a member of {args.project}")
    return 0


def _state(token: Token) -> str:
    if token.revoked is not None:
        return "revoked"
    if token.expires is not None and token.expires <= time.time():
        return "expired"
    return "active"


def _audit(args: argparse.Namespace, store: Store) -> int:
    trail = AuditTrail(store)
    if args.action == "verify":
        check = trail.verify()
        if check.ok:
            _out(f"audit trail intact: {check.events} events")
            return 0
        _out(f"audit trail BROKEN at event {check.first_broken}: {check.reason}")
        return 1
    if args.action == "prune":
        if args.archive.exists():
            raise _Refused(f"{args.archive} exists: the archive must be a new file")
        days = args.settings.audit_retention_days
        removed = trail.prune(time.time() - days * 86400, args.archive)
        _out(f"removed {removed} events older than {days:g} days "
             f"(archived first in {args.archive})")
        return 0
    since = None
    if args.since:
        try:
            since = dt.datetime.fromisoformat(args.since).replace(tzinfo=dt.timezone.utc).timestamp()
        except ValueError:
            raise _Refused(f"--since must be an ISO date or time, e.g. 2026-12-01; got {args.since!r}") from None
    for row in trail.rows(since):
        _out(json.dumps(fhir_audit_event(row) if args.format == "fhir" else row, sort_keys=True))
    return 0


def _protocols(args: argparse.Namespace, store: Store) -> int:
    rows = ProtocolRows(store)
    rows.seed([protocol_to_dict(p) for p in shipped_protocols()])
    if args.action == "import":
        try:
            found = protocols_from_yaml(args.file.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            raise _Refused(f"{args.file}: not UTF-8 text") from None
        except OSError as exc:
            raise _Refused(f"cannot read {args.file}: {exc.strerror}") from None
        except ProtocolError as exc:
            raise _Refused(f"{args.file}: {exc}") from None
        for protocol in found:
            rows.put(protocol_to_dict(protocol), by=None)
            _out(f"{protocol.id}\t{len(protocol.structures)} structures")
            for warning in protocol.warnings:
                sys.stderr.write(f"voxtell-web: warning: {protocol.id}: {warning}\n")
        return 0
    stored = {row["id"]: from_row(row) for row in rows.all()}
    if args.action == "list":
        for protocol in stored.values():
            names = ", ".join(s.name for s in protocol.structures)
            _out(f"{protocol.id}\t{protocol.modality or 'any'}\t{protocol.name}\t{names}")
    elif args.action == "export":
        missing = [i for i in args.ids if i not in stored]
        if missing:
            raise _Refused(f"no protocol {missing[0]!r}")
        text = protocols_to_yaml([stored[i] for i in (args.ids or list(stored))])
        if args.output is None:
            sys.stdout.write(text)
        else:
            args.output.write_text(text, encoding="utf-8")
    elif not rows.delete(args.id):
        raise _Refused(f"no protocol {args.id!r}")
    return 0


def _dicom(args: argparse.Namespace, store: Store) -> int:
    import yaml

    rows = NodeRows(store)
    if args.action == "export":
        rules, destinations = rows.config()
        text = yaml.safe_dump({"destinations": destinations, "rules": rules}, sort_keys=False)
        if args.output is None:
            sys.stdout.write(text)
        else:
            args.output.write_text(text, encoding="utf-8")
        return 0
    try:
        raw = yaml.safe_load(args.file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise _Refused(f"cannot read {args.file}: {exc.strerror}") from None
    except (UnicodeDecodeError, yaml.YAMLError):
        raise _Refused(f"{args.file}: not a YAML text file") from None
    protocol_rows = ProtocolRows(store)
    protocol_rows.seed([protocol_to_dict(p) for p in shipped_protocols()])
    try:
        checked_rules, checked_destinations = config_from_dict(raw, {row["id"] for row in protocol_rows.all()})
    except BadInput as exc:
        raise _Refused(f"{args.file}: {exc}") from None
    rows.replace_config([rule_to_dict(r) for r in checked_rules], [destination_to_dict(d) for d in checked_destinations])
    _out(f"{len(checked_destinations)} destinations, {len(checked_rules)} rules")
    return 0
