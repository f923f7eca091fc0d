"""The open-set detector (bot.nlu.open_set) on a small hand-made training set."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.open_set import OPEN_SET, OpenSetDetector

COVERED = [
    "wie kündige ich meinen wartungsvertrag", "wartungsvertrag kündigen", "kündigung des wartungsvertrags",
    "kopie meines vertrags", "ich brauche eine vertragskopie", "vertragskopie anfordern bitte",
    "servicepac aktivieren", "wie aktiviere ich ein servicepac", "servicepac registrieren",
    "wie verlängere ich meine subskription", "subskription verlängern", "verlängerung der software subskription",
]
UNCOVERED = ["wo finde ich meine rechnung", "rechnung kopie", "rechnungsadresse ändern", "mahngebühr rechnung",
             "falsche rechnung erhalten", "rechnung doppelt bezahlt"]
UNRELATED = ["mach das licht im bad aus", "spiel musik", "wie wird das wetter", "erzähl einen witz",
             "setz brot auf die einkaufsliste", "stell einen wecker", "wer gewinnt die bundesliga",
             "was kochen wir heute", "ruf mama an", "wie hoch ist der mount everest"]


def message(text: str, intent: str, response_key: str | None = None) -> Message:
    data = {"text": text, "intent": intent, "language": "de",
            "text_tokens": [Token(w, 0, lemma=w) for w in text.split()]}
    if response_key:
        data["intent_response_key"] = response_key
    return Message(data=data)


@pytest.fixture(scope="module")
def detector(tmp_path_factory: pytest.TempPathFactory) -> OpenSetDetector:
    storage = LocalModelStorage(Path(tmp_path_factory.mktemp("model")))
    resource = Resource("open_set")
    config = {**OpenSetDetector.get_default_config()}
    examples = [message(t, "faq", "faq/topic") for t in COVERED]
    examples += [message(t, "faq", "faq/unanswered_contract_question") for t in UNCOVERED]
    examples += [message(t, "out_of_scope") for t in UNRELATED]
    OpenSetDetector(config, storage, resource).train(TrainingData(examples))
    return OpenSetDetector.load(config, storage, resource, None)  # type: ignore[arg-type]


def parsed(text: str, intent: str, response_key: str = "faq/topic") -> Message:
    msg = message(text, intent)
    msg.set("intent", {"name": intent, "confidence": 0.97})
    msg.set("intent_ranking", [{"name": intent, "confidence": 0.97}])
    msg.set("response_selector", {"faq": {"response": {"intent_response_key": response_key,
                                                       "utter_action": f"utter_{response_key}"}, "ranking": []}})
    return msg


def test_unrelated_message_becomes_out_of_scope_with_evidence(detector: OpenSetDetector) -> None:
    msg = parsed("mach bitte die musik im bad aus", "faq")
    detector.process([msg])
    assert msg.get("intent")["name"] == "out_of_scope"
    assert msg.get(OPEN_SET)["original_intent"] == "faq"
    assert msg.get(OPEN_SET)["unrelated"] > 0.5


def test_covered_question_is_kept(detector: OpenSetDetector) -> None:
    msg = parsed("ich möchte meinen wartungsvertrag kündigen", "faq")
    detector.process([msg])
    assert msg.get("intent")["name"] == "faq"
    assert msg.get("response_selector")["faq"]["response"]["utter_action"] == "utter_faq/topic"
    assert "original_intent" not in msg.get(OPEN_SET)


def test_uncovered_support_question_gets_the_uncovered_answer(detector: OpenSetDetector) -> None:
    msg = parsed("meine rechnung ist falsch", "faq")
    detector.process([msg])
    selected = msg.get("response_selector")["faq"]["response"]
    assert selected["utter_action"] == "utter_faq/unanswered_contract_question"
    assert msg.get(OPEN_SET)["original_intent"] == "faq/topic"


def test_form_answers_are_never_overridden(detector: OpenSetDetector) -> None:
    msg = parsed("Muster Bäckerei Mayer", "inform")
    detector.process([msg])
    assert msg.get("intent")["name"] == "inform"
    assert OPEN_SET in msg.as_dict()


@pytest.mark.parametrize("text", ["wie kündige ich den wartungsvertrag?", "Rechnung! Rechnung!", "", "§§§ 123",
                                  "mach bitte das Licht im Bad aus und spiel Musik"])
def test_similarities_equal_the_vectorizers_cosine(detector: OpenSetDetector, text: str) -> None:
    import numpy as np

    index = detector._indexes["de"]
    expected = np.asarray((index.matrix @ index.vectorizer.transform([text]).T).todense()).ravel()
    assert np.allclose(index.similarities(text), expected)
    assert len(index.similarities(text)) == len(COVERED + UNCOVERED + UNRELATED)
