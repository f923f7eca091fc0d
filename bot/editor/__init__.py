"""The content editor's loop: import an updated FAQ page, review what changed, apply it."""
