"""bot.dialogue.ted: TED's predictions kept per dialogue state are exactly TED's own, never another state's."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.dialogue import ted as ted_module
from bot.dialogue.ted import StateCachedTEDPolicy, frozen
from bot.local_servers import MODEL


def test_frozen_states_ignore_key_order_and_are_hashable() -> None:
    one = [{"user": {"intent": "faq", "entities": ("a", "b")}, "slots": {"language": (1.0, 0.0)}}]
    two = [{"slots": {"language": (1.0, 0.0)}, "user": {"entities": ("a", "b"), "intent": "faq"}}]
    assert frozen(one) == frozen(two)
    assert hash(frozen(one)) == hash(frozen(two))
    assert frozen(one) != frozen([{"user": {"intent": "deny", "entities": ("a", "b")}, "slots": {"language": (1.0, 0.0)}}])


@pytest.fixture(scope="module")
def agent() -> Any:
    if not MODEL.exists():
        pytest.skip("no trained model: run `make model` first")
    from bot.model_loading import load_agent

    return load_agent(str(MODEL))


def policy(agent: Any) -> StateCachedTEDPolicy:
    nodes = agent.processor.graph_runner._instantiated_nodes.values()
    return next(n._component for n in nodes if isinstance(n._component, StateCachedTEDPolicy))


async def trackers(agent: Any) -> list[Any]:
    """Trackers after a customer's message, and after the answer that follows, in four languages."""
    from rasa.core.channels import UserMessage
    from rasa.shared.core.events import ActionExecuted, ActiveLoop, SessionStarted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    out = []
    texts = ["Wie kann ich meinen Wartungsvertrag kündigen?", "da", "Ik wil een serviceaanvraag indienen",
             "¿Cuál es el horario de soporte?", "nein danke", "turn the bathroom lights off"]
    for index, text in enumerate(texts):
        start = [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]
        tracker = DialogueStateTracker.from_events(f"ted-cache-{index}", start, slots=agent.domain.slots)
        message = await agent.processor.parse_message(UserMessage(text))
        tracker.update(UserUttered(text, message["intent"], message["entities"], message))
        out.append(tracker.copy())
        tracker.update(ActionExecuted("utter_faq"))
        out.append(tracker.copy())
    # the same message inside the request form: another state (the active loop is part of it)
    in_form = DialogueStateTracker.from_events("ted-cache-form", [
        ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen"),
        UserUttered("Ich möchte eine Anfrage stellen", {"name": "file_request", "confidence": 1.0}),
        ActionExecuted("service_request_form"), ActiveLoop("service_request_form"), ActionExecuted("action_listen"),
        UserUttered("Wie kündige ich meinen Wartungsvertrag?", {"name": "faq", "confidence": 1.0})],
        slots=agent.domain.slots)
    out.append(in_form)
    return out


def test_cached_predictions_are_teds_own_for_every_state(agent: Any) -> None:
    from rasa.core.policies.ted_policy import TEDPolicy

    ted = policy(agent)
    ted._predictions.clear()
    for tracker in asyncio.run(trackers(agent)):
        own = TEDPolicy.predict_action_probabilities(ted, tracker, agent.domain).probabilities
        first = ted.predict_action_probabilities(tracker, agent.domain).probabilities
        again = ted.predict_action_probabilities(tracker, agent.domain)
        assert first == own
        assert again.probabilities == own
        assert again.policy_name == StateCachedTEDPolicy.__name__
    # a message and the answer after it are different states with different next actions
    assert 2 <= len(ted._predictions)


def test_a_caller_s_edit_of_a_prediction_does_not_reach_the_next_conversation(agent: Any) -> None:
    """Rasa's ensemble zeroes a rejected action's probability in the prediction it gets."""
    from rasa.core.policies.ted_policy import TEDPolicy

    ted = policy(agent)
    ted._predictions.clear()
    tracker = asyncio.run(trackers(agent))[0]
    own = TEDPolicy.predict_action_probabilities(ted, tracker, agent.domain).probabilities
    for _ in range(2):  # the first call fills the memory, the second is answered from it
        prediction = ted.predict_action_probabilities(tracker, agent.domain)
        prediction.probabilities[max(range(len(own)), key=own.__getitem__)] = 0.0
    assert ted.predict_action_probabilities(tracker, agent.domain).probabilities == own


def test_the_memory_is_bounded_least_recently_used_first(agent: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    ted = policy(agent)
    ted._predictions.clear()
    monkeypatch.setattr(ted_module, "CACHE_SIZE", 2)
    states = asyncio.run(trackers(agent))
    used: list[Any] = []  # the states, least recently used first
    for tracker in states:
        key = ted.state_key(tracker, agent.domain, None)
        used = [k for k in used if k != key] + [key]
        ted.predict_action_probabilities(tracker, agent.domain)
    assert len(used) > 2
    assert list(ted._predictions) == used[-2:]
