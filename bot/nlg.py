"""Response generator that always has a locale to pick a variation for.

Responses carry one variation per locale, conditioned on the `language` and `country` slots. The slots are
set by the action server after every message; when it has not run (first message with the action server
down, or `rasa shell --nlu`), this falls back to the language NLU identified, so the customer still gets an
answer in their language rather than nothing.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Text

from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.locales import resolve_locale


class LocaleAwareNLG(TemplatedNaturalLanguageGenerator):
    """Configured in endpoints.yml as `nlg: {type: bot.nlg.LocaleAwareNLG}`."""

    def __init__(
        self, endpoint_config: Optional[EndpointConfig] = None, domain: Optional[Domain] = None
    ) -> None:
        super().__init__((domain or Domain.empty()).responses)

    async def generate(
        self,
        utter_action: Text,
        tracker: DialogueStateTracker,
        output_channel: Text,
        **kwargs: Any,
    ) -> Optional[Dict[Text, Any]]:
        slots = tracker.current_slot_values()
        language = slots.get("language")
        if not language and tracker.latest_message is not None:
            language = tracker.latest_message.parse_data.get("language")  # type: ignore[misc]
        locale = resolve_locale(language, slots.get("country"))
        slots["language"], slots["country"] = locale.language, locale.country
        return self.generate_from_slots(utter_action, slots, output_channel, **kwargs)
