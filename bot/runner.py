"""`make run`: starts the action server and Rasa on localhost, waits until both answer, prints the URLs,
and stops both when either stops or on Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

from bot.model import model_path
from bot.paths import ROOT, VAR_DIR
from bot.settings import SECRETS_FILE, Settings, SettingsError, ensure_local_secrets

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
        ACTION_SERVER_URL=settings.action_server_url,
        TRACKER_STORE_URL=settings.tracker_store_url,
        DATABASE_URL=settings.database_url,
        PYTHONPATH=str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
        TF_CPP_MIN_LOG_LEVEL=env.get("TF_CPP_MIN_LOG_LEVEL", "2"),
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
        # No telemetry or error reports leave the machine (Rasa would send both to its servers).
        RASA_TELEMETRY_ENABLED="false",
    )
    return env


def rasa_command(settings: Settings, model: str, endpoints: str = "endpoints.yml") -> list[str]:
    return [
        sys.executable, "-m", "rasa", "run",
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


def wait_for(url: str, deadline: float, process: subprocess.Popen) -> bool:
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return True
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    return False


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


def run() -> int:
    VAR_DIR.mkdir(exist_ok=True)
    generated = not (os.environ.get("RASA_AUTH_TOKEN") and os.environ.get("ACTION_SERVER_TOKEN"))
    env = dict(os.environ)
    env.update(ensure_local_secrets())
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

    published = serving.prepare(model, env)
    print(published.note)
    child_env = {**service_env(settings, env), **published.env}
    models = subprocess.Popen(serving.model_server_command(), cwd=ROOT, env=child_env)
    actions = subprocess.Popen(action_command(), cwd=ROOT, env=child_env)
    rasa = subprocess.Popen(rasa_command(settings, str(published.version.model), str(published.endpoints)),
                            cwd=ROOT, env=child_env)
    web = subprocess.Popen(web_command(), cwd=ROOT, env=child_env)
    processes = [models, actions, rasa, web]

    def stop(*_: object) -> None:
        for process in processes:
            if process.poll() is None:
                process.terminate()

    signal.signal(signal.SIGTERM, stop)
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        ok = (
            wait_for(f"http://127.0.0.1:{settings.action_port}/health", deadline, actions)
            and wait_for(f"http://127.0.0.1:{settings.web_port}/widget/config.json", deadline, web)
            and wait_for(f"http://127.0.0.1:{settings.rasa_port}/", deadline, rasa)
        )
        if not ok:
            print("Start-up failed; see the log above.", file=sys.stderr)
            stop()
            return 1
        base = f"http://127.0.0.1:{settings.rasa_port}"
        print("\nThe assistant is running:")
        print(f"  Chat page:    http://127.0.0.1:{settings.web_port}/   (embed: /embed-example.html)")
        print(f"  REST webhook: POST {base}/webhooks/rest/webhook  {{\"sender\": \"...\", \"message\": \"...\"}}")
        print(f"  HTTP API:     {base}/model/parse?token=...   (token in {SECRETS_FILE.relative_to(ROOT)})")
        print("Press Ctrl-C to stop.", flush=True)
        while all(p.poll() is None for p in processes):
            time.sleep(0.5)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        stop()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
