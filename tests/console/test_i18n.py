"""The console in the agent's language: every language file has every text, no template or script writes a
text of its own, and a page is in the profile's language or else the browser's."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.console import i18n
from bot.db.engine import session_scope
from bot.db.models import User
from tests.console.conftest import Console

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted((ROOT / "web" / "templates" / "console").glob("*.html"))
SCRIPTS = sorted((ROOT / "web" / "static" / "console").glob("*.js"))
NOT_WORDS = {"UTC"}  # what a template may show literally


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_every_language_has_every_text(language: str) -> None:
    english, other = i18n.catalog("en"), i18n.catalog(language)
    assert sorted(other) == sorted(english)
    assert all(text.strip() for text in other.values())
    for key, text in english.items():  # the same placeholders
        assert sorted(re.findall(r"\{(\w+)\}", other[key])) == sorted(re.findall(r"\{(\w+)\}", text)), key


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_templates_write_no_text_of_their_own(template: Path) -> None:
    source = template.read_text(encoding="utf-8")
    used = re.findall(r"""\bt\(\s*["']([\w.]+)["']""", source)
    known = i18n.catalog("en")
    missing = [k for k in used if (k not in known if not k.endswith(".") else not any(map(str.startswith, known,
                                                                                          [k] * len(known))))]
    assert missing == []  # a key ending in "." is a prefix completed at run time ("admin.done." ~ done)
    visible = re.sub(r"\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}", " ", source, flags=re.S)
    visible = re.sub(r"<[^>]*>", " ", visible)
    words = [w for w in re.findall(r"[^\W\d_]{2,}", visible) if w not in NOT_WORDS]
    assert words == [], f"{template.name} shows text that is not in locales/console: {words}"


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_scripts_take_their_texts_from_the_page(script: Path) -> None:
    source = script.read_text(encoding="utf-8")
    used = re.findall(r"""C\.t\(\s*"([\w.]+)\"""", source) + re.findall(r"""\bt\("([\w.]+)\"""", source)
    assert all(key in i18n.catalog("en") for key in used)
    # A capitalised phrase in a string literal would be an English text written into the script.
    assert re.findall(r'"[A-Z][a-z]+(?: [a-z]+)+[.?!]?"', source) == []


@pytest.mark.parametrize(("profile", "accept", "expected"), [
    (None, None, "en"), (None, "ro-RO,ro;q=0.9,en;q=0.5", "ro"), (None, "fr-FR, nl-BE;q=0.8", "nl"),
    ("de", "es-ES", "de"), ("xx", "es", "es"), (None, "*", "en"), (None, "fr", "en")])
def test_language_choice(profile: str | None, accept: str | None, expected: str) -> None:
    assert i18n.choose_language(profile, accept) == expected


def test_sign_in_in_the_browsers_language(console: Console) -> None:
    client = console.client("10.9.0.1")
    page = client.get("/console/sign-in", headers={"Accept-Language": "nl-BE,nl;q=0.9"})
    assert '<html lang="nl">' in page.body and "Wachtwoord" in page.body
    wrong = client.sign_in("anna", "not the password at all")
    assert wrong.status == 401 and i18n.catalog("en")["sign_in.wrong"] in wrong.body  # the client sent none


def test_pages_in_the_profiles_language(console: Console) -> None:
    with session_scope(console.database_url) as db:
        db.query(User).filter(User.name == "pablo").one().language = "es"
    pablo = console.signed_in("pablo", "10.9.0.2")
    queue = pablo.get("/console/queue", headers={"Accept-Language": "de-DE"})
    spanish = i18n.catalog("es")
    assert '<html lang="es">' in queue.body
    for key in ("queue.title", "queue.waiting_empty", "app.sign_out", "app.escalations"):
        assert spanish[key] in queue.body
    assert i18n.catalog("en")["queue.waiting_empty"] not in queue.body
    texts = re.search(r"data-texts='([^']*)'", queue.body)
    assert texts and "Atendida por un compa" in texts.group(1)  # the scripts' texts, as JSON
    anna = console.shared("anna")
    german = anna.get("/console/requests", headers={"Accept-Language": "de-DE,de;q=0.9"})
    assert '<html lang="de">' in german.body and i18n.catalog("de")["requests.title"] in german.body
    escalation = console.escalate("i18n-conversation")
    reply = anna.request("POST", f"/console/api/escalations/{escalation}/reply", body={"text": "Bună"},
                         headers={"X-CSRF-Token": anna.csrf, "Accept-Language": "ro"})
    assert (reply.status, reply.json()["error"]) == (409, i18n.catalog("ro")["conversation.claim_first"])
