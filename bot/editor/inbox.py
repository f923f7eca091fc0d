"""The unanswered-questions inbox: the messages the event consumer recorded (fallback, out of scope, low
confidence), grouped by language and normalised wording, with personal data masked; an editor marks a
group handled, dismisses it, or adds its wording as a training example of a topic.

Grouping key: the masked text, lower-cased, without accents and punctuation, words sorted (the way the
held-out check compares examples), so "Wie kündige ich?" and "wie kundige ich" are one group, and two
messages that differ only in a contract number or an e-mail address are too.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.editor.facts import EMAIL, URL
from bot.editor.nlu_data import add_examples, file_for_intent, held_out_texts, normalise, training_examples
from bot.events.tables import unanswered
from bot.paths import DATA_DIR

NUMBER = re.compile(r"\+?\d(?:[\d .()/-]*\d)?")
# A name is what follows a customer's introduction or sign-off, in the four languages: one to three
# capitalised words ("ich heiße Klaus Weber", "me llamo Ana", "numele meu este Ion Popescu", "groeten, Jan").
# German capitalises every noun, so "ich bin Kunde" loses "Kunde" too: privacy before wording.
_INTRO = (r"ich hei(?:ß|ss)e|mein name ist|mein name:|hier (?:ist|spricht)|ich bin|"
          r"mă numesc|ma numesc|numele meu (?:este|e)|sunt|"
          r"ik heet|mijn naam is|ik ben|met vriendelijke groet(?:en)?,?|groeten,?|"
          r"me llamo|mi nombre es|soy|saludos,?|un saludo,?|atentamente,?|"
          r"(?:mit )?freundlichen grüßen,?|viele grüße,?|grüße,?|gruß,?|cu stimă,?|cu stima,?|o zi bună,?")
_CAPITALISED = r"[A-ZÄÖÜÂÎȘŞȚŢĂÁÉÍÓÚÑÈÊË][\w'’-]+"
_PARTICLES = r"(?:(?:van|von|de|der|den|ten|ter|zu|del|la|da|dos)\s+)*"  # "Pieter de Vries", "Ana de la Fuente"
NAME = re.compile(rf"(?<!\w)((?i:{_INTRO})\s+)({_CAPITALISED}(?:\s+{_PARTICLES}{_CAPITALISED}){{0,2}})")
MASKS = ((EMAIL, "[e-mail]"), (URL, "[link]"), (NUMBER, "[number]"))
MAX_ROWS = 5000  # the newest open messages grouped per page view
MAX_EXAMPLE_CHARS = 200
STATUSES = ("handled", "dismissed", "added")


def mask(text: str) -> str:
    """The message with e-mail addresses, links, every number and the customer's name replaced, for the
    editor's eyes."""
    for pattern, replacement in MASKS:
        text = pattern.sub(replacement, text)
    return NAME.sub(lambda m: f"{m.group(1)}[name]", text)


def group_key(text: str) -> str:
    return normalise(mask(text))


@dataclass
class Group:
    id: str
    language: str
    key: str
    row_ids: list[int] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)  # masked, distinct
    last_seen: datetime | None = None
    intents: Counter[str] = field(default_factory=Counter)
    confidences: list[float] = field(default_factory=list)
    reasons: Counter[str] = field(default_factory=Counter)
    conversation: str = ""  # of the latest message: the transcript link

    @property
    def count(self) -> int:
        return len(self.row_ids)

    @property
    def intent(self) -> str:
        return self.intents.most_common(1)[0][0] if self.intents else "none"

    @property
    def confidence(self) -> float | None:
        return round(sum(self.confidences) / len(self.confidences), 2) if self.confidences else None


def group_id(language: str, key: str) -> str:
    return hashlib.sha256(f"{language}\n{key}".encode()).hexdigest()[:16]


def groups(db: Session, language: str | None = None) -> list[Group]:
    """Open messages grouped, the most frequent first (then the most recent)."""
    query = (sa.select(unanswered).where(unanswered.c.status == "open")
             .order_by(unanswered.c.asked_at.desc()).limit(MAX_ROWS))
    if language:
        query = query.where(unanswered.c.language == language)
    found: dict[str, Group] = {}
    for row in db.execute(query).mappings():
        lang = row["language"] or "?"
        key = group_key(row["text"])
        if not key:
            continue
        gid = group_id(lang, key)
        group = found.setdefault(gid, Group(gid, lang, key))
        group.row_ids.append(int(row["id"]))
        masked = mask(row["text"])
        if masked not in group.examples and len(group.examples) < 3:
            group.examples.append(masked)
        if group.last_seen is None:
            group.last_seen, group.conversation = row["asked_at"], row["conversation_id"]
        group.intents[row["intent"] or "none"] += 1
        if row["confidence"] is not None:
            group.confidences.append(float(row["confidence"]))
        group.reasons[row["reason"]] += 1
    return sorted(found.values(), key=lambda g: (-g.count, -(g.last_seen.timestamp() if g.last_seen else 0)))


def find(db: Session, gid: str, language: str | None) -> Group | None:
    return next((g for g in groups(db, language) if g.id == gid), None)


def resolve(db: Session, group: Group, status: str) -> int:
    """Marks the group's open messages; the number of messages marked."""
    if status not in STATUSES:
        raise ValueError(status)
    result = db.execute(unanswered.update().where(unanswered.c.id.in_(group.row_ids), unanswered.c.status == "open")
                        .values(status=status))
    return int(result.rowcount or 0)


def topics(language: str, data_dir: Path = DATA_DIR) -> list[str]:
    """The intents a message of this language can be taught as (FAQ topics first)."""
    names = {e.intent for e in training_examples(data_dir, language)}
    return sorted(names, key=lambda n: (not n.startswith("faq/"), n))


def example_problems(language: str, intent: str, text: str, data_dir: Path = DATA_DIR) -> list[str]:
    """Why this text cannot become a training example of the intent (empty: it can)."""
    if not text:
        return ["the example is empty"]
    if len(text) > MAX_EXAMPLE_CHARS:
        return [f"an example has at most {MAX_EXAMPLE_CHARS} characters"]
    if EMAIL.search(text) or NUMBER.search(text) or re.search(r"\[(e-mail|link|number)\]", text):
        return ["remove personal data (e-mail addresses, numbers, masked parts) from the example first"]
    if file_for_intent(intent, language, data_dir) is None:
        return [f"{intent} has no training examples in {language}"]
    key = normalise(text)
    same = [e for e in training_examples(data_dir, language) if normalise(e.text) == key]
    if same:
        return [f"already a training example of {same[0].intent}: \"{same[0].text}\""]
    if key in held_out_texts(language):
        return ["this is a held-out evaluation message: as a training example it would make the evaluation dishonest"]
    return []


def add_example(language: str, intent: str, text: str, data_dir: Path = DATA_DIR) -> list[str]:
    text = " ".join(text.split())
    problems = example_problems(language, intent, text, data_dir)
    if problems:
        return problems
    path = file_for_intent(intent, language, data_dir)
    assert path is not None
    add_examples(path, intent, [text])
    return []
