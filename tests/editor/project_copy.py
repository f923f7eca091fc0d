"""A copy of the project to run servers from, so editor tests can change content, data and models
without touching the working tree (bot.paths resolves everything from the code's own location)."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIP = shutil.ignore_patterns(".git", ".venv", "models", "var", "node_modules", "__pycache__", "wip", "*.pyc",
                              ".pytest_cache", ".mypy_cache", ".ruff_cache")


def copy_project(dest: Path) -> Path:
    shutil.copytree(ROOT, dest, ignore=SKIP, symlinks=True)
    modules = ROOT / "web" / "node_modules"
    if modules.exists():
        (dest / "web" / "node_modules").symlink_to(modules.resolve())
    (dest / "models").mkdir(exist_ok=True)
    return dest
