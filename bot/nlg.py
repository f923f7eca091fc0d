"""Response generator that always has a locale to pick a variation for.

Responses carry one variation per locale, conditioned on the `language` and `country` slots. The slots are
set after every message (bot.nlu.conversation_language); when they are not set (`rasa shell --nlu`), this
falls back to the language NLU identified, so the customer still gets an answer in their language rather
than nothing. A language without content for the customer's country answers in the country's locale, with a
note in the customer's language (bot.locale_note).
"""

from __future__ import annotations

from typing import Any, Dict

from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.locale_note import note_due, note_text, with_note
from bot.locales import resolve_locale

DEFAULT_ACTION_TIMEOUT_S = 10


def limit_action_timeout() -> int:
    """Rasa 3.6 waits up to 5 minutes for the action server, a constant read at call time; a customer
    should not. Applied when the agent loads its NLG (so for `rasa run` and tests alike)."""
    import os

    import rasa.core.actions.action as rasa_action

    timeout = int(os.environ.get("ACTION_TIMEOUT_S", DEFAULT_ACTION_TIMEOUT_S))
    rasa_action.DEFAULT_REQUEST_TIMEOUT = timeout  # type: ignore[attr-defined]
    return timeout


class LocaleAwareNLG(TemplatedNaturalLanguageGenerator):
    """Configured in endpoints.yml as `nlg: {type: bot.nlg.LocaleAwareNLG}`."""

    def __init__(
        self, endpoint_config: EndpointConfig | None = None, domain: Domain | None = None
    ) -> None:
        super().__init__((domain or Domain.empty()).responses)
        limit_action_timeout()

    async def generate(
        self,
        utter_action: str,
        tracker: DialogueStateTracker,
        output_channel: str,
        **kwargs: Any,
    ) -> Dict[str, Any] | None:
        slots = tracker.current_slot_values()
        language = slots.get("language")
        if not language and tracker.latest_message is not None:
            language = tracker.latest_message.parse_data.get("language")  # type: ignore[misc]
        country = slots.get("country")
        locale = resolve_locale(language, country)
        slots["language"], slots["country"] = locale.language, locale.country
        response = self.generate_from_slots(utter_action, slots, output_channel, **kwargs)
        if response and response.get("text") and note_due(_since_user_message(tracker)):
            response["text"] = with_note(response["text"], note_text(language, country))
        return response


def _since_user_message(tracker: DialogueStateTracker) -> list[tuple[str, str | None]]:
    events = []
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            break
        kind = "slot" if isinstance(event, SlotSet) else "bot" if isinstance(event, BotUttered) else "other"
        events.append((kind, event.key if isinstance(event, SlotSet) else None))
    return events[::-1]
