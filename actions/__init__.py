"""rasa-sdk action server: custom actions split by area (language, fallback, hours, requests, quotes)."""
