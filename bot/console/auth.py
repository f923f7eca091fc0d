"""Who is signed in, and what they may do: the session middleware, `require_role` and the CSRF check.

Every console request passes `resolve_session` (a blueprint request middleware): it looks the session cookie
up, and refuses any state-changing request (POST, PUT, PATCH, DELETE) without the session's CSRF token in
the `X-CSRF-Token` header or the `csrf_token` form field, so no handler can forget the check. Handlers then
declare who may use them with `require_role`; routes without it are public (only the sign-in page and the
static files), and tests/console enumerate the routes to keep it that way.
"""

from __future__ import annotations

import functools
import hmac
import os
from typing import Any, Callable, Coroutine
from urllib.parse import quote

from sanic.request import Request
from sanic.response import HTTPResponse, redirect
from sanic.response import json as json_response

from bot.console import sessions
from bot.db.engine import session_scope
from bot.db.models import ConsoleSession, User

PREFIX = "/console"
COOKIE = "console_session"
SIGN_IN_COOKIE = "console_sign_in"  # double-submit CSRF token of the sign-in form (no session yet)
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
PUBLIC_ROUTES = frozenset({f"{PREFIX}/sign-in"})  # plus the static files under /console/static/

Handler = Callable[..., Coroutine[Any, Any, HTTPResponse | None]]


def production() -> bool:
    return os.environ.get("APP_ENV", "development") == "production"


def client_address(request: Request) -> str:
    """The peer's address; a forwarded one only when Sanic is configured to trust the proxy (PROXIES_COUNT)."""
    return str(request.remote_addr or request.ip or "unknown")


def set_cookie(response: HTTPResponse, name: str, value: str, path: str = PREFIX) -> None:
    response.cookies[name] = value
    cookie = response.cookies[name]
    cookie["path"] = path
    cookie["httponly"] = True
    cookie["samesite"] = "Strict"
    if production():
        cookie["secure"] = True


def clear_cookie(response: HTTPResponse, name: str, path: str = PREFIX) -> None:
    set_cookie(response, name, "", path)
    response.cookies[name]["max-age"] = 0


def current_user(request: Request) -> User | None:
    return getattr(request.ctx, "console_user", None)


def csrf_token(request: Request) -> str:
    return getattr(request.ctx, "console_csrf", "")


def is_api(request: Request) -> bool:
    return request.path.startswith(f"{PREFIX}/api/")


def _submitted_csrf(request: Request) -> str:
    token = request.headers.get("x-csrf-token")
    if not token and request.content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        token = request.form.get("csrf_token")
    return token or ""


def tokens_match(expected: str, submitted: str) -> bool:
    return bool(expected) and hmac.compare_digest(expected.encode(), submitted.encode())


def unauthenticated(request: Request) -> HTTPResponse:
    if is_api(request) or request.method != "GET":
        return json_response({"error": "sign in first"}, status=401)
    return redirect(f"{PREFIX}/sign-in?next={quote(request.path)}")


def forbidden(request: Request, reason: str = "forbidden") -> HTTPResponse:
    return json_response({"error": reason}, status=403)


async def resolve_session(request: Request) -> HTTPResponse | None:
    """Request middleware of the console blueprint."""
    request.ctx.console_user = None
    request.ctx.console_csrf = ""
    token = request.cookies.get(COOKIE)
    if token:
        with session_scope() as db:
            row: ConsoleSession | None = sessions.lookup(db, token, sessions.Lifetimes.from_env())
            if row is not None:
                request.ctx.console_user = row.user
                request.ctx.console_csrf = row.csrf_token
                request.ctx.console_session_id = row.id
    if request.method in STATE_CHANGING:
        if request.path in PUBLIC_ROUTES:
            return None  # the sign-in form checks its own double-submit token
        if request.ctx.console_user is None:
            return unauthenticated(request)
        if not tokens_match(request.ctx.console_csrf, _submitted_csrf(request)):
            return forbidden(request, "missing or wrong CSRF token")
    return None


def require_role(*roles: str) -> Callable[[Handler], Handler]:
    """Signed-in users of these roles only (no roles given: any signed-in user). Pages redirect to the
    sign-in page and APIs answer 401 when nobody is signed in; a wrong role gets 403."""

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def guarded(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse | None:
            user = current_user(request)
            if user is None:
                return unauthenticated(request)
            if roles and user.role not in roles:
                return forbidden(request)
            return await handler(request, *args, **kwargs)

        guarded.console_roles = roles  # type: ignore[attr-defined]  # read by the route-coverage test
        return guarded

    return decorate


def may_see_queue(user: User, queue: str) -> bool:
    """An agent sees only the queues assigned to them (admins too: a queue is a team's, not a rank's)."""
    return queue in (user.queues or [])
