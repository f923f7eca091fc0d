"""Where trained models are and which one a command means when none is named."""

from __future__ import annotations

from pathlib import Path

from bot.model import model_path
from bot.paths import MODELS_DIR


def trained_models(models_dir: Path = MODELS_DIR) -> list[Path]:
    """Every model archive, newest first."""
    return sorted(models_dir.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime, reverse=True)


def default_model(models_dir: Path = MODELS_DIR) -> Path | None:
    """The model matching the working tree, else the newest one."""
    current = model_path()
    if current.exists():
        return current
    models = trained_models(models_dir)
    return models[0] if models else None
