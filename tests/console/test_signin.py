"""Signing in and out of the running console over HTTP: cookies, CSRF, generic errors, lock-out, expiry."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import update

from bot.db.engine import session_scope
from bot.db.models import ConsoleSession
from tests.console.conftest import PASSWORD, Console


def test_sign_in_sets_a_strict_http_only_cookie_and_lands_home(console: Console) -> None:
    client = console.client()
    reply = client.sign_in("Anna", PASSWORD)
    assert reply.status == 303 and reply.location == "/console/"
    cookie = next(h for h in reply.headers.get_all("Set-Cookie") if h.startswith("console_session="))
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/console" in cookie
    assert "Secure" not in cookie  # only with APP_ENV=production (plain-HTTP localhost otherwise)
    home = client.get("/console/")
    assert home.status == 200 and "Welcome, Anna" in home.body and client.csrf
    assert "no-store" in home.headers["Cache-Control"]
    assert "script-src 'self'" in home.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in home.headers["Content-Security-Policy"]


def test_wrong_password_and_unknown_name_get_the_same_answer(console: Console) -> None:
    wrong = console.client("10.1.0.1").sign_in("anna", "not the password")
    unknown = console.client("10.1.0.2").sign_in("nobody", "not the password")
    assert wrong.status == unknown.status == 401
    assert "Wrong name or password." in wrong.body and "Wrong name or password." in unknown.body
    error = re.compile(r'<p class="error"[^>]*>[^<]*</p>')
    assert error.findall(wrong.body) == error.findall(unknown.body)


def test_sign_in_form_needs_its_csrf_token(console: Console) -> None:
    client = console.client("10.1.0.3")
    client.get("/console/sign-in")
    reply = client.post("/console/sign-in", {"name": "anna", "password": PASSWORD, "csrf_token": "forged"})
    assert reply.status == 403 and client.session_cookie() is None


def test_sign_out_needs_the_csrf_token_and_ends_the_session(console: Console) -> None:
    client = console.signed_in("anna", "10.1.0.4")
    assert client.post("/console/sign-out", {}).status == 403
    assert client.post("/console/sign-out", {"csrf_token": "wrong"}).status == 403
    assert client.post("/console/sign-out", {}, headers={"X-CSRF-Token": client.csrf[:-1]}).status == 403
    token = client.session_cookie()
    assert client.get("/console/").status == 200  # still signed in after the refused attempts
    reply = client.post("/console/sign-out", {"csrf_token": client.csrf})
    assert reply.status == 303 and reply.location == "/console/sign-in"
    assert client.get("/console/").status == 302
    replay = console.client("10.1.0.4")
    replay.jar.set_cookie(_cookie(token or ""))
    assert replay.get("/console/").status == 302  # the old token is dead on the server, not just forgotten


def test_lock_out_counts_per_account_and_address(console: Console) -> None:
    attacker = console.client("10.2.0.66")
    for _ in range(3):
        assert attacker.sign_in("pablo", "guessing wrong").status == 401
    refused = attacker.sign_in("pablo", PASSWORD)  # even the right password waits now
    assert refused.status == 429 and "Try again in" in refused.body and refused.headers["Retry-After"]
    assert console.client("10.2.0.7").sign_in("pablo", PASSWORD).status == 303  # pablo at his desk


def test_idle_session_expires(console: Console) -> None:
    client = console.signed_in("erika", "10.3.0.1")
    assert client.get("/console/").status == 200
    with session_scope(console.database_url) as db:
        old = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=31)
        db.execute(update(ConsoleSession).values(last_seen_at=old))
    reply = client.get("/console/")
    assert reply.status == 302 and reply.location.startswith("/console/sign-in")


def test_next_never_leaves_the_console(console: Console) -> None:
    client = console.client("10.4.0.1")
    page = client.get("/console/sign-in?next=https://evil.example/")
    assert 'name="next" value="/console/"' in page.body
    page = client.get("/console/sign-in?next=//evil.example/console/")
    assert 'name="next" value="/console/"' in page.body


def _cookie(value: str):  # type: ignore[no-untyped-def]
    import http.cookiejar

    return http.cookiejar.Cookie(0, "console_session", value, None, False, "127.0.0.1", False, False, "/console",
                                 True, False, None, False, None, None, {})


def test_cookie_is_secure_in_production(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from sanic.response import text

    from bot.console.auth import set_cookie

    for env, secure in (("production", True), ("development", False)):
        monkeypatch.setenv("APP_ENV", env)
        response = text("")
        set_cookie(response, "console_session", "value")
        cookie = str(response.cookies["console_session"])
        assert ("Secure" in cookie) is secure and "HttpOnly" in cookie and "SameSite=Strict" in cookie
