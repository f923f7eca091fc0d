"""The evaluation data really is held out, and the training data has what the README promises."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
import yaml

from bot import SUPPORTED_LANGUAGES

ROOT = Path(__file__).resolve().parent.parent
INTENTS = 29  # 15 faq/* topics + 14 other intents (docs/intents.md)


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFD", text.lower())
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    return re.sub(r"[^\w ]+", "", text).strip()


def examples(path: Path) -> list[tuple[str, str, str | None]]:
    """(intent, text, language metadata) of every example in an NLU file."""
    out = []
    for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
        language = (block.get("metadata") or {}).get("language")
        for line in block["examples"].splitlines():
            if line.strip().startswith("- "):
                out.append((block["intent"], line.strip()[2:].strip(), language))
    return out


TRAINING = [e for p in sorted((ROOT / "data" / "nlu").glob("*/*.yml")) for e in examples(p)]
TRAINING_TEXTS = {normalise(text) for _, text, _ in TRAINING}


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_every_intent_has_at_least_15_examples_per_language(language: str) -> None:
    counts = Counter(intent for intent, _, lang in TRAINING if lang == language)
    assert len(counts) == INTENTS
    assert min(counts.values()) >= 15


def test_every_training_example_carries_its_language() -> None:
    assert {lang for _, _, lang in TRAINING} == set(SUPPORTED_LANGUAGES)


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_held_out_file_is_not_in_training(language: str) -> None:
    held_out = examples(ROOT / "tests" / "data" / "nlu" / f"{language}.yml")
    assert len({intent for intent, _, _ in held_out}) == INTENTS
    assert [text for _, text, _ in held_out if normalise(text) in TRAINING_TEXTS] == []


def test_unrelated_messages_are_not_in_training() -> None:
    messages = yaml.safe_load((ROOT / "tests" / "data" / "unrelated.yml").read_text(encoding="utf-8"))["messages"]
    assert [m["text"] for m in messages if normalise(m["text"]) in TRAINING_TEXTS] == []


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_short_language_set_has_60_messages_of_at_most_3_words(language: str) -> None:
    lines = [line for line in (ROOT / "tests" / "data" / "language" / f"short_{language}.txt")
             .read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(lines) >= 60
    assert all(len(line.split()) <= 3 for line in lines)
