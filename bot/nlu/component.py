"""The base of the project's pipeline components that need their configuration only: no training, nothing
kept in the model's storage."""

from __future__ import annotations

from typing import Any, Dict

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage


class ConfiguredComponent(GraphComponent):
    """Rasa builds it with `create`; tests build it directly, with or without a configuration."""

    def __init__(self, config: Dict[str, Any] | None = None) -> None:
        self.config = {**self.get_default_config(), **(config or {})}

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {}

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ConfiguredComponent:
        return cls(config)
