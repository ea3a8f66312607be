"""Who is asking: a ``Principal`` from the request's credentials.

* No ``VOXTELL_API_KEY``: a workstation — every request is the one implicit local user (an
  administrator), as before; a personal token, if one is sent and valid, still names its user.
* ``VOXTELL_API_KEY`` set: every request must sign in — with that key (the bootstrap
  administrator) or a personal API token (``vxt_<id>_<secret>``); anything else is refused (401)
  with a ``detail`` that says what was wrong. A read-only token may only read (403 otherwise).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass
from typing import Any

from backend.domain.errors import Forbidden, NotFound, Unauthorized
from backend.domain.ports import BearerVerifier
from backend.settings import Settings
from backend.states import AuthVia, Role, Scope
from backend.storage.access import Access
from backend.storage.identities import Identities, split_token

# The user id of VOXTELL_API_KEY and of the implicit local user of a workstation: what a
# workstation stored stays its administrator's when the department turns sign-in on.
BOOTSTRAP_ADMIN = "admin"
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Principal:
    user_id: str
    name: str
    role: Role
    via: AuthVia
    token_id: str | None = None
    scope: Scope = Scope.FULL
    projects: frozenset[str] = frozenset()  # ids of the projects the person belongs to
    max_queued: int | None = None  # the person's own limit of waiting jobs (None: the server's)
    max_daily_compute_s: float | None = None  # the person's own compute per UTC day (None: the server's)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def access(self) -> Access:
        """What this person may see: their own objects, their projects', or (admins) all."""
        return Access(user_id=self.user_id, everything=self.is_admin, projects=self.projects)


LOCAL = Principal(user_id=BOOTSTRAP_ADMIN, name="local user", role=Role.ADMIN, via=AuthVia.LOCAL)


@dataclass(frozen=True)
class Owned:
    """Whose a new volume or job is: a user id and, optionally, a project whose members see it."""

    owner: str
    project: str | None = None


def project_of(caller: Principal, project: str | None) -> str | None:
    """The project a new object of ``caller`` goes into: ``project`` if the caller belongs to it.

    Raises:
        NotFound: the caller is no member (an administrator may use any of their own projects
        only, too: objects are filed where their owner works).
    """
    if project is None or project in caller.projects:
        return project
    raise NotFound("no project with this id among yours")


def bearer(authorization: str) -> str | None:
    scheme, _, credential = authorization.partition(" ")
    return credential.strip() if scheme.lower() == "bearer" and credential.strip() else None


def looks_like_jwt(credential: str | None) -> bool:
    return credential is not None and credential.count(".") == 2 and not credential.startswith("vxt_")


def authenticate(settings: Settings, identities: Identities, authorization: str, method: str,
                 now: float | None = None, oidc: BearerVerifier | None = None) -> Principal:
    """The principal of a request with this ``Authorization`` header and method.

    Raises:
        Unauthorized: naming what is wrong with the credentials; Forbidden: a read-only token
        used to change something.
    """
    credential = bearer(authorization)
    key = settings.key
    if credential is not None and split_token(credential) is not None:
        principal = _token_principal(identities, credential, now or time.time())
    elif oidc is not None and looks_like_jwt(credential) and (key is None or credential != key):
        principal = oidc_principal(settings, identities, oidc.verify(str(credential)))
    elif not settings.sign_in_required:
        return LOCAL
    elif credential is None:
        raise Unauthorized("missing credentials: send Authorization: Bearer <API key, personal token or "
                           "sign-in token>")
    elif key is not None and hmac.compare_digest(credential.encode(), key.encode()):
        return Principal(user_id=BOOTSTRAP_ADMIN, name="administrator", role=Role.ADMIN, via=AuthVia.KEY)
    else:
        raise Unauthorized("wrong API key or token (Authorization: Bearer <key>)")
    if principal.scope == Scope.READ and method.upper() not in READ_METHODS:
        raise Forbidden("this API token is read-only; a token with full scope is needed to change anything")
    return principal


def oidc_principal(settings: Settings, identities: Identities, claims: dict[str, Any]) -> Principal:
    """The person of a verified OpenID Connect token: their user row (made at their first
    sign-in, ``oidc-<hash of issuer and subject>``), with the role their token's roles claim
    gives them now (the identity provider decides roles; a disabled row stays disabled here).

    Raises:
        Forbidden: signed in, but no VoxTell role in the token; Unauthorized: the user is disabled.
    """
    roles = _claim(claims, settings.oidc_roles_claim)
    role = next((r for name, r in ((settings.oidc_admin_role, Role.ADMIN), (settings.oidc_user_role, Role.USER),
                                   (settings.oidc_service_role, Role.SERVICE)) if name in roles), None)
    if role is None:
        raise Forbidden(f"signed in, but your account has none of the roles of this service "
                        f"({settings.oidc_admin_role}, {settings.oidc_user_role}, {settings.oidc_service_role}) in "
                        f"{settings.oidc_roles_claim}: ask your administrator")
    subject = f"{settings.oidc_issuer}\n{claims['sub']}"
    user_id = "oidc-" + hashlib.sha256(subject.encode()).hexdigest()[:16]
    name = str(claims.get("preferred_username") or claims.get("email") or claims["sub"])[:100]
    user = identities.sign_in_external(user_id, name, role)
    if user.disabled:
        raise Unauthorized("this user is disabled")
    return Principal(user_id=user.id, name=user.name, role=role, via=AuthVia.OIDC,
                     projects=identities.projects_of(user.id), max_queued=user.max_queued,
                     max_daily_compute_s=user.max_daily_compute_s)


def _claim(claims: dict[str, Any], path: str) -> list[str]:
    """The list at a dotted path of the claims (``realm_access.roles``); empty when absent."""
    value: Any = claims
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value] if isinstance(value, list) else []


def _token_principal(identities: Identities, credential: str, now: float) -> Principal:
    found = identities.check_token(credential)
    if found is None:
        raise Unauthorized("unknown API token, or its secret is wrong")
    token, user = found
    if token.revoked is not None:
        raise Unauthorized("this API token was revoked")
    if token.expires is not None and token.expires <= now:
        raise Unauthorized(f"this API token expired on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(token.expires))}")
    if user.disabled:
        raise Unauthorized("the user of this API token is disabled")
    identities.touch(token, now)
    return Principal(user_id=user.id, name=user.name, role=user.role, via=AuthVia.TOKEN, token_id=token.id,
                     scope=token.scope, projects=identities.projects_of(user.id), max_queued=user.max_queued,
                     max_daily_compute_s=user.max_daily_compute_s)
