"""The training-data and facts checks of `content check`."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

from bot import content
from bot.editor.data_quality import (
    duplicates_across_topics,
    facts_differ_within_country,
    near_duplicates,
    too_few_examples,
)
from bot.editor.nlu_data import Example, add_examples
from bot.locales import load_locales

F = Path("x.yml")


def ex(intent: str, text: str, lang: str = "nl") -> Example:
    return Example(intent, text, lang, F)


def test_too_few_examples_per_language() -> None:
    examples = [ex("faq/a", f"vraag {i}") for i in range(3)] + [ex("faq/a", f"pregunta {i}", "es") for i in range(15)]
    findings = too_few_examples(examples, minimum=15)
    assert [(f.where, f.subject, f.severity) for f in findings] == [("nl", "faq/a", "warning")]
    assert "only 3" in findings[0].message


def test_same_example_under_two_topics() -> None:
    findings = duplicates_across_topics([
        ex("faq/contract_copy", "Kopie van mijn contract?"), ex("faq/view_contracts", "kopie van mijn contract"),
        ex("greet", "goede avond"), ex("goodbye", "avond goede"), ex("greet", "hallo", "de"), ex("thank", "hallo"),
    ])
    assert [(f.where, f.subject, f.severity) for f in findings] == [
        ("nl", "goodbye / greet", "warning"),  # same words, other order
        ("nl", "faq/contract_copy / faq/view_contracts", "error"),
    ]


def test_near_duplicates_across_topics_only() -> None:
    findings = near_duplicates([
        ex("faq/contract_copy", "hoe krijg ik een kopie van mijn IBM contract"),
        ex("faq/view_contracts", "hoe krijg ik een kopie van mijn contract"),
        ex("faq/contract_copy", "hoe krijg ik een kopie van het contract"),
        ex("faq/order_status", "waar is mijn bestelling van vorige week"),
    ])
    assert [f.subject for f in findings] == ["faq/contract_copy / faq/view_contracts"]
    assert "89%" in findings[0].message


def test_facts_that_differ_between_locales_of_one_country(locales_copy: Path) -> None:
    locales = load_locales(locales_copy)
    french = dataclasses.replace(locales["nl-BE"], code="fr-BE", language="fr",
                                 facts={**locales["nl-BE"].facts, "support_phone": "+32 2 339 99 99"})
    findings = facts_differ_within_country([*locales.values(), french])
    assert [(f.where, f.subject) for f in findings] == [("BE", "support_phone")]
    assert "+32 2 339 99 99" in findings[0].message


def test_content_check_fails_on_a_copied_example(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    for name in ("locales", "data", "domain", "actions"):
        shutil.copytree(root / name, tmp_path / name)
    add_examples(tmp_path / "data" / "nlu" / "nl" / "faq.yml", "faq/view_contracts", ["ik wil een kopie van mijn contract"])
    errors = [str(p) for p in content.errors_only(content.check(tmp_path / "locales", tmp_path))]
    assert len(errors) == 1 and "faq/contract_copy / faq/view_contracts" in errors[0]
