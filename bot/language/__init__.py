"""Language identification and conversation-language handling."""
