"""A customer waiting for a colleague (runs in the Rasa process, used by bot.handoff.channel).

- What the widget shows while it waits: the escalation's status and, while waiting, the place in the queue
  (`handoff_state`, read by the widget's history call after every (re)connect and every few seconds while
  it waits: the queue moves through claims in the console's process, which the Rasa process does not watch).
- Leaving the queue: a waiting customer who writes one of the locales' cancel words ("abbrechen",
  "anulează", "annuleren", "cancelar", ...) cancels the escalation (a conditional UPDATE: a colleague who
  claimed it first wins, and the message then simply reaches them). The message itself is stored by Rasa
  like every paused message; afterwards `resume_in_process` gives the conversation back to the assistant,
  which greets the customer in their language - the same events the console's hand-back appends.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from typing import Any, Dict

from bot.language.text import fold_diacritics
from bot.locales import cached_locales

logger = logging.getLogger(__name__)
PUNCTUATION = re.compile(r"[„“”\"«»¿¡!?.,;:()]+")


def fold(text: str) -> str:
    """Lower case, no diacritics or punctuation, single spaces: "Abbrechen!" and "abbrechen" meet."""
    return " ".join(PUNCTUATION.sub(" ", fold_diacritics(str(text).lower())).split())


@lru_cache(maxsize=1)
def cancel_phrases() -> frozenset[str]:
    """Every locale's cancel words: a customer may leave the queue in any of the four languages."""
    return frozenset(fold(str(word)) for locale in cached_locales().values()
                     for word in locale.labels.get("cancel_words") or [])


def is_cancel(text: str) -> bool:
    """The whole message is a cancel word or phrase (a sentence that merely contains one is for the agent)."""
    return fold(text) in cancel_phrases()


def cancel_waiting(conversation_id: str, escalation_id: int) -> Dict[str, Any] | None:
    """Cancels the waiting escalation; its summary, or None when a colleague claimed it meanwhile."""
    from bot.db.engine import session_scope
    from bot.handoff import service
    from bot.handoff.models import Escalation

    with session_scope() as session:
        if not service.cancel(session, escalation_id, note="left the queue in the chat"):
            return None
        escalation = session.get(Escalation, escalation_id)
        return service.summary(escalation) if escalation is not None else None


def handoff_state(conversation_id: str) -> Dict[str, Any] | None:
    """{"status": "waiting", "position": n} or {"status": "claimed"}; None when no colleague is involved."""
    from bot.db.engine import session_scope
    from bot.handoff import service
    from bot.handoff.models import WAITING

    with session_scope() as session:
        escalation = service.active_escalation(session, conversation_id)
        if escalation is None:
            return None
        state: Dict[str, Any] = {"status": escalation.status}
        if escalation.status == WAITING:
            state["position"] = service.queue_position(session, escalation)
        return state


async def resume_in_process(app: Any, conversation_id: str, language: str, country: str | None,
                            output_channel: Any) -> None:
    """Gives the conversation back to the assistant inside the Rasa server (what the console does through
    the HTTP API): under the conversation's lock, appends the resume events, sends the greeting through the
    customer's channel and saves the tracker."""
    from rasa.shared.core.events import Event

    from bot.handoff.rasa_api import resume_events

    agent = app.ctx.agent
    events = [Event.from_parameters(event) for event in resume_events(language, country)]
    async with agent.lock_store.lock(conversation_id):
        tracker = await agent.processor.get_tracker(conversation_id)
        for event in events:
            tracker.update(event)
        await agent.processor.execute_side_effects(events, tracker, output_channel)
        await agent.tracker_store.save(tracker)
