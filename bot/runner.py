"""`make run`: starts the action server, Rasa and the web server on localhost, waits until all answer,
prints the URLs, restarts any of them that crashes (bot.supervisor) and stops them all on Ctrl-C or SIGTERM.
`supervise` and `local_environment` are shared with `python -m bot run --production` (bot.production.run)."""

from __future__ import annotations

import os
import signal
import sys
import time
from typing import Callable, Sequence

from bot.model import model_path
from bot.paths import ROOT, VAR_DIR
from bot.settings import LOCAL_SECRETS, SECRETS_FILE, Settings, SettingsError, ensure_local_secrets
from bot.supervisor import Child, Supervisor

STARTUP_TIMEOUT_S = 180


def service_env(settings: Settings, base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment both processes run with (endpoints.yml reads these)."""
    env = dict(os.environ if base is None else base)
    env.update(
        RASA_PORT=str(settings.rasa_port),
        WEB_PORT=str(settings.web_port),
        ACTION_PORT=str(settings.action_port),
        RASA_AUTH_TOKEN=settings.rasa_auth_token,
        ACTION_SERVER_TOKEN=settings.action_server_token,
        REQUEST_KEY_SECRET=settings.request_key_secret,
        ACTION_SERVER_URL=settings.action_server_url,
        TRACKER_STORE_URL=settings.tracker_store_url,
        DATABASE_URL=settings.database_url,
        # The handoff's live events: Redis in production, else the hub in the web server (bot.handoff.bus).
        EVENT_BUS_URL=env.get("EVENT_BUS_URL") or f"http://127.0.0.1:{settings.web_port}/internal/bus",
        PYTHONPATH=str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
        TF_CPP_MIN_LOG_LEVEL=env.get("TF_CPP_MIN_LOG_LEVEL", "2"),
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
        # No telemetry or error reports leave the machine (Rasa would send both to its servers).
        RASA_TELEMETRY_ENABLED="false",
    )
    return env


def rasa_command(settings: Settings, model: str, endpoints: str = "endpoints.yml") -> list[str]:
    return [
        sys.executable, "-m", "bot.rasa_entry", "run",
        "--model", model,
        "--endpoints", endpoints,
        "--credentials", "credentials.yml",
        "--interface", "127.0.0.1",
        "--port", str(settings.rasa_port),
        "--enable-api",
        "--auth-token", settings.rasa_auth_token,
        "--cors", f"http://127.0.0.1:{settings.web_port}",
    ]


def action_command() -> list[str]:
    return [sys.executable, "-m", "actions.server"]


def web_command() -> list[str]:
    return [sys.executable, "-m", "bot.web"]


def supervised_children(settings: Settings, model: str, endpoints: str = "endpoints.yml",
                        model_server_port: str | None = None) -> list[Child]:
    """The embedded default's processes, each with the URL that says it is up; with a model server port,
    the model server Rasa pulls the published version from (bot.lifecycle.serving) comes first."""
    children = []
    if model_server_port:
        from bot.lifecycle.serving import model_server_command

        children.append(Child("model server", model_server_command(), f"http://127.0.0.1:{model_server_port}/health"))
    return children + [
        Child("action server", action_command(), f"http://127.0.0.1:{settings.action_port}/health"),
        Child("web server", web_command(), f"http://127.0.0.1:{settings.web_port}/widget/config.json"),
        Child("Rasa", rasa_command(settings, model, endpoints), f"http://127.0.0.1:{settings.rasa_port}/"),
    ]


def prepare_database(settings: Settings) -> None:
    """Migrations always; demo quotes only into an empty local database, and said so."""
    from bot.db.engine import session_scope
    from bot.db.migrate import upgrade
    from bot.db.quotes_io import DEMO_CUSTOMER, has_quotes, seed_demo

    os.environ["DATABASE_URL"] = settings.database_url
    upgrade(settings.database_url)
    if settings.production:
        return
    with session_scope(settings.database_url) as session:
        if not has_quotes(session):
            seed_demo(session)
            print(f"Empty database: loaded DEMO quotes Q-90000001...4 for customer number {DEMO_CUSTOMER}.")


def local_environment() -> tuple[dict[str, str], bool]:
    """The environment with every token: the environment's, else generated once into var/secrets.env
    (and whether any was missing)."""
    env = dict(os.environ)
    generated = not all(env.get(name) for name in LOCAL_SECRETS)
    env.update(ensure_local_secrets())
    return env, generated


def supervise(supervisor: Supervisor, start: Callable[[], bool], banner: Sequence[str], failed: str) -> int:
    """Starts the children (`start` says whether they came up), prints the banner, keeps them running until
    Ctrl-C or SIGTERM, and stops them all in every case."""

    def stop(*_: object) -> None:
        supervisor.stopping.set()

    signal.signal(signal.SIGTERM, stop)
    try:
        if not start():
            print(failed, file=sys.stderr)
            return 1
        print("\n".join(banner), flush=True)
        supervisor.run()
        return 0
    except KeyboardInterrupt:
        return 0
    finally:
        supervisor.stop()


def run() -> int:
    VAR_DIR.mkdir(exist_ok=True)
    env, generated = local_environment()
    try:
        settings = Settings.from_env(env)
    except SettingsError as exc:
        print(f"Configuration error: {exc}", file=sys.stderr)
        return 2
    model = model_path()
    if not model.exists():
        print("No model matches the data; run `make run` (it trains first).", file=sys.stderr)
        return 2
    prepare_database(settings)
    if generated:
        print(f"Using local tokens from {SECRETS_FILE.relative_to(ROOT)} (set RASA_AUTH_TOKEN to override).")
    from bot.lifecycle import serving

    published = serving.prepare(model, env)  # Rasa pulls the published version from the model server
    print(published.note)
    children = supervised_children(settings, str(published.version.model), str(published.endpoints),
                                   published.env["MODEL_SERVER_PORT"])
    supervisor = Supervisor(children, cwd=ROOT, env={**service_env(settings, env), **published.env})

    def start() -> bool:
        supervisor.start_all()
        return supervisor.wait_healthy(time.monotonic() + STARTUP_TIMEOUT_S)

    base = f"http://127.0.0.1:{settings.rasa_port}"
    banner = ["\nThe assistant is running:",
              f"  Chat page:    http://127.0.0.1:{settings.web_port}/   (embed: /embed-example.html)",
              f"  Console:      http://127.0.0.1:{settings.web_port}/console/   (accounts: python -m bot users add)",
              f"  REST webhook: POST {base}/webhooks/rest/webhook  {{\"sender\": \"...\", \"message\": \"...\"}}",
              f"  HTTP API:     {base}/model/parse?token=...   (token in {SECRETS_FILE.relative_to(ROOT)})",
              "A part that crashes is restarted (with back-off) and logged. Press Ctrl-C to stop."]
    return supervise(supervisor, start, banner, "Start-up failed; see the log above.")
