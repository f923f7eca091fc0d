"""Size limits applied before any NLU runs, so that one huge message never stalls the server.

A 20 MB REST message used to keep Rasa at 100% CPU for over ten minutes (every NLU component scanned all
of it). Now a request body over MAX_REQUEST_BYTES is refused by Sanic (413) before it is read, and a
message over MAX_MESSAGE_CHARS is cut at the channel: NLU, the tracker and the actions only ever see the
first MAX_MESSAGE_CHARS characters, and the message's metadata records the original length, so the
customer gets the localized "please ask in a sentence or two" answer at once.
"""

from __future__ import annotations

from typing import Any

# The widget's input has the same maxlength; details longer than this belong in a service request.
MAX_MESSAGE_CHARS = 2000
# Sanic's REQUEST_MAX_SIZE for the Rasa server and engine.io's buffer for socket.io (defaults: 100 MB / 1 MB).
# A tracker or event list posted to Rasa's HTTP API stays far below this.
MAX_REQUEST_BYTES = 1 << 20
# Metadata key (channel) and message attribute (NLU): the length of the text before it was cut.
TRUNCATED_FROM = "input_truncated_from"


def cut(text: Any, limit: int = MAX_MESSAGE_CHARS) -> tuple[str, int | None]:
    """(text to process, original length if it was cut). A number is text; other payloads are empty text."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        text = str(text)
    if not isinstance(text, str):
        return "", None
    if len(text) <= limit:
        return text, None
    return text[:limit], len(text)
