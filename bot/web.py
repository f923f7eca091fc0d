"""The website side: the chat page, the embeddable widget and its configuration, and the console (/console/),
on WEB_PORT.

Everything a page needs is served from here (socket.io-client comes from web/node_modules, installed from
the npm registry by `make`; no CDN): pages are Jinja2 templates (bot.pages, autoescaped), files go through
Sanic's static handler, which refuses paths outside its folder. Language names come from CLDR (Babel), UI
texts from locales/.
"""

from __future__ import annotations

import json
import os
from typing import Any, Mapping

from babel import Locale as BabelLocale
from babel.core import negotiate_locale
from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse
from sanic.response import json as json_response

from bot import SUPPORTED_LANGUAGES, formatting
from bot.console import blueprint as console_blueprint
from bot.console.auth import PREFIX as CONSOLE
from bot.console.views import console_headers
from bot.handoff.bus import InProcessBus, bus_from_env
from bot.handoff.hub import hub_blueprint
from bot.handoff.orphans import sweep_forever
from bot.http_limits import limit_request_size
from bot.locales import cached_locales, default_locale
from bot.pages import render
from bot.paths import ROOT

WEB = ROOT / "web"
STATIC = WEB / "static"
VENDOR = {"socket.io.min.js": WEB / "node_modules" / "socket.io-client" / "dist" / "socket.io.min.js"}


def widget_config() -> dict[str, Any]:
    """Languages (each in its own name, from CLDR), their default country and the widget texts; the
    "stop waiting" button sends the language's first cancel word, which the channel recognises."""
    locales = cached_locales()
    languages = []
    for language in SUPPORTED_LANGUAGES:
        locale = default_locale(language, locales)
        strings = dict(locale.labels.get("widget") or {})
        strings["cancel_word"] = str((locale.labels.get("cancel_words") or [""])[0])
        languages.append({"code": language, "name": formatting.language_name(language), "country": locale.country,
                          "strings": strings})
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


def create_app(rasa_url: str, env: Mapping[str, str] | None = None) -> Sanic:
    env = os.environ if env is None else env
    app = limit_request_size(Sanic("support_web"), "WEB_MAX_REQUEST_BYTES")
    # The handoff's event bus: this server hosts the embedded one (see bot.handoff.bus).
    app.ctx.bus = bus_from_env(env, hub=True)
    if isinstance(app.ctx.bus, InProcessBus) and env.get("RASA_AUTH_TOKEN"):
        app.blueprint(hub_blueprint(app.ctx.bus, env["RASA_AUTH_TOKEN"]))

    @app.get("/")
    async def index(request: Request) -> HTTPResponse:
        language = page_language(request)
        locale = default_locale(language, cached_locales())
        strings = dict(locale.labels.get("widget") or {})
        return render("index.html", lang=language, title=strings.get("title", "Support"), server=rasa_url,
                      locale=locale.code)

    @app.get("/embed-example.html")
    async def embed_example(request: Request) -> HTTPResponse:
        return render("embed-example.html", server=rasa_url)

    @app.get("/widget/config.json")
    async def config(request: Request) -> HTTPResponse:
        return json_response(widget_config())

    # Sanic's static handler resolves each path and refuses anything outside the folder (traversal: 404).
    app.static("/widget/vendor/socket.io.min.js", str(VENDOR["socket.io.min.js"]), name="widget_vendor",
               content_type="text/javascript; charset=utf-8")
    app.static("/widget", str(STATIC), name="widget")
    app.blueprint(console_blueprint())
    sweep_every = float(env.get("HANDOFF_SWEEP_SECONDS") or 30)
    if sweep_every > 0:  # conversations whose agent's console session expired (bot.handoff.orphans)
        async def start_sweeper(app: Sanic, _loop: Any) -> None:
            app.add_task(sweep_forever(app.ctx.bus, sweep_every))

        app.register_listener(start_sweeper, "after_server_start")

    @app.on_response
    async def headers(request: Request, response: HTTPResponse) -> None:
        if request.path == CONSOLE or request.path.startswith(f"{CONSOLE}/"):
            console_headers(response)
            return
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
