"""Shared fixtures. Tests never read ../shared/: everything they need is in the repository."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def locales_copy(tmp_path: Path) -> Path:
    """A writable copy of locales/, for tests that break the content on purpose."""
    target = tmp_path / "locales"
    shutil.copytree(ROOT / "locales", target)
    return target
