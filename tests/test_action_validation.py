"""bot.action_validation: the action server's responses are validated exactly as Rasa 3.6 validates them
(`jsonschema.validate` against RemoteAction's schema), with the schema checked once instead of per call."""

from __future__ import annotations

from typing import Any, Iterator

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from bot import action_validation

VALID: list[dict[str, Any]] = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "language", "value": "de"}],
     "responses": [{"text": "Hallo", "buttons": [{"title": "Ja", "payload": "/affirm"}]}]},
    {"events": [{"event": "active_loop", "name": None}, {"event": "slot", "name": "requested_slot", "value": None}],
     "responses": [{"response": "utter_greet"}]},
    {},
]
INVALID: list[dict[str, Any]] = [
    {"events": "not a list", "responses": []},
    {"events": [{"event": "no_such_event"}], "responses": []},
    {"events": [{"event": "slot"}], "responses": []},
    {"events": [], "responses": ["a string, not an object"]},
]


@pytest.fixture
def patched() -> Iterator[None]:
    action_validation.install()
    yield
    action_validation.uninstall()


def rasa_verdict(result: dict[str, Any]) -> str:
    action_validation.uninstall()
    try:
        RemoteAction("action_x", None)._validate_action_result(result)
        return "valid"
    except ValidationError as error:
        return error.message


@pytest.mark.parametrize("result", VALID + INVALID)
def test_same_verdict_and_message_as_rasa(result: dict[str, Any]) -> None:
    expected = rasa_verdict(result)
    action_validation.install()
    try:
        try:
            RemoteAction("action_x", None)._validate_action_result(result)
            verdict = "valid"
        except ValidationError as error:
            verdict = error.message
    finally:
        action_validation.uninstall()
    assert verdict == expected
    assert (verdict == "valid") == (result in VALID)


def test_schema_is_checked_once(patched: None, monkeypatch: pytest.MonkeyPatch) -> None:
    checks = []
    validator_class = type(action_validation.validator())
    monkeypatch.setattr(validator_class, "check_schema", classmethod(lambda cls, schema: checks.append(1)))
    for _ in range(5):
        assert RemoteAction("action_x", None)._validate_action_result({"events": [], "responses": []})
    assert checks == []
