"""Writes tests/stories/test_<lang>.yml (Rasa test stories) from tests/data/conversations/<lang>.yml.

The conversations are written by people per language (text + intent); the expected bot action of each
turn follows from the rules, so it is derived here rather than typed four times.
Run: python tests/make_test_stories.py
"""

from __future__ import annotations

from pathlib import Path

import yaml

HERE = Path(__file__).parent
ACTION_FOR_INTENT = {
    "greet": "utter_greet",
    "goodbye": "utter_goodbye",
    "thank": "utter_thank",
    "bot_challenge": "utter_iamabot",
    "out_of_scope": "action_out_of_scope",
    "request_human": "action_escalate",
    "affirm": "action_answer_offer",
    "deny": "action_answer_offer",
    "ask_support_hours": "action_support_hours",
    "switch_language": "action_language_request",
}


def expected_actions(intent: str) -> list[str]:
    if intent.startswith("faq/"):
        # The dialogue answers every topic with the one FAQ rule; which answer the response selector picks
        # is NLU quality, measured on held-out data by bench/nlu.py and end to end by tests/test_server.py.
        # A second question in the same message would carry an `other_question` entity (none here).
        return ["utter_faq"]
    return [ACTION_FOR_INTENT[intent]]


def stories_for(language: str) -> dict:
    source = yaml.safe_load((HERE / "data" / "conversations" / f"{language}.yml").read_text(encoding="utf-8"))
    stories = []
    for conversation in source["conversations"]:
        steps = []
        for turn in conversation["turns"]:
            steps.append({"user": turn["text"], "intent": turn["intent"]})
            steps += [{"action": action} for action in expected_actions(turn["intent"])]
        stories.append({"story": f"{language}: {conversation['name']}", "steps": steps})
    return {"version": "3.1", "stories": stories + [two_questions_story(language)] + form_stories(language)}


# A FAQ message that asks a second thing: the NLU names it (other_question) and the rule offers it
# (the NLU side: tests/test_nlu_other_question.py and tests/test_server.py).
def two_questions_story(language: str) -> dict:
    return {"story": f"{language}: two questions in one message", "steps": [
        # No `user:` text: with a text, Rasa reads entities only from inline annotations of it.
        {"intent": "faq/contract_copy", "entities": [{"other_question": "ask_support_hours"}]},
        {"action": "utter_faq"}, {"action": "action_offer_other_question"}]}


# The message that starts a service request and a FAQ asked in the middle of the form, per language.
FORM_PHRASES = {
    "de": ("Bitte erstellen Sie eine Serviceanfrage für mich", "Wie bekomme ich eine Kopie meines Vertrags?"),
    "ro": ("Va rog sa deschideti o cerere de service pentru mine", "Cum pot obtine o copie a contractului meu?"),
    "nl": ("Kunt u een serviceaanvraag voor mij aanmaken?", "Hoe kan ik een kopie van mijn contract krijgen?"),
    "es": ("Por favor, abra una solicitud de servicio para mí", "¿Cómo consigo una copia de mi contrato?"),
}
ANSWERS = [("contract_number", "CT-20261234"), ("company", "Example Ltd"), ("contact_name", "Alex Doe"),
           ("email", "alex@example.com"), ("details", "Please send the signed copy."), ("confirmed", "yes")]
FORM = "service_request_form"


def _ask(slot: str) -> dict:
    return {"slot_was_set": [{"requested_slot": slot}]}


def _answer(slot: str, value: str | None, next_slot: str | None) -> list[dict]:
    steps: list[dict] = [{"intent": "inform"}, {"action": FORM}, {"slot_was_set": [{slot: value}]}]
    if next_slot:
        steps.append(_ask(next_slot))
    return steps


def form_stories(language: str) -> list[dict]:
    start, faq = FORM_PHRASES[language]
    opening = [{"user": start, "intent": "file_request"}, {"action": FORM}, {"active_loop": FORM},
               _ask("request_type"),
               {"intent": "inform", "entities": [{"request_type": "contract_copy"}]},
               {"action": FORM}, {"slot_was_set": [{"request_type": "contract_copy"}]}, _ask("contract_number")]
    answers: list[dict] = []
    for index, (slot, value) in enumerate(ANSWERS):
        answers += _answer(slot, value, ANSWERS[index + 1][0] if index + 1 < len(ANSWERS) else None)
    answers[-3] = {"intent": "affirm"}  # the summary (slot `confirmed`) is answered with a yes
    done = [{"active_loop": None}, {"slot_was_set": [{"requested_slot": None}]}, {"action": "action_file_request"}]
    happy = opening + answers + done
    # Correction: an invalid e-mail is refused (slot stays empty, asked again), then corrected.
    email_at = next(i for i, s in enumerate(answers) if s.get("slot_was_set") == [{"email": "alex@example.com"}])
    declined = answers[:-3] + [{"intent": "deny"}, {"action": FORM}, {"slot_was_set": [{"confirmed": None}]},
                               {"slot_was_set": [{"form_cancelled": True}]}]
    corrected = (opening + declined[: email_at - 2] + [{"intent": "inform"}, {"action": FORM},
                 {"slot_was_set": [{"email": None}]}, _ask("email")] + declined[email_at - 2:] + done)
    # A question in the middle of the form is answered, then the form goes on.
    digression = (opening[:8] + [{"user": faq, "intent": "faq/contract_copy"}, {"action": "utter_faq"},
                  {"action": FORM}, {"active_loop": FORM}] + answers + done)
    # Two questions in one message in the middle of the form: answered, and the form goes on (no offer).
    two_questions = (opening[:8] + [{"intent": "faq/contract_copy", "entities": [{"other_question": "faq/why_ibm_id"}]},
                     {"action": "utter_faq"}, {"action": FORM}, {"active_loop": FORM}] + answers + done)
    cancelled = opening + [{"intent": "deny"}, {"action": FORM},
                           {"slot_was_set": [{"form_cancelled": True}]}] + done
    return [
        {"story": f"{language}: service request, happy path", "steps": happy},
        {"story": f"{language}: service request, corrected e-mail, then declined", "steps": corrected},
        {"story": f"{language}: service request with a FAQ in between", "steps": digression},
        {"story": f"{language}: service request with two questions in between", "steps": two_questions},
        {"story": f"{language}: service request cancelled", "steps": cancelled},
    ]


def main() -> None:
    for path in sorted((HERE / "data" / "conversations").glob("*.yml")):
        target = HERE / "stories" / f"test_{path.stem}.yml"
        header = f"# Generated by tests/make_test_stories.py from {path.relative_to(HERE.parent)}.\n"
        body = yaml.safe_dump(stories_for(path.stem), allow_unicode=True, sort_keys=False, width=120)
        target.write_text(header + body, encoding="utf-8")
        print(target)


if __name__ == "__main__":
    main()
