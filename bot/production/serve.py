"""Entry points of the servers with production settings, the same on this machine and in Kubernetes
(deploy/kubernetes/): bind address from BIND_ADDRESS, several action-server workers (one slow database call
does not stall every conversation), Rasa's arguments from settings.
`python -m bot.production.serve actions|web|models|rasa` (the embedded default keeps actions.server, bot.web)."""

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


def models() -> None:
    """The project's model server (bot.lifecycle.model_server) over MODEL_REGISTRY_DIR."""
    from bot.lifecycle.model_server import serve
    from bot.settings import check_secret

    check_secret("MODEL_SERVER_TOKEN", os.environ.get("MODEL_SERVER_TOKEN"))  # models contain the training data
    serve(int(os.environ.get("MODEL_SERVER_PORT", "8000")), os.environ["BIND_ADDRESS"])


def rasa() -> None:
    """One Rasa server on RASA_PORT; its model from RASA_MODEL, else from the endpoints' model server."""
    from bot.production.config import ProductionConfig
    from bot.production.services import environment, rasa_arguments

    config = ProductionConfig.from_env(1)
    arguments = rasa_arguments(config, int(os.environ.get("RASA_PORT", "5005")), os.environ.get("RASA_MODEL"),
                               os.environ.get("RASA_ENDPOINTS", "endpoints.production.yml"))
    # the endpoints' separate Redis/RabbitMQ variables, derived from REDIS_URL and AMQP_URL
    os.execve(sys.executable, [sys.executable, *arguments], environment(config))


def main(argv: list[str]) -> None:
    entry = {"actions": actions, "web": web, "models": models, "rasa": rasa}.get(argv[0] if argv else "")
    if entry is None:
        raise SystemExit("usage: python -m bot.production.serve actions|web|models|rasa")
    entry()


if __name__ == "__main__":
    main(sys.argv[1:])
