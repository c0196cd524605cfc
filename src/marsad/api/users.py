"""Users, roles and API tokens of the web observatory, in the store's ``users`` and ``api_tokens``.

Passwords are hashed with argon2id (argon2-cffi's defaults, salted); tokens are random (32 bytes)
and only their SHA-256 is kept, so a copy of the database yields neither.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from dataclasses import dataclass

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from marsad.errors import ConfigError, StoreError
from marsad.store import migrate
from marsad.store.schema import api_tokens, users
from marsad.store.sql import SqlStore

ROLES = ("viewer", "reviewer", "admin")
REVIEW_ROLES = ("reviewer", "admin")
MIN_PASSWORD = 8
_NAME = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")
_HASHER = PasswordHasher()
_DUMMY = _HASHER.hash("not a password of anyone")  # equal work for unknown users


@dataclass(frozen=True, slots=True)
class User:
    username: str
    role: str
    stamp: str = ""  # changes with the password: a session cookie names it (``session_stamp``)


def session_stamp(password_hash: str) -> str:
    """A short digest of the stored password hash: a session issued before a password change
    names another stamp and is no longer valid."""
    return hashlib.sha256(password_hash.encode("utf-8")).hexdigest()[:16]


def check_name(name: str) -> str:
    if not _NAME.match(name or ""):
        raise ConfigError(f"user name {name!r}: 1-64 letters, digits or . _ @ -")
    return name


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise ConfigError(f"the password must be at least {MIN_PASSWORD} characters")
    if len(password) > 1024:
        raise ConfigError("the password is longer than 1024 characters")
    return password


def check_role(role: str) -> str:
    if role not in ROLES:
        raise ConfigError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    return role


def _write(store: SqlStore) -> sa.Connection:
    if not store.writable:
        raise StoreError("the database was opened for queries only")
    return store.engine.begin()  # type: ignore[return-value]


def add_user(store: SqlStore, name: str, password: str, role: str) -> User:
    check_name(name)
    check_password(password)
    check_role(role)
    try:
        with _write(store) as conn:
            migrate.lock_for_writing(conn)
            if conn.execute(sa.select(users.c.username).where(users.c.username == name)).first():
                raise ConfigError(f"user {name} exists already (marsad users passwd changes a password)")
            conn.execute(
                users.insert(),
                dict(username=name, password_hash=_HASHER.hash(password), role=role, created_at=time.time()),
            )
    except sa.exc.SQLAlchemyError as exc:
        raise StoreError(f"cannot add user {name}: {migrate.first_line(exc)}") from exc
    return User(name, role)


def list_users(store: SqlStore) -> list[tuple[User, float]]:
    with store._conn() as conn:
        rows = conn.execute(sa.select(users.c.username, users.c.role, users.c.created_at).order_by(users.c.username))
        return [(User(r.username, r.role), r.created_at) for r in rows]


def get_user(store: SqlStore, name: str) -> User | None:
    with store._conn() as conn:
        row = conn.execute(
            sa.select(users.c.username, users.c.role, users.c.password_hash).where(users.c.username == name)
        ).first()
    return User(row.username, row.role, session_stamp(row.password_hash)) if row else None


def remove_user(store: SqlStore, name: str) -> None:
    with _write(store) as conn:
        migrate.lock_for_writing(conn)
        conn.execute(api_tokens.delete().where(api_tokens.c.username == name))
        if conn.execute(users.delete().where(users.c.username == name)).rowcount == 0:
            raise ConfigError(f"no user {name}")


def set_password(store: SqlStore, name: str, password: str) -> None:
    check_password(password)
    with _write(store) as conn:
        migrate.lock_for_writing(conn)
        done = conn.execute(users.update().where(users.c.username == name).values(password_hash=_HASHER.hash(password)))
        if done.rowcount == 0:
            raise ConfigError(f"no user {name}")


def set_role(store: SqlStore, name: str, role: str) -> None:
    check_role(role)
    with _write(store) as conn:
        if conn.execute(users.update().where(users.c.username == name).values(role=role)).rowcount == 0:
            raise ConfigError(f"no user {name}")


def authenticate(store: SqlStore, name: str, password: str) -> User | None:
    """The user when ``password`` is theirs, else ``None`` (the same work either way)."""
    row = None
    if _NAME.match(name or ""):  # no other name exists (and PostgreSQL refuses a NUL in text)
        with store._conn() as conn:
            row = conn.execute(sa.select(users).where(users.c.username == name)).first()
    try:
        _HASHER.verify(row.password_hash if row else _DUMMY, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    return User(row.username, row.role, session_stamp(row.password_hash)) if row else None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(store: SqlStore, name: str, label: str | None = None) -> str:
    """A new API token for user ``name`` (shown once; only its hash is stored)."""
    if get_user(store, name) is None:
        raise ConfigError(f"no user {name}")
    token = "mrs_" + secrets.token_urlsafe(32)
    with _write(store) as conn:
        conn.execute(
            api_tokens.insert(), dict(token_hash=_digest(token), username=name, label=label, created_at=time.time())
        )
    return token


def user_for_token(store: SqlStore, token: str) -> User | None:
    if not token or len(token) > 200:
        return None
    query = (
        sa.select(users.c.username, users.c.role)
        .join(api_tokens, api_tokens.c.username == users.c.username)
        .where(api_tokens.c.token_hash == _digest(token))
    )
    with store._conn() as conn:
        row = conn.execute(query).first()
    return User(row.username, row.role) if row else None
