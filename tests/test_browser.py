"""The website chat in a real browser: Debian's Chromium, driven headless by Playwright (explicit path; no
browser download). Screenshots of every language, desktop and mobile, go to var/screenshots/."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from bot.local_servers import MODEL, TOKEN, Servers, http
from tests.chromium import CHROMIUM, SCREENSHOTS, wait_until
from tests.reply_language import reply_locales, reply_responses

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (make test installs it)"),
    pytest.mark.skipif(not MODEL.exists(), reason="no trained model: run `make model` first"),
]
FAQ = {
    "de": ("Wie kann ich meine Software-Subskription verlängern?", "utter_faq/renew_subscription"),
    "ro": ("Cum pot obtine o copie a contractului meu?", "utter_faq/contract_copy"),
    "nl": ("Hoe kan ik een kopie van mijn contract bekomen?", "utter_faq/contract_copy"),
    "es": ("¿Cómo consigo una copia de un contrato?", "utter_faq/contract_copy"),
}


@pytest.fixture(scope="module")
def servers(stack: Servers) -> Servers:
    return stack  # the session's shared servers (tests/conftest.py)




def open_chat(browser, servers: Servers, language: str, width: int = 1280, height: int = 800):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(f"{servers.web}/?lang={language}")
    page.wait_for_selector(".sc-input", state="visible")
    wait_until(page, "Object.keys(localStorage).some(k => k.endsWith(':session'))")
    return context, page


def say(page, text: str, replies_before: int | None = None) -> str:  # type: ignore[no-untyped-def]
    count = page.locator(".sc-bot").count() if replies_before is None else replies_before
    page.fill(".sc-input", text)
    page.press(".sc-input", "Enter")
    wait_until(page, f"document.querySelectorAll('.sc-bot').length > {count}")
    page.wait_for_timeout(300)  # a turn can send more than one message
    return bot_text(page)


def bot_text(page, index: int = -1) -> str:  # type: ignore[no-untyped-def]
    """The message exactly as sent (textContent), without the screen-reader label that starts the bubble."""
    texts = page.evaluate("""() => Array.from(document.querySelectorAll('.sc-bot .sc-bubble')).map(b =>
        Array.from(b.childNodes).filter(n => !(n.classList && n.classList.contains('sc-visually-hidden')))
             .map(n => n.textContent).join(''))""")
    return str(texts[index])


@pytest.mark.parametrize("language", sorted(FAQ))
def test_faq_in_each_language_with_screenshots(browser, servers: Servers, language: str) -> None:  # type: ignore[no-untyped-def]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    question, response = FAQ[language]
    context, page = open_chat(browser, servers, language)
    say(page, question)
    answer = bot_text(page)
    assert response in reply_responses(answer)
    assert any(code.startswith(language) for code in reply_locales(answer))
    page.screenshot(path=str(SCREENSHOTS / f"widget-{language}-desktop.png"))
    context.close()
    context, page = open_chat(browser, servers, language, width=390, height=780)
    say(page, question)
    page.screenshot(path=str(SCREENSHOTS / f"widget-{language}-mobile.png"))
    panel = page.locator(".sc-panel").bounding_box()
    assert panel is not None and panel["width"] >= 380  # full width on a phone
    context.close()


def test_language_picker_shows_each_languages_own_name_and_switches(browser, servers: Servers) -> None:  # type: ignore[no-untyped-def]
    context, page = open_chat(browser, servers, "de")
    assert page.locator(".sc-picker option").all_inner_texts() == ["Deutsch", "Română", "Nederlands", "Español"]
    assert page.get_attribute(".sc-input", "aria-label") == "Ihre Nachricht …"
    count = page.locator(".sc-bot").count()
    page.select_option(".sc-picker", "es")
    wait_until(page, f"document.querySelectorAll('.sc-bot').length > {count}")
    assert reply_locales(bot_text(page)) == {"es-ES"}
    assert page.get_attribute(".sc-input", "aria-label") == "Su mensaje …"
    context.close()


def test_quick_replies_fill_and_confirm_a_service_request(browser, servers: Servers) -> None:  # type: ignore[no-untyped-def]
    context, page = open_chat(browser, servers, "nl")
    say(page, "Kunt u een serviceaanvraag voor mij aanmaken?")
    assert reply_responses(bot_text(page)) == {"utter_ask_request_type"}
    count = page.locator(".sc-bot").count()
    page.locator(".sc-bot .sc-quick").first.click()  # contract copy
    wait_until(page, f"document.querySelectorAll('.sc-bot').length > {count}")
    for answer in ("CT-20261234", "Voorbeeld BV", "Jan Jansen", "jan@voorbeeld.nl"):
        say(page, answer)
    say(page, "Graag een getekende kopie voor de audit.")
    assert reply_responses(bot_text(page)) == {"utter_request_summary"}
    count = page.locator(".sc-bot").count()
    page.locator(".sc-bot").last.locator(".sc-quick").first.click()  # confirm
    wait_until(page, f"document.querySelectorAll('.sc-bot').length > {count}")
    page.wait_for_timeout(300)
    assert "REQ-" in bot_text(page, count)
    context.close()


def test_reload_keeps_the_conversation(browser, servers: Servers) -> None:  # type: ignore[no-untyped-def]
    context, page = open_chat(browser, servers, "ro")
    say(page, "Bună ziua")
    before = page.locator(".sc-msg").all_inner_texts()
    session = page.evaluate("Object.entries(localStorage).find(([k]) => k.endsWith(':session'))[1]")
    page.reload()
    page.wait_for_selector(".sc-input", state="visible")
    assert page.locator(".sc-msg").all_inner_texts()[: len(before)] == before
    assert page.evaluate("Object.entries(localStorage).find(([k]) => k.endsWith(':session'))[1]") == session
    answer = say(page, "ok")
    assert "ro-RO" in reply_locales(answer)
    context.close()


def test_markup_is_shown_as_text_and_never_runs(browser, servers: Servers) -> None:  # type: ignore[no-untyped-def]
    context, page = open_chat(browser, servers, "de")
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    payload = "<img src=x onerror=alert(1)>"
    say(page, payload)
    assert page.locator(".sc-user .sc-bubble").last.inner_text().endswith(payload)
    assert page.locator(".sc-log img").count() == 0
    say(page, "javascript:alert(2) und https://example.com/info")
    links = page.locator(".sc-log a")
    assert links.count() == 1
    assert links.first.get_attribute("href") == "https://example.com/info"
    assert "noopener" in (links.first.get_attribute("rel") or "")
    page.wait_for_timeout(500)
    assert dialogs == []
    context.close()


def test_widget_reconnects_after_the_server_restarts(browser, servers: Servers) -> None:  # type: ignore[no-untyped-def]
    """One Rasa restart (most of a minute) for two customers: the widget reconnects and goes on, and a REST
    conversation continues from the tracker store with its language."""
    context, page = open_chat(browser, servers, "es")
    say(page, "Hola")
    rest = f"restart-{uuid.uuid4().hex[:10]}"
    servers.say(rest, "Bună ziua")
    servers.stop(("rasa",))
    page.wait_for_selector(".sc-status", state="visible")
    servers.start(("rasa",))
    page.wait_for_selector(".sc-status", state="hidden", timeout=60000)
    status, tracker = http("GET", f"{servers.rasa}/conversations/{rest}/tracker?token={TOKEN}")
    assert status == 200
    assert [e.get("text") for e in tracker["events"] if e["event"] == "user"] == ["Bună ziua"]
    assert tracker["slots"]["language"] == "ro"
    assert "ro-RO" in reply_locales(servers.say(rest, "ok")[0]["text"])
    answer = say(page, "¿Cómo consigo una copia de un contrato?")
    assert "utter_faq/contract_copy" in reply_responses(answer)
    assert page.locator(".sc-msg").count() >= 4  # the transcript is still there
    context.close()


def test_embed_with_one_script_tag(browser, servers: Servers) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{servers.web}/embed-example.html")
    page.wait_for_selector(".sc-launcher")
    assert page.get_attribute(".sc-launcher", "aria-label") == "Abrir el chat"
    page.click("h1")  # give the page focus, as a visitor's first click would
    page.keyboard.press("Tab")  # the launcher is the page's first focusable element
    page.keyboard.press("Enter")  # keyboard opens the chat
    page.wait_for_selector(".sc-input", state="visible")
    assert page.evaluate("document.activeElement.className") == "sc-input"
    page.keyboard.press("Escape")
    assert page.locator(".sc-panel").is_hidden()
    context.close()


def test_widget_route_serves_only_its_own_files(servers: Servers) -> None:
    assert http("GET", f"{servers.web}/widget/widget.js")[0] == 200
    assert http("GET", f"{servers.web}/widget/vendor/socket.io.min.js")[0] == 200
    for probe in ("../../bot/settings.py", "..%2F..%2Fbot%2Fsettings.py", "vendor/../../README.md", "nope.js"):
        assert http("GET", f"{servers.web}/widget/{probe}")[0] == 404, probe
