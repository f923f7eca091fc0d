"""Test stories of every language pass `rasa test core --fail-on-prediction-errors`.

They test the dialogue (rules, forms, digressions) with the labelled intents of each turn; NLU quality is
measured on held-out data (bench/nlu.py) and the whole stack end to end in tests/test_server.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.local_servers import MODEL
from tests.make_test_stories import stories_for

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("de", "ro", "nl", "es")


@pytest.mark.parametrize("language", LANGUAGES)
def test_generated_stories_are_up_to_date(language: str) -> None:
    committed = yaml.safe_load((ROOT / "tests" / "stories" / f"test_{language}.yml").read_text(encoding="utf-8"))
    assert committed == stories_for(language), "run: python tests/make_test_stories.py"


@pytest.mark.skipif(not MODEL.exists(), reason="no trained model: run `make model` first")
def test_stories_pass_without_prediction_errors(tmp_path: Path) -> None:
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "bot.rasa_entry", "test", "core", "--model", str(MODEL), "--stories", "tests/stories",
         "--endpoints", "tests/endpoints.test.yml", "--out", str(tmp_path), "--fail-on-prediction-errors"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900,
    )
    failed = tmp_path / "failed_test_stories.yml"
    details = failed.read_text(encoding="utf-8")[:4000] if failed.exists() else result.stdout[-3000:]
    assert result.returncode == 0, details
