"""Fixtures of the API tests: a store (SQLite and PostgreSQL) holding short Arabic reports written
for these tests, the app over it (with the tests' keyword extractor), users and a logged-in client."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).parents[1] / "fixtures" / "store"))
import store_helpers
from fake_extractor import extract

from marsad.api.app import create_app
from marsad.api.settings import ApiSettings
from marsad.api.users import add_user, create_token
from marsad.ingest import ingest
from marsad.ingest.readers import record_to_document
from marsad.store import open_store

PASSWORD = "correct horse battery"
XSS_TITLE = '<script>window.__pwned=1</script> غارة "onerror=alert(1)'
XSS_URL = "javascript:alert(document.cookie)"
REPORTS: list[dict[str, Any]] = [
    {
        "doc_id": "enab/2018/07/05/tafas",
        "published": "2018-07-05",
        "outlet": "عنب بلدي",
        "url": "https://example.org/enab/tafas",
        "title": "غارات روسية على طفس",
        "text": "شن الطيران الروسي غارات على بلدة طفس صباح اليوم ما أدى إلى مقتل 4 مدنيين بحسب المرصد. "
        "وفي سياق متصل قصف النظام مدينة نوى بالمدفعية.",
    },
    {
        "doc_id": "afp/tafas",
        "published": "2018-07-05",
        "outlet": "فرانس برس",
        "url": "https://example.org/afp/1",
        "title": "غارات على ريف درعا",
        "text": "قالت فرانس برس إن غارات للطيران الروسي استهدفت طفس وأدت إلى مقتل 6 أشخاص.",
    },
    {
        "doc_id": "idlib-clash",
        "published": "2018-07-06",
        "outlet": "Orient",
        "url": "https://example.org/orient/2",
        "title": "اشتباكات في ريف إدلب",
        "text": "دارت اشتباكات عنيفة بين فصائل المعارضة وقوات النظام في ريف إدلب أسفرت عن مقتل 9 مقاتلين.",
    },
    {
        "doc_id": "xss/busra",
        "published": "2018-07-07",
        "outlet": "<b>منفذ</b>",
        "url": XSS_URL,
        "title": XSS_TITLE,
        "text": 'غارة على بصرى الشام <script>window.__pwned=1</script> "onerror=alert(1) '
        '<img src=x onerror=alert(2)> <a href="javascript:alert(3)">رابط</a>.',
    },
    {
        "doc_id": "saida-arrests",
        "published": "2018-07-08",
        "outlet": "الوكالة الوطنية",
        "url": "https://example.org/nna/3",
        "title": "اعتقالات في صيدا",
        "text": "نفذت قوة أمنية حملة اعتقال في صيدا طالت ثلاثة أشخاص.",
    },
]

db_url = store_helpers.db_url_fixture()


@pytest.fixture(autouse=True)
def cheap_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id at its lowest cost in these tests: the same hashes and checks, a hundredth of the
    work (the defaults cost ~0.2 s a hash, and most tests log in or add users)."""
    from argon2 import PasswordHasher

    from marsad.api import users

    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(users, "_HASHER", cheap)
    monkeypatch.setattr(users, "_DUMMY", cheap.hash("not a password of anyone"))


def seed(url: str, reports: list[dict[str, Any]] = REPORTS) -> None:
    store = open_store(url)
    try:
        report = ingest(store, [record_to_document(r) for r in reports], extract)
        assert report.failed == 0, report.failures
        add_user(store, "rana", PASSWORD, "reviewer")
        add_user(store, "omar", PASSWORD, "viewer")
        add_user(store, "admin", PASSWORD, "admin")
    finally:
        store.close()


def make_settings(url: str, **overrides: Any) -> ApiSettings:
    values: dict[str, Any] = {"db": url, "secret_key": "k" * 40, "extractor": extract}
    values.update(overrides)
    return ApiSettings(**values)


@pytest.fixture
def seeded(db_url: str) -> str:
    seed(db_url)
    return db_url


@pytest.fixture
def client(seeded: str) -> Iterator[TestClient]:
    with TestClient(create_app(make_settings(seeded))) as c:
        yield c


def login(c: TestClient, user: str = "rana", password: str = PASSWORD) -> str:
    """Log ``c`` in through the form; returns the session's CSRF token."""
    token = c.get("/api/v1/session").json()["csrf_token"]
    r = c.post(
        "/login",
        data={"username": user, "password": password, "csrf_token": token, "next": "/"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return str(c.get("/api/v1/session").json()["csrf_token"])


@pytest.fixture
def reviewer(client: TestClient) -> tuple[TestClient, str]:
    return client, login(client)


@pytest.fixture
def token(seeded: str) -> str:
    store = open_store(seeded)
    try:
        return create_token(store, "rana", "tests")
    finally:
        store.close()


def event_at(c: TestClient, name_en: str, **params: Any) -> dict[str, Any]:
    found = [e for e in c.get("/api/v1/events", params={"limit": 1000, **params}).json()["events"]]
    hits = [e for e in found if (e["location"] or {}).get("name_en") == name_en]
    assert len(hits) == 1, [e["location"] for e in found]
    return hits[0]


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def shared_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One seeded database per test module and backend, for tests that only read."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('api') / 'marsad.sqlite'}"
        seed(url)
        yield url
    else:
        gen = store_helpers.postgres_url()
        url = next(gen)
        seed(url)
        yield url
        gen.close()


@pytest.fixture(scope="module")
def ro(shared_url: str) -> Iterator[TestClient]:
    """A client of the app over the shared, read-only database."""
    with TestClient(create_app(make_settings(shared_url))) as c:
        yield c
