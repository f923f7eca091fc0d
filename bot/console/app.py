"""Assembles the console blueprint: session middleware, sign-in, home, agent pages, static files."""

from __future__ import annotations

from typing import Any

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.console import signin, throttle
from bot.console.auth import PREFIX, csrf_token, current_user, require_role, resolve_session
from bot.pages import TEMPLATES, render

STATIC = TEMPLATES.parent / "static" / "console"

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


def page(request: Request, template: str, status: int = 200, **context: Any) -> HTTPResponse:
    """A console page with the signed-in user and the CSRF token its forms and scripts send back."""
    return render(template, status=status, user=current_user(request), csrf_token=csrf_token(request), **context)


def console_headers(response: HTTPResponse) -> None:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Frame-Options"] = "DENY"


def blueprint(policy: throttle.Policy | None = None, extra_links: tuple[dict[str, str], ...] = ()) -> Blueprint:
    bp = Blueprint("console", url_prefix=PREFIX)
    bp.middleware(resolve_session, "request")
    bp.static("/static", str(STATIC), name="console_static")

    @bp.get("/")
    @require_role()
    async def home(request: Request) -> HTTPResponse:
        return page(request, "console/home.html", extra_links=extra_links)

    signin.register(bp, policy or throttle.Policy())
    return bp
