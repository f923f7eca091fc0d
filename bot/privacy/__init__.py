"""Privacy (GDPR): erase, export and purge a person's data wherever the product keeps it.

`python -m bot privacy erase|export --conversation ID | --email ADDRESS | --customer NUMBER` and
`python -m bot privacy purge` (retention; idempotent, cron-safe). Each store of personal data has an eraser
(bot.privacy.registry.ERASERS); a table added later registers its own there.
"""
