"""Trained models: named by a fingerprint of everything training reads, so `make run` trains only when
the data, domain, config or NLU code changed."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

from bot.paths import DATA_DIR, DOMAIN_DIR, MODELS_DIR, ROOT

KEEP_MODELS = 3


def training_inputs(root: Path = ROOT) -> list[Path]:
    files = [root / "config.yml", root / "requirements.lock"]
    files += sorted((root / DOMAIN_DIR.name).glob("*.yml"))
    files += sorted((root / DATA_DIR.name).glob("**/*.yml"))
    for package in ("nlu", "language", "dialogue"):  # the project's own components and policies
        files += sorted((root / "bot" / package).glob("*.py"))
    return [f for f in files if f.exists()]


def fingerprint(root: Path = ROOT) -> str:
    digest = hashlib.sha256()
    for path in training_inputs(root):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def model_path(root: Path = ROOT) -> Path:
    return root / MODELS_DIR.name / f"assistant-{fingerprint(root)}.tar.gz"


def ensure_model(root: Path = ROOT) -> Path:
    """The model matching the current inputs, trained first if there is none."""
    target = model_path(root)
    if target.exists():
        print(f"Model up to date: {target.relative_to(root)}")
        return target
    print(f"Training {target.relative_to(root)} (the data, domain or config changed) ...", flush=True)
    command = [
        sys.executable, "-m", "rasa", "train",
        "--config", "config.yml", "--domain", "domain", "--data", "data",
        "--out", str(target.parent), "--fixed-model-name", target.name.removesuffix(".tar.gz"),
    ]
    subprocess.run(command, cwd=root, check=True)
    prune(target)
    return target


def prune(keep: Path) -> None:
    models = sorted(keep.parent.glob("assistant-*.tar.gz"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in models[KEEP_MODELS:]:
        if old != keep:
            old.unlink()
