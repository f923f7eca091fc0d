"""bot.model_loading: the trained model loaded without Rasa's one-example training step predicts exactly as
the model loaded by Rasa's own `RasaModel.load` — DIET's intent ranking, the ResponseSelector's ranking and
TED's action probabilities — on held-out messages of every language and on dialogue states of a form."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import yaml

from bot.local_servers import MODEL
from tests.conftest import ROOT

pytestmark = pytest.mark.skipif(not MODEL.exists(), reason="no trained model: run `make model` first")


def held_out_messages(per_language: int = 12) -> list[str]:
    texts: list[str] = []
    for language in ("de", "ro", "nl", "es"):
        data = yaml.safe_load((ROOT / "tests" / "data" / "nlu" / f"{language}.yml").read_text(encoding="utf-8"))
        blocks = data["nlu"]
        lines = [line.strip()[2:].strip() for block in blocks for line in block["examples"].splitlines()
                 if line.strip().startswith("- ")]
        texts += lines[:: max(1, len(lines) // per_language)][:per_language]
    return texts + ["turn the bathroom lights off", "ja", "nein danke"]


def components(agent: Any) -> dict[str, Any]:
    nodes = agent.processor.graph_runner._instantiated_nodes
    return {type(node._component).__name__: node._component for node in nodes.values()}


def rounded(values: Any) -> list[float]:
    return [round(float(v), 5) for v in values]


async def predictions(agent: Any, texts: list[str]) -> list[Any]:
    from rasa.core.channels import UserMessage
    from rasa.core.policies.ted_policy import TEDPolicy
    from rasa.shared.core.events import ActionExecuted, UserUttered

    ted = next(c for c in components(agent).values() if isinstance(c, TEDPolicy))
    out: list[Any] = []
    for index, text in enumerate(texts):
        parse = await agent.parse_message(text)
        selector = (parse.get("response_selector") or {}).get("default") or {}
        out.append([(r["name"], round(r["confidence"], 5)) for r in parse["intent_ranking"]])
        out.append([(r["intent_response_key"], round(r["confidence"], 5)) for r in selector.get("ranking", [])])
        tracker = await agent.processor.fetch_tracker_with_initial_session(f"loading-{index}")
        message = await agent.processor.parse_message(UserMessage(text))
        tracker.update(UserUttered(text, message["intent"], message["entities"], message))
        out.append(rounded(ted.predict_action_probabilities(tracker, agent.domain).probabilities))
        # one step further: after the predicted action, what comes next
        tracker.update(ActionExecuted("action_listen" if index % 2 else "utter_faq"))
        out.append(rounded(ted.predict_action_probabilities(tracker, agent.domain).probabilities))
    return out


def test_fast_load_predicts_exactly_as_rasa_load() -> None:
    from rasa.core.agent import Agent

    from bot import model_loading

    texts = held_out_messages()
    model_loading.uninstall()
    reference = asyncio.run(predictions(Agent.load(str(MODEL)), texts))
    try:
        model_loading.install()
        fast = asyncio.run(predictions(Agent.load(str(MODEL)), texts))
    finally:
        model_loading.uninstall()
    assert len(fast) == len(reference) == 4 * len(texts)
    assert fast == reference


def test_install_is_idempotent_and_reversible() -> None:
    from rasa.utils.tensorflow.models import RasaModel

    from bot import model_loading

    original = RasaModel.load.__func__  # type: ignore[attr-defined]
    try:
        model_loading.install()
        model_loading.install()
        assert RasaModel.load.__func__ is model_loading.load_for_prediction  # type: ignore[attr-defined]
    finally:
        model_loading.uninstall()
    assert RasaModel.load.__func__ is original  # type: ignore[attr-defined]
