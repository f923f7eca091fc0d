"""Reply suggestions for the agent: for the customer's last message, the assistant's top FAQ answers (the
ResponseSelector's ranking from Rasa's /model/parse) already rendered in the customer's locale with their
country's facts (bot.render), plus the locale's canned replies (labels.yml `agent_replies`)."""

from __future__ import annotations

import logging
from typing import Any

from bot.handoff.rasa_api import RasaApi
from bot.lifecycle.parsing import response_selection
from bot.locales import Locale, resolve_locale
from bot.render import render

logger = logging.getLogger(__name__)
TOP = 3
CANNED_LABELS = {"greeting": "Greeting", "checking": "Checking", "contract_number": "Ask for the number",
                 "anything_else": "Anything else?", "goodbye": "Goodbye"}


def faq_answers(parsed: dict[str, Any], locale: Locale, top: int = TOP) -> list[dict[str, Any]]:
    """The top FAQ answers of a parse result, rendered for the locale; topics the locale lacks are skipped."""
    selector = response_selection(parsed)
    answers = []
    for candidate in selector.get("ranking") or []:
        key = str(candidate.get("intent_response_key") or "")
        name = f"utter_{key}"
        if not key or name not in locale.responses:
            continue
        answers.append({"label": f"{key.split('/', 1)[-1]} · {round(float(candidate.get('confidence') or 0) * 100)} %",
                        "topic": key, "confidence": candidate.get("confidence"),
                        "text": render(locale, name).text})
        if len(answers) == top:
            break
    return answers


def canned(locale: Locale) -> list[dict[str, str]]:
    replies = locale.labels.get("agent_replies") or {}
    return [{"key": str(key), "label": CANNED_LABELS.get(key, key), "text": str(text)} for key, text in replies.items()]


async def for_message(text: str | None, language: str, country: str, api: RasaApi | None = None) -> dict[str, Any]:
    locale = resolve_locale(language, country)
    result: dict[str, Any] = {"locale": locale.code, "faq": [], "canned": canned(locale)}
    if text:
        try:
            result["faq"] = faq_answers(await (api or RasaApi.from_env()).parse(text), locale)
        except Exception as error:  # noqa: BLE001 - canned replies still help; say what is missing
            logger.warning("No FAQ suggestions: %s", error)
            result["warning"] = "FAQ suggestions are unavailable (the assistant is down?)."
    return result
