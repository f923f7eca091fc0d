"""Concurrent customers against a running deployment (the HAProxy front of `python -m bot run --production`,
or one Rasa server): FAQ turns in four languages mixed with service requests, for a fixed time.

Each simulated customer resends its message (same `metadata.message_id`, so a turn already processed is
answered again rather than processed twice) when it got no answer or the technical-problem answer; a
request is counted as filed when the reply showed its reference. Afterwards the database is searched for
every request's unique marker: lost = a reference shown but no row, duplicated = more than one row.
Used by bench/topology.py (long runs) and tests/production/ (short windows).
"""

from __future__ import annotations

import asyncio
import json
import random
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import sqlalchemy as sa

from bench.common import summary_ms
from bench.nlu import held_out
from tests.reply_language import reply_locales, reply_responses

LANGUAGES = {"de": ("DE",), "ro": ("RO",), "nl": ("BE", "NL"), "es": ("ES",)}
REQUEST_START = {
    "de": ("Bitte erstellen Sie eine Serviceanfrage für mich", "Ja"),
    "ro": ("Va rog sa deschideti o cerere de service pentru mine", "Da, trimiteti"),
    "nl": ("Kunt u een serviceaanvraag voor mij aanmaken?", "Ja, graag"),
    "es": ("Por favor, abra una solicitud de servicio para mí", "Sí, envíela"),
}
# (message, the response the form must answer with): the form's state is checked at every step
FORM_STEPS = [
    ('/inform{"request_type":"contract_copy"}', "utter_ask_contract_number"),
    ("CT-20261234", "utter_ask_company"),
    ("{company}", "utter_ask_contact_name"),
    ("Alex Doe", "utter_ask_email"),
    ("{email}", "utter_ask_details"),
    ("{details}", "utter_request_summary"),
]
TECHNICAL = "utter_technical_problem"
RESENDS = 4  # after 1, 2, 4 and 8 s


@dataclass
class LoadResult:
    started: float = field(default_factory=time.monotonic)
    duration_s: float = 0.0
    latencies: list[float] = field(default_factory=list)
    unanswered: int = 0  # a customer message that got no reply at all (HTTP error, timeout, empty list)
    technical: int = 0  # replies with the technical-problem answer (the customer resends once)
    wrong_language: int = 0
    form_broken: int = 0  # the form answered something else than its next step
    requests: dict[str, str] = field(default_factory=dict)  # marker -> reference shown ("" when not filed)
    errors: Counter[str] = field(default_factory=Counter)
    form_failures: list[str] = field(default_factory=list)  # what a broken form answered instead
    wrong_language_samples: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        filed = sum(1 for ref in self.requests.values() if ref)
        return {"duration_s": round(self.duration_s, 1), "turns": len(self.latencies),
                "turns_per_s": round(len(self.latencies) / self.duration_s, 2) if self.duration_s else 0.0,
                "latency": summary_ms(self.latencies), "unanswered": self.unanswered,
                "technical_problem_replies": self.technical, "wrong_language_replies": self.wrong_language,
                "form_broken": self.form_broken, "requests_started": len(self.requests),
                "requests_filed": filed, "errors": dict(self.errors), "form_failures": self.form_failures[:20],
                "wrong_language_samples": self.wrong_language_samples[:20]}


class Customer:
    def __init__(self, http: aiohttp.ClientSession, base_url: str, language: str, country: str,
                 result: LoadResult, run_id: str = "load") -> None:
        self.http, self.base_url, self.language, self.country = http, base_url, language, country
        self.result = result
        self.conversation = f"{run_id}-{uuid.uuid4().hex[:12]}"

    async def say(self, text: str) -> list[dict[str, Any]]:
        """One customer message, resent (same message id) after no answer or the technical-problem answer,
        up to RESENDS times with growing pauses (15 s in all), as a patient customer would."""
        message_id = uuid.uuid4().hex
        replies: list[dict[str, Any]] = []
        for attempt in range(RESENDS + 1):
            if attempt:
                await asyncio.sleep(2 ** (attempt - 1))
            replies = await self._post(text, message_id)
            texts = [r.get("text", "") for r in replies]
            if texts and not any(TECHNICAL in reply_responses(t) for t in texts):
                wrong = [t for t in texts if t and not self._in_language(t)]
                self.result.wrong_language += len(wrong)
                self.result.wrong_language_samples += [f"{self.language}: {text!r} -> {t[:120]!r}" for t in wrong]
                return replies
            if texts:
                self.result.technical += 1
        if not replies:
            self.result.unanswered += 1
        return replies

    def _in_language(self, text: str) -> bool:
        """The reply, or the locale note the NLG puts before a fallback answer (bot.locale_note), is in the
        customer's language."""
        parts = [text, *text.split("\n\n", 1)]
        return any(code.startswith(self.language) for part in parts for code in reply_locales(part))

    async def _post(self, text: str, message_id: str) -> list[dict[str, Any]]:
        body = {"sender": self.conversation, "message": text,
                "metadata": {"language": self.language, "country": self.country, "message_id": message_id}}
        start = time.perf_counter()
        try:
            async with self.http.post(f"{self.base_url}/webhooks/rest/webhook", json=body) as response:
                payload = await response.read()
                if response.status != 200:
                    self.result.errors[f"HTTP {response.status}"] += 1
                    return []
                replies = json.loads(payload) if payload else []
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            self.result.errors[type(exc).__name__] += 1
            return []
        self.result.latencies.append(time.perf_counter() - start)
        return list(replies or [])

    async def ask_faqs(self, questions: list[str], count: int, rng: random.Random) -> None:
        for _ in range(count):
            await self.say(rng.choice(questions))

    async def file_request(self, marker: str) -> None:
        self.result.requests[marker] = ""
        start, confirm = REQUEST_START[self.language]
        replies = await self.say(start)
        if not self._as_expected(start, replies, "utter_ask_request_type"):
            return
        values = {"company": f"Load Company {marker[-6:]}", "email": f"{marker}@example.com",
                  "details": f"Signed copy please, reference {marker}."}
        for message, expected in FORM_STEPS:
            text = values.get(message.strip("{}"), message)
            if not self._as_expected(text, await self.say(text), expected):
                return
        replies = await self.say(confirm)
        text = " ".join(r.get("text", "") for r in replies)
        if "REQ-" in text:
            self.result.requests[marker] = "REQ-" + text.split("REQ-", 1)[1][:11]

    def _as_expected(self, text: str, replies: list[dict[str, Any]], expected: str) -> bool:
        got = [sorted(reply_responses(r.get("text", ""))) or [r.get("text", "")[:60]] for r in replies]
        if replies and expected in reply_responses(replies[-1].get("text", "")):
            return True
        self.result.form_broken += 1
        self.result.form_failures.append(f"{self.conversation} {text!r}: expected {expected}, got {got}")
        return False


def faq_questions() -> dict[str, list[str]]:
    return {lang: [text for text, intent in held_out(lang) if intent.startswith("faq/")] for lang in LANGUAGES}


async def run_load(base_url: str, conversations: int, duration_s: float, run_id: str,
                   request_share: float = 0.25, seed: int = 7) -> LoadResult:
    """`conversations` customers in parallel until `duration_s` has passed (sessions already begun finish)."""
    result = LoadResult()
    questions = faq_questions()
    deadline = time.monotonic() + duration_s
    timeout = aiohttp.ClientTimeout(total=60)

    async def customer(index: int) -> None:
        rng = random.Random(seed * 1000 + index)
        language = list(LANGUAGES)[index % len(LANGUAGES)]
        serial = 0
        while time.monotonic() < deadline:
            country = rng.choice(LANGUAGES[language])
            person = Customer(http, base_url, language, country, result, run_id)
            if rng.random() < request_share:
                serial += 1
                await person.file_request(f"{run_id}-{index:03d}-{serial:03d}")
            else:
                await person.ask_faqs(questions[language], 3, rng)

    async with aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(limit=0)) as http:
        await asyncio.gather(*(customer(i) for i in range(conversations)))
    result.duration_s = time.monotonic() - result.started
    return result


def audit_requests(result: LoadResult, database_url: str) -> dict[str, int]:
    """Requests as the database has them, against what the customers were told."""
    engine = sa.create_engine(database_url, future=True)
    try:
        with engine.connect() as connection:
            rows = connection.execute(sa.text(
                "SELECT email, reference FROM service_requests WHERE email LIKE :pattern"),
                {"pattern": f"{next(iter(result.requests), 'none').rsplit('-', 2)[0]}-%"}).all()
    finally:
        engine.dispose()
    stored: Counter[str] = Counter(row.email.split("@")[0] for row in rows)
    references = {row.email.split("@")[0]: row.reference for row in rows}
    told = {m: ref for m, ref in result.requests.items() if ref}
    return {
        "filed_and_confirmed": len(told),
        "lost": sum(1 for m in told if stored[m] == 0),
        "duplicated": sum(1 for count in stored.values() if count > 1),
        "reference_mismatch": sum(1 for m, ref in told.items() if stored[m] and references[m] != ref),
        "stored_but_not_confirmed": sum(1 for m in stored if m not in told),
    }
