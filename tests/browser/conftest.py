"""Browser tests of the dashboard: the real app (``create_app``) served by uvicorn on a free port
over a SQLite store ingested from ``seed_reports.jsonl`` (short reports written for these tests),
driven by Playwright in Debian's Chromium (``/usr/bin/chromium``; never ``playwright install``).

The tests that need the browser are skipped, with the reason, only where it (or the ``playwright``
package) is absent; ``test_pages.py`` needs no browser.
Screenshots go to ``$MARSAD_SCREENSHOTS`` when set (``MARSAD_SCREENSHOTS=docs/img`` refreshes
the ones in the docs), else to a temporary folder.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("MARSAD_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
HERE = Path(__file__).parent
SEED = HERE / "seed_reports.jsonl"
REVIEWER = ("rana", "correct horse battery")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    def __init__(self, db: Path, **settings: Any) -> None:
        import uvicorn

        from marsad.api.app import create_app
        from marsad.api.settings import ApiSettings

        self.db = db
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        app = create_app(ApiSettings(db=str(db), secret_key="browser-tests-" + "k" * 32, **settings))
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *_: Any) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture(scope="session")
def seeded_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with the seed reports ingested and a reviewer, made through the CLI."""
    from typer.testing import CliRunner

    from marsad.cli import _register, app

    _register()
    folder = tmp_path_factory.mktemp("browser-store")
    db = folder / "marsad.db"
    runner = CliRunner()
    result = runner.invoke(app, ["ingest", str(SEED), "--db", str(db)])
    assert result.exit_code == 0, result.output
    secret = folder / "password.txt"
    secret.write_text(REVIEWER[1] + "\n", encoding="utf-8")
    result = runner.invoke(
        app, ["users", "add", REVIEWER[0], "--role", "reviewer", "--password-file", str(secret), "--db", str(db)]
    )
    assert result.exit_code == 0, result.output
    return db


@pytest.fixture(scope="session")
def live(browser: Any, seeded_db: Path) -> Iterator[LiveServer]:
    """The app over the seeded store (after the browser, so a missing browser skips at once)."""
    with LiveServer(seeded_db) as server:
        yield server


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.is_file():
        pytest.skip(f"no Chromium at {CHROMIUM}: install Debian's chromium (apt-get install chromium) to run it")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.errors = errors
    yield tab
    context.close()


@pytest.fixture(scope="session")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = os.environ.get("MARSAD_SCREENSHOTS")
    folder = Path(where) if where else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder
