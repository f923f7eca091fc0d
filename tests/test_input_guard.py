"""Input kinds that get their own localized reply."""

from __future__ import annotations

import pytest

from bot.nlu.input_guard import classify_input


@pytest.mark.parametrize(
    "text, kind, markup",
    [
        ("", "empty", False),
        ("   \n\t ", "empty", False),
        ("😀😀🎉", "no_text", False),
        ("?!… ---", "no_text", False),
        ("<script></script>", "no_text", True),
        ("<img src=x onerror=alert(1)>", "no_text", True),
        ("<b>Hallo</b>", "ok", True),
        ("1234567", "ok", False),
        ("x" * 20000, "too_long", False),
        ("Wie kündige ich meinen Vertrag?", "ok", False),
        ("'; DROP TABLE requests; --", "ok", False),
    ],
)
def test_classify_input(text: str, kind: str, markup: bool) -> None:
    result = classify_input(text, {}, max_chars=2000)
    assert (result["kind"], result["markup"], result["length"]) == (kind, markup, len(text))


def test_unsupported_language_is_flagged() -> None:
    assert classify_input("Hello how are you", {"unsupported_language": "en"}, 2000)["kind"] == "unsupported_language"
