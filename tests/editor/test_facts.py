"""Facts on a page against a locale's facts: same number written differently, fax vs phone, summer hours,
a gap filled, ambiguity left to the editor."""

from __future__ import annotations

from bot.editor.facts import compare, extract


def test_phone_spelled_differently_is_the_same_fact() -> None:
    facts = {"support_phone": "+32 (0)2 339 23 45"}
    occurrences = extract("Bel +32 (0) 2 339 23 45 of 02 339 23 45.")
    diff = compare(facts, occurrences)
    assert diff.changes == [] and diff.unchanged == ["support_phone"]


def test_number_without_country_code_matches() -> None:
    diff = compare({"support_phone": "+34 901 200 400"}, extract("Llame al 901 200 400 para más información."))
    assert diff.changes == []


def test_fax_and_phone_are_told_apart() -> None:
    facts = {"support_phone": "+40 (0) 21 405 8100", "fax": "+40 (0) 21 405 8101"}
    diff = compare(facts, extract("Sunați la +40 (0) 21 405 8100.\nsau pe fax: +40 (0) 21 405 8199"))
    assert [(c.key, c.old, c.new) for c in diff.changes] == [("fax", "+40 (0) 21 405 8101", "+40 (0) 21 405 8199")]


def test_summer_hours_are_their_own_fact() -> None:
    facts = {"support_hours": {"weekdays": ["mon", "fri"], "open": "09:00", "close": "17:00",
                               "summer": {"open": "08:30", "close": "14:00", "period": None}}}
    diff = compare(facts, extract("Llame de 09:00 a 17:00 (en verano de 08:00 a 15:00)."))
    assert [(c.key, c.old, c.new, c.new_value) for c in diff.changes] == [
        ("support_hours.summer", "08:30–14:00", "08:00–15:00", {"open": "08:00", "close": "15:00"})]


def test_value_for_an_empty_fact_fills_the_gap() -> None:
    diff = compare({"support_phone": None}, extract("Rufen Sie uns an: +49 (0) 7034 15 4000."))
    assert [(c.key, c.old, c.new_value) for c in diff.changes] == [("support_phone", None, "+49 (0) 7034 15 4000")]


def test_hours_for_an_empty_fact_need_the_editor() -> None:
    diff = compare({"support_hours": None}, extract("Wir sind von 08:00 bis 17:00 erreichbar."))
    assert [(c.key, c.new_value) for c in diff.changes] == [("support_hours", None)]
    assert "weekdays" not in diff.changes[0].note and "opening days" in diff.changes[0].note


def test_several_candidates_are_settled_by_the_topic_or_left_open() -> None:
    facts = {"license_notice_days": 30, "pa_autorenewal_unpaid_days": 59}
    occurrences = extract("U moet 45 dagen vooraf opzeggen.", question="Hoe beëindig ik mijn licentie?")
    open_diff = compare(facts, occurrences)
    assert [(c.key, c.new) for c in open_diff.changes] == [(None, "45 dagen")]
    settled = compare(facts, occurrences, {"faq/terminate_software_license": {"license_notice_days"}},
                      {"Hoe beëindig ik mijn licentie?": "faq/terminate_software_license"})
    assert [(c.key, c.old, c.new_value) for c in settled.changes] == [("license_notice_days", "30", 45)]


def test_address_block_and_email() -> None:
    facts = {"postal_address": "IBM België, Customer Support Online Team, Bourgetlaan 42, 1130 Brussel",
             "servicepac_email": "ePacbelx_support@be.ibm.com"}
    text = "IBM België\nCustomer Support Online Team\nBourgetlaan 44\n1130 Brussel"
    diff = compare(facts, extract(text) + extract("Mail naar epac_support@be.ibm.com voor vragen."))
    assert [(c.key, c.new) for c in diff.changes] == [
        ("postal_address", "IBM België, Customer Support Online Team, Bourgetlaan 44, 1130 Brussel"),
        ("servicepac_email", "epac_support@be.ibm.com"),
    ]


def test_dates_are_not_phone_numbers() -> None:
    assert [o.kind for o in extract("Ab 2026-07-01 gilt der Sommerplan, bis 31.08.2026.")] == []
