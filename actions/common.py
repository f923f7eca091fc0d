"""Helpers every action uses: the conversation's locale and its labels."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.locale_note import note_due, note_text, with_note
from bot.locales import Locale, resolve_locale
from bot.render import render


def conversation_locale(tracker: Tracker) -> Locale:
    """The locale of the conversation: slots first, then what NLU identified for this message."""
    language = tracker.get_slot("language") or tracker.latest_message.get("language")
    return resolve_locale(language, tracker.get_slot("country"))


def label(locale: Locale, group: str, key: str, default: str | None = None) -> str:
    value = (locale.labels.get(group) or {}).get(key)
    if isinstance(value, dict):
        value = value.get("title")
    return str(value) if value else (default if default is not None else key)


def topic_button(locale: Locale, topic: str) -> Dict[str, Any] | None:
    """A button that asks the topic's question in the conversation's language (it goes through NLU)."""
    entry = (locale.labels.get("topics") or {}).get(topic)
    if not isinstance(entry, dict):
        return None
    return {"title": entry["title"], "payload": entry["question"]}


def latest_user_text(tracker: Tracker) -> str:
    return str(tracker.latest_message.get("text") or "")


def say(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    response: str,
    extra_buttons: List[Dict[str, Any]] | None = None,
    locale: Locale | None = None,
    metadata: Dict[str, Any] | None = None,
    **values: Any,
) -> None:
    """Sends a catalogued response in the conversation's locale (or the given one: "and for Belgium?").
    `metadata` travels with the message to the channel (Rasa keeps it on the BotUttered event)."""
    rendered = render(locale or conversation_locale(tracker), response, **values)
    buttons = rendered.buttons + list(extra_buttons or [])
    text = rendered.text
    if note_due(_since_user_message(tracker)) and not dispatcher.messages:
        language = tracker.get_slot("language") or tracker.latest_message.get("language")
        text = with_note(text, note_text(language, tracker.get_slot("country")))
    dispatcher.utter_message(text=text, buttons=buttons, **(metadata or {}))


def _since_user_message(tracker: Tracker) -> List[tuple[str, str | None]]:
    events: List[tuple[str, str | None]] = []
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            break
        events.append((kind, event.get("name") if kind == "slot" else None))
    return events[::-1]
