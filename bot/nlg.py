"""Response generator that always has a locale to pick a variation for.

Responses carry one variation per locale, conditioned on the `language` and `country` slots. The slots are
set by the action server after every message; when it has not run (first message with the action server
down, or `rasa shell --nlu`), this falls back to the language NLU identified, so the customer still gets an
answer in their language rather than nothing.
"""

from __future__ import annotations

from typing import Any, Dict

from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

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
        locale = resolve_locale(language, slots.get("country"))
        slots["language"], slots["country"] = locale.language, locale.country
        return self.generate_from_slots(utter_action, slots, output_channel, **kwargs)
