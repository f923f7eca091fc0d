"""`model publish` and `model rollback`: put a version on every Rasa server, check it, roll back on failure.

Mechanism: Rasa's model server protocol, served by the project (bot.lifecycle.model_server). Publishing
switches the registry's current version; every Rasa process (and every Sanic worker in it) pulls it with
If-None-Match/ETag on its own schedule and swaps the processor of its existing agent. Chosen over
`PUT /model` after reading Rasa 3.6 (rasa/server.py `load_model`, rasa/core/agent.py `load_agent`):
PUT /model builds a new Agent through `load_agent(endpoints=...)`, so every call opens another tracker
store and event broker and leaks the old ones; it reaches only the worker that receives the request; and
with a `models:` endpoint configured it silently loads from the model server instead. The model server
also makes a restarted Rasa come back on the published version, because it pulls before serving.
Both ways load the model inside the event loop, so a server answers nothing while it loads: requests wait
(they are not refused) and are answered by the new model afterwards; a model that fails to load leaves
the old one serving ("Failed to update model"), which publish sees as a timeout and rolls back.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import yaml

from bot.lifecycle.registry import Registry, Version
from bot.locales import load_locales
from bot.paths import ROOT

QUALITY_FILE = ROOT / "config" / "quality.yml"
MEASURES = ("intent_accuracy", "faq_topic_accuracy")


def quality_file() -> Path:
    """config/quality.yml, or the file QUALITY_FILE names (the CLI and the console read the same one)."""
    import os

    return Path(os.environ.get("QUALITY_FILE") or QUALITY_FILE)


def load_quality(path: Path | None = None) -> dict[str, Any]:
    return dict(yaml.safe_load((path or quality_file()).read_text(encoding="utf-8")) or {})


def gate(candidate: dict[str, Any], serving: dict[str, Any] | None, quality: dict[str, Any]) -> list[str]:
    """Why a version may not be published (empty: it may). Evaluations are `model evaluate` summaries."""
    if not candidate:
        return ["no evaluation: run `python -m bot model evaluate MODEL` first"]
    reasons = []
    for language, floors in (quality.get("floors") or {}).items():
        scores = candidate.get(language)
        if not scores:
            reasons.append(f"{language}: not evaluated")
            continue
        for measure in MEASURES:
            value = float(scores.get(measure, 0))
            if measure in floors and value < float(floors[measure]):
                reasons.append(f"{language}: {measure} {value}% is below the floor {floors[measure]}%")
            before = (serving or {}).get(language, {}).get(measure)
            if before is not None and value < float(before) - float(quality.get("max_drop", 0)):
                reasons.append(f"{language}: {measure} {value}% is more than {quality.get('max_drop')} points "
                               f"below the serving version's {before}%")
    return reasons


def http(method: str, url: str, body: dict | None = None, timeout: float = 30) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        return error.code, None
    except (OSError, ValueError):
        return 0, None


def serving_model_id(server: str, token: str) -> str | None:
    status, body = http("GET", f"{server}/status?token={token}", timeout=10)
    return str(body.get("model_id")) if status == 200 and isinstance(body, dict) else None


def wait_for_model(server: str, token: str, wanted: str, timeout: float, poll: float = 2.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if serving_model_id(server, token) == wanted:
            return True
        time.sleep(poll)
    return False


def smoke_questions() -> dict[str, list[tuple[str, str]]]:
    """Per language, the question each topic button sends (labels.yml) and the intent it must reach."""
    questions: dict[str, list[tuple[str, str]]] = {}
    for locale in load_locales().values():
        if questions.get(locale.language) and not locale.default_for_language:
            continue
        topics = locale.labels.get("topics") or {}
        questions[locale.language] = [(str(v["question"]), str(k)) for k, v in topics.items() if k.startswith("faq/")]
    return questions


def smoke(server: str, token: str, min_correct: float) -> list[str]:
    """Problems found on one server: topic questions not recognised, or an empty answer on the REST channel."""
    from bot.lifecycle.parsing import label_of

    problems = []
    for language, questions in smoke_questions().items():
        wrong = []
        for text, expected in questions:
            status, parse = http("POST", f"{server}/model/parse?token={token}", {"text": text})
            if status != 200 or label_of(parse)[0] != expected:
                wrong.append(f"{text!r} -> {label_of(parse)[0] if status == 200 else status}")
        if questions and 1 - len(wrong) / len(questions) < min_correct:
            problems.append(f"{server} {language}: {len(wrong)}/{len(questions)} topic questions wrong: "
                            + "; ".join(wrong[:3]))
        status, replies = http("POST", f"{server}/webhooks/rest/webhook", {
            "sender": f"smoke-{uuid.uuid4().hex[:8]}", "message": questions[0][0], "metadata": {"language": language}},
            timeout=60)
        if status != 200 or not replies or not any(r.get("text") for r in replies):
            problems.append(f"{server} {language}: no answer on the REST channel (HTTP {status})")
    return problems


@dataclass
class Outcome:
    ok: bool
    version: str | None
    messages: list[str] = field(default_factory=list)


def switch(target: Version | None, previous: Version | None, registry: Registry, servers: list[str], token: str,
           quality: dict[str, Any], action: str, say: Callable[[str], None] = print) -> Outcome:
    """Makes `target` current, waits until every server serves it, smoke-tests them; rolls back on failure."""
    if target is None:
        return Outcome(False, None, ["nothing to switch to"])
    timeout = float(quality.get("switch_timeout_s", 600))
    registry.set_current(target, action)
    say(f"{target.id} is now current on the model server; waiting for {len(servers)} server(s) to load it ...")
    problems: list[str] = []
    for server in servers:
        started = time.monotonic()
        if not wait_for_model(server, token, target.model_id, timeout):
            problems.append(f"{server} did not load {target.id} within {timeout:.0f} s")
            break
        say(f"  {server}: serving {target.id} after {time.monotonic() - started:.0f} s; smoke questions ...")
        problems += smoke(server, token, float(quality.get("smoke_min_correct", 1.0)))
        if problems:
            break
    if not problems:
        return Outcome(True, target.id, [f"{target.id} serves on every server"])
    say("Failed: " + "; ".join(problems))
    registry.set_current(previous, "rollback" if action == "publish" else "publish")
    if previous is None:
        return Outcome(False, None, [*problems, "rolled back: no version is published now"])
    back = [s for s in servers if not wait_for_model(s, token, previous.model_id, timeout)]
    note = f"rolled back to {previous.id}" + (f"; NOT back yet on {', '.join(back)}" if back else " on every server")
    say(note)
    return Outcome(False, previous.id, [*problems, note])


def publish(target: Version, registry: Registry, servers: list[str], token: str,
            quality: dict[str, Any] | None = None, say: Callable[[str], None] = print) -> Outcome:
    quality = quality if quality is not None else load_quality()
    current = registry.current()
    if current is not None and current.id == target.id:
        return Outcome(True, target.id, [f"{target.id} is already published"])
    refused = gate(target.evaluation, current.evaluation if current else None, quality)
    if refused:
        return Outcome(False, current.id if current else None, ["refused: " + r for r in refused])
    return switch(target, current, registry, servers, token, quality, "publish", say)


def rollback(registry: Registry, servers: list[str], token: str, quality: dict[str, Any] | None = None,
             say: Callable[[str], None] = print) -> Outcome:
    quality = quality if quality is not None else load_quality()
    current, target = registry.current(), registry.previous()
    if target is None:
        return Outcome(False, current.id if current else None, ["no earlier published version to roll back to"])
    refused = gate(target.evaluation, None, quality)
    if refused:
        return Outcome(False, current.id if current else None, ["refused: " + r for r in refused])
    return switch(target, current, registry, servers, token, quality, "rollback", say)
