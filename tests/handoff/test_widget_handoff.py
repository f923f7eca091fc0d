"""The customer's widget during a handoff, in Debian's Chromium: the colleague's messages shown apart with
their name, joined/left lines and typing indicator in the page's language, nothing lost across a reload,
the assistant back afterwards. Support hours come from the test clock (CLOCK_OVERRIDE)."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
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
from tests.chromium import CHROMIUM, wait_until
from tests.handoff.agents import signed_in

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (make test installs it)"),
    pytest.mark.skipif(not MODEL.exists(), reason="no trained model: run `make model` first"),
]
MONDAY = dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
LOCALES = load_locales()
CASES = {
    "ro": ("RO", "Vreau să vorbesc cu un coleg, vă rog", "Cum pot obtine o copie a contractului meu?"),
    "nl": ("BE", "Ik wil graag met een medewerker spreken", "Hoe kan ik een kopie van mijn contract bekomen?"),
}


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    folder = tmp_path_factory.mktemp("widget_handoff")
    running = Servers(tracker_store_url=f"sqlite:///{folder / 'tracker.db'}", logs=folder,
                      # The sweeper every second: a claim whose agent has no console session is released.
                      env={"HANDOFF_SWEEP_SECONDS": "1"})
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


def session_of(page) -> str:  # type: ignore[no-untyped-def]
    return str(page.evaluate("JSON.parse(Object.entries(localStorage).find(([k]) => k.endsWith(':session'))[1])"))


def escalation_of(servers: Servers, session_id: str) -> int:
    with session_scope(servers.settings.database_url) as session:
        return int(session.execute(select(Escalation.id).where(Escalation.conversation_id == session_id)
                                   .order_by(Escalation.id.desc())).scalars().first())


def texts(page, selector: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Bubble texts without the screen reader's speaker prefix."""
    return list(page.evaluate("""(selector) => Array.from(document.querySelectorAll(selector)).map(b =>
        Array.from(b.childNodes).filter(n => !(n.classList && n.classList.contains('sc-visually-hidden')))
            .map(n => n.textContent).join(''))""", selector))


def agent_online(servers: Servers, queue: str) -> None:
    signed_in(servers.settings.database_url, 7)
    with session_scope(servers.settings.database_url) as session:
        service.heartbeat(session, 7, [queue], now=MONDAY)


@pytest.mark.parametrize("language", sorted(CASES))
def test_colleague_takes_over_and_hands_back(browser, servers: Servers, language: str) -> None:  # type: ignore[no-untyped-def]
    country, ask, faq = CASES[language]
    code = f"{language}-{country}"
    widget = LOCALES[code].labels["widget"]
    api = rasa_api.RasaApi(servers.rasa, TOKEN)
    agent_online(servers, f"contracts-{country}")

    context = browser.new_context()
    page = open_page(context, servers, language)
    say(page, ask)
    waiting_text = render(LOCALES[code], "utter_handoff_waiting", position="1").text
    assert last_bot_text(page) == waiting_text
    # Waiting for a colleague: a status line with the place in the queue and a way to stop waiting.
    wait_until(page, "!document.querySelector('.sc-waiting').hidden")
    assert page.locator(".sc-waiting-text").inner_text() == widget["waiting_position"].replace("{position}", "1")
    assert page.locator(".sc-cancel-waiting").inner_text() == widget["cancel_waiting"]
    session_id = session_of(page)
    escalation_id = escalation_of(servers, session_id)
    with session_scope(servers.settings.database_url) as session:
        assert service.claim(session, escalation_id, 7)

    call(rasa_api.agent_joined(session_id, "Ana", api=api))
    wait_until(page, "document.querySelectorAll('.sc-system').length === 1")
    assert page.locator(".sc-system").inner_text() == widget["agent_joined"].replace("{name}", "Ana")
    assert page.locator(".sc-waiting").is_hidden()
    call(rasa_api.typing(session_id, "Ana", True, api=api))
    wait_until(page, "!document.querySelector('.sc-typing').hidden")
    assert page.locator(".sc-typing").inner_text() == widget["agent_typing"].replace("{name}", "Ana")
    call(rasa_api.send_agent_message(session_id, "<b>Bună</b> ziua, sunt Ana.", "Ana", api=api))
    wait_until(page, "document.querySelectorAll('.sc-agent').length === 1")
    assert page.locator(".sc-agent .sc-bubble").inner_text().endswith("<b>Bună</b> ziua, sunt Ana.")
    assert page.locator(".sc-agent b").count() == 0  # text, never markup
    assert page.locator(".sc-typing").is_hidden()
    assert "Ana" in page.locator(".sc-agent .sc-agent-name").inner_text()

    # The customer closes the tab while the colleague writes twice; a new tab (no sessionStorage) rebuilds
    # the whole conversation from the server, each message once.
    page.close()
    call(rasa_api.send_agent_message(session_id, "Ați primit e-mailul meu?", "Ana", api=api))
    call(rasa_api.send_agent_message(session_id, "Vă trimit și contractul.", "Ana", api=api))
    page = open_page(context, servers, language)
    wait_until(page, "document.querySelectorAll('.sc-agent').length === 3")
    page.wait_for_timeout(500)
    assert texts(page, ".sc-agent .sc-bubble") == ["<b>Bună</b> ziua, sunt Ana.", "Ați primit e-mailul meu?",
                                                   "Vă trimit și contractul."]
    assert texts(page, ".sc-user .sc-bubble") == [ask]
    assert texts(page, ".sc-bot .sc-bubble") == [waiting_text]
    assert count(page, ".sc-system") == 1 and page.locator(".sc-waiting").is_hidden()  # with Ana, not waiting

    # The page is away (reloading) while the colleague writes once more and hands back: on its return the
    # message, the "left" line and the assistant's greeting are all there, once.
    page.goto("about:blank")
    call(rasa_api.send_agent_message(session_id, "O zi bună!", "Ana", api=api))
    with session_scope(servers.settings.database_url) as session:
        assert service.hand_back(session, escalation_id, 7)
    call(rasa_api.resume(session_id, language, country, agent="Ana", api=api))
    page.goto(f"{servers.web}/?lang={language}")
    wait_until(page, "document.querySelectorAll('.sc-system').length === 2")
    wait_until(page, "document.querySelectorAll('.sc-bot').length === 2")
    page.wait_for_timeout(500)
    assert page.locator(".sc-system").last.inner_text() == widget["agent_left"].replace("{name}", "Ana")
    assert count(page, ".sc-agent") == 4 and count(page, ".sc-system") == 2
    assert last_bot_text(page) == render(LOCALES[code], "utter_handoff_back").text
    say(page, faq)
    assert last_bot_text(page) == render(LOCALES[code], "utter_faq/contract_copy").text
    shown = [texts(page, f".sc-{who} .sc-bubble") for who in ("user", "bot", "agent")]
    page.reload()  # the same tab: the transcript comes from sessionStorage, nothing is added twice
    page.wait_for_selector(".sc-input", state="visible")
    page.wait_for_timeout(1500)
    assert [texts(page, f".sc-{who} .sc-bubble") for who in ("user", "bot", "agent")] == shown
    assert count(page, ".sc-system") == 2
    context.close()


def test_waiting_customer_writes_then_stops_waiting(browser, servers: Servers) -> None:  # type: ignore[no-untyped-def]
    """Two customers wait in one queue; the first writes (it reaches the queue, the assistant stays silent)
    and then stops waiting with the button: the assistant greets them back and answers again, the
    escalation is cancelled, and the second customer's place in the queue moves up."""
    country, ask, faq = CASES["ro"]
    code = "ro-RO"
    widget = LOCALES[code].labels["widget"]
    agent_online(servers, "contracts-RO")
    first, second = browser.new_context(), browser.new_context()
    page = open_page(first, servers, "ro")
    other = open_page(second, servers, "ro")
    say(page, ask)
    say(other, ask)
    with session_scope(servers.settings.database_url) as session:
        positions = {e.conversation_id: service.queue_position(session, e)
                     for e in service.waiting(session, ["contracts-RO"])}
    mine, theirs = positions[session_of(page)], positions[session_of(other)]
    assert theirs == mine + 1
    wait_until(other, "!document.querySelector('.sc-waiting').hidden")
    assert other.locator(".sc-waiting-text").inner_text() == widget["waiting_position"].replace("{position}", str(theirs))

    bots = count(page, ".sc-bot")
    page.fill(".sc-input", "Mai durează mult?")
    page.press(".sc-input", "Enter")
    escalation_id = escalation_of(servers, session_of(page))
    deadline = 30
    while deadline:
        with session_scope(servers.settings.database_url) as session:
            if session.get(Escalation, escalation_id).last_customer_message == "Mai durează mult?":
                break
        page.wait_for_timeout(500)
        deadline -= 1
    assert deadline, "the customer's message did not reach the escalation"
    page.wait_for_timeout(1000)
    assert count(page, ".sc-bot") == bots and page.locator(".sc-typing").is_hidden()  # the assistant is silent

    page.click(".sc-cancel-waiting")
    wait_until(page, f"document.querySelectorAll('.sc-bot').length > {bots}")
    assert texts(page, ".sc-user .sc-bubble")[-1] == LOCALES[code].labels["cancel_words"][0]
    assert last_bot_text(page) == render(LOCALES[code], "utter_handoff_back").text
    assert page.locator(".sc-waiting").is_hidden()
    with session_scope(servers.settings.database_url) as session:
        assert session.get(Escalation, escalation_id).status == "cancelled"
    say(page, faq)
    assert last_bot_text(page) == render(LOCALES[code], "utter_faq/contract_copy").text
    # The second customer moved up (the widget asks again every few seconds while waiting).
    wait_until(other, f"document.querySelector('.sc-waiting-text').textContent === "
                      f"{widget['waiting_position'].replace('{position}', str(theirs - 1))!r}", timeout_s=25)
    with session_scope(servers.settings.database_url) as session:
        assert service.cancel(session, escalation_of(servers, session_of(other)))  # leave no one waiting
    first.close()
    second.close()
