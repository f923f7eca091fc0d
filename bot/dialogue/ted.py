"""Rasa's TEDPolicy with a memory of its predictions per dialogue state.

TED predicts the next action from the featurized states of the last `max_history` turns (intents, actions,
slots, active loop, entity names) and nothing else when the model has no end-to-end stories. Those states
repeat across conversations (a FAQ question after an answer looks the same in every conversation), yet each
prediction ran the TensorFlow graph again: about a fifth of a Rasa server's CPU under FAQ load
(bench/results/server.json). The same states give the same probabilities, so they are kept per state
sequence (least recently used, bounded). An end-to-end model (text features) is never cached.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Dict, Hashable

from rasa.core.featurizers.precomputation import MessageContainerForCoreFeaturization
from rasa.core.policies.policy import PolicyPrediction, SupportedData
from rasa.core.policies.ted_policy import TEDPolicy
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import TEXT

CACHE_SIZE = 4096


def frozen(value: Any) -> Hashable:
    """A hashable copy of a state (dicts of tuples, lists, strings and numbers), independent of key order."""
    if isinstance(value, dict):
        return tuple(sorted((key, frozen(item)) for key, item in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(frozen(item) for item in value)
    return value


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITH_END_TO_END_SUPPORT, is_trainable=True)
class StateCachedTEDPolicy(TEDPolicy):
    """See the module docstring."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # state key -> (probabilities, diagnostic data); copies: Rasa's ensemble edits the prediction it gets
        # (a rejected action's probability set to 0), which must not reach another conversation.
        self._predictions: OrderedDict[Hashable, tuple[tuple[float, ...], Any]] = OrderedDict()

    def _cacheable(self) -> bool:
        return self.model is not None and not self.only_e2e and TEXT not in getattr(self, "fake_features", {})

    def state_key(self, tracker: DialogueStateTracker, domain: Domain,
                  rule_only_data: Dict[str, Any] | None) -> Hashable:
        """What TED's prediction depends on: the states it featurizes (as in Policy._featurize_for_prediction)."""
        ml_only = self.supported_data() == SupportedData.ML_DATA
        states = self.featurizer.prediction_states(
            [tracker], domain, use_text_for_last_user_input=False, ignore_rule_only_turns=ml_only,
            rule_only_data=rule_only_data, ignore_action_unlikely_intent=ml_only)
        return frozen(states)

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: Dict[str, Any] | None = None,
        precomputations: MessageContainerForCoreFeaturization | None = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        if not self._cacheable():
            return super().predict_action_probabilities(tracker, domain, rule_only_data, precomputations, **kwargs)
        key = self.state_key(tracker, domain, rule_only_data)
        cached = self._predictions.get(key)
        if cached is not None:
            self._predictions.move_to_end(key)
            probabilities, diagnostics = cached
            return self._prediction(list(probabilities), diagnostic_data=dict(diagnostics or {}) or None)
        prediction = super().predict_action_probabilities(tracker, domain, rule_only_data, precomputations, **kwargs)
        if not prediction.is_end_to_end_prediction and not prediction.optional_events:
            self._predictions[key] = (tuple(prediction.probabilities), dict(prediction.diagnostic_data or {}))
            if len(self._predictions) > CACHE_SIZE:
                self._predictions.popitem(last=False)
        return prediction
