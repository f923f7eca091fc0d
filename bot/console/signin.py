"""Sign-in and sign-out pages. One generic error for a wrong name or password (whether the account exists is
not told), a dummy hash verified for unknown names so both take as long, and back-off/lock-out (throttle)."""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, redirect

from bot.console import passwords, sessions, throttle, users
from bot.console.auth import (
    COOKIE,
    PREFIX,
    SIGN_IN_COOKIE,
    clear_cookie,
    client_address,
    current_user,
    require_role,
    set_cookie,
    tokens_match,
)
from bot.console.i18n import texts_for
from bot.db.engine import session_scope
from bot.pages import render


@dataclass(frozen=True)
class Outcome:
    token: str = ""
    retry_after: int = 0


def attempt(name: str, password: str, address: str, policy: throttle.Policy) -> Outcome:
    """Checks the password (blocking: argon2 takes tens of ms, so callers run it in a thread)."""
    name = users.normalize_name(name)[:80]
    with session_scope() as db:
        wait = throttle.retry_after(db, name, address, policy)
        if wait:
            return Outcome(retry_after=wait)
        user = users.find(db, name)
        usable = user is not None and user.active
        if not passwords.verify(user.password_hash if usable and user else None, password):
            throttle.record_failure(db, name, address, policy)
            return Outcome()
        assert user is not None
        throttle.clear(db, name, address)
        if passwords.needs_rehash(user.password_hash):
            user.password_hash = passwords.hash_password(password)
        lifetimes = sessions.Lifetimes.from_env()
        sessions.prune(db, lifetimes)
        token, _ = sessions.start(db, user)
        return Outcome(token=token)


def safe_next(target: str | None) -> str:
    """Only a path inside the console: never an open redirect to another site."""
    if target and target.startswith(f"{PREFIX}/") and not target.startswith("//") and "\\" not in target:
        return target
    return f"{PREFIX}/"


def sign_in_page(request: Request, error: str = "", status: int = 200, retry_after: int = 0) -> HTTPResponse:
    """`error`: a key of the console texts (sign_in.*), shown in the browser's language."""
    token = request.cookies.get(SIGN_IN_COOKIE) or secrets.token_urlsafe(32)
    form = (request.form or {}) if request.method == "POST" else {}
    target = form.get("next") if request.method == "POST" else request.args.get("next")
    texts = texts_for(request)
    response = render("console/sign_in.html", status=status, error=texts(error, seconds=retry_after) if error else "",
                      csrf_token=token, user=None, next=safe_next(target), name=form.get("name", ""), t=texts,
                      lang=texts.language, js_texts={})
    set_cookie(response, SIGN_IN_COOKIE, token, path=f"{PREFIX}/sign-in")
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


def register(bp: Blueprint, policy: throttle.Policy) -> None:
    @bp.get("/sign-in")
    async def sign_in_form(request: Request) -> HTTPResponse:
        if current_user(request) is not None:
            return redirect(safe_next(request.args.get("next")))
        return sign_in_page(request)

    @bp.post("/sign-in")
    async def sign_in(request: Request) -> HTTPResponse:
        form = request.form or {}
        if not tokens_match(request.cookies.get(SIGN_IN_COOKIE, ""), form.get("csrf_token", "")):
            return sign_in_page(request, "sign_in.expired", status=403)
        outcome = await asyncio.to_thread(attempt, form.get("name", ""), form.get("password", ""),
                                          client_address(request), policy)
        if outcome.retry_after:
            return sign_in_page(request, "sign_in.throttled", 429, outcome.retry_after)
        if not outcome.token:
            return sign_in_page(request, "sign_in.wrong", status=401)
        response = redirect(safe_next(form.get("next")), status=303)
        set_cookie(response, COOKIE, outcome.token)
        clear_cookie(response, SIGN_IN_COOKIE, path=f"{PREFIX}/sign-in")
        return response

    @bp.post("/sign-out")
    @require_role()
    async def sign_out(request: Request) -> HTTPResponse:
        with session_scope() as db:
            sessions.end(db, request.cookies.get(COOKIE))
        response = redirect(f"{PREFIX}/sign-in", status=303)
        clear_cookie(response, COOKIE)
        return response
