"""Users and their personal API tokens in the job database (every API node sees the same).

A token is ``vxt_<id>_<secret>``: the id finds the row, the 256-bit secret is checked against its
SHA-256 (a random secret of that size needs no slow password hash), in constant time. The secret
itself is shown once, when the token is made, and never stored.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

import sqlalchemy as sa

from backend.states import Role, Scope
from backend.storage.db import project_members, projects, tokens, users
from backend.storage.store import Store

PREFIX = "vxt_"
LAST_USED_EVERY_S = 300.0  # a token's last_used is written at most this often


@dataclass(frozen=True)
class User:
    id: str
    name: str
    role: Role
    disabled: bool
    created: float
    max_queued: int | None = None  # None: the server's default (VOXTELL_MAX_QUEUED_PER_USER)
    max_daily_compute_s: float | None = None  # None: the server's default (VOXTELL_MAX_DAILY_COMPUTE_S_PER_USER)


@dataclass(frozen=True)
class Token:
    id: str
    user_id: str
    name: str
    scope: Scope
    created: float
    expires: float | None
    last_used: float | None
    revoked: float | None


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def split_token(text: str) -> tuple[str, str] | None:
    """``(id, secret)`` of a ``vxt_<id>_<secret>`` token; None when it is not shaped like one."""
    if not text.startswith(PREFIX):
        return None
    token_id, sep, secret = text[len(PREFIX):].partition("_")
    if not sep or not token_id or not secret or len(token_id) > 64 or len(secret) > 256:
        return None
    return token_id, secret


class Identities:
    """Users and tokens, on the store's database (its writes take the store's turn)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # -- users --------------------------------------------------------------------------------
    def add_user(self, name: str, role: Role, user_id: str | None = None) -> User:
        """Raises ValueError when the name is taken."""
        user = User(id=user_id or secrets.token_hex(8), name=name, role=Role(role), disabled=False,
                    created=time.time())
        with self.store._write() as db:
            if db.execute(sa.select(users.c.id).where(users.c.name == name)).first() is not None:
                raise ValueError(f"a user named {name!r} exists already")
            db.execute(users.insert().values(id=user.id, name=name, role=user.role.value, disabled=False,
                                             created=user.created))
        return user

    def sign_in_external(self, user_id: str, name: str, role: Role) -> User:
        """The user row of someone signed in by the identity provider, made at their first
        sign-in and given the role the provider says now (a name taken by another user gets the
        id appended)."""
        with self.store._write() as db:
            row = db.execute(sa.select(users).where(users.c.id == user_id)).mappings().first()
            if row is None:
                if db.execute(sa.select(users.c.id).where(users.c.name == name)).first() is not None:
                    name = f"{name} ({user_id})"
                db.execute(users.insert().values(id=user_id, name=name, role=Role(role).value, disabled=False,
                                                 created=time.time()))
            elif row["role"] != Role(role).value:
                db.execute(users.update().where(users.c.id == user_id).values(role=Role(role).value))
            row = db.execute(sa.select(users).where(users.c.id == user_id)).mappings().first()
        assert row is not None
        return _user(row)

    def user(self, user_id: str) -> User | None:
        with self.store.engine.connect() as db:
            row = db.execute(sa.select(users).where(users.c.id == user_id)).mappings().first()
        return _user(row) if row is not None else None

    def user_named(self, name: str) -> User | None:
        with self.store.engine.connect() as db:
            row = db.execute(sa.select(users).where(users.c.name == name)).mappings().first()
        return _user(row) if row is not None else None

    def list_users(self) -> list[User]:
        with self.store.engine.connect() as db:
            rows = db.execute(sa.select(users).order_by(users.c.created)).mappings().all()
        return [_user(r) for r in rows]

    def set_max_queued(self, user_id: str, limit: int | None) -> bool:
        """A user's own limit of waiting jobs (None: the server's default)."""
        with self.store._write() as db:
            return bool(db.execute(users.update().where(users.c.id == user_id).values(max_queued=limit)).rowcount)

    def set_max_daily_compute(self, user_id: str, seconds: float | None) -> bool:
        """A user's own compute seconds per UTC day (None: the server's default)."""
        with self.store._write() as db:
            return bool(db.execute(users.update().where(users.c.id == user_id)
                                   .values(max_daily_compute_s=seconds)).rowcount)

    def set_disabled(self, user_id: str, disabled: bool) -> bool:
        with self.store._write() as db:
            return bool(db.execute(users.update().where(users.c.id == user_id).values(disabled=disabled)).rowcount)

    # -- projects: their members see the project's volumes and jobs --------------------------
    def add_project(self, name: str) -> str:
        """A new project's id. Raises ValueError when the name is taken."""
        project_id = secrets.token_hex(6)
        with self.store._write() as db:
            if db.execute(sa.select(projects.c.id).where(projects.c.name == name)).first() is not None:
                raise ValueError(f"a project named {name!r} exists already")
            db.execute(projects.insert().values(id=project_id, name=name, created=time.time()))
        return project_id

    def project_named(self, name: str) -> str | None:
        with self.store.engine.connect() as db:
            return db.execute(sa.select(projects.c.id).where(projects.c.name == name)).scalar()

    def list_projects(self) -> list[tuple[str, str, list[str]]]:
        """``(id, name, member user ids)`` of every project, oldest first."""
        with self.store.engine.connect() as db:
            rows = db.execute(sa.select(projects.c.id, projects.c.name).order_by(projects.c.created)).all()
            members = db.execute(sa.select(project_members.c.project_id, project_members.c.user_id)).all()
        return [(r.id, r.name, sorted(m.user_id for m in members if m.project_id == r.id)) for r in rows]

    def set_member(self, project_id: str, user_id: str, member: bool) -> bool:
        """Add (or remove) a member; returns whether anything changed."""
        with self.store._write() as db:
            where = (project_members.c.project_id == project_id, project_members.c.user_id == user_id)
            present = db.execute(sa.select(project_members.c.user_id).where(*where)).first() is not None
            if member and not present:
                db.execute(project_members.insert().values(project_id=project_id, user_id=user_id))
            elif not member and present:
                db.execute(project_members.delete().where(*where))
            return member != present

    def projects_of(self, user_id: str) -> frozenset[str]:
        with self.store.engine.connect() as db:
            return frozenset(db.execute(sa.select(project_members.c.project_id)
                                        .where(project_members.c.user_id == user_id)).scalars())

    # -- tokens -------------------------------------------------------------------------------
    def create_token(self, user_id: str, name: str, scope: Scope = Scope.FULL,
                     expires: float | None = None) -> tuple[Token, str]:
        """A new token and its text ``vxt_<id>_<secret>`` (shown once: only the hash is kept)."""
        token_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
        token = Token(id=token_id, user_id=user_id, name=name, scope=Scope(scope), created=time.time(),
                      expires=expires, last_used=None, revoked=None)
        with self.store._write() as db:
            db.execute(tokens.insert().values(id=token.id, user_id=user_id, name=name, secret_hash=_hash(secret),
                                              scope=token.scope.value, created=token.created, expires=expires))
        return token, f"{PREFIX}{token_id}_{secret}"

    def check_token(self, text: str) -> tuple[Token, User] | None:
        """The token and its user if ``text`` is a token with the right secret (revoked, expired
        and disabled ones included: the caller words each refusal); None otherwise."""
        parts = split_token(text)
        if parts is None:
            return None
        token_id, secret = parts
        with self.store.engine.connect() as db:
            row = db.execute(sa.select(tokens).where(tokens.c.id == token_id)).mappings().first()
            if row is None or not hmac.compare_digest(row["secret_hash"], _hash(secret)):
                return None
            user_row = db.execute(sa.select(users).where(users.c.id == row["user_id"])).mappings().first()
        if user_row is None:
            return None
        return _token(row), _user(user_row)

    def touch(self, token: Token, now: float | None = None) -> None:
        """Record that the token was used (at most every ``LAST_USED_EVERY_S``)."""
        now = now or time.time()
        if token.last_used is not None and now - token.last_used < LAST_USED_EVERY_S:
            return
        with self.store._write() as db:
            db.execute(tokens.update().where(tokens.c.id == token.id).values(last_used=now))

    def list_tokens(self, user_id: str | None = None) -> list[Token]:
        query = sa.select(tokens).order_by(tokens.c.created)
        if user_id is not None:
            query = query.where(tokens.c.user_id == user_id)
        with self.store.engine.connect() as db:
            return [_token(r) for r in db.execute(query).mappings().all()]

    def token(self, token_id: str) -> Token | None:
        with self.store.engine.connect() as db:
            row = db.execute(sa.select(tokens).where(tokens.c.id == token_id)).mappings().first()
        return _token(row) if row is not None else None

    def revoke_token(self, token_id: str) -> bool:
        with self.store._write() as db:
            return bool(db.execute(tokens.update().where(tokens.c.id == token_id, tokens.c.revoked.is_(None))
                                   .values(revoked=time.time())).rowcount)


def _user(row: sa.RowMapping) -> User:
    return User(id=row["id"], name=row["name"], role=Role(row["role"]), disabled=bool(row["disabled"]),
                created=row["created"], max_queued=row["max_queued"], max_daily_compute_s=row["max_daily_compute_s"])


def _token(row: sa.RowMapping) -> Token:
    return Token(id=row["id"], user_id=row["user_id"], name=row["name"], scope=Scope(row["scope"]),
                 created=row["created"], expires=row["expires"], last_used=row["last_used"], revoked=row["revoked"])
