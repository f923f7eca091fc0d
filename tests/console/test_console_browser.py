"""The console in Debian's Chromium (Playwright, explicit executable; no browser download): sign in, the live
queue, customer markup shown as text with no dialog, claim, transcript, suggestion, reply, live customer
message - with no Content-Security-Policy violation on the way."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from tests.chromium import CHROMIUM, SCREENSHOTS, wait_until
from tests.console.conftest import PASSWORD, Console

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason="Debian's chromium is not installed (make test installs it)")
XSS = "<img src=x onerror=alert(1)>"



def test_agent_signs_in_sees_the_live_queue_and_answers(browser, console: Console) -> None:  # type: ignore[no-untyped-def]
    conv = uuid.uuid4().hex
    console.rasa.trackers[conv] = [{"event": "user", "text": XSS, "timestamp": 1_790_000_000.0,
                                    "parse_data": {"intent": {"name": "request_human", "confidence": 0.93},
                                                   "language": "ro"}}]
    first = console.escalate(conv, "renewals-RO", last_message=XSS)
    context = browser.new_context()
    page = context.new_page()
    dialogs: list[str] = []
    violations: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)

    page.goto(f"{console.url}/console/queue")
    assert "/console/sign-in" in page.url
    page.fill("input[name=name]", "anna")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{console.url}/console/queue")
    row = page.locator(f"#waiting tr[data-escalation='{first}']")
    row.wait_for()
    assert row.locator(".last-message").text_content() == XSS
    assert page.locator("#waiting img").count() == 0
    wait_until(page, "document.getElementById('live-status').textContent === 'live'")

    second = console.escalate(uuid.uuid4().hex, "contracts-RO", last_message="Bună ziua")
    console.publish("queue:contracts-RO", {"type": "escalation_waiting", "escalation": {"id": second}})
    page.locator(f"#waiting tr[data-escalation='{second}']").wait_for(timeout=5000)  # no reload
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "console-queue.png"))

    row.locator("button.claim").click()
    page.wait_for_url(f"{console.url}/console/conversations/{first}")
    page.locator("#transcript .msg.customer .text").first.wait_for()
    assert page.locator("#transcript .msg.customer .text").first.text_content() == XSS
    assert page.locator("#transcript img").count() == 0
    assert page.locator("#status").text_content() == "claimed"
    page.locator("#suggestions button.suggestion").first.wait_for()
    page.locator("#suggestions button.suggestion").first.click()
    suggested = page.input_value("#reply-text")
    assert suggested  # the FAQ answer in Romanian, ready to edit
    page.fill("#reply-text", suggested + " Vă pot ajuta cu altceva?")
    wait_until(page, "document.getElementById('live-status').textContent === 'live'")
    page.click("#send")
    wait_until(page, "document.getElementById('reply-text').value === ''")
    assert console.rasa.trackers[conv][-1]["text"] == suggested + " Vă pot ajuta cu altceva?"
    page.locator("#transcript .msg.agent").last.wait_for()

    console.publish(f"conversation:{conv}", {"type": "customer_message", "conversation_id": conv,
                                             "text": "Mulțumesc!", "timestamp": 1_790_000_100.0})
    wait_until(page, "[...document.querySelectorAll('#transcript .msg.customer .text')]"
                     ".some(n => n.textContent === 'Mulțumesc!')", timeout_s=5)
    page.wait_for_timeout(300)
    page.screenshot(path=str(SCREENSHOTS / "console-conversation.png"))
    assert dialogs == [] and violations == []
    context.close()
