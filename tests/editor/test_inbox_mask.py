"""What the editor sees of an unanswered message: e-mail addresses, links, numbers and the customer's name
(after an introduction or a sign-off, in the four languages) are masked; ordinary words stay."""

from __future__ import annotations

import pytest

from bot.editor.inbox import group_key, mask


@pytest.mark.parametrize(("text", "masked"), [
    ("Hallo, ich heiße Klaus Weber und brauche eine Kopie", "Hallo, ich heiße [name] und brauche eine Kopie"),
    ("Mit freundlichen Grüßen, Petra Schmidt", "Mit freundlichen Grüßen, [name]"),
    ("Numele meu este Ion Popescu.", "Numele meu este [name]."),
    ("ma numesc Andreea, contractul 4711", "ma numesc [name], contractul [number]"),
    ("ik ben Pieter de Vries", "ik ben [name]"),
    ("groeten, Jan", "groeten, [name]"),
    ("Me llamo Ana de la Fuente y quiero una copia", "Me llamo [name] y quiero una copia"),
    ("Soy Marta, escribid a marta@example.es", "Soy [name], escribid a [e-mail]"),
    ("mi web es https://example.es/x", "mi web es [link]"),
])
def test_personal_data_is_masked(text: str, masked: str) -> None:
    assert mask(text) == masked


@pytest.mark.parametrize("text", ["Sunt client de 5 ani", "ik ben de klant", "soy cliente", "wie kündige ich?",
                                  "Ich möchte meinen Vertrag kündigen"])
def test_ordinary_wording_stays(text: str) -> None:
    assert "[name]" not in mask(text)


def test_messages_differing_only_in_the_name_group_together() -> None:
    assert group_key("Me llamo Ana, ¿y el fax?") == group_key("me llamo Pedro ¿y el fax?")
