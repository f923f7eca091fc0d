"""Console page rendering and the console's response headers."""

from __future__ import annotations

from typing import Any

from sanic.request import Request
from sanic.response import HTTPResponse

from bot.console.auth import csrf_token, current_user
from bot.console.i18n import texts_for
from bot.pages import render

# No inline script or style anywhere in the console; connect-src 'self' covers the API and the event streams.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


def page(request: Request, template: str, status: int = 200, **context: Any) -> HTTPResponse:
    """A console page with the signed-in user, the CSRF token its forms and scripts send back, and the
    texts in the agent's language (`t`, and `js_texts` for the page's scripts)."""
    user = current_user(request)
    texts = texts_for(request, user)
    return render(template, status=status, user=user, csrf_token=csrf_token(request), t=texts,
                  lang=texts.language, js_texts=texts.for_scripts(), **context)


def console_headers(response: HTTPResponse) -> None:
    response.headers["Content-Security-Policy"] = CSP
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Frame-Options"] = "DENY"
