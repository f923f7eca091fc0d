"""How `make run` serves the published version: Rasa pulls it from the project's model server.

The first run publishes the model matching the data as v1 (there is nothing else to serve); afterwards a
restart serves the published version, whatever the working tree holds, until `model publish` changes it.
"""

from __future__ import annotations

import secrets
import sys
from dataclasses import dataclass
from pathlib import Path

from bot.lifecycle.registry import Registry, Version
from bot.paths import ROOT, VAR_DIR

MODELS_ENDPOINT = """
# Added by `make run` (bot/lifecycle/serving.py): Rasa pulls the published version from the model server.
models:
  url: http://127.0.0.1:${MODEL_SERVER_PORT}/model
  token: ${MODEL_SERVER_TOKEN}
  wait_time_between_pulls: 10
"""


@dataclass
class Serving:
    version: Version
    endpoints: Path
    env: dict[str, str]
    note: str


def model_server_command() -> list[str]:
    return [sys.executable, "-m", "bot", "model", "serve"]


def prepare(working_model: Path, env: dict[str, str], registry: Registry | None = None,
            endpoints: Path = ROOT / "endpoints.yml", out: Path = VAR_DIR / "endpoints.run.yml") -> Serving:
    registry = registry or Registry()
    version = registry.current()
    if version is None:
        version = registry.create(working_model)
        registry.set_current(version, "publish")
        note = f"First run: published {working_model.name} as {version.id}."
    elif version.info.get("model") != working_model.name:
        note = (f"Serving the published {version.id} ({version.info.get('model')}); {working_model.name} matches "
                "the working tree: `python -m bot model evaluate` then `model publish` to serve it.")
    else:
        note = f"Serving the published {version.id}."
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(endpoints.read_text(encoding="utf-8") + MODELS_ENDPOINT, encoding="utf-8")
    extra = {"MODEL_SERVER_PORT": env.get("MODEL_SERVER_PORT", "5006"),
             # the action server and Rasa's NLG read the published version's locales (bot.locales)
             "PUBLISHED_CONTENT": str(registry.folder / "published.json"),
             "MODEL_SERVER_TOKEN": env.get("MODEL_SERVER_TOKEN") or secrets.token_hex(16)}
    return Serving(version, out, extra, note)
