"""Login, sessions, roles, CSRF, private mode, API tokens, security headers, CORS, the request
size limit and the ingest rate limit. Each protection has a test that fails without it."""

from __future__ import annotations

import hashlib
import json

import pytest
from conftest import PASSWORD, event_at, login, make_settings
from fastapi.testclient import TestClient

from marsad.api.app import create_app
from marsad.api.auth import COOKIE, safe_next


def test_anonymous_session_has_a_csrf_token_and_the_settings(client: TestClient) -> None:
    body = client.get("/api/v1/session").json()
    assert body["user"] is None and body["role"] is None and body["public"] is True and body["tile_url"] is None
    assert len(body["csrf_token"]) >= 16
    assert client.get("/api/v1/session").json()["csrf_token"] == body["csrf_token"]  # kept in the cookie
    cookie = client.get("/login").headers.get("set-cookie") or client.cookies.get(COOKIE)
    assert cookie


def test_session_cookie_is_httponly_and_samesite(seeded: str) -> None:
    with TestClient(create_app(make_settings(seeded))) as c:
        header = c.get("/api/v1/session").headers["set-cookie"]
    assert header.startswith(f"{COOKIE}=") and "HttpOnly" in header and "SameSite=lax" in header


def test_login_logout_and_roles(client: TestClient) -> None:
    csrf = login(client, "rana")
    assert client.get("/api/v1/session").json() | {"csrf_token": ""} == {
        "user": "rana",
        "role": "reviewer",
        "csrf_token": "",
        "public": True,
        "tile_url": None,
    }
    r = client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303
    assert client.get("/api/v1/session").json()["user"] is None


def test_login_gives_a_new_csrf_token(client: TestClient) -> None:
    before = client.get("/api/v1/session").json()["csrf_token"]
    assert login(client) != before


def test_wrong_password_shows_the_form_again(client: TestClient) -> None:
    token = client.get("/api/v1/session").json()["csrf_token"]
    r = client.post("/login", data={"username": "rana", "password": "wrong password", "csrf_token": token})
    assert r.status_code == 401 and "Wrong user name or password" in r.text
    r = client.post("/login", data={"username": "nobody", "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 401
    assert client.get("/api/v1/session").json()["user"] is None


def test_login_needs_the_csrf_token(client: TestClient) -> None:
    client.get("/api/v1/session")
    r = client.post("/login", data={"username": "rana", "password": PASSWORD, "csrf_token": "forged-token-123456"})
    assert r.status_code == 403
    assert client.get("/api/v1/session").json()["user"] is None


def test_forged_cookie_is_ignored(seeded: str) -> None:
    from itsdangerous import URLSafeTimedSerializer

    forged = URLSafeTimedSerializer("not the key at all, guessed", salt="marsad-session").dumps(
        {"u": "admin", "c": "x" * 20}
    )
    with TestClient(create_app(make_settings(seeded))) as c:
        c.cookies.set(COOKIE, forged)
        assert c.get("/api/v1/session").json()["user"] is None


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/events/MRS1", "/events/MRS1"),
        ("/?country=SY", "/?country=SY"),
        ("https://evil.example/", "/"),
        ("//evil.example/x", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("/x\r\nSet-Cookie: a=b", "/"),
        ("", "/"),
    ],
)
def test_next_stays_on_this_site(target: str, expected: str) -> None:
    assert safe_next(target) == expected


def test_login_redirects_to_next_only_on_this_site(client: TestClient) -> None:
    token = client.get("/api/v1/session").json()["csrf_token"]
    form = {"username": "rana", "password": PASSWORD, "csrf_token": token}
    r = client.post("/login", data={**form, "next": "//evil.example/"}, follow_redirects=False)
    assert r.headers["location"] == "/"
    token = client.get("/api/v1/session").json()["csrf_token"]
    r = client.post("/login", data={**form, "csrf_token": token, "next": "/events/MRSX"}, follow_redirects=False)
    assert r.headers["location"] == "/events/MRSX"


def test_login_page_escapes_what_it_echoes(client: TestClient) -> None:
    r = client.get("/login", params={"next": '/x"><script>alert(1)</script>'})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "<script>alert(1)</script>" not in r.text and 'value="/x&#34;&gt;&lt;script&gt;' in r.text
    assert 'dir="rtl"' in r.text and 'name="csrf_token"' in r.text


def test_security_headers(client: TestClient) -> None:
    for path in ("/login", "/api/v1/events", "/docs"):
        headers = client.get(path).headers
        csp = headers["content-security-policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
        assert headers["x-content-type-options"] == "nosniff" and headers["x-frame-options"] == "DENY"


def test_tile_server_is_allowed_for_images_only(seeded: str) -> None:
    settings = make_settings(seeded, tile_url="https://tile.example.org/{z}/{x}/{y}.png")
    with TestClient(create_app(settings)) as c:
        assert c.get("/api/v1/session").json()["tile_url"] == "https://tile.example.org/{z}/{x}/{y}.png"
        csp = c.get("/api/v1/health").headers["content-security-policy"]
    assert "img-src 'self' data: https://tile.example.org;" in csp and "default-src 'self';" in csp


def test_no_cors_unless_configured(seeded: str) -> None:
    origin = {"Origin": "https://other.example"}
    with TestClient(create_app(make_settings(seeded))) as c:
        assert "access-control-allow-origin" not in c.get("/api/v1/events", headers=origin).headers
    with TestClient(create_app(make_settings(seeded, cors_origins=("https://other.example",)))) as c:
        assert c.get("/api/v1/events", headers=origin).headers["access-control-allow-origin"] == "https://other.example"
        assert (
            "access-control-allow-origin"
            not in c.get("/api/v1/events", headers={"Origin": "https://x.example"}).headers
        )


def test_private_mode_needs_a_login_for_reads(seeded: str) -> None:
    with TestClient(create_app(make_settings(seeded, public=False))) as c:
        for path in ("/api/v1/events", "/api/v1/stats", "/api/v1/filters", "/api/v1/documents/afp/tafas"):
            assert c.get(path).status_code == 401, path
        assert c.get("/api/v1/session").json()["public"] is False
        login(c, "omar")  # a viewer may read
        assert c.get("/api/v1/events").json()["total"] == 5


# -- CSRF and roles on review --------------------------------------------------------------------


def _review(c: TestClient, event_id: str, csrf: str | None) -> int:
    headers = {"X-CSRF-Token": csrf} if csrf is not None else {}
    body = {"action": "accept", "reason": "checked"}
    return c.post(f"/api/v1/events/{event_id}/review", json=body, headers=headers).status_code


def test_review_needs_the_csrf_header(reviewer: tuple[TestClient, str]) -> None:
    c, csrf = reviewer
    event_id = event_at(c, "Tafas")["event_id"]
    assert _review(c, event_id, None) == 403
    assert _review(c, event_id, "wrong-token-wrong-token") == 403
    assert event_at(c, "Tafas")["review_state"] == "unreviewed"
    assert _review(c, event_id, csrf) == 200
    assert event_at(c, "Tafas")["review_state"] == "accepted"


def test_review_needs_a_reviewer(client: TestClient) -> None:
    event_id = event_at(client, "Tafas")["event_id"]
    csrf = client.get("/api/v1/session").json()["csrf_token"]
    assert _review(client, event_id, csrf) == 401  # anonymous
    csrf = login(client, "omar")
    assert _review(client, event_id, csrf) == 403  # a viewer
    csrf = login(client, "admin")
    assert _review(client, event_id, csrf) == 200


def test_a_removed_user_loses_the_session(reviewer: tuple[TestClient, str], seeded: str) -> None:
    from marsad.api.users import remove_user
    from marsad.store import open_store

    c, csrf = reviewer
    store = open_store(seeded)
    remove_user(store, "rana")
    store.close()
    assert c.get("/api/v1/session").json()["user"] is None
    assert _review(c, event_at(c, "Tafas")["event_id"], csrf) == 401


def test_a_password_change_ends_the_users_sessions_also_a_copied_cookie(
    reviewer: tuple[TestClient, str], seeded: str
) -> None:
    from marsad.api.users import set_password
    from marsad.store import open_store

    c, csrf = reviewer
    copied = c.cookies.get(COOKIE)
    c.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    with TestClient(create_app(make_settings(seeded))) as thief:
        thief.cookies.set(COOKIE, copied)
        assert thief.get("/api/v1/session").json()["user"] == "rana"  # logging out replaced only c's cookie
        store = open_store(seeded)
        set_password(store, "rana", "a new password of rana")
        store.close()
        assert thief.get("/api/v1/session").json()["user"] is None
    assert login(c, "rana", "a new password of rana")  # the new password works


def test_password_guessing_is_slowed_per_address_and_per_user(client: TestClient) -> None:
    token = client.get("/api/v1/session").json()["csrf_token"]

    def attempt(user: str, password: str) -> int:
        form = {"username": user, "password": password, "csrf_token": token}
        return client.post("/login", data=form, follow_redirects=False).status_code

    assert [attempt("rana", f"guess number {i}") for i in range(10)] == [401] * 10
    r = client.post("/login", data={"username": "rana", "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0  # the right one too, for now
    assert "Too many wrong passwords" in r.text
    assert attempt("omar", PASSWORD) == 429  # the same address


def test_a_private_observatory_tells_its_size_only_to_users(seeded: str) -> None:
    with TestClient(create_app(make_settings(seeded, public=False))) as c:
        anonymous = c.get("/api/v1/health").json()
        assert anonymous["status"] == "ok" and "events" not in anonymous
        login(c, "omar")
        assert c.get("/api/v1/health").json()["events"] == 5
    with TestClient(create_app(make_settings(seeded))) as c:
        assert c.get("/api/v1/health").json()["events"] == 5


# -- ingest: tokens, size and rate limits --------------------------------------------------------

REPORT = {
    "text": "أفاد المرصد بأن غارة استهدفت مدينة نوى مساء اليوم وأسفرت عن مقتل 2 من المدنيين.",
    "published": "2018-07-09",
    "url": "https://example.org/new/1",
    "title": "غارة على نوى",
    "outlet": "مراسل",
}


def test_ingest_with_a_bearer_token(client: TestClient, token: str) -> None:
    r = client.post("/api/v1/documents", json=REPORT, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.text
    (doc,) = r.json()["documents"]
    assert doc["outcome"] == "added" and doc["doc_id"].startswith("api/")
    assert [e["sub_event_type"] for e in doc["events"]] == ["air_drone_strike"]
    assert doc["events"][0]["location"]["name"] == "نوى" and doc["events"][0]["fatalities"] == 2
    (event_id,) = doc["merged_into"]
    assert client.get(f"/api/v1/events/{event_id}").json()["date"] == "2018-07-09"
    again = client.post("/api/v1/documents", json=REPORT, headers={"Authorization": f"Bearer {token}"}).json()
    assert again["documents"][0]["outcome"] == "unchanged"


def test_ingest_a_batch_joining_an_event(client: TestClient, token: str) -> None:
    tafas = event_at(client, "Tafas")
    batch = {
        "documents": [
            {"doc_id": "sana/1", "text": "غارات للطيران الروسي على طفس وفق المرصد.", "published": "2018-07-05"},
            {"doc_id": "sana/2", "text": "اعتقال شابين في نوى.", "published": "2018-07-10"},
        ]
    }
    r = client.post("/api/v1/documents", json=batch, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.text
    first, second = r.json()["documents"]
    assert first["merged_into"] == [tafas["event_id"]] and second["events"][0]["sub_event_type"] == "arrests"


def test_ingest_refuses_bad_tokens_viewers_and_missing_csrf(client: TestClient) -> None:
    assert client.post("/api/v1/documents", json=REPORT).status_code == 401
    r = client.post("/api/v1/documents", json=REPORT, headers={"Authorization": "Bearer mrs_guessed"})
    assert r.status_code == 401
    csrf = login(client, "omar")
    assert client.post("/api/v1/documents", json=REPORT, headers={"X-CSRF-Token": csrf}).status_code == 403
    csrf = login(client, "rana")
    assert client.post("/api/v1/documents", json=REPORT).status_code == 403  # no CSRF header
    assert client.post("/api/v1/documents", json=REPORT, headers={"X-CSRF-Token": csrf}).status_code == 200


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"published": "2018-07-09"}, "text: Field required"),
        ({"text": ""}, "text: String should have at least 1 character"),
        ({"text": "غارة على نوى", "published": "yesterday"}, "published"),
        ({"text": "غارة على نوى", "doc_id": "a\nb"}, "control character"),
        ({"text": "غارة على نوى", "colour": "red"}, "Extra inputs are not permitted"),
        ({"documents": []}, "documents"),
    ],
)
def test_ingest_validation_errors_are_422(client: TestClient, token: str, body: dict, message: str) -> None:
    r = client.post("/api/v1/documents", json=body, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 422
    assert message in r.json()["detail"]


def test_request_size_limit(seeded: str, token: str) -> None:
    with TestClient(create_app(make_settings(seeded, max_body_bytes=2000))) as c:
        big = {**REPORT, "text": "غارة على نوى. " * 400}
        r = c.post("/api/v1/documents", json=big, headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 413 and "larger than 2,000 bytes" in r.json()["detail"]

        def chunks():  # no Content-Length: counted while read
            data = json.dumps(big).encode()
            for i in range(0, len(data), 500):
                yield data[i : i + 500]

        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        r = c.post("/api/v1/documents", content=chunks(), headers=headers)
        assert r.status_code == 413
        assert c.post("/api/v1/documents", json=REPORT, headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_rate_limit_on_ingest(seeded: str, token: str) -> None:
    with TestClient(create_app(make_settings(seeded, rate_limit=3))) as c:
        auth = {"Authorization": f"Bearer {token}"}
        codes = [
            c.post("/api/v1/documents", json={**REPORT, "doc_id": f"r{i}"}, headers=auth).status_code for i in range(5)
        ]
        assert codes == [200, 200, 200, 429, 429]
        r = c.post("/api/v1/documents", json=REPORT, headers=auth)
        assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
        assert c.get("/api/v1/events").status_code == 200  # reads are not limited


def test_secret_key_file_is_created_once_and_private(tmp_path, monkeypatch) -> None:
    import stat

    from marsad.api.settings import SECRET_ENV, secret_key_for

    monkeypatch.delenv(SECRET_ENV, raising=False)
    db = tmp_path / "m.sqlite"
    key = secret_key_for(db)
    assert len(key) >= 32 and secret_key_for(db) == key
    assert stat.S_IMODE((tmp_path / "marsad-secret.key").stat().st_mode) == 0o600
    monkeypatch.setenv(SECRET_ENV, "an-explicit-key-of-some-length")
    assert secret_key_for(db) == "an-explicit-key-of-some-length"


def test_a_viewers_token_cannot_ingest(client: TestClient, seeded: str) -> None:
    # a token acts as its user: a viewer may read (a private observatory), not ingest
    from marsad.api.users import create_token
    from marsad.store import open_store

    store = open_store(seeded)
    try:
        viewer = create_token(store, "omar", "reads")
    finally:
        store.close()
    r = client.post("/api/v1/documents", json=REPORT, headers={"Authorization": f"Bearer {viewer}"})
    assert r.status_code == 403 and "omar is a viewer" in r.json()["detail"]
    doc_id = "api/" + hashlib.sha256(REPORT["text"].encode()).hexdigest()[:16]
    assert client.get(f"/api/v1/documents/{doc_id}").status_code == 404  # nothing stored
    assert client.get("/api/v1/events", headers={"Authorization": f"Bearer {viewer}"}).status_code == 200


def test_a_nul_character_in_a_report_is_422_on_every_database(client: TestClient, token: str) -> None:
    # SQLite stored it, PostgreSQL answered 503 (a server fault) for the caller's bad input
    auth = {"Authorization": f"Bearer {token}"}
    for field in ("text", "title", "outlet", "url", "doc_id"):
        body = {**REPORT, field: REPORT.get(field, "x") + "\u0000"}
        r = client.post("/api/v1/documents", json=body, headers=auth)
        assert r.status_code == 422, (field, r.text)
        assert r.json()["detail"].startswith(f"{field}: ") and "NUL character" in r.json()["detail"]
    batch = {"documents": [REPORT, {**REPORT, "text": "غارة\u0000"}]}
    r = client.post("/api/v1/documents", json=batch, headers=auth)
    assert r.status_code == 422 and r.json()["detail"].startswith("documents.1.text: ")


def test_ingest_errors_name_only_the_shape_that_was_sent(client: TestClient, token: str) -> None:
    auth = {"Authorization": f"Bearer {token}"}
    r = client.post("/api/v1/documents", json={"text": "غارة على نوى", "published": "2018-13-01"}, headers=auth)
    assert r.status_code == 422
    assert [e["loc"][-1] for e in r.json()["errors"]] == ["published"]  # not also "documents: Field required"
    r = client.post("/api/v1/documents", json={"documents": [{"text": ""}]}, headers=auth)
    assert r.status_code == 422 and r.json()["detail"] == "documents.0.text: String should have at least 1 character"


def test_a_login_with_a_nul_in_the_name_is_a_wrong_login(client: TestClient) -> None:
    token = client.get("/api/v1/session").json()["csrf_token"]
    r = client.post("/login", data={"username": "ra\u0000na", "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 401  # was a 500 on PostgreSQL


def test_cors_allows_cross_origin_reads_only(seeded: str, token: str) -> None:
    origin = "https://other.example"
    with TestClient(create_app(make_settings(seeded, cors_origins=(origin,)))) as c:
        preflight = {"Origin": origin, "Access-Control-Request-Method": "GET"}
        r = c.options("/api/v1/events", headers={**preflight, "Access-Control-Request-Headers": "authorization"})
        assert r.status_code == 200 and r.headers["access-control-allow-origin"] == origin
        # another site's page may not ingest or review with a token it holds
        for path in ("/api/v1/documents", "/api/v1/events/merge"):
            r = c.options(path, headers={**preflight, "Access-Control-Request-Method": "POST"})
            assert r.status_code == 400 and "POST" not in r.headers.get("access-control-allow-methods", "")


def test_head_is_answered_like_get_without_a_body(client: TestClient) -> None:
    # uptime checks (curl -I) got 405 Method Not Allowed from every API route and page
    for path in ("/api/v1/health", "/api/v1/events?limit=1", "/openapi.json", "/docs"):
        got, head = client.get(path), client.head(path)
        assert head.status_code == 200 == got.status_code, path
        assert head.content == b"" and head.headers["content-type"] == got.headers["content-type"]
        assert head.headers["content-security-policy"] == got.headers["content-security-policy"]
    assert client.head("/api/v1/events/MRSNOPE").status_code == 404
    r = client.post("/api/v1/events/MRSNOPE/review", json={"action": "accept"})
    assert r.status_code == 401  # other methods as before
