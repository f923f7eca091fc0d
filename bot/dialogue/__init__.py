"""Dialogue policies of the project (Rasa Core side)."""
