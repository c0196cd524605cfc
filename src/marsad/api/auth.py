"""Sessions, CSRF and roles.

The session is a signed cookie ``marsad_session`` (itsdangerous, HMAC with the settings' secret
key; HttpOnly, SameSite=Lax): ``{"u": user or null, "s": the user's session stamp, "c": CSRF
token}``. Every visitor gets one (the login form needs its CSRF token too); logging in issues a
fresh one. The user's role is read
from the store on each request, so removing a user or changing a role takes effect at once; the
stamp is a digest of the stored password hash, so a password change (``marsad users passwd``) ends
every session of that user, also copies of a cookie that logging out replaced.

A state-changing request authenticated by the cookie must carry the session's CSRF token, in the
``X-CSRF-Token`` header (or the ``csrf_token`` form field of an HTML form); a request with
``Authorization: Bearer <token>`` needs none (a browser never adds that header by itself).
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from fastapi import HTTPException, Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from marsad.api.settings import SESSION_MAX_AGE_S
from marsad.api.users import REVIEW_ROLES, User, get_user, user_for_token

COOKIE = "marsad_session"
CSRF_HEADER = "X-CSRF-Token"


@dataclass(slots=True)
class Session:
    user: User | None
    csrf: str
    fresh: bool  # not from a valid cookie: set it on the response
    bearer: bool = False  # authenticated by an API token (no cookie, no CSRF)


def serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="marsad-session")


def load_session(request: Request) -> Session:
    """The request's session (cached on ``request.state``)."""
    cached = getattr(request.state, "session", None)
    if isinstance(cached, Session):
        return cached
    app = request.app
    store = app.state.store
    session: Session | None = None
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        user = user_for_token(store, header[7:].strip())
        if user is None:
            raise HTTPException(401, "invalid API token", headers={"WWW-Authenticate": "Bearer"})
        session = Session(user, "", fresh=False, bearer=True)
    else:
        raw = request.cookies.get(COOKIE)
        data: Any = None
        if raw:
            try:
                data = serializer(app.state.secret).loads(raw, max_age=SESSION_MAX_AGE_S)
            except BadSignature:
                data = None
        if isinstance(data, dict) and isinstance(data.get("c"), str) and len(data["c"]) >= 16:
            name = data.get("u")
            user = get_user(store, name) if isinstance(name, str) else None
            if user is not None and not hmac.compare_digest(str(data.get("s", "")), user.stamp):
                user = None  # issued before the password changed
            session = Session(user, data["c"], fresh=False)
        else:
            session = Session(None, secrets.token_urlsafe(24), fresh=True)
    request.state.session = session
    return session


def set_cookie(request: Request, response: Response, session: Session) -> None:
    if session.bearer:
        return
    user = session.user
    value = serializer(request.app.state.secret).dumps(
        {"u": user.username if user else None, "s": user.stamp if user else "", "c": session.csrf}
    )
    response.set_cookie(
        COOKIE,
        value,
        max_age=int(SESSION_MAX_AGE_S),
        httponly=True,
        samesite="lax",
        secure=request.app.state.settings.secure_cookies,
        path="/",
    )


def check_csrf(request: Request, session: Session, form_token: str | None = None) -> None:
    """403 unless the request carries the session's CSRF token (bearer requests need none)."""
    if session.bearer:
        return
    given = request.headers.get(CSRF_HEADER) or form_token or ""
    if session.fresh or not given or not hmac.compare_digest(given.encode(), session.csrf.encode()):
        raise HTTPException(403, "missing or wrong CSRF token: send the X-CSRF-Token header from /api/v1/session")


def reader(request: Request) -> Session:
    """Dependency of read endpoints: anyone when the observatory is public, else a logged-in user."""
    session = load_session(request)
    if not request.app.state.settings.public and session.user is None:
        raise HTTPException(401, "log in first: this observatory is private (POST /login)")
    return session


def reviewer(request: Request) -> Session:
    """Dependency of review endpoints: a reviewer or admin, with the CSRF token."""
    session = load_session(request)
    if session.user is None:
        raise HTTPException(401, "log in as a reviewer first (POST /login)")
    if session.user.role not in REVIEW_ROLES:
        raise HTTPException(
            403, f"user {session.user.username} is a {session.user.role}; reviewing needs reviewer or admin"
        )
    check_csrf(request, session)
    return session


def safe_next(target: str | None) -> str:
    """A redirect target that stays on this site: a relative path (``/events/X``), else ``/``."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    if any(ch in target for ch in "\r\n\t\\") or any(ord(ch) < 32 for ch in target):
        return "/"
    return target
