"""A resent message (same metadata.message_id) is answered from the conversation's history."""

from __future__ import annotations

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered

from bot.channel_replay import client_message_id, earlier_replies


def test_replies_of_a_processed_message_are_found() -> None:
    events = [
        UserUttered("Hallo", message_id="m-00000001"), BotUttered("Guten Tag"),
        UserUttered("CT-20261234", message_id="m-00000002"), SlotSet("contract_number", "CT-20261234"),
        BotUttered("Firma?", data={"buttons": [{"title": "Abbrechen", "payload": "/deny"}]}),
        ActionExecuted("action_listen"), UserUttered("Example Ltd", message_id="m-00000003"),
    ]
    assert earlier_replies(events, "m-00000002") == [
        {"text": "Firma?", "buttons": [{"title": "Abbrechen", "payload": "/deny"}]}]
    assert earlier_replies(events, "m-00000001") == [{"text": "Guten Tag"}]
    assert earlier_replies(events, "m-00000003") == []  # processed, no reply yet saved
    assert earlier_replies(events, "m-99999999") is None  # never processed


def test_only_well_formed_message_ids_are_used() -> None:
    def message(metadata: dict) -> UserMessage:
        return UserMessage("x", CollectingOutputChannel(), "c", metadata=metadata)

    assert client_message_id(message({"message_id": "0f3c9a1b2c3d4e5f"})) == "0f3c9a1b2c3d4e5f"
    assert client_message_id(message({"message_id": "short"})) is None
    assert client_message_id(message({"message_id": "x" * 65})) is None
    assert client_message_id(message({"message_id": 12345678})) is None
    assert client_message_id(message({})) is None
