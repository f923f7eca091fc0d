"""Plays a typed conversation (tests/data/typed_conversations/<lang>.yml) over REST and judges it: whether
the task was completed, which slots ever held a question, which replies gave another country's facts.
Used by the end-to-end tests and by bench/typed_conversations.py."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.local_servers import TOKEN, Servers, http
from tests.reply_language import reply_locales, reply_responses

DATA = Path(__file__).parent / "data" / "typed_conversations"
FORM_SLOTS = ("request_type", "contract_number", "company", "contact_name", "email", "details", "quote_number",
              "customer_number")
# Turns that are not an answer to the form's question: their text must never end up in a slot.
NOT_ANSWERS = {"question", "follow_up"}


def load(language: str) -> list[dict[str, Any]]:
    return list(yaml.safe_load((DATA / f"{language}.yml").read_text(encoding="utf-8"))["conversations"])


@dataclass
class Outcome:
    name: str
    turns: int
    completed: bool = True
    failures: list[str] = field(default_factory=list)
    polluted_slots: list[str] = field(default_factory=list)
    wrong_country: list[str] = field(default_factory=list)
    transcript: list[tuple[str, list[str]]] = field(default_factory=list)

    def fail(self, message: str) -> None:
        self.completed = False
        self.failures.append(message)


def slots(servers: Servers, sender: str) -> dict[str, Any]:
    status, tracker = http("GET", f"{servers.rasa}/conversations/{sender}/tracker?token={TOKEN}")
    return dict(tracker.get("slots") or {}) if status == 200 else {}


def stored_request(servers: Servers, sender: str) -> Any:
    from sqlalchemy import select

    from bot.db.engine import session_scope
    from bot.db.models import ServiceRequest

    with session_scope(servers.settings.database_url) as session:
        rows = session.execute(select(ServiceRequest).where(ServiceRequest.conversation_id == sender)).scalars().all()
        return [{"request_type": r.request_type, "contract_number": r.contract_number, "company": r.company,
                 "email": r.email, "contact_name": r.contact_name, "details": r.details} for r in rows]


def play(servers: Servers, language: str, conversation: dict[str, Any]) -> Outcome:
    sender = f"typed-{uuid.uuid4().hex[:10]}"
    country = conversation["country"]
    metadata = {"language": language, "country": country}
    outcome = Outcome(conversation["name"], len(conversation["turns"]))
    for turn in conversation["turns"]:
        replies = [r.get("text", "") for r in servers.say(sender, turn["text"], metadata)]
        outcome.transcript.append((turn["text"], replies))
        names = set().union(*(reply_responses(r) for r in replies)) if replies else set()
        # "a|b": either answer is right (a colleague's availability depends on the hour).
        if turn.get("expect") and not set(str(turn["expect"]).split("|")) & set(names):
            outcome.fail(f"{turn['text']!r}: expected {turn['expect']}, got {sorted(names) or replies}")
        expected_locale = f"{language}-{turn.get('facts', country)}"
        for reply in replies:
            locales = reply_locales(reply)
            if locales and expected_locale not in locales:
                outcome.wrong_country.append(f"{turn['text']!r} -> {sorted(locales)}: {reply[:80]}")
        if turn["kind"] in NOT_ANSWERS:
            current = slots(servers, sender)
            for slot in FORM_SLOTS:
                if current.get(slot) and str(current[slot]).strip() == turn["text"].strip():
                    outcome.polluted_slots.append(f"{slot} = {turn['text']!r}")
    wanted = conversation.get("request")
    if wanted:
        rows = stored_request(servers, sender)
        if len(rows) != 1 or any(rows[0][k] != v for k, v in wanted.items()):
            outcome.fail(f"stored {rows}, wanted {wanted}")
        questions = {t["text"] for t in conversation["turns"] if t["kind"] in NOT_ANSWERS}
        outcome.polluted_slots += [f"stored {k} = {v!r}" for row in rows for k, v in row.items() if v in questions]
    if outcome.polluted_slots or outcome.wrong_country:
        outcome.completed = False
    return outcome
