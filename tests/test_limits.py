"""Size limits before NLU (bot.limits): the channel cuts, the InputLimiter cuts, the InputGuard reports."""

from __future__ import annotations

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.shared.nlu.training_data.message import Message

from bot.channels import limit_message
from bot.limits import MAX_MESSAGE_CHARS, TRUNCATED_FROM, cut
from bot.nlu.input_guard import classify_input
from bot.nlu.input_limiter import InputLimiter


@pytest.mark.parametrize(
    "value, expected",
    [
        ("Hallo", ("Hallo", None)),
        ("x" * MAX_MESSAGE_CHARS, ("x" * MAX_MESSAGE_CHARS, None)),
        ("x" * (MAX_MESSAGE_CHARS + 1), ("x" * MAX_MESSAGE_CHARS, MAX_MESSAGE_CHARS + 1)),
        (9000001, ("9000001", None)),
        ({"text": "hi"}, ("", None)),
        (["a"], ("", None)),
        (None, ("", None)),
        (True, ("", None)),
    ],
)
def test_cut(value: object, expected: tuple) -> None:
    assert cut(value) == expected


def test_channel_cuts_and_records_the_original_length() -> None:
    message = UserMessage("é" * 1_000_000, CollectingOutputChannel(), "c1", metadata={"language": "ro"})
    limit_message(message)
    assert message.text == "é" * MAX_MESSAGE_CHARS
    assert message.metadata == {"language": "ro", TRUNCATED_FROM: 1_000_000}


def test_channel_leaves_normal_messages_alone() -> None:
    message = UserMessage("Cum pot obține o copie?", CollectingOutputChannel(), "c1", metadata=None)
    limit_message(message)
    assert (message.text, message.metadata) == ("Cum pot obține o copie?", None)


def test_limiter_cuts_text_from_the_http_api() -> None:
    message = Message(data={"text": "Vertrag " * 100_000})
    InputLimiter({"max_chars": 50}).process([message])
    assert len(message.get("text")) == 50
    assert message.get(TRUNCATED_FROM) == 800_000


def test_limiter_keeps_the_length_the_channel_recorded() -> None:
    message = Message(data={"text": "x" * MAX_MESSAGE_CHARS, "metadata": {TRUNCATED_FROM: 20_000_000}})
    InputLimiter({"max_chars": MAX_MESSAGE_CHARS}).process([message])
    assert message.get(TRUNCATED_FROM) == 20_000_000


def test_guard_reports_a_cut_message_as_too_long() -> None:
    check = classify_input("x" * MAX_MESSAGE_CHARS, {}, MAX_MESSAGE_CHARS, truncated_from=20_000_000)
    assert (check["kind"], check["length"]) == ("too_long", 20_000_000)
    assert classify_input("x" * MAX_MESSAGE_CHARS, {}, MAX_MESSAGE_CHARS)["kind"] == "ok"
