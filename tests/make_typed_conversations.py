"""Writes tests/data/typed_conversations/<lang>.yml: conversations in which every answer is typed.

Each conversation has a question in the middle of a form, a correction and a typo; offers are accepted by
typing and follow-ups rely on the previous answer. The phrases are written per language below; the
conversations combine them so that each request type, question kind and correction kind occurs.
Run: python tests/make_typed_conversations.py
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).parent
TYPES = ("contract_copy", "software_license_termination", "maintenance_termination", "servicepac_registration",
         "quote_question", "other")
ASK_AFTER = {"request_type": "utter_ask_contract_number", "contract_number": "utter_ask_company",
             "company": "utter_ask_contact_name", "contact_name": "utter_ask_email", "email": "utter_ask_details",
             "details": "utter_request_summary"}

P: dict[str, dict[str, Any]] = {
    "de": {
        "countries": ["DE"],
        "start": ["Bitte erstellen Sie eine Serviceanfrage für mich", "Ich möchte eine Anfrage stellen",
                  "können sie bitte eine anfrage für mich aufnehmen", "Ich brauche eine Serviceanfrage"],
        "types": {"contract_copy": ["Vertragskopei", "kopie meines vertrags"],
                  "software_license_termination": ["Softwarelizens kündigen", "Kündigung Softwarelizenz"],
                  "maintenance_termination": ["Wartungsvertrag kündgen", "Wartungsvertrag kündigen"],
                  "servicepac_registration": ["SevicePac registrieren", "servicepac freischalten lassen"],
                  "quote_question": ["Frage zum Angebott", "frage zum angebot"],
                  "other": ["Sonstges", "etwas anderes"]},
        "slot_question": ("Was ist eine Kundennummer?", "utter_explain_contract_number"),
        "faq_question": "Wie bekomme ich eine Kopie meines Vertrags?",
        "hours_question": "Zu welchen Uhrzeiten ist Ihr Support besetzt?",
        "human": "ich will mit einem Menschen sprechen",
        "companies": ["Muster AG", "Schmidt & Partner GmbH", "Becker Logistik KG", "Weber IT Services GmbH"],
        "names": ["Hans Müller", "Erika Schneider", "Thomas Wagner", "Anna Fischer"],
        "details": ["Bitte senden Sie uns die unterschriebene Fassung für die Prüfung.",
                    "Wir möchten den Vertrag zum Jahresende beenden.", "Rückruf am Vormittag erwünscht."],
        "fix_email": "nein, die E-Mail ist falsch, richtig ist {email}",
        "fix_contract": "nein, die Vertragsnummer ist {number}",
        "change_company": "Firma ändern",
        "fix_company_midform": "nein, die Firma ist falsch, richtig ist {company}",
        "yes": ["ja, das passt so", "Ja, bitte senden", "ja genau", "jawohl, passt alles"],
        "quote_start": "Ich möchte mein Verlängerungsangebot {quote} abrufen",
        "quote_question": ("Wo finde ich die Kundenummer?", "utter_explain_customer_number"),
        "quote_fix": "nein, meine Kundennummer ist {customer}",
        "faq_offer": ("Wie bekomme ich eine Kopie meines Vertrags?", "ja, bitte gleich erstellen"),
        "hours": ("Zu welchen Uhrzeiten ist Ihr Support besetzt?", "und am Wochenende?", "ja gerne, legen Sie los"),
        "person": ("Kann ich bitte mit jemandem aus Ihrem Team sprechen", "ja, bitte legen Sie eine an"),
        "follow_up": ("Wie kann ich unseren Wartungsvertrag schriftlich kündigen?", "und das Fax?", "utter_contact_fax",
                      "Bitte erstellen Sie eine Serviceanfrage", "maintenance_termination"),
    },
    "ro": {
        "countries": ["RO"],
        "start": ["Vă rog să deschideți o cerere de service pentru mine", "Aș dori să fac o cerere",
                  "puteti sa imi creati o cerere?", "Am nevoie de o cerere de service"],
        "types": {"contract_copy": ["Copie contarct", "o copie a contractului"],
                  "software_license_termination": ["Incetare licenta sofware", "încetare licență software"],
                  "maintenance_termination": ["încetare mentenanta", "Încetare contract mentenanță"],
                  "servicepac_registration": ["Inregistrare SevicePac", "aș vrea activarea servicepac"],
                  "quote_question": ["întrebare despre oferat", "Întrebare despre ofertă"],
                  "other": ["Altă solicitre", "altceva"]},
        "slot_question": ("Ce este numărul de client?", "utter_explain_contract_number"),
        "faq_question": "Cum obțin o copie după contractul nostru?",
        "hours_question": "La ce ore lucrează echipa de suport?",
        "human": "aș vrea să vorbesc cu o persoană reală",
        "companies": ["Exemplu SRL", "Tehno Grup SA", "Ardeal Soft SRL", "Delta Logistic SRL"],
        "names": ["Ana Pop", "Mihai Ionescu", "Elena Dumitrescu", "Andrei Stan"],
        "details": ["Vă rog să ne trimiteți copia semnată pentru audit.",
                    "Dorim încetarea contractului la sfârșitul anului.", "Vă rog să mă sunați dimineața."],
        "fix_email": "nu, e-mailul este greșit, corect este {email}",
        "fix_contract": "nu, numărul contractului este {number}",
        "change_company": "schimbați compania",
        "fix_company_midform": "nu, compania este greșită, corect este {company}",
        "yes": ["da, totul e bine", "Da, trimiteți", "da, totul e corect", "sigur, trimiteți"],
        "quote_start": "Vreau să văd oferta de reînnoire {quote}",
        "quote_question": ("Ce este numărul de clinet?", "utter_explain_customer_number"),
        "quote_fix": "nu, numărul de client este {customer}",
        "faq_offer": ("Cum obțin o copie după contractul nostru?", "da, e în regulă"),
        "hours": ("La ce ore lucrează echipa de suport?", "dar sâmbăta?", "da, vă rog frumos"),
        "person": ("Pot vorbi cu cineva din echipa dvs.?", "da, creați-mi una, vă rog"),
        "follow_up": ("Cum reziliez contractul de mentenanță?", "și faxul?", "utter_contact_fax",
                      "Vă rog să deschideți o cerere de service", "maintenance_termination"),
    },
    "nl": {
        "countries": ["BE", "NL"],
        "start": ["Kunt u een serviceaanvraag voor mij aanmaken?", "Ik wil een aanvraag indienen",
                  "maak aub een aanvraag voor mij aan", "Ik heb een serviceaanvraag nodig"],
        "types": {"contract_copy": ["Kopie van een contract", "kopie van contarct"],
                  "software_license_termination": ["softwarelicentie beeindigen", "licentie opzegen"],
                  "maintenance_termination": ["Onderhoud beëindigen", "onderhoud opzeggen"],
                  "servicepac_registration": ["ServicePac registeren", "servicepac laten activeren"],
                  "quote_question": ["Vraag over offerte", "vraag over de oferte"],
                  "other": ["Andere vraag", "iets andres"]},
        "slot_question": ("Wat is een klantnummer?", "utter_explain_contract_number"),
        "faq_question": "Hoe kan ik een kopie van mijn contract krijgen?",
        "hours_question": "Wanneer is de klantendienst bereikbaar?",
        "human": "ik wil met een mens praten",
        "companies": ["Voorbeeld BV", "Janssens & Zonen NV", "De Vries Logistiek BV", "Peeters IT BV"],
        "names": ["Jan Peeters", "Sophie de Vries", "Pieter Janssens", "Emma Bakker"],
        "details": ["Graag de ondertekende versie voor onze auditors.",
                    "We willen het contract op het einde van het jaar stopzetten.", "Bel mij graag 's ochtends."],
        "fix_email": "nee, het e-mailadres klopt niet, het moet zijn {email}",
        "fix_contract": "nee, het contractnummer is {number}",
        "change_company": "bedrijf wijzigen",
        "fix_company_midform": "nee, de bedrijfsnaam is fout, het moet zijn {company}",
        "yes": ["ja, klopt allemaal", "Ja, dat is goed", "ja, indienen", "ja hoor, prima zo"],
        "quote_start": "Ik wil mijn verlengingsofferte {quote} bekijken",
        "quote_question": ("Wat is een klantnumer?", "utter_explain_customer_number"),
        "quote_fix": "nee, mijn klantnummer is {customer}",
        "faq_offer": ("Hoe kan ik een kopie van mijn contract krijgen?", "ja graag, maak maar aan"),
        "hours": ("Wanneer is de klantendienst bereikbaar?", "en in het weekend?", "ja, maak maar een aanvraag"),
        "person": ("Ik wil graag met een medewerker spreken", "ja graag, doe maar"),
        "follow_up": ("Hoe krijg ik een kopie van mijn contract?", "en voor België?", "utter_faq/contract_copy",
                      "Kunt u een serviceaanvraag voor mij aanmaken?", "contract_copy"),
    },
    "es": {
        "countries": ["ES"],
        "start": ["Por favor, abra una solicitud de servicio para mí", "Quiero hacer una solicitud",
                  "me puede crear una solicitud?", "Necesito abrir una solicitud de servicio"],
        "types": {"contract_copy": ["copia de contarto", "Copia de contrato"],
                  "software_license_termination": ["cancelacion de licensia", "cancelar la licencia"],
                  "maintenance_termination": ["cancelación de mantenimento", "cancelar el mantenimiento"],
                  "servicepac_registration": ["registro de SevicePac", "quiero activar un servicepac"],
                  "quote_question": ["consulta sobre ofreta", "Consulta sobre oferta"],
                  "other": ["otra consulta", "otro asuntto"]},
        "slot_question": ("¿Qué es el número de cliente?", "utter_explain_contract_number"),
        "faq_question": "¿Cómo consigo una copia de mi contrato?",
        "hours_question": "¿En qué horario atienden por teléfono?",
        "human": "prefiero hablar con una persona de verdad",
        "companies": ["Ejemplo SL", "García y Asociados SA", "Logística Norte SL", "Sistemas Levante SL"],
        "names": ["María García", "Javier López", "Lucía Martínez", "Carlos Sánchez"],
        "details": ["Necesitamos la copia firmada para la auditoría.",
                    "Queremos cancelar el contrato a final de año.", "Llámenme por la mañana, por favor."],
        "fix_email": "no, el correo está mal, el correcto es {email}",
        "fix_contract": "no, el contrato es {number}",
        "change_company": "cambiar la empresa",
        "fix_company_midform": "no, la empresa está mal, el correcto es {company}",
        "yes": ["sí, todo correcto", "sí, envíela", "vale, envíela", "claro, adelante"],
        "quote_start": "quiero ver mi oferta de renovación {quote}",
        "quote_question": ("¿Qué es el númro de cliente?", "utter_explain_customer_number"),
        "quote_fix": "no, mi número de cliente es {customer}",
        "faq_offer": ("¿Cómo consigo una copia de mi contrato?", "sí, créela"),
        "hours": ("¿En qué horario atienden por teléfono?", "¿y el sábado?", "sí, créela"),
        "person": ("Quiero hablar con un agente", "sí, hágalo por favor"),
        "follow_up": ("¿Cómo cancelo mi contrato de mantenimiento?", "y el fax?", "utter_contact_fax",
                      "Por favor, abra una solicitud de servicio para mí", "maintenance_termination"),
    },
}


# Nobody is online in the console during these conversations: what is said depends on the support hours.
NO_COLLEAGUE = ("utter_handoff_nobody_available", "utter_handoff_closed", "utter_handoff_no_hours")


def turn(text: str, kind: str = "answer", expect: str | None = None, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"text": text, "kind": kind}
    if expect:
        out["expect"] = expect
    out.update(extra)
    return out


def form_turns(p: dict[str, Any], i: int, request_type: str | None, question_at: str) -> tuple[list, dict]:
    """The form from its first question to the filed request: one question, one correction, one typo."""
    email, number = f"kontakt{i}@example{i}.com", f"CT-2026{1000 + i:04d}"
    company, name = p["companies"][i % 4], p["names"][i % 4]
    answers = {"contract_number": number, "company": company, "contact_name": name, "email": email,
               "details": p["details"][i % 3]}
    turns: list[dict[str, Any]] = []
    if request_type:
        turns.append(turn(p["types"][request_type][i % 2], "typo" if i % 2 == 0 else "answer",
                          ASK_AFTER["request_type"]))
    question_kinds = [("slot_question", None), ("faq_question", None), ("hours_question", None), ("human", None)]
    q_kind = question_kinds[i % 4][0]
    q_text = p[q_kind][0] if q_kind == "slot_question" else p[q_kind]
    fix_kind = ("email", "contract", "company", "midform")[(i // 2) % 4]
    new_email, new_number, new_company = f"neu{i}@example{i}.com", f"CT-2027{2000 + i:04d}", p["companies"][(i + 1) % 4]
    for slot in ("contract_number", "company", "contact_name", "email", "details"):
        if slot == question_at:
            expect = p["slot_question"][1] if q_kind == "slot_question" else f"utter_ask_{slot}"
            turns.append(turn(q_text, "question", expect))
        if slot == "email" and fix_kind == "midform":
            turns.append(turn(p["fix_company_midform"].format(company=new_company), "correction", "utter_ask_email"))
        text = answers[slot]
        if slot == "contract_number" and not request_type and i % 2 == 0:
            text = text.lower().replace("-", " ")  # "ct 20261004": typed loosely, still a contract number
        turns.append(turn(text, "answer", ASK_AFTER[slot]))
    if fix_kind == "email":
        turns.append(turn(p["fix_email"].format(email=new_email), "correction", "utter_request_summary"))
        answers["email"] = new_email
    elif fix_kind == "contract":
        turns.append(turn(p["fix_contract"].format(number=new_number), "correction", "utter_request_summary"))
        answers["contract_number"] = new_number
    elif fix_kind == "company":
        turns.append(turn(p["change_company"], "correction", "utter_ask_company"))
        turns.append(turn(new_company, "answer", "utter_request_summary"))
        answers["company"] = new_company
    else:
        answers["company"] = new_company
    turns.append(turn(p["yes"][i % 4], "answer", "utter_request_filed"))
    return turns, {k: answers[k] for k in ("contract_number", "company", "email")}


def conversations(language: str) -> list[dict[str, Any]]:
    p = P[language]
    countries = p["countries"]
    out = []
    positions = ("company", "email", "contact_name", "details", "contract_number")
    for i in range(12):
        request_type = TYPES[i % 6]
        body, row = form_turns(p, i, request_type, positions[i % 5])
        out.append({"name": f"request {request_type} #{i}", "country": countries[i % len(countries)],
                    "turns": [turn(p["start"][i % 4], "answer", "utter_ask_request_type")] + body,
                    "request": {"request_type": request_type, **row}})
    quotes = [("Q-90000001", "utter_quote_details"), ("Q-90000004", "utter_quote_details"),
              ("Q-90000003", "utter_quote_details"), ("Q-90000002", "utter_quote_expired")]
    for i, (quote, result) in enumerate(quotes):
        question, explanation = p["quote_question"]
        out.append({"name": f"quote {quote}", "country": countries[i % len(countries)], "turns": [
            turn(p["quote_start"].format(quote=quote), "answer", "utter_ask_customer_number"),
            turn(question, "question", explanation),
            turn("9000002", "answer", "utter_quote_not_found"),
            turn(p["quote_fix"].format(customer="9000001"), "correction", result)]})
    faq, yes = p["faq_offer"]
    body, row = form_turns(p, 12, None, "company")
    out.append({"name": "FAQ, then its offer accepted by typing", "country": countries[0],
                "turns": [turn(faq, "answer"), turn(yes, "offer_yes", "utter_ask_contract_number")] + body,
                "request": {"request_type": "contract_copy", **row}})
    hours, weekend, yes = p["hours"]
    body, row = form_turns(p, 13, "other", "details")
    out.append({"name": "hours, the weekend, then a request", "country": countries[-1],
                "turns": [turn(hours, "answer"), turn(weekend, "follow_up", "utter_support_weekend"),
                          turn(yes, "offer_yes", "utter_ask_request_type")] + body,
                "request": {"request_type": "other", **row}})
    person, yes = p["person"]
    body, row = form_turns(p, 14, "quote_question", "email")
    out.append({"name": "a person, then the offered request", "country": countries[0],
                "turns": [turn(person, "answer", "|".join(NO_COLLEAGUE)),
                          turn(yes, "offer_yes", "utter_ask_request_type")] + body,
                "request": {"request_type": "quote_question", **row}})
    first, follow, expected, start, topic_type = p["follow_up"]
    # The request type comes from the FAQ just read: the form starts with the number.
    body, row = form_turns(p, 15, None, "contact_name")
    follow_turn = turn(follow, "follow_up", expected)
    if language == "nl":
        follow_turn["facts"] = "BE"
    out.append({"name": "a follow-up on the previous answer, then a request", "country": countries[-1],
                "turns": [turn(first, "answer"), follow_turn, turn(start, "answer", "utter_ask_contract_number")] + body,
                "request": {"request_type": topic_type, **row}})
    return out


def main() -> None:
    target = HERE / "data" / "typed_conversations"
    target.mkdir(parents=True, exist_ok=True)
    for language in P:
        header = ("# Generated by tests/make_typed_conversations.py. Every answer is typed; `expect` is a response\n"
                  "# the reply must contain, `request` the row that must be stored, `facts` another country.\n")
        body = yaml.safe_dump({"conversations": conversations(language)}, allow_unicode=True, sort_keys=False,
                              width=120)
        (target / f"{language}.yml").write_text(header + body, encoding="utf-8")
        print(target / f"{language}.yml")


if __name__ == "__main__":
    main()
