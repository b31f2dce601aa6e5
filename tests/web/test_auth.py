"""Accounts and the security around them: argon2, sessions (rotated at log-in), CSRF, rate limits, cookies,
headers, tokens, settings from the environment."""

from __future__ import annotations

from typing import Any

import pytest
from webhelpers import PASSWORD, ApiUser, page_csrf

from backsafe.web.auth import hash_token
from backsafe.web.models import Account, WebSession


def _signup_page(client: Any, name: str, role: str = "person") -> None:
    tok = page_csrf(client, "/signup")
    r = client.post("/signup", data={"name": name, "password": PASSWORD, "role": role, "csrf_token": tok},
                    follow_redirects=False)
    assert r.status_code == 303, r.text


def _login_page(client: Any, name: str, password: str = PASSWORD) -> Any:
    tok = page_csrf(client, "/login")
    return client.post("/login", data={"name": name, "password": password, "csrf_token": tok},
                       follow_redirects=False)


def test_signup_login_logout_pages(client: Any) -> None:
    assert client.get("/dashboard", follow_redirects=False).headers["location"] == "/login"
    _signup_page(client, "alice")
    r = _login_page(client, "alice")
    assert r.status_code == 303 and r.headers["location"] == "/dashboard"
    cookie = r.headers["set-cookie"]
    assert "bs_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # plain http in this test
    page = client.get("/dashboard")
    assert page.status_code == 200 and "signed in as alice" in page.text
    tok = page_csrf(client, "/dashboard")
    r = client.post("/logout", data={"csrf_token": tok}, follow_redirects=False)
    assert r.status_code == 303
    assert client.get("/dashboard", follow_redirects=False).status_code == 303


def test_password_is_argon2_hashed(client: Any) -> None:
    u = ApiUser(client, "alice")
    with client.app.state.db.session() as s:
        acc = s.get(Account, u.id)
        assert acc.password_hash.startswith("$argon2id$") and PASSWORD not in acc.password_hash


def test_secure_cookie_over_https(make_client: Any) -> None:
    c = make_client(base_url="https://testserver")
    c.post("/api/auth/signup", json={"name": "alice", "password": PASSWORD})
    r = c.post("/api/auth/login", json={"name": "alice", "password": PASSWORD})
    assert "Secure" in r.headers["set-cookie"]
    assert r.headers["strict-transport-security"].startswith("max-age=")


def test_secure_headers(client: Any) -> None:
    r = client.get("/login")
    h = r.headers
    assert h["x-content-type-options"] == "nosniff"
    assert h["x-frame-options"] == "SAMEORIGIN"
    assert h["referrer-policy"] == "same-origin"
    csp = h["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'self'" in csp
    assert "unsafe-inline" not in csp.split("style-src")[0]
    assert h["cache-control"] == "no-store"
    assert "server" not in {k.lower() for k in h.keys()} or "uvicorn" not in h.get("server", "")


def test_session_id_rotated_at_login_no_fixation(client: Any) -> None:
    ApiUser(client, "alice")
    client.cookies.clear()
    planted = "bss_attacker-chosen-value"
    client.cookies.set("bs_session", planted)
    r = _login_page(client, "alice")
    new = r.cookies.get("bs_session")
    assert new and new != planted
    with client.app.state.db.session() as s:
        assert s.query(WebSession).filter(WebSession.token_hash == hash_token(planted)).count() == 0
    # logging in again replaces the previous session: the old cookie stops working
    client.cookies.set("bs_session", new)
    r2 = _login_page(client, "alice")
    newer = r2.cookies.get("bs_session")
    assert newer != new
    client.cookies.clear()
    client.cookies.set("bs_session", new)
    assert client.get("/api/me").status_code == 401


def test_csrf_required_on_form_posts(client: Any) -> None:
    ApiUser(client, "alice")
    # no token / wrong token / token from another session
    assert client.post("/checkin", data={"pain": "2"}).status_code == 403
    assert client.post("/checkin", data={"pain": "2", "csrf_token": "0" * 64}).status_code == 403
    assert client.post("/checkin", data={"pain": "2", "csrf_token": "é" * 64}).status_code == 403  # not ASCII
    other = ApiUser(client.__class__(client.app, base_url="http://testserver"), "bob")
    assert client.post("/checkin", data={"pain": "2", "csrf_token": other.csrf}).status_code == 403
    good = page_csrf(client, "/log")
    assert client.post("/checkin", data={"pain": "2", "csrf_token": good}, follow_redirects=False).status_code == 303
    # anonymous forms (sign-up, log-in) are protected too
    client.cookies.clear()
    assert client.post("/login", data={"name": "alice", "password": PASSWORD}).status_code == 403
    assert client.post("/signup", data={"name": "eve", "password": PASSWORD}).status_code == 403


def test_csrf_on_api_with_cookie_but_not_with_bearer(client: Any) -> None:
    u = ApiUser(client, "alice")
    body = {"exercise": "squat", "sets": 3, "reps": 10}
    assert client.post("/api/log", json=body).status_code == 403
    assert client.post("/api/log", json=body, headers={"X-CSRF-Token": "nope"}).status_code == 403
    assert client.post("/api/log", json=body, headers=u.h).status_code == 201
    tok = client.post("/api/auth/token", json={"name": "alice", "password": PASSWORD}).json()["token"]
    bare = client.__class__(client.app, base_url="http://testserver")
    r = bare.post("/api/log", json=body, headers={"Authorization": f"Bearer {tok}"})
    assert r.status_code == 201
    assert len(bare.get("/api/log", headers={"Authorization": f"Bearer {tok}"}).json()) == 2
    # a JSON-only log-in: a cross-site form post cannot reach it
    assert bare.post("/api/auth/login", data={"name": "alice", "password": PASSWORD}).status_code == 403


def test_bearer_token_lifecycle(client: Any) -> None:
    ApiUser(client, "alice")
    r = client.post("/api/auth/token", json={"name": "alice", "password": PASSWORD, "token_name": "laptop"})
    assert r.status_code == 201
    tok, tid = r.json()["token"], r.json()["id"]
    bare = client.__class__(client.app, base_url="http://testserver")
    auth = {"Authorization": f"Bearer {tok}"}
    assert bare.get("/api/me", headers=auth).json()["name"] == "alice"
    assert bare.get("/api/me", headers={"Authorization": "Bearer bsk_wrong"}).status_code == 401
    assert bare.get("/api/me").status_code == 401
    assert bare.delete(f"/api/me/tokens/{tid}", headers=auth).status_code == 200
    assert bare.get("/api/me", headers=auth).status_code == 401
    assert client.post("/api/auth/token", json={"name": "alice", "password": "wrong-password"}).status_code == 401


def test_login_rate_limited(make_client: Any) -> None:
    client = make_client(login_max_failures=3, login_window_s=60)
    ApiUser(client, "alice")
    for _ in range(3):
        assert client.post("/api/auth/login", json={"name": "alice", "password": "wrong-pass-1"}).status_code == 401
    r = client.post("/api/auth/login", json={"name": "alice", "password": PASSWORD})
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    assert _login_page(client, "alice").status_code == 429  # the page too
    # per address: many user names from one address (a growing delay once 20x the per-account allowance failed:
    # a shared network's few typos slow nobody down; tests/web/test_security_findings.py checks the gym case)
    fresh = client.__class__(client.app, base_url="http://testserver")  # no device cookie
    for i in range(3 * 20):
        fresh.post("/api/auth/login", json={"name": f"nobody{i}", "password": "x"})
    assert fresh.post("/api/auth/login", json={"name": "someone-else", "password": "x"}).status_code == 429


def test_change_password_ends_other_sessions(client: Any) -> None:
    u = ApiUser(client, "alice")
    other = client.__class__(client.app, base_url="http://testserver")
    assert other.post("/api/auth/login", json={"name": "alice", "password": PASSWORD}).status_code == 200
    new = "a brand new passphrase"
    r = client.put("/api/me/password", headers=u.h, json={"current_password": "bad-password", "new_password": new})
    assert r.status_code == 401
    r = client.put("/api/me/password", headers=u.h, json={"current_password": PASSWORD, "new_password": new})
    assert r.status_code == 200
    assert other.get("/api/me").status_code == 401
    assert client.get("/api/me").status_code == 200  # this session was replaced by a fresh one
    assert client.post("/api/auth/login", json={"name": "alice", "password": new}).status_code == 200


def test_signup_validation(client: Any) -> None:
    ok = {"name": "alice", "password": PASSWORD}
    assert client.post("/api/auth/signup", json=ok).status_code == 201
    assert client.post("/api/auth/signup", json=ok).status_code == 409
    assert client.post("/api/auth/signup", json={**ok, "name": "bob", "password": "short"}).status_code == 422
    assert client.post("/api/auth/signup", json={**ok, "name": "../etc"}).status_code == 422
    assert client.post("/api/auth/signup", json={**ok, "name": "local"}).status_code == 422
    assert client.post("/api/auth/signup", json={**ok, "name": "carol", "role": "admin"}).status_code == 422


def test_every_route_but_public_needs_auth(client: Any) -> None:
    spec = client.get("/openapi.json").json()
    public = {("/api/health", "get"), ("/api/auth/signup", "post"), ("/api/auth/login", "post"),
              ("/api/auth/token", "post")}
    checked = 0
    for path, ops in spec["paths"].items():
        for method in ops:
            url = path.replace("{report_id}", "0" * 32).replace("{job_id}", "0" * 32).replace(
                "{person_id}", "1").replace("{token_id}", "1").replace("{coach}", "x")
            r = client.request(method.upper(), url)
            if (path, method) in public:
                assert r.status_code != 401
            else:
                assert r.status_code == 401, (method, path, r.status_code)
                checked += 1
    assert checked >= 25
    for page in ("/dashboard", "/upload", "/reports", "/log", "/plan", "/triage", "/exercises", "/account",
                 "/coach", f"/reports/{'0' * 32}", f"/jobs/{'0' * 32}"):
        assert client.get(page, follow_redirects=False).headers.get("location") == "/login", page


def test_production_settings_refuse_placeholder_secret(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    from pydantic import ValidationError

    from backsafe.web.config import Settings

    monkeypatch.setenv("BACKSAFE_ENVIRONMENT", "production")
    for bad in ("", "changethis", "short"):
        monkeypatch.setenv("BACKSAFE_SECRET_KEY", bad)
        with pytest.raises(ValidationError, match="BACKSAFE_SECRET_KEY"):
            Settings()
    monkeypatch.setenv("BACKSAFE_SECRET_KEY", "k" * 48)
    monkeypatch.setenv("BACKSAFE_MAX_UPLOAD_MB", "12")
    s = Settings()
    assert s.secret_key == "k" * 48 and s.max_upload_bytes == 12 * 1024 * 1024
    assert "k" * 48 not in repr(s)
    monkeypatch.setenv("BACKSAFE_ENVIRONMENT", "development")
    monkeypatch.delenv("BACKSAFE_SECRET_KEY")
    a, b = Settings(), Settings()
    assert len(a.secret_key) >= 32 and a.secret_key != b.secret_key  # random per process, never a constant
