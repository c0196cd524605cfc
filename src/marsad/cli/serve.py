"""``marsad serve`` (the API and the dashboard) and ``marsad users`` (accounts and API tokens):
thin layers over ``marsad.api``. Errors are one line on stderr (``error: …``), exit status 2."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import typer

from marsad.cli import PlainCommand, PlainGroup
from marsad.errors import ConfigError, MarsadError

DB_HELP = "Database: a SQLite file path or a postgresql://user@host/db URL (default: MARSAD_DB or the user data dir)."
PASSWORD_ENV = "MARSAD_PASSWORD"


def _fail(exc: BaseException) -> typer.Exit:
    typer.echo(f"error: {exc}", err=True)
    return typer.Exit(2)


def _db(db: str | None) -> str:
    from marsad.settings import Settings

    return Settings.from_env(db_url=db).db_url


# -- serve -------------------------------------------------------------------------------------

CORS = typer.Option(
    None, "--cors", help="Allow cross-origin reads from this origin (repeatable; default: no CORS).", metavar="ORIGIN"
)


def _check_listen(host: str, port: int) -> None:
    """A ``ConfigError`` when ``host:port`` cannot be listened on (a port in use, an unknown host):
    uvicorn would log its own error after our banner and exit with status 3."""
    import socket

    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        with socket.socket(family, kind, proto) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
            sock.bind(address)
    except OSError as exc:
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def serve_command(
    db: str | None = typer.Option(None, "--db", help=DB_HELP, metavar="DB"),
    host: str = typer.Option(
        "127.0.0.1", "--host", help="Address to listen on (0.0.0.0: every interface).", metavar="HOST"
    ),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port to listen on.", metavar="PORT"),
    public: bool = typer.Option(
        True, "--public/--private", help="Public: anyone may read events; private: every page and read needs a login."
    ),
    tiles: str | None = typer.Option(
        None,
        "--tiles",
        help="Map tile URL for users with internet, e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png "
        "(default: the offline boundary map only).",
        metavar="URL",
    ),
    cors: list[str] | None = CORS,
    rate_limit: int = typer.Option(
        30, "--rate-limit", min=1, help="POST /api/v1/documents calls per client per minute.", metavar="N"
    ),
    max_body: int = typer.Option(
        6_000_000,
        "--max-body",
        min=1000,
        help="Largest request body accepted, in bytes (larger: 413).",
        metavar="BYTES",
    ),
    secure_cookies: bool = typer.Option(
        False, "--secure-cookies", help="Mark the session cookie Secure (when served over HTTPS by a proxy)."
    ),
    create: bool = typer.Option(
        False, "--create", help="Serve a new, empty database when --db names none (else a missing one is an error)."
    ),
) -> None:
    """Serve the observatory: the dashboard at /, the API at /api/v1, its reference at /docs.

    The session key comes from MARSAD_SECRET_KEY, else a key file created next to the SQLite
    database (or in the user's config folder). Users: `marsad users add NAME --role reviewer`.
    """
    from marsad.api.settings import ApiSettings

    if tiles is not None and not tiles.startswith(("http://", "https://")):
        raise _fail(ConfigError(f"--tiles must be an http(s) URL with {{z}}/{{x}}/{{y}}, not {tiles!r}"))
    cors = cors or []
    for origin in cors:
        if not origin.startswith(("http://", "https://")) or origin.count("/") != 2:
            raise _fail(ConfigError(f"--cors takes an origin such as https://example.org, not {origin!r}"))
    try:
        import uvicorn

        from marsad.api.app import create_app

        settings = ApiSettings(
            db=_db(db),
            public=public,
            tile_url=tiles,
            cors_origins=tuple(cors),
            rate_limit=rate_limit,
            max_body_bytes=max_body,
            secure_cookies=secure_cookies,
            create=create,
            gazetteer=Path(os.environ["MARSAD_GAZETTEER"]) if os.environ.get("MARSAD_GAZETTEER") else None,
        )
        app = create_app(settings)
        _check_listen(host, port)
    except MarsadError as exc:
        raise _fail(exc) from None
    typer.echo(f"Marsad observatory on http://{host}:{port}/ (API reference: /docs); Ctrl-C stops it", err=True)
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False)
    except OSError as exc:
        raise _fail(ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}")) from None


# -- users -------------------------------------------------------------------------------------

users_app = typer.Typer(
    cls=PlainGroup,
    help="Accounts of the observatory (viewer, reviewer, admin) and API tokens for ingest.",
    no_args_is_help=True,
)


def _password(password_file: Path | None, confirm: bool = True) -> str:
    """From --password-file, MARSAD_PASSWORD, or a prompt (never an argument: argv is visible
    to every user of the machine in ps)."""
    if password_file is not None:
        try:
            text = password_file.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"cannot read {password_file}: {exc.strerror}") from None
        return text.rstrip("\r\n")
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    if not sys.stdin.isatty():
        line = sys.stdin.readline()
        if not line:
            raise ConfigError(f"no password: give --password-file, set {PASSWORD_ENV}, or type it at the prompt")
        return line.rstrip("\r\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=confirm))


PASSWORD_FILE = typer.Option(
    None,
    "--password-file",
    help=f"Read the password from this file (else {PASSWORD_ENV}, else a prompt, or one line on stdin).",
    metavar="FILE",
)


def _open(db: str | None):  # type: ignore[no-untyped-def]
    from marsad.store import open_store

    return open_store(_db(db))


def users_add(
    name: str = typer.Argument(help="User name: letters, digits, . _ @ -", metavar="NAME"),
    role: str = typer.Option(
        "viewer", "--role", help="viewer (reads), reviewer (reviews, ingests) or admin.", metavar="ROLE"
    ),
    password_file: Path | None = PASSWORD_FILE,
    db: str | None = typer.Option(None, "--db", help=DB_HELP, metavar="DB"),
) -> None:
    """Add a user (the password is asked for, or read from --password-file)."""
    from marsad.api import users

    try:
        users.check_name(name)
        users.check_role(role)
        password = users.check_password(_password(password_file))
        store = _open(db)
        try:
            users.add_user(store, name, password, role)
        finally:
            store.close()
    except MarsadError as exc:
        raise _fail(exc) from None
    typer.echo(f"user {name} added ({role})", err=True)


def users_list(db: str | None = typer.Option(None, "--db", help=DB_HELP, metavar="DB")) -> None:
    """List the users and their roles."""
    from marsad.api import users

    try:
        store = _open(db)
        try:
            found = users.list_users(store)
        finally:
            store.close()
    except MarsadError as exc:
        raise _fail(exc) from None
    for user, created in found:
        when = dt.datetime.fromtimestamp(created, dt.UTC).strftime("%Y-%m-%d")
        typer.echo(f"{user.username}\t{user.role}\t{when}")
    typer.echo(f"{len(found)} users", err=True)


def users_remove(
    name: str = typer.Argument(help="User name.", metavar="NAME"),
    db: str | None = typer.Option(None, "--db", help=DB_HELP, metavar="DB"),
) -> None:
    """Remove a user and their API tokens (their entries in the audit log stay)."""
    from marsad.api import users

    try:
        store = _open(db)
        try:
            users.remove_user(store, name)
        finally:
            store.close()
    except MarsadError as exc:
        raise _fail(exc) from None
    typer.echo(f"user {name} removed", err=True)


def users_passwd(
    name: str = typer.Argument(help="User name.", metavar="NAME"),
    password_file: Path | None = PASSWORD_FILE,
    role: str | None = typer.Option(None, "--role", help="Also change the role.", metavar="ROLE"),
    db: str | None = typer.Option(None, "--db", help=DB_HELP, metavar="DB"),
) -> None:
    """Set a user's password (and, with --role, their role)."""
    from marsad.api import users

    try:
        password = users.check_password(_password(password_file))
        store = _open(db)
        try:
            users.set_password(store, name, password)
            if role:
                users.set_role(store, name, role)
        finally:
            store.close()
    except MarsadError as exc:
        raise _fail(exc) from None
    typer.echo(f"password of {name} changed", err=True)


def users_token(
    name: str = typer.Argument(help="User name (a reviewer or admin: the token ingests as them).", metavar="NAME"),
    label: str | None = typer.Option(None, "--label", help="What the token is for (a feed, a script).", metavar="TEXT"),
    db: str | None = typer.Option(None, "--db", help=DB_HELP, metavar="DB"),
) -> None:
    """Create an API token for POST /api/v1/documents; it is printed once (only its hash is kept)."""
    from marsad.api import users

    try:
        store = _open(db)
        try:
            token = users.create_token(store, name, label)
        finally:
            store.close()
    except MarsadError as exc:
        raise _fail(exc) from None
    typer.echo(token)
    typer.echo("keep it safe: it is not stored and cannot be shown again", err=True)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.command("serve", cls=PlainCommand)(serve_command)
    users_app.command("add", cls=PlainCommand)(users_add)
    users_app.command("list", cls=PlainCommand)(users_list)
    users_app.command("remove", cls=PlainCommand)(users_remove)
    users_app.command("passwd", cls=PlainCommand)(users_passwd)
    users_app.command("token", cls=PlainCommand)(users_token)
    app.add_typer(users_app, name="users")
