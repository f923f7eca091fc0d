"""`python -m bot run --production --replicas N`: the production topology on this machine, kept running by
the project's one supervisor (bot.supervisor) through the same start/stop path as `make run` (bot.runner)."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from bot.model import model_path
from bot.paths import ROOT, VAR_DIR
from bot.production.config import ProductionConfig
from bot.production.services import environment, services
from bot.runner import local_environment, supervise
from bot.settings import SettingsError
from bot.supervisor import Supervisor


def run_production(replicas: int | None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    env, _ = local_environment()  # a local trial run; a real deployment passes its secrets
    try:
        config = ProductionConfig.from_env(replicas, env)
    except (SettingsError, ValueError) as exc:
        print(f"Configuration error: {exc}", file=sys.stderr)
        return 2
    model = Path(env.get("RASA_MODEL") or model_path())
    if not model.exists():
        print("No model matches the data; run `make model` (or set RASA_MODEL).", file=sys.stderr)
        return 2
    from bot.db.migrate import upgrade

    upgrade(config.base.database_url)
    run_dir = Path(env.get("PRODUCTION_RUN_DIR") or VAR_DIR / "production")
    try:
        children = services(config, str(model), run_dir)
    except (FileNotFoundError, ValueError) as exc:
        print(exc, file=sys.stderr)
        return 2
    supervisor = Supervisor(children, cwd=ROOT, env=environment(config, env), run_dir=run_dir)
    # Loading a model takes minutes on a busy machine; each step (the Rasa servers together) gets this long.
    timeout_s = float(env.get("STARTUP_TIMEOUT_S") or 900)
    banner = [f"\nProduction topology running ({config.replicas} Rasa servers, logs in {run_dir}/):",
              f"  Customers (HAProxy): {config.public_rasa_url}  REST /webhooks/rest/webhook, socket.io",
              f"  Chat page:           {config.public_web_url}/",
              f"  Balancer status:     http://{config.bind_address}:{config.stats_port}/",
              "A part that crashes is restarted (with back-off) and logged. Press Ctrl-C to stop."]
    return supervise(supervisor, lambda: supervisor.start_in_order(timeout_s), banner,
                     f"Start-up failed; logs in {run_dir}/")
