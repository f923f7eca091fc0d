"""The console that agents and editors share, mounted in the web app under /console/ (see bot.console.app)."""

from bot.console.app import blueprint

__all__ = ["blueprint"]
