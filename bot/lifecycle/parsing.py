"""Parses messages with a trained model in process (Rasa's Agent), as the Rasa server would."""

from __future__ import annotations

import asyncio
import logging
import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping


@dataclass(frozen=True)
class Prediction:
    text: str
    label: str  # the intent, FAQ topics as faq/<topic>
    confidence: float
    language: str | None


def response_selection(parse: Mapping[str, Any]) -> dict[str, Any]:
    """The ResponseSelector's output in a parse result: under `default` (no retrieval_intent configured, as in
    config.yml) or under the retrieval intent's name."""
    selectors = parse.get("response_selector") or {}
    return dict(selectors.get("default") or selectors.get("faq") or {})


def selected_topic(parse: Mapping[str, Any]) -> str | None:
    """The FAQ topic (faq/<topic>) the ResponseSelector chose, if any."""
    key = (response_selection(parse).get("response") or {}).get("intent_response_key")
    return str(key) if key else None


def topic_scores(parse: Mapping[str, Any]) -> list[tuple[float, str]]:
    """Every topic a parse gives, best first: FAQ topics (faq/<topic>) scored P(faq) x P(topic | faq), the
    other intents by their own confidence."""
    ranking = parse.get("intent_ranking") or []
    faq = next((float(r.get("confidence") or 0.0) for r in ranking if r.get("name") == "faq"), 0.0)
    scored = [(faq * float(c.get("confidence") or 0.0), str(c["intent_response_key"]))
              for c in response_selection(parse).get("ranking") or [] if c.get("intent_response_key")]
    scored += [(float(r.get("confidence") or 0.0), str(r.get("name"))) for r in ranking]
    return sorted(scored, key=lambda s: -s[0])


def label_of(parse: dict[str, Any]) -> tuple[str, float]:
    """The intent with FAQ topics as faq/<topic> (the response selector's choice), and its confidence.

    A FAQ topic's confidence is P(faq) x P(topic | faq). When the FallbackClassifier answered, the label is
    `nlu_fallback` with the best real intent's score.
    """
    intent = parse.get("intent") or {}
    name = str(intent.get("name"))
    confidence = float(intent.get("confidence") or 0.0)
    if name == "nlu_fallback":
        ranking = [r for r in parse.get("intent_ranking") or [] if r.get("name") != "nlu_fallback"]
        confidence = float(ranking[0]["confidence"]) if ranking else 0.0
    if name == "faq":
        selected = response_selection(parse).get("response") or {}
        if selected.get("intent_response_key"):
            return str(selected["intent_response_key"]), float(selected.get("confidence") or 0.0) * confidence
    return name, confidence


def quiet() -> None:
    """Rasa's structlog prints a debug line per parse unless configured; TensorFlow and deprecations talk too."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    warnings.filterwarnings("ignore")
    from rasa.utils.log_utils import configure_structlog

    logging.getLogger().setLevel(logging.WARNING)
    configure_structlog(logging.WARNING)


class ModelParser:
    """One loaded model; parse many messages with it."""

    def __init__(self, model: Path) -> None:
        from bot.model_loading import load_agent

        quiet()
        self.model = model
        self._agent = load_agent(str(model))

    async def _parse_all(self, texts: list[str]) -> list[Prediction]:
        out = []
        for text in texts:
            parse = await self._agent.parse_message(text)
            label, confidence = label_of(parse)
            out.append(Prediction(text, label, round(confidence, 3), parse.get("language")))
        return out

    def parse(self, texts: Iterable[str]) -> list[Prediction]:
        return asyncio.run(self._parse_all(list(texts)))
