"""Validates the action server's responses against Rasa's schema with one validator built once.

Rasa 3.6 checks every action-server response with `jsonschema.validate(result, schema)`, which first checks
the schema itself against the JSON-Schema meta-schema (resolving its `$ref`s through URL parsing) — on every
custom action, so about 60 ms of CPU per FAQ turn here, more than the whole NLU. The schema is a constant:
it is checked once, and each response is validated against it exactly as `jsonschema.validate` does (the
best-matching error is raised, with Rasa's message). tests/test_action_validation.py compares both.

`install()` is called by the Rasa process's entry point (bot.rasa_entry), never on import."""

from __future__ import annotations

from typing import Any, Callable

_ORIGINAL: Callable[..., Any] | None = None
_VALIDATOR: Any = None


def validator() -> Any:
    """The validator of Rasa's action-response schema, built and its schema checked once."""
    global _VALIDATOR
    if _VALIDATOR is None:
        from jsonschema.validators import validator_for
        from rasa.core.actions.action import RemoteAction

        schema = RemoteAction.action_response_format_spec()
        cls = validator_for(schema)
        cls.check_schema(schema)
        _VALIDATOR = cls(schema)
    return _VALIDATOR


def validate_action_result(self: Any, result: dict[str, Any]) -> bool:
    """`RemoteAction._validate_action_result` without re-checking the schema."""
    from jsonschema import exceptions
    from rasa.shared.constants import DOCS_BASE_URL

    error = exceptions.best_match(validator().iter_errors(result))
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, make sure your response from the Action "
        f"endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
    )
    raise error


def install() -> None:
    """Replaces `RemoteAction._validate_action_result` in this process (idempotent)."""
    global _ORIGINAL
    from rasa.core.actions.action import RemoteAction

    if _ORIGINAL is None:
        _ORIGINAL = RemoteAction._validate_action_result
        RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]


def uninstall() -> None:
    global _ORIGINAL
    from rasa.core.actions.action import RemoteAction

    if _ORIGINAL is not None:
        RemoteAction._validate_action_result = _ORIGINAL  # type: ignore[method-assign]
        _ORIGINAL = None
