"""Service-request rules: types, routing queues, and the formats customers' data must have."""

from __future__ import annotations

import re

from bot.language.text import MARKUP_TAG

REQUEST_TYPES = (
    "contract_copy",
    "software_license_termination",
    "maintenance_termination",
    "servicepac_registration",
    "quote_question",
    "other",
)
# Requests go to a team per area and country: renewals for quote questions, contracts for the rest.
_AREA = {"quote_question": "renewals"}
MAX_NAME_CHARS = 120
MAX_DETAILS_CHARS = 2000

# Contract or customer number (documented in README): a 7-digit IBM customer number, or a contract number
# of 2-4 letters, an optional dash and 6-10 digits (CT-20261234). Spaces are ignored, letters upper-cased.
_CUSTOMER_NUMBER = re.compile(r"^\d{7}$")
_CONTRACT_NUMBER = re.compile(r"^([A-Z]{2,4})-?(\d{6,10})$")
_QUOTE_NUMBER = re.compile(r"^Q-?(\d{6,10})$")
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def queue_for(request_type: str, country: str) -> str:
    """"contracts-RO", "renewals-DE", ..."""
    return f"{_AREA.get(request_type, 'contracts')}-{country.upper()}"


def _compact(value: str) -> str:
    return re.sub(r"\s+", "", value).upper()


def find_in_text(pattern: re.Pattern[str], text: str) -> str | None:
    for token in re.split(r"[\s,;:]+", text):
        if pattern.match(_compact(token.strip(".!?()"))):
            return _compact(token.strip(".!?()"))
    return None


def _normalise_number(candidate: str) -> str | None:
    """A customer number as is, a contract number as LETTERS-DIGITS, anything else None."""
    if _CUSTOMER_NUMBER.match(candidate):
        return candidate
    match = _CONTRACT_NUMBER.match(candidate)
    return f"{match.group(1)}-{match.group(2)}" if match else None


def parse_contract_or_customer_number(text: str) -> str | None:
    """The number in a message ("meine Kundennummer ist 1234567"), normalised, or None."""
    whole = _normalise_number(_compact(text))
    if whole:
        return whole
    found = find_in_text(_CUSTOMER_NUMBER, text) or find_in_text(_CONTRACT_NUMBER, text)
    return _normalise_number(found) if found else None


def parse_customer_number(text: str) -> str | None:
    candidate = _compact(text)
    return candidate if _CUSTOMER_NUMBER.match(candidate) else find_in_text(_CUSTOMER_NUMBER, text)


def normalize_quote_number(value: str) -> str | None:
    """A whole value that is a quote number ("q 12345678" -> "Q-12345678"), else None."""
    match = _QUOTE_NUMBER.match(_compact(value))
    return f"Q-{match.group(1)}" if match else None


def parse_quote_number(text: str) -> str | None:
    """"q 12345678", "Q-12345678" -> "Q-12345678"."""
    for candidate in [_compact(text)] + [_compact(t.strip(".!?()")) for t in re.split(r"[\s,;:]+", text)]:
        match = _QUOTE_NUMBER.match(candidate)
        if match:
            return f"Q-{match.group(1)}"
    return None


def parse_email(text: str) -> str | None:
    for token in [text.strip()] + text.split():
        token = token.strip(".,;:!?()<>\"'")
        if len(token) <= 254 and _EMAIL.match(token):
            local, _, domain = token.rpartition("@")
            return f"{local}@{domain.lower()}"
    return None


def clean_text(text: str, max_chars: int) -> str | None:
    """Free text as plain text (markup and control characters removed), or None when empty/too long."""
    value = _CONTROL.sub("", MARKUP_TAG.sub("", text)).strip()
    if not value or len(value) > max_chars:
        return None
    return value


def parse_name(text: str) -> str | None:
    """A company or person name: plain text with at least one letter, at most 120 characters."""
    value = clean_text(text, MAX_NAME_CHARS)
    return value if value and _LETTER.search(value) else None


_REFERENCE = re.compile(r"\bREQ[\s-]?(\d{4})[\s-]?(\d{6,9})\b")


def parse_reference(text: str) -> str | None:
    """"req-2026-000123", "it is REQ 2026 000123." -> "REQ-2026-000123" (the reference a filed request gets)."""
    match = _REFERENCE.search(text.upper())
    return f"REQ-{match.group(1)}-{match.group(2)}" if match else None
