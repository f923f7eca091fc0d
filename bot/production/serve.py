"""Entry points of the action server and the web server with production settings: the bind address from
BIND_ADDRESS and several action-server workers, so one slow database call does not stall every conversation.
`python -m bot.production.serve actions|web` (the embedded default keeps actions.server and bot.web)."""

from __future__ import annotations

import json
import logging
import os
import sys


def actions() -> None:
    from actions.server import create_authenticated_app

    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"))
    app = create_authenticated_app(os.environ.get("ACTION_SERVER_TOKEN", ""))
    app.run(host=os.environ["BIND_ADDRESS"], port=int(os.environ["ACTION_PORT"]),
            workers=int(os.environ.get("ACTION_WORKERS", "2")), access_log=False, motd=False)


def web() -> None:
    from bot.web import VENDOR, create_app, widget_config

    if not VENDOR["socket.io.min.js"].exists():
        raise SystemExit("web/node_modules is missing: run `make install` (socket.io-client from npm)")
    json.dumps(widget_config())  # fail at start, not on the first visitor, if the content is broken
    create_app(os.environ["PUBLIC_RASA_URL"]).run(host=os.environ["BIND_ADDRESS"], port=int(os.environ["WEB_PORT"]),
                                                  workers=1, access_log=False, motd=False)


def main(argv: list[str]) -> None:
    entry = {"actions": actions, "web": web}.get(argv[0] if argv else "")
    if entry is None:
        raise SystemExit("usage: python -m bot.production.serve actions|web")
    entry()


if __name__ == "__main__":
    main(sys.argv[1:])
