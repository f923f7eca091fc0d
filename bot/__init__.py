"""Multilingual FAQ and request-routing assistant: the project's own Python package."""

SUPPORTED_LANGUAGES = ("de", "ro", "nl", "es")
