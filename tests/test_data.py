"""The evaluation data really is held out, and the training data has what the README promises."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
import yaml

from bot import SUPPORTED_LANGUAGES

ROOT = Path(__file__).resolve().parent.parent
INTENTS = 29  # 15 faq/* topics + 14 other intents (docs/intents.md)


def normalise(text: str) -> str:
    """Case, accents, punctuation and word order folded: a reordered training example is no held-out message."""
    text = unicodedata.normalize("NFD", text.lower())
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    return " ".join(sorted(re.sub(r"[^\w\s]+", " ", text).split()))


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


OPEN_SET = ROOT / "tests" / "data" / "open_set"
# issue 7: per language, TEST >= 200 unrelated / 80 near-domain (a margin above); DEV is for tuning thresholds only.
OPEN_SET_MINIMUM = {"test": {"unrelated": 210, "near_domain": 85}, "dev": {"unrelated": 70, "near_domain": 35}}


def open_set_path(split: str, language: str) -> Path:
    return OPEN_SET / f"{language}.yml" if split == "test" else OPEN_SET / split / f"{language}.yml"


def open_set(split: str, language: str) -> dict[str, list[str]]:
    data = yaml.safe_load(open_set_path(split, language).read_text(encoding="utf-8"))
    assert data["language"] == language
    return {kind: data[kind] for kind in OPEN_SET_MINIMUM[split]}


def lines(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@cache
def evaluation_messages() -> dict[str, list[str]]:
    """Every message any evaluation scores, by file: none of them may be a training example."""
    data = ROOT / "tests" / "data"
    out = {str(p.relative_to(ROOT)): [text for _, text, _ in examples(p)]
           for folder in ("nlu", "nlu_dev", "nlu_dev2") for p in sorted((data / folder).glob("*.yml"))}
    out.update({str(p.relative_to(ROOT)): lines(p) for p in sorted((data / "language").glob("*.txt"))})
    unrelated = yaml.safe_load((data / "unrelated.yml").read_text(encoding="utf-8"))["messages"]
    out["tests/data/unrelated.yml"] = [m["text"] for m in unrelated]
    # bench/conversations.py and tests/test_server.py score the replies to these turns.
    # ... and bench/typed_conversations.py and tests/test_typed_conversations.py these.
    for p in sorted((data / "conversations").glob("*.yml")) + sorted((data / "typed_conversations").glob("*.yml")):
        conversations = yaml.safe_load(p.read_text(encoding="utf-8"))["conversations"]
        out[str(p.relative_to(ROOT))] = [turn["text"] for c in conversations for turn in c["turns"]]
    for split in OPEN_SET_MINIMUM:
        for language in SUPPORTED_LANGUAGES:
            out[str(open_set_path(split, language).relative_to(ROOT))] = [
                text for texts in open_set(split, language).values() for text in texts]
    return out


def test_normalise_folds_case_accents_punctuation_and_word_order() -> None:
    assert normalise("Wie spät ist es?") == normalise("es ist  wie SPAT")
    assert normalise("Bună ziua!") == normalise("ziua, buna")
    assert normalise("copia del contrato") != normalise("copia del contrato firmado")


def test_leak_check_covers_every_evaluation_file() -> None:
    checked = set(evaluation_messages())
    data = ROOT / "tests" / "data"
    # tests/data/pages/ holds FAQ pages for the content-import tests, not evaluation messages
    present = {str(p.relative_to(ROOT)) for p in data.rglob("*")
               if p.suffix in (".yml", ".txt") and p.parent != data / "pages"}
    assert present == checked
    # per language: nlu TEST + DEV + DEV2, short + long language set, conversations, typed conversations,
    # open-set TEST + DEV; plus unrelated.yml
    assert len(checked) == len(SUPPORTED_LANGUAGES) * 9 + 1


@pytest.mark.parametrize("path", sorted(evaluation_messages()))
def test_no_evaluation_message_is_a_training_example(path: str) -> None:
    messages = evaluation_messages()[path]
    assert messages
    assert [text for text in messages if normalise(text) in TRAINING_TEXTS] == []


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_held_out_file_covers_every_intent(language: str) -> None:
    held_out = examples(ROOT / "tests" / "data" / "nlu" / f"{language}.yml")
    assert len({intent for intent, _, _ in held_out}) == INTENTS


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_in_scope_development_set_covers_every_intent_apart_from_the_test_set(language: str) -> None:
    """tests/data/nlu_dev/ is the set looked at to decide what training data to write: every intent, ten
    messages each, none of them a held-out TEST message (after normalising)."""
    dev = examples(ROOT / "tests" / "data" / "nlu_dev" / f"{language}.yml")
    test = {normalise(text) for _, text, _ in examples(ROOT / "tests" / "data" / "nlu" / f"{language}.yml")}
    assert len({intent for intent, _, _ in dev}) == INTENTS
    assert len(dev) >= 10 * INTENTS
    assert [text for _, text, _ in dev if normalise(text) in test] == []


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_second_development_set_is_apart_from_the_other_in_scope_sets(language: str) -> None:
    """tests/data/nlu_dev2/ chooses classifier changes (bench.nlu --split dev2) and no training data is written
    from it: every intent, 180 messages or more, none of them a TEST or first-DEV message (short greetings and
    yes/no answers that happened to equal a training, TEST or DEV message were dropped when it was written)."""
    dev2 = examples(ROOT / "tests" / "data" / "nlu_dev2" / f"{language}.yml")
    others = {normalise(text) for folder in ("nlu", "nlu_dev")
              for _, text, _ in examples(ROOT / "tests" / "data" / folder / f"{language}.yml")}
    assert len({intent for intent, _, _ in dev2}) == INTENTS
    assert len(dev2) >= 180
    assert [text for _, text, _ in dev2 if normalise(text) in others] == []


@pytest.mark.parametrize("split", sorted(OPEN_SET_MINIMUM))
@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_open_set_has_the_required_messages(split: str, language: str) -> None:
    for kind, texts in open_set(split, language).items():
        assert all(isinstance(text, str) and text.strip() for text in texts)
        assert len(texts) >= OPEN_SET_MINIMUM[split][kind], (kind, len(texts))


def test_open_set_messages_are_unique_within_and_across_splits() -> None:
    """No message twice in one file, in two files, or in both the TEST and the DEV split (any language)."""
    seen: Counter[str] = Counter(
        normalise(text) for split in OPEN_SET_MINIMUM for language in SUPPORTED_LANGUAGES
        for texts in open_set(split, language).values() for text in texts)
    assert [text for text, n in seen.items() if n > 1] == []


def test_open_set_is_not_another_evaluation_message() -> None:
    open_files = {str(open_set_path(s, lang).relative_to(ROOT)) for s in OPEN_SET_MINIMUM for lang in SUPPORTED_LANGUAGES}
    everything = evaluation_messages()
    others = {normalise(t) for path, texts in everything.items() if path not in open_files for t in texts}
    assert [t for path in sorted(open_files) for t in everything[path] if normalise(t) in others] == []


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_short_language_set_has_60_messages_of_at_most_3_words(language: str) -> None:
    short = lines(ROOT / "tests" / "data" / "language" / f"short_{language}.txt")
    assert len(short) >= 60
    assert all(len(line.split()) <= 3 for line in short)
