"""Debian's Chromium for the browser tests: its path, flags and the polling helper (never a downloaded browser)."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parent.parent / "var" / "screenshots"
# Flags from the machine notes: no background traffic, no first-run work, headless as root.
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
needs_chromium = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                    reason="Debian's chromium is not installed (make test installs it)")


def wait_until(page, expression: str, timeout_s: float = 30) -> None:  # type: ignore[no-untyped-def]
    """Polls with evaluate(): the page's CSP forbids the string eval behind wait_for_function."""
    deadline = time.monotonic() + timeout_s
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise TimeoutError(expression)
        page.wait_for_timeout(100)
