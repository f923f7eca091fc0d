"""`model train`: trains with progress and the time taken, and records how the model was made.

Next to each archive, `<model>.json` records when it was trained, how long it took, the training
configuration and the fingerprint of the inputs, so `model list` and `model publish` can tell models apart.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from bot.model import fingerprint, model_path, prune
from bot.paths import MODELS_DIR, ROOT


def target_for(config: Path, root: Path = ROOT, out: Path = MODELS_DIR) -> Path:
    """The archive a training with this config produces: the default name for config.yml, else tagged."""
    if config.resolve() == (root / "config.yml").resolve():
        return out / model_path(root).name
    tag = hashlib.sha256(config.read_bytes()).hexdigest()[:6]
    return out / f"assistant-{fingerprint(root)}-{tag}.tar.gz"


def metadata_path(model: Path) -> Path:
    return model.with_name(model.name.removesuffix(".tar.gz") + ".json")


def read_metadata(model: Path) -> dict[str, Any]:
    path = metadata_path(model)
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def train(config: Path | None = None, out: Path = MODELS_DIR, force: bool = False, root: Path = ROOT) -> Path:
    """Trains unless a model of the same inputs exists; Rasa's own progress bars show each epoch."""
    from bot import content

    config = config or root / "config.yml"
    target = target_for(config, root, out)
    if target.exists() and not force:
        print(f"Model up to date: {target} (`--force` retrains)")
        return target
    started = time.monotonic()
    print("[1/3] content check and domain build ...", flush=True)
    errors = content.errors_only(content.check())
    if errors:
        raise SystemExit("Content check failed; fix it first:\n" + "\n".join(f"  {e}" for e in errors))
    content.write_domain_responses()
    print(f"[2/3] training {target.name} with {config.name} (NLU, then dialogue policies) ...", flush=True)
    command = [sys.executable, "-m", "rasa", "train", "--config", str(config), "--domain", "domain", "--data", "data",
               "--out", str(target.parent), "--fixed-model-name", target.name.removesuffix(".tar.gz")]
    subprocess.run(command, cwd=root, check=True)
    seconds = round(time.monotonic() - started, 1)
    metadata = {"model": target.name, "trained_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "seconds": seconds, "config": str(config), "fingerprint": fingerprint(root)}
    metadata_path(target).write_text(json.dumps(metadata, indent=2), encoding="utf-8")
    print(f"[3/3] done in {seconds // 60:.0f} min {seconds % 60:.0f} s: {target}", flush=True)
    if config.resolve() == (root / "config.yml").resolve():
        prune(target)
    return target
