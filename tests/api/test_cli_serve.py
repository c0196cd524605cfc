"""``marsad users`` and ``marsad serve`` from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from marsad.api.users import authenticate, user_for_token
from marsad.cli import _register, app
from marsad.store import open_store


def run(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Any:
    _register()
    return CliRunner().invoke(app, list(args), input=input, env=env)


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'm.sqlite'}"


def test_users_add_list_passwd_token_remove(url: str, tmp_path: Path) -> None:
    secret = tmp_path / "pw"
    secret.write_text("a long enough password\n", encoding="utf-8")
    r = run("users", "add", "rana", "--role", "reviewer", "--password-file", str(secret), "--db", url)
    assert r.exit_code == 0, r.output
    assert "user rana added (reviewer)" in r.stderr
    r = run("users", "add", "omar", "--db", url, input="typed password here\n")  # stdin, not argv
    assert r.exit_code == 0, r.output
    r = run("users", "list", "--db", url)
    assert r.exit_code == 0 and [line.split("\t")[:2] for line in r.stdout.splitlines()] == [
        ["omar", "viewer"],
        ["rana", "reviewer"],
    ]
    store = open_store(url)
    try:
        assert authenticate(store, "rana", "a long enough password").role == "reviewer"  # type: ignore[union-attr]
        assert authenticate(store, "omar", "typed password here") is not None
        assert authenticate(store, "rana", "a long enough passwore") is None
        row = store.engine.connect().exec_driver_sql("SELECT password_hash FROM users WHERE username='rana'").scalar()
        assert str(row).startswith("$argon2id$") and "a long enough password" not in str(row)
    finally:
        store.close()
    r = run("users", "passwd", "rana", "--role", "admin", "--db", url, env={"MARSAD_PASSWORD": "another good password"})
    assert r.exit_code == 0, r.output
    r = run("users", "token", "rana", "--label", "feed", "--db", url)
    assert r.exit_code == 0
    token = r.stdout.strip()
    store = open_store(url)
    try:
        assert authenticate(store, "rana", "another good password").role == "admin"  # type: ignore[union-attr]
        assert user_for_token(store, token).username == "rana"  # type: ignore[union-attr]
        assert token not in str(store.snapshot())  # only the hash is kept
    finally:
        store.close()
    assert run("users", "remove", "rana", "--db", url).exit_code == 0
    store = open_store(url)
    try:
        assert user_for_token(store, token) is None
    finally:
        store.close()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["users", "add", "bad name!", "--role", "viewer"], "user name 'bad name!'"),
        (["users", "add", "ok", "--role", "boss"], "role must be one of viewer, reviewer, admin"),
        (["users", "remove", "ghost"], "no user ghost"),
        (["users", "token", "ghost"], "no user ghost"),
        (["users", "passwd", "ghost"], "no user ghost"),
    ],
)
def test_users_errors_are_one_line(url: str, args: list[str], message: str) -> None:
    r = run(*args, "--db", url, env={"MARSAD_PASSWORD": "long enough password"})
    assert r.exit_code == 2 and message in r.stderr and "Traceback" not in r.output


def test_short_password_is_refused(url: str) -> None:
    r = run("users", "add", "rana", "--db", url, input="short\n")
    assert r.exit_code == 2 and "at least 8 characters" in r.stderr


def test_serve_builds_the_app_and_runs_uvicorn(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}

    def fake_run(application: Any, **kwargs: Any) -> None:
        seen["app"], seen["kwargs"] = application, kwargs

    import uvicorn

    monkeypatch.setattr(uvicorn, "run", fake_run)
    args = ["serve", "--db", url, "--port", "8123", "--private", "--tiles", "https://t.example/{z}/{x}/{y}.png"]
    r = run(*args)  # a mistyped --db is not a new, empty observatory
    assert r.exit_code == 2 and "no database at" in r.stderr
    assert not Path(url.removeprefix("sqlite:///")).exists() and "app" not in seen
    r = run(*args, "--create")
    assert r.exit_code == 0, r.output
    settings = seen["app"].state.settings
    assert (settings.public, settings.tile_url, settings.cors_origins) == (
        False,
        "https://t.example/{z}/{x}/{y}.png",
        (),
    )
    assert seen["kwargs"]["port"] == 8123 and seen["kwargs"]["host"] == "127.0.0.1"
    assert (Path(url.removeprefix("sqlite:///")).parent / "marsad-secret.key").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--tiles", "tile.example/{z}"], "--tiles must be an http(s) URL"),
        (["--cors", "*"], "--cors takes an origin"),
        (["--db", "/proc/nope/x.sqlite"], "error:"),
    ],
)
def test_serve_errors(url: str, args: list[str], message: str) -> None:
    r = run("serve", *(args if "--db" in args else [*args, "--db", url]))
    assert r.exit_code == 2 and message in r.stderr


def test_serve_on_a_port_in_use_is_a_one_line_error(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    import uvicorn

    started: list[Any] = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: started.append(k))
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        r = run("serve", "--db", url, "--create", "--port", str(port))
    # not our banner, then uvicorn's own log line and exit status 3
    assert r.exit_code == 2 and f"error: cannot listen on 127.0.0.1:{port}" in r.stderr, r.output
    assert "Marsad observatory on" not in r.stderr and started == []
