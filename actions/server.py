"""The action server: rasa-sdk's app behind a shared-secret check, bound to localhost.

Rasa sends `Authorization: Bearer <ACTION_SERVER_TOKEN>` (endpoints.yml); any other caller gets 401.
A body above ACTION_MAX_REQUEST_BYTES gets 413 (bot.http_limits). Database work runs in worker threads
(asyncio.to_thread in the actions), so one slow query does not hold up other conversations.
"""

from __future__ import annotations

import hmac
import logging
import os

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, json

from bot.http_limits import limit_request_size
from bot.settings import check_secret

logger = logging.getLogger(__name__)
PUBLIC_PATHS = {"/health"}


def _supplied_token(request: Request) -> str:
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header.startswith("Bearer ") else ""


def create_authenticated_app(token: str) -> Sanic:
    from rasa_sdk.endpoint import create_app

    token = check_secret("ACTION_SERVER_TOKEN", token)
    app = limit_request_size(create_app("actions", cors_origins=[]), "ACTION_MAX_REQUEST_BYTES")

    @app.middleware("request")
    async def require_token(request: Request) -> HTTPResponse | None:
        if request.path in PUBLIC_PATHS:
            return None
        if not hmac.compare_digest(_supplied_token(request).encode(), token.encode()):
            return json({"error": "unauthorized"}, status=401)
        return None

    return app


def main() -> None:
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"))
    port = int(os.environ.get("ACTION_PORT", "5055"))
    app = create_authenticated_app(os.environ.get("ACTION_SERVER_TOKEN", ""))
    app.run(host="127.0.0.1", port=port, workers=1, access_log=False, motd=False)


if __name__ == "__main__":
    main()
