"""The second opinion (bot.nlu.second_opinion): the blend, the kept model and the component's rewrite of a
parse, on a small hand-made training set."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.events import SlotSet
from rasa.shared.core.slots import TextSlot
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.language_identifier import LANGUAGE_DETECTION
from bot.nlu.second_opinion import SECOND_OPINION, LanguageModel, SecondOpinion, blend, diet_scores, reading_language

TRAINING = {
    "faq/payment_methods": ["wie kann ich bezahlen", "zahlungsarten für die verlängerung", "kreditkarte oder rechnung",
                            "bezahlen per kreditkarte möglich", "welche zahlungsmethoden gibt es"],
    "faq/order_status": ["wo ist meine bestellung", "status der bestellung", "bestellstatus ansehen",
                         "wurde meine bestellung bearbeitet", "bestellung verfolgen"],
    "greet": ["hallo", "guten tag", "moin", "servus zusammen", "hallo zusammen"],
}


def example(text: str, label: str, language: str = "de") -> Message:
    data = {"text": text, "language": language}
    if label.startswith("faq/"):
        data.update({"intent": "faq", "intent_response_key": label})
    else:
        data["intent"] = label
    return Message(data=data)


@pytest.fixture(scope="module")
def component(tmp_path_factory: pytest.TempPathFactory) -> SecondOpinion:
    storage = LocalModelStorage(Path(tmp_path_factory.mktemp("model")))
    resource = Resource("second_opinion")
    config = {**SecondOpinion.get_default_config(), "weight": 0.7}
    examples = [example(t, label) for label, texts in TRAINING.items() for t in texts]
    SecondOpinion(config, storage, resource).train(TrainingData(examples))
    return SecondOpinion.load(config, storage, resource, None)  # type: ignore[arg-type]


def parsed(text: str, language: str = "de") -> Message:
    """DIET says faq (0.8) and the ResponseSelector order_status (0.75): a confident wrong answer."""
    msg = Message(data={"text": text, "language": language})
    msg.set("intent", {"name": "faq", "confidence": 0.8})
    msg.set("intent_ranking", [{"name": "faq", "confidence": 0.8}, {"name": "greet", "confidence": 0.2}])
    msg.set("response_selector", {"default": {"response": {
        "intent_response_key": "faq/order_status", "utter_action": "utter_faq/order_status",
        "responses": [{"text": "..."}], "confidence": 0.75}, "ranking": [
        {"intent_response_key": "faq/order_status", "confidence": 0.75},
        {"intent_response_key": "faq/payment_methods", "confidence": 0.25}]}})
    return msg


def test_diet_scores_are_p_faq_times_p_topic() -> None:
    scores = diet_scores(parsed("x").as_dict())
    assert scores == pytest.approx({"faq/order_status": 0.6, "faq/payment_methods": 0.2, "greet": 0.2})


def test_blend_ranks_intents_with_faq_summed_and_topics_sharing_it() -> None:
    ranking, topics = blend({"faq/order_status": 0.6, "faq/payment_methods": 0.2, "greet": 0.2},
                            {"faq/payment_methods": 0.9, "faq/order_status": 0.05, "greet": 0.05}, 0.7)
    assert [name for name, _ in ranking] == ["faq", "greet"]
    assert ranking[0][1] == pytest.approx(0.3 * 0.8 + 0.7 * 0.95)
    assert topics[0][0] == "faq/payment_methods"
    assert topics[0][1] == pytest.approx((0.3 * 0.2 + 0.7 * 0.9) / ranking[0][1])
    assert sum(c for _, c in topics) == pytest.approx(1.0)


def test_weight_zero_is_diet_alone() -> None:
    ranking, topics = blend({"faq/order_status": 0.6, "greet": 0.4}, {"greet": 1.0}, 0.0)
    assert ranking == [("faq", pytest.approx(0.6)), ("greet", pytest.approx(0.4))]
    assert topics == [("faq/order_status", pytest.approx(1.0))]


def test_kept_weights_give_the_logistic_regressions_probabilities() -> None:
    from scipy.sparse import hstack
    from sklearn.linear_model import LogisticRegression

    texts = [t for texts in TRAINING.values() for t in texts]
    labels = [label for label, texts in TRAINING.items() for _ in texts]
    model = LanguageModel.fit(texts, labels)
    data, arrays = model.to_data()
    again = LanguageModel.from_data(data, arrays)
    features = hstack([v.transform(["bestellung status bitte"]) for v in model.vectorizers]).tocsr()
    reference = LogisticRegression(C=30.0, max_iter=3000).fit(
        hstack([v.transform(texts) for v in model.vectorizers]).tocsr(), labels)
    expected = dict(zip(reference.classes_, reference.predict_proba(features)[0], strict=True))
    assert again.scores("bestellung status bitte") == pytest.approx(expected, abs=1e-4)
    assert max(expected, key=lambda k: expected[k]) == "faq/order_status"


def test_component_turns_a_wrong_confident_topic_into_the_blend_s_choice(component: SecondOpinion) -> None:
    msg = parsed("mit welcher zahlungsart kann ich die rechnung bezahlen")
    component.process([msg])
    response = msg.get("response_selector")["default"]["response"]
    assert response["intent_response_key"] == "faq/payment_methods"
    assert response["utter_action"] == "utter_faq/payment_methods"
    assert msg.get("intent")["name"] == "faq"
    assert msg.get("intent_ranking")[0] == msg.get("intent")
    assert msg.get(SECOND_OPINION)["diet"] == "faq/order_status"
    assert msg.get(SECOND_OPINION)["linear"] == "faq/payment_methods"
    ranking = msg.get("response_selector")["default"]["ranking"]
    assert ranking[0]["intent_response_key"] == "faq/payment_methods"


def test_agreeing_topic_keeps_the_selector_s_response(component: SecondOpinion) -> None:
    msg = parsed("wo ist meine bestellung gerade, status bitte")
    component.process([msg])
    response = msg.get("response_selector")["default"]["response"]
    assert response["intent_response_key"] == "faq/order_status"
    assert response["responses"] == [{"text": "..."}]
    assert 0.5 < response["confidence"] <= 1.0


def test_greeting_outweighs_diet_s_faq(component: SecondOpinion) -> None:
    msg = parsed("hallo zusammen")
    component.process([msg])
    assert msg.get("intent")["name"] == "greet"


@pytest.mark.parametrize("language", [None, "es"])
def test_message_of_a_language_without_a_model_is_left_alone(component: SecondOpinion, language: str | None) -> None:
    msg = parsed("mit welcher zahlungsart kann ich bezahlen", language=language)  # type: ignore[arg-type]
    before = msg.as_dict()
    component.process([msg])
    assert msg.as_dict() == before


def test_weight_zero_leaves_the_parse_alone(component: SecondOpinion) -> None:
    msg = parsed("mit welcher zahlungsart kann ich bezahlen")
    before = msg.as_dict()
    component.weight = 0.0
    try:
        component.process([msg])
    finally:
        component.weight = 0.7
    assert msg.as_dict() == before


def test_model_without_stored_weights_passes_parses_through(tmp_path: Path) -> None:
    storage = LocalModelStorage(tmp_path)
    loaded = SecondOpinion.load(SecondOpinion.get_default_config(), storage, Resource("missing"), None)  # type: ignore[arg-type]
    msg = parsed("mit welcher zahlungsart kann ich bezahlen")
    before = msg.as_dict()
    loaded.process([msg])
    assert msg.as_dict() == before
    assert np.isclose(loaded.weight, 0.7)


def detected(text: str, language: str, fits: dict[str, bool], page: str | None = None) -> Message:
    msg = parsed(text, language=language)
    msg.set(LANGUAGE_DETECTION, {"language": language, "fits": fits})
    if page:
        msg.set("metadata", {"language": page})
    return msg


@pytest.mark.parametrize(("conversation", "page", "fits", "expected"), [
    ("ro", None, {"es": True, "ro": True}, "ro"),  # "da": a word of the conversation's language
    (None, "ro", {"es": True, "ro": True}, "ro"),  # the first message: the page's language
    ("ro", "ro", {"es": True, "ro": False}, "es"),  # a word Romanian does not have: the detected language
    (None, None, {"es": True, "ro": True}, "es"),  # nothing to prefer
    ("es", "ro", {"es": True, "ro": True}, "es"),  # the conversation's language comes before the page's
])
def test_reading_language(conversation: str | None, page: str | None, fits: dict[str, bool], expected: str) -> None:
    assert reading_language(detected("da", "es", fits, page), conversation) == expected


def test_a_word_of_the_conversation_s_language_is_read_in_it(tmp_path: Path) -> None:
    """A German conversation's model reads "hallo zusammen" though the detector said Dutch: greet; with no
    conversation and no page the Dutch model (none here) leaves DIET's faq alone."""
    storage = LocalModelStorage(tmp_path)
    config = {**SecondOpinion.get_default_config(), "weight": 0.7}
    examples = [example(t, label) for label, texts in TRAINING.items() for t in texts]
    SecondOpinion(config, storage, Resource("s")).train(TrainingData(examples))
    component = SecondOpinion.load(config, storage, Resource("s"), None)  # type: ignore[arg-type]
    tracker = DialogueStateTracker.from_events("c", [SlotSet("language", "de")], slots=[
        TextSlot("language", mappings=[])])
    msg = detected("hallo zusammen", "nl", {"de": True, "nl": True})
    component.process([msg], tracker)
    assert msg.get("intent")["name"] == "greet" and msg.get(SECOND_OPINION)["language"] == "de"
    alone = detected("hallo zusammen", "nl", {"de": True, "nl": True})
    component.process([alone])
    assert alone.get("intent")["name"] == "faq" and SECOND_OPINION not in alone.as_dict()


@pytest.mark.parametrize("text", ["Wo ist meine Bestellung? Status bitte!", "hallo hallo hallo", "", "§§§ 123",
                                  "Zahlungsarten für die Verlängerung, bitte mit Kreditkarte"])
def test_own_features_equal_the_vectorizers_transform(text: str) -> None:
    from scipy.sparse import hstack

    texts = [t for texts in TRAINING.values() for t in texts]
    labels = [label for label, texts in TRAINING.items() for _ in texts]
    model = LanguageModel.from_data(*LanguageModel.fit(texts, labels).to_data())
    expected = hstack([v.transform([text]) for v in model.vectorizers]).toarray().ravel()
    columns, values = model.features(text)
    got = np.zeros_like(expected)
    got[columns] = values
    assert np.allclose(got, expected)
