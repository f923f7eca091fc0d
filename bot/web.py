"""The website side: the chat page, the embeddable widget and its configuration, on WEB_PORT.

Everything a page needs is served from here (socket.io-client comes from web/node_modules, installed from
the npm registry by `make`; no CDN). Language names come from CLDR (Babel), UI texts from locales/.
"""

from __future__ import annotations

import html
import json
import os
from pathlib import Path
from typing import Any

from babel import Locale as BabelLocale
from babel.core import negotiate_locale
from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, file, raw
from sanic.response import json as json_response

from bot import SUPPORTED_LANGUAGES, formatting
from bot.http_limits import limit_request_size
from bot.locales import cached_locales, default_locale
from bot.paths import ROOT

WEB = ROOT / "web"
STATIC = WEB / "static"
VENDOR = {"socket.io.min.js": WEB / "node_modules" / "socket.io-client" / "dist" / "socket.io.min.js"}
TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}


def widget_config() -> dict[str, Any]:
    """Languages (each in its own name, from CLDR), their default country and the widget texts."""
    locales = cached_locales()
    languages = []
    for language in SUPPORTED_LANGUAGES:
        locale = default_locale(language, locales)
        languages.append({"code": language, "name": formatting.language_name(language), "country": locale.country,
                          "strings": dict(locale.labels.get("widget") or {})})
    return {"languages": languages, "default": SUPPORTED_LANGUAGES[0]}


def page_language(request: Request) -> str:
    """?lang= if supported, else the browser's Accept-Language negotiated by Babel."""
    asked = (request.args.get("lang") or "").lower()[:2]
    if asked in SUPPORTED_LANGUAGES:
        return asked
    preferred = [part.split(";")[0].strip().replace("-", "_")
                 for part in request.headers.get("accept-language", "").split(",") if part.strip()]
    chosen = negotiate_locale(preferred, list(SUPPORTED_LANGUAGES)) if preferred else None
    return str(BabelLocale.parse(chosen).language) if chosen else SUPPORTED_LANGUAGES[0]


def security_headers(response: HTTPResponse, rasa_origin: str) -> None:
    socket = rasa_origin.replace("http://", "ws://").replace("https://", "wss://")
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src 'self' {rasa_origin} {socket}; frame-ancestors 'self'; base-uri 'none'; form-action 'none'"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"


def create_app(rasa_url: str) -> Sanic:
    app = limit_request_size(Sanic("support_web"), "WEB_MAX_REQUEST_BYTES")
    template = (WEB / "templates" / "index.html").read_text(encoding="utf-8")

    @app.get("/")
    async def index(request: Request) -> HTTPResponse:
        language = page_language(request)
        locale = default_locale(language, cached_locales())
        strings = dict(locale.labels.get("widget") or {})
        page = (template.replace("{{lang}}", html.escape(language))
                .replace("{{title}}", html.escape(strings.get("title", "Support")))
                .replace("{{server}}", html.escape(rasa_url))
                .replace("{{locale}}", html.escape(locale.code)))
        return raw(page.encode("utf-8"), content_type="text/html; charset=utf-8")

    @app.get("/embed-example.html")
    async def embed_example(request: Request) -> HTTPResponse:
        page = (WEB / "templates" / "embed-example.html").read_text(encoding="utf-8").replace("{{server}}", rasa_url)
        return raw(page.encode("utf-8"), content_type="text/html; charset=utf-8")

    @app.get("/widget/config.json")
    async def config(request: Request) -> HTTPResponse:
        return json_response(widget_config())

    @app.get("/widget/<name:path>")
    async def widget_file(request: Request, name: str) -> HTTPResponse:
        if ".." in name or name.startswith("/"):
            return json_response({"error": "not found"}, status=404)
        path = VENDOR.get(name.removeprefix("vendor/")) if name.startswith("vendor/") else STATIC / name
        if path is None or not Path(path).is_file():
            return json_response({"error": "not found"}, status=404)
        return await file(str(path), mime_type=TYPES.get(Path(path).suffix, "application/octet-stream"))

    @app.on_response
    async def headers(request: Request, response: HTTPResponse) -> None:
        security_headers(response, rasa_url)
        if request.path.startswith("/widget/"):
            response.headers["Access-Control-Allow-Origin"] = "*"  # the widget is embeddable anywhere

    return app


def main() -> None:
    port = int(os.environ.get("WEB_PORT", "8080"))
    rasa_url = os.environ.get("PUBLIC_RASA_URL") or f"http://127.0.0.1:{os.environ.get('RASA_PORT', '5005')}"
    if not VENDOR["socket.io.min.js"].exists():
        raise SystemExit("web/node_modules is missing: run `make run` (it installs socket.io-client with npm)")
    json.dumps(widget_config())  # fail at start, not on the first visitor, if the content is broken
    create_app(rasa_url).run(host="127.0.0.1", port=port, workers=1, access_log=False, motd=False)


if __name__ == "__main__":
    main()
