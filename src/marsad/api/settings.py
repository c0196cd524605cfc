"""The settings of ``marsad serve`` (one frozen object, built by the CLI or a test)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from platformdirs import user_config_dir

from marsad.errors import ConfigError

SECRET_ENV = "MARSAD_SECRET_KEY"
MAX_BODY_BYTES = 6_000_000  # a report may be 5 MB (Settings.max_document_bytes) plus JSON quoting
RATE_LIMIT = 30  # POST /api/v1/documents requests per client and window
RATE_WINDOW_S = 60.0
SESSION_MAX_AGE_S = 12 * 3600
LOGIN_FAILURES = 10  # wrong passwords allowed per client address and per user name ...
LOGIN_WINDOW_S = 300.0  # ... in any five minutes; then 429 until the oldest failure is that old


@dataclass(frozen=True, slots=True)
class ApiSettings:
    db: str  # a SQLite path or URL, or a postgresql:// URL
    public: bool = True  # read-only views without logging in
    tile_url: str | None = None  # e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png; None: offline map
    secret_key: str = ""  # signs session cookies; "" -> secret_key_for(db)
    max_body_bytes: int = MAX_BODY_BYTES
    rate_limit: int = RATE_LIMIT
    rate_window_s: float = RATE_WINDOW_S
    cors_origins: tuple[str, ...] = ()  # no CORS unless given
    secure_cookies: bool = False  # Secure flag on the session cookie (behind HTTPS)
    gazetteer: Path | None = None
    create: bool = True  # False: a SQLite file or PostgreSQL database without Marsad's tables is an error
    extractor: Callable[[Any], Any] | None = field(default=None, compare=False)  # None: the pipeline


def secret_key_for(db_path: Path | None) -> str:
    """The key that signs session cookies: ``MARSAD_SECRET_KEY``, else a random key kept in a file
    (``marsad-secret.key`` next to a SQLite database, else in the user's config folder), created
    on first use with owner-only permissions. Never a constant: a key in the source would let
    anyone forge a session."""
    env = os.environ.get(SECRET_ENV, "").strip()
    if env:
        if len(env) < 16:
            raise ConfigError(f"{SECRET_ENV} must be at least 16 characters")
        return env
    folder = db_path.parent if db_path is not None else Path(user_config_dir("marsad", appauthor=False))
    path = folder / "marsad-secret.key"
    try:
        if path.exists():
            key = path.read_text(encoding="utf-8").strip()
            if len(key) >= 16:
                return key
        folder.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(key + "\n")
        return key
    except OSError as exc:
        raise ConfigError(f"cannot keep the session key in {path}: {exc.strerror}; set {SECRET_ENV}") from exc
