"""`content import`: what an updated FAQ page changes, computed without changing anything.

Questions are mapped to topics by the trained model; facts are compared with the locale's `locale.yml`;
topics the page no longer has are found against `page_topics:` in `locale.yml`, recorded by the last
applied import.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from bot.content import FACT_PLACEHOLDER
from bot.editor import facts as fact_diff
from bot.editor.nlu_data import file_for_intent, held_out_texts, normalise, training_examples
from bot.editor.page import Page, parse
from bot.lifecycle.parsing import Prediction
from bot.locales import Locale, load_locales
from bot.paths import DATA_DIR, LOCALES_DIR

THRESHOLD = 0.6  # below it a question is "new": no topic is sure enough
NO_TOPIC = ("out_of_scope", "nlu_fallback")  # the model says the question is about nothing the assistant answers
Classifier = Callable[[Sequence[str]], Sequence[Prediction]]


@dataclass
class Question:
    id: str
    text: str
    label: str | None  # faq/<topic> or another intent; None without a model
    confidence: float
    answered: bool  # the page gives an answer under it
    add: bool = False  # proposed as a training example of `label`
    note: str = ""
    file: Path | None = None

    @property
    def is_new(self) -> bool:
        return self.label is None or self.confidence < THRESHOLD or self.label in NO_TOPIC


@dataclass
class ImportReport:
    locale: str
    language: str
    questions: list[Question]
    facts: fact_diff.FactsDiff
    topics_on_page: list[str]
    topics_gone: list[str] | None  # None: no earlier import recorded the page's topics
    model: Path | None
    ignored_after: int | None = None
    warnings: list[str] = field(default_factory=list)


def topic_facts(locale: Locale) -> dict[str, set[str]]:
    """The facts each FAQ topic's answer uses, e.g. faq/terminate_software_license -> {license_notice_days}."""
    used: dict[str, set[str]] = {}
    for name, entry in locale.responses.items():
        if name.startswith("utter_faq/"):
            text = str(entry.get("text") if isinstance(entry, dict) else entry)
            used[name.removeprefix("utter_")] = {f.split(".")[0] for f in FACT_PLACEHOLDER.findall(text)}
    return used


def _occurrences(page: Page) -> list[fact_diff.Occurrence]:
    if not page.entries:  # a page without questions (the German purchase page): every paragraph counts
        return fact_diff.extract(page.text)
    found: list[fact_diff.Occurrence] = []
    for entry in page.entries:
        for paragraph in entry.paragraphs:
            found += fact_diff.extract(paragraph, entry.question)
    return found


def analyse(
    page_text: str, locale_code: str, classify: Classifier | None, model: Path | None = None,
    locales_dir: Path = LOCALES_DIR, data_dir: Path = DATA_DIR, held_out_dir: Path | None = None,
) -> ImportReport:
    locales = load_locales(locales_dir)
    if locale_code not in locales:
        raise KeyError(f"unknown locale {locale_code}; known: {', '.join(sorted(locales))}")
    locale = locales[locale_code]
    page = parse(page_text)
    predictions = list(classify([e.question for e in page.entries])) if classify and page.entries else []
    known: dict[str, set[str]] = {}
    for example in training_examples(data_dir, locale.language):
        known.setdefault(normalise(example.text), set()).add(example.intent)
    held_out = held_out_texts(locale.language) if held_out_dir is None else held_out_texts(locale.language, held_out_dir)
    questions: list[Question] = []
    for number, entry in enumerate(page.entries, start=1):
        prediction = predictions[number - 1] if predictions else None
        question = Question(f"Q{number}", entry.question, prediction.label if prediction else None,
                            prediction.confidence if prediction else 0.0, bool(entry.paragraphs))
        if not entry.paragraphs:
            question.note = "the page gives no answer under this question"
        if question.label and not question.is_new:
            key = normalise(entry.question)
            question.file = file_for_intent(question.label, locale.language, data_dir)
            if question.label in known.get(key, set()):
                question.note = "already a training example"
            elif key in known:
                others = ", ".join(sorted(known[key]))
                question.note = f"already a training example of {others}: the model disagrees, check the data"
            elif key in held_out:
                question.note = "equals a held-out evaluation message: not added (it would leak)"
            elif question.file is None:
                question.note = f"no file in data/nlu/{locale.language}/ has {question.label}"
            else:
                question.add = True
        questions.append(question)
    on_page = sorted({q.label for q in questions if q.label and not q.is_new})
    recorded = locale_page_topics(locales_dir / locale_code / "locale.yml")
    gone = sorted(set(recorded) - set(on_page)) if recorded is not None and classify else None
    question_topics = {q.text: q.label for q in questions if q.label and not q.is_new}
    diff = fact_diff.compare(locale.facts, _occurrences(page), topic_facts(locale), question_topics)
    for number, change in enumerate(diff.changes, start=1):
        change.id = f"F{number}"
    report = ImportReport(locale_code, locale.language, questions, diff, on_page, gone, model, page.ignored_after)
    if classify is None:
        report.warnings.append("no trained model: questions are not mapped to topics (`python -m bot model train`)")
    return report


def locale_page_topics(path: Path) -> list[str] | None:
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    topics = data.get("page_topics")
    return list(topics) if isinstance(topics, list) else None


def render(report: ImportReport) -> str:
    """The review an editor reads: every proposed change with an id to accept or skip."""
    out = [f"Import for {report.locale} (model: {report.model.name if report.model else 'none'})", ""]
    out += [f"! {w}" for w in report.warnings]
    out.append("Questions on the page:")
    for q in report.questions:
        where = f"{q.label} ({q.confidence:.2f})" if q.label else "?"
        status = f"NEW: no topic above {THRESHOLD:.2f}" if q.is_new and q.label else ("matched" if q.label else "")
        out.append(f"  {q.id} {q.text}")
        out.append(f"      -> {where} {status}".rstrip())
        if q.note:
            out.append(f"      {q.note}")
    if report.ignored_after:
        out.append(f"  (navigation from line {report.ignored_after} on was ignored)")
    out.append("")
    if report.topics_gone is None:
        out.append("Topics no longer on the page: unknown (no earlier import recorded the page's topics; --apply does)")
    else:
        out.append("Topics no longer on the page: " + (", ".join(report.topics_gone) or "none"))
    out.append("")
    out.append("Facts that differ from locale.yml:")
    if not report.facts.changes:
        out.append("  none")
    for change in report.facts.changes:
        out.append(f"  {change.id} {change.key or '(which fact?)'} [{change.kind}]: {change.old!r} -> {change.new!r}")
        out.append(f"      from: \"{change.sentence}\"")
        if change.note:
            out.append(f"      {change.note}")
    if report.facts.not_on_page:
        out.append("  not stated on the page (kept): " + ", ".join(sorted(report.facts.not_on_page)))
    out.append("")
    additions = [q for q in report.questions if q.add]
    out.append("Training examples to add:")
    out += [f"  {q.id} {q.label} <- \"{q.text}\" ({q.file.name if q.file else '?'})" for q in additions] or ["  none"]
    return "\n".join(out)
