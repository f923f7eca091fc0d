"""The editor's pages in Debian's Chromium (Playwright, explicit executable; no browser download): sign
in, open a locale's FAQ answers, a fact typed into the text is refused with the reason, a valid edit is
saved and shows up under the changes, the training page offers a training - no Content-Security-Policy
violation on the way."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.chromium import CHROMIUM, SCREENSHOTS
from tests.console.conftest import PASSWORD, Console

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason="Debian's chromium is not installed (make test installs it)")
ANSWER = "utter_faq/terminate_software_license"



def test_editor_edits_an_answer_in_the_browser(browser, editor_console: Console,  # type: ignore[no-untyped-def]
                                               project: Path) -> None:
    context = browser.new_context()
    page = context.new_page()
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    page.goto(f"{editor_console.url}/console/content?locale=es-ES")
    assert "/console/sign-in" in page.url
    page.fill("input[name=name]", "erika")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{editor_console.url}/console/content")  # back where sign-in was asked for
    page.click("nav[aria-label=Locales] >> text=es-ES")
    page.wait_for_url(f"{editor_console.url}/console/content?locale=es-ES")
    page.click(f"#answers tr:has-text('{ANSWER}') a")
    text = page.locator("textarea#text")
    original = text.input_value()

    text.fill(original + " El plazo es de treinta días.")
    page.click("form.reply button[type=submit]")
    page.locator("#errors").wait_for()
    assert "treinta días" in page.locator("#errors").text_content()
    assert page.locator("textarea#text").input_value().endswith("treinta días.")  # the editor's text is kept

    page.locator("textarea#text").fill(original + " Le confirmamos la baja por correo electrónico.")
    page.click("form.reply button[type=submit]")
    page.wait_for_url(lambda url: "saved=" in url)
    assert "Saved utter_faq/terminate_software_license" in page.locator("[role=status]").text_content()
    stored = yaml.safe_load((project / "locales/es-ES/responses.yml").read_text("utf-8"))[ANSWER]
    assert (stored["text"] if isinstance(stored, dict) else stored).endswith("por correo electrónico.")

    page.click("nav >> text=Changes")
    assert "Le confirmamos la baja" in page.locator("#changes-es-ES").text_content()
    page.click("nav >> text=Training & publishing")
    page.locator("#start-training").wait_for()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "console-editor-training.png"), full_page=True)
    assert violations == []
    context.close()
