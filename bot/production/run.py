"""`python -m bot run --production --replicas N`: the production topology on this machine."""

from __future__ import annotations

import logging
import os
import signal
import sys
from pathlib import Path

from bot.model import model_path
from bot.paths import VAR_DIR
from bot.production.config import ProductionConfig
from bot.production.services import environment, services
from bot.production.supervisor import Supervisor
from bot.settings import LOCAL_SECRETS, SettingsError, ensure_local_secrets


def run_production(replicas: int | None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    env = dict(os.environ)
    if not all(env.get(name) for name in LOCAL_SECRETS):
        env.update(ensure_local_secrets())  # a local trial run; a real deployment passes its secrets
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
        listed = services(config, str(model), run_dir)
    except (FileNotFoundError, ValueError) as exc:
        print(exc, file=sys.stderr)
        return 2
    supervisor = Supervisor(run_dir, environment(config, env))
    signal.signal(signal.SIGTERM, supervisor.stop)
    try:
        if not supervisor.start_all(listed):
            print(f"Start-up failed; logs in {run_dir}/", file=sys.stderr)
            return 1
        print(f"\nProduction topology running ({config.replicas} Rasa servers, logs in {run_dir}/):")
        print(f"  Customers (HAProxy): {config.public_rasa_url}  REST /webhooks/rest/webhook, socket.io")
        print(f"  Chat page:           {config.public_web_url}/")
        print(f"  Balancer status:     http://{config.bind_address}:{config.stats_port}/")
        print("Press Ctrl-C to stop.", flush=True)
        supervisor.run_forever()
        return 0
    except KeyboardInterrupt:
        return 0
    finally:
        supervisor.stop()
