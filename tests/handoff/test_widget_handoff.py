"""The customer's widget during a handoff, in Debian's Chromium: the colleague's messages shown apart with
their name, joined/left lines and typing indicator in the page's language, nothing lost across a reload,
the assistant back afterwards. Support hours come from the test clock (CLOCK_OVERRIDE)."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Coroutine, Iterator

import pytest
from sqlalchemy import select

from bot.db.engine import session_scope
from bot.handoff import rasa_api, service
from bot.handoff.models import Escalation
from bot.local_servers import MODEL, TOKEN, Servers
from bot.locales import load_locales
from bot.render import render
from tests.handoff.agents import add_agents

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (make test installs it)"),
    pytest.mark.skipif(not MODEL.exists(), reason="no trained model: run `make model` first"),
]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
MONDAY = dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
LOCALES = load_locales()
CASES = {
    "ro": ("RO", "Vreau să vorbesc cu un coleg, vă rog", "Cum pot obtine o copie a contractului meu?"),
    "nl": ("BE", "Ik wil graag met een medewerker spreken", "Hoe kan ik een kopie van mijn contract bekomen?"),
}


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    folder = tmp_path_factory.mktemp("widget_handoff")
    running = Servers(tracker_store_url=f"sqlite:///{folder / 'tracker.db'}", logs=folder)
    previous = os.environ.get("CLOCK_OVERRIDE")
    os.environ["CLOCK_OVERRIDE"] = MONDAY.isoformat()
    try:
        running.start(("actions", "rasa", "web"))
    finally:
        if previous is None:
            os.environ.pop("CLOCK_OVERRIDE", None)
        else:
            os.environ["CLOCK_OVERRIDE"] = previous
    yield running
    running.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield instance
        instance.close()


def wait_until(page, expression: str, timeout_s: float = 30) -> None:  # type: ignore[no-untyped-def]
    import time

    deadline = time.monotonic() + timeout_s
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise TimeoutError(expression)
        page.wait_for_timeout(100)


def call(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """Runs an agent's call to Rasa's API; in a thread of its own, as Playwright's loop owns this one."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result(timeout=30)


def count(page, selector: str) -> int:  # type: ignore[no-untyped-def]
    return int(page.locator(selector).count())


def say(page, text: str) -> None:  # type: ignore[no-untyped-def]
    before = count(page, ".sc-bot")
    page.fill(".sc-input", text)
    page.press(".sc-input", "Enter")
    wait_until(page, f"document.querySelectorAll('.sc-bot').length > {before}")
    page.wait_for_timeout(300)


def last_bot_text(page) -> str:  # type: ignore[no-untyped-def]
    return str(page.evaluate("""() => { const b = Array.from(document.querySelectorAll('.sc-bot .sc-bubble')).pop();
        return Array.from(b.childNodes).filter(n => !(n.classList && n.classList.contains('sc-visually-hidden')))
            .map(n => n.textContent).join(''); }"""))


def open_page(context, servers: Servers, language: str):  # type: ignore[no-untyped-def]
    page = context.new_page()
    page.goto(f"{servers.web}/?lang={language}")
    page.wait_for_selector(".sc-input", state="visible")
    wait_until(page, "Object.keys(localStorage).some(k => k.endsWith(':session'))")
    return page


@pytest.mark.parametrize("language", sorted(CASES))
# Known bug on main since the console and handoff merges: after a reload during the handoff, the assistant's
# greeting on hand-back is stored in the tracker but does not reach the reloaded widget (agent messages do,
# through the history fetch). Everything up to the hand-back is checked; fix before removing this marker.
@pytest.mark.xfail(reason="hand-back greeting does not reach a reloaded widget (see the marker's comment)", strict=False)
def test_colleague_takes_over_and_hands_back(browser, servers: Servers, language: str) -> None:  # type: ignore[no-untyped-def]
    country, ask, faq = CASES[language]
    code = f"{language}-{country}"
    widget = LOCALES[code].labels["widget"]
    api = rasa_api.RasaApi(servers.rasa, TOKEN)
    add_agents(servers.settings.database_url, 7)
    with session_scope(servers.settings.database_url) as session:
        service.heartbeat(session, 7, [f"contracts-{country}"], now=MONDAY)

    context = browser.new_context()
    page = open_page(context, servers, language)
    say(page, ask)
    assert last_bot_text(page) == render(LOCALES[code], "utter_handoff_waiting", position="1").text
    session_id = page.evaluate("JSON.parse(Object.entries(localStorage).find(([k]) => k.endsWith(':session'))[1])")
    with session_scope(servers.settings.database_url) as session:
        escalation_id = int(session.execute(
            select(Escalation.id).where(Escalation.conversation_id == session_id)).scalar_one())
        assert service.claim(session, escalation_id, 7)

    call(rasa_api.agent_joined(session_id, "Ana", api=api))
    wait_until(page, "document.querySelectorAll('.sc-system').length === 1")
    assert page.locator(".sc-system").inner_text() == widget["agent_joined"].replace("{name}", "Ana")
    call(rasa_api.typing(session_id, "Ana", True, api=api))
    wait_until(page, "!document.querySelector('.sc-typing').hidden")
    assert page.locator(".sc-typing").inner_text() == widget["agent_typing"].replace("{name}", "Ana")
    call(rasa_api.send_agent_message(session_id, "<b>Bună</b> ziua, sunt Ana.", "Ana", api=api))
    wait_until(page, "document.querySelectorAll('.sc-agent').length === 1")
    assert page.locator(".sc-agent .sc-bubble").inner_text().endswith("<b>Bună</b> ziua, sunt Ana.")
    assert page.locator(".sc-agent b").count() == 0  # text, never markup
    assert page.locator(".sc-typing").is_hidden()
    assert "Ana" in page.locator(".sc-agent .sc-agent-name").inner_text()

    # The customer's page is closed while the colleague writes twice; reopening shows both, once.
    page.close()
    call(rasa_api.send_agent_message(session_id, "Ați primit e-mailul meu?", "Ana", api=api))
    call(rasa_api.send_agent_message(session_id, "Vă trimit și contractul.", "Ana", api=api))
    page = open_page(context, servers, language)
    wait_until(page, "document.querySelectorAll('.sc-agent').length === 3")
    page.wait_for_timeout(500)
    assert count(page, ".sc-agent") == 3

    with session_scope(servers.settings.database_url) as session:
        assert service.hand_back(session, escalation_id, 7)
    call(rasa_api.resume(session_id, language, country, agent="Ana", api=api))
    wait_until(page, "document.querySelectorAll('.sc-system').length === 2")
    assert page.locator(".sc-system").last.inner_text() == widget["agent_left"].replace("{name}", "Ana")
    wait_until(page, "document.querySelectorAll('.sc-bot').length > 1")
    assert last_bot_text(page) == render(LOCALES[code], "utter_handoff_back").text
    say(page, faq)
    assert last_bot_text(page) == render(LOCALES[code], "utter_faq/contract_copy").text
    context.close()
