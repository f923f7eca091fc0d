"""The content check: every response in every locale, facts resolvable, placeholders and buttons as
catalogued, references from the dialogue and actions present."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot import content
from bot.locales import load_catalog, load_locales


def _errors(locales_dir: Path, root: Path | None = None) -> list[str]:
    return [str(p) for p in content.errors_only(content.check(locales_dir, root))]


def _edit_responses(locales_dir: Path, locale: str, edit) -> None:  # type: ignore[no-untyped-def]
    path = locales_dir / locale / "responses.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_shipped_content_passes() -> None:
    assert _errors(Path("locales")) == []


def test_missing_translation_names_response_and_locale(locales_copy: Path) -> None:
    _edit_responses(locales_copy, "ro-RO", lambda d: d.pop("utter_faq/contract_copy"))
    assert _errors(locales_copy) == ["[error] ro-RO utter_faq/contract_copy: missing translation"]


def test_unknown_fact_fails(locales_copy: Path) -> None:
    # Germany has no phone number in the content: using one must fail, not print an empty string.
    _edit_responses(locales_copy, "de-DE", lambda d: d.__setitem__("utter_goodbye", "Tschüss! ${support_phone}"))
    errors = _errors(locales_copy)
    assert len(errors) == 1 and "de-DE utter_goodbye" in errors[0] and "support_phone" in errors[0]


def test_runtime_placeholders_must_match_catalog(locales_copy: Path) -> None:
    _edit_responses(locales_copy, "es-ES", lambda d: d.__setitem__("utter_request_filed", "Hecho: {referencia}"))
    errors = _errors(locales_copy)
    assert len(errors) == 1
    assert "es-ES utter_request_filed" in errors[0] and "reference" in errors[0] and "referencia" in errors[0]


def test_button_payloads_must_match_catalog(locales_copy: Path) -> None:
    def edit(d: dict) -> None:
        d["utter_offer_human"]["buttons"][0]["payload"] = "/greet"

    _edit_responses(locales_copy, "nl-NL", edit)
    errors = _errors(locales_copy)
    assert len(errors) == 1 and "nl-NL utter_offer_human" in errors[0] and "/greet" in errors[0]


def test_markup_is_rejected(locales_copy: Path) -> None:
    _edit_responses(locales_copy, "nl-BE", lambda d: d.__setitem__("utter_goodbye", "<b>Tot ziens</b>"))
    assert any("nl-BE utter_goodbye: contains markup" in e for e in _errors(locales_copy))


def test_response_referenced_but_absent_fails(locales_copy: Path, tmp_path: Path) -> None:
    root = tmp_path / "project"
    (root / "data" / "rules").mkdir(parents=True)
    (root / "domain").mkdir()
    (root / "actions").mkdir()
    (root / "data" / "rules" / "x.yml").write_text(
        "rules:\n- rule: r\n  steps:\n  - intent: greet\n  - action: utter_does_not_exist\n", encoding="utf-8"
    )
    errors = _errors(locales_copy, root)
    assert errors == ["[error] * utter_does_not_exist: referenced in x.yml but absent from catalog.yml"]


def test_gaps_are_listed_not_failed() -> None:
    gaps = [p for p in content.check(Path("locales")) if p.severity == "gap"]
    assert any(p.locale == "de-DE" and p.response == "support_phone" for p in gaps)


def test_build_has_one_variation_per_locale_with_conditions() -> None:
    locales = load_locales()
    built = content.build_responses(locales, load_catalog(), ["utter_faq/contract_copy"])
    variations = built["utter_faq/contract_copy"]
    assert len(variations) == len(locales) == 5
    conditions = {tuple(c["value"] for c in v["condition"]) for v in variations}
    assert conditions == {("de", "DE"), ("ro", "RO"), ("nl", "BE"), ("nl", "NL"), ("es", "ES")}
    by_locale = {tuple(c["value"] for c in v["condition"]): v["text"] for v in variations}
    assert "+40 (0) 21 405 8100" in by_locale[("ro", "RO")]
    assert "+32 (0)2 339 23 45" in by_locale[("nl", "BE")]
    assert "$" not in "".join(by_locale.values())  # every fact was filled


def test_facts_are_formatted_per_locale() -> None:
    locales = load_locales()
    es, ro = content.fact_values(locales["es-ES"]), content.fact_values(locales["ro-RO"])
    assert (es["weekdays"], es["open_time"], es["summer_close_time"]) == ("lunes–viernes", "9:00", "14:00")
    assert (ro["weekdays"], ro["close_time"]) == ("luni–vineri", "17:30")
    assert es["language_names"] == "Deutsch, Română, Nederlands, Español"


def test_no_locale_invents_a_german_or_dutch_phone_number() -> None:
    locales = load_locales()
    for code in ("de-DE", "nl-NL"):
        facts = content.fact_values(locales[code])
        assert "support_phone" not in facts
        texts = " ".join(str(v if isinstance(v, str) else v["text"]) for v in locales[code].responses.values())
        assert "+49" not in texts and "+31" not in texts
