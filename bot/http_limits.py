"""Request-size limits of the web and action servers (Sanic's default, 100 MB, lets one request pin a core).

A larger announced body (Content-Length) gets 413 before any route or authentication runs, unread; a
chunked body is cut off by Sanic when it passes the limit (REQUEST_MAX_SIZE), also 413. Each server has its own setting:
WEB_MAX_REQUEST_BYTES (the web server only serves pages: 64 KB) and ACTION_MAX_REQUEST_BYTES (Rasa sends the
whole tracker to the action server: 8 MB, far above a long conversation with capped messages).
"""

from __future__ import annotations

import os
from typing import Mapping

from sanic import Sanic
from sanic.exceptions import PayloadTooLarge
from sanic.request import Request
from sanic.response import HTTPResponse, json

DEFAULTS = {"WEB_MAX_REQUEST_BYTES": 64 * 1024, "ACTION_MAX_REQUEST_BYTES": 8 * 1024 * 1024}


def max_request_bytes(setting: str, env: Mapping[str, str] | None = None) -> int:
    env = os.environ if env is None else env
    value = int(env.get(setting) or DEFAULTS[setting])
    if value < 1024:
        raise ValueError(f"{setting} must be at least 1024 bytes, not {value}")
    return value


def limit_request_size(app: Sanic, setting: str) -> Sanic:
    """Sets the limit and answers it with 413 even where the app turns every exception into a 500 (rasa-sdk)."""
    app.config.REQUEST_MAX_SIZE = max_request_bytes(setting)

    async def too_large(request: Request, exception: Exception) -> HTTPResponse:
        return json({"error": "request too large", "max_bytes": app.config.REQUEST_MAX_SIZE}, status=413)

    app.error_handler.add(PayloadTooLarge, too_large)

    @app.on_request  # registered first, so it runs before authentication: a huge body is refused unread
    async def announced_too_large(request: Request) -> HTTPResponse | None:
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > app.config.REQUEST_MAX_SIZE:
            return await too_large(request, PayloadTooLarge("Request body exceeds the size limit"))
        return None

    return app
