"""Renewal quotes in and out: CSV import (validated row by row, all or nothing) and demo data.

CSV format, one row per line item, the quote's columns repeated on each of its rows:
quote_number,customer_number,status,due_date,currency,position,description,quantity,unit_price
Q-12345678,1234567,open,2026-12-31,EUR,1,Software Subscription & Support - Product X,10,123.45
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Iterable, Sequence

from babel.numbers import list_currencies
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.db.models import QuoteLineItem, RenewalQuote
from bot.requests import normalize_quote_number, parse_customer_number

COLUMNS = ("quote_number", "customer_number", "status", "due_date", "currency",
           "position", "description", "quantity", "unit_price")
STATUSES = ("open", "ordered", "expired")
MAX_WHOLE_NUMBER = 2**31 - 1  # position and quantity are 32-bit columns
MAX_UNIT_PRICE = Decimal("1e10")  # exclusive; in cents well inside the 64-bit column


@dataclass
class ImportReport:
    quotes: int = 0
    items: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass
class _Quote:
    quote_number: str
    customer_number: str
    status: str
    due_date: dt.date
    currency: str
    line: int
    items: list[tuple[int, str, int, Decimal]] = field(default_factory=list)


def _parse_row(row: dict[str, str], line: int, errors: list[str]) -> tuple[_Quote, tuple] | None:
    problems = []
    quote_number = normalize_quote_number(row.get("quote_number") or "")
    if not quote_number:
        problems.append("quote_number must be Q- followed by 6-10 digits")
    customer = (row.get("customer_number") or "").strip()
    if parse_customer_number(customer) != customer:
        problems.append("customer_number must be 7 digits")
    status = (row.get("status") or "").strip().lower()
    if status not in STATUSES:
        problems.append(f"status must be one of {', '.join(STATUSES)}")
    try:
        due = dt.date.fromisoformat((row.get("due_date") or "").strip())
    except ValueError:
        problems.append("due_date must be YYYY-MM-DD")
        due = dt.date.min
    currency = (row.get("currency") or "").strip().upper()
    if currency not in list_currencies():
        problems.append("currency must be an ISO 4217 code such as EUR")
    description = (row.get("description") or "").strip()
    if not description or len(description) > 200:
        problems.append("description must have 1-200 characters")
    position = quantity = 0
    price = Decimal(0)
    try:
        position = int(row.get("position") or "")
        quantity = int(row.get("quantity") or "")
        if not (1 <= position <= MAX_WHOLE_NUMBER and 1 <= quantity <= MAX_WHOLE_NUMBER):
            raise ValueError
    except ValueError:
        problems.append(f"position and quantity must be whole numbers from 1 to {MAX_WHOLE_NUMBER}")
    try:
        price = Decimal((row.get("unit_price") or "").strip())
        if not price.is_finite() or price < 0 or int(price.as_tuple().exponent) < -2 or price >= MAX_UNIT_PRICE:
            raise InvalidOperation
    except InvalidOperation:
        problems.append("unit_price must be a non-negative amount below 10,000,000,000 with at most 2 decimals")
    if problems:
        errors.append(f"line {line}: " + "; ".join(problems))
        return None
    assert quote_number is not None
    return _Quote(quote_number, customer, status, due, currency, line), (position, description, quantity, price)


def read_csv(rows: Iterable[dict[str, str]], header: Sequence[str] | None) -> tuple[list[_Quote], list[str]]:
    errors: list[str] = []
    missing = [c for c in COLUMNS if c not in (header or [])]
    if missing:
        return [], [f"line 1: missing column(s): {', '.join(missing)}"]
    quotes: dict[str, _Quote] = {}
    for line, row in enumerate(rows, start=2):
        parsed = _parse_row(row, line, errors)
        if parsed is None:
            continue
        quote, item = parsed
        known = quotes.setdefault(quote.quote_number, quote)
        if (known.customer_number, known.status, known.due_date, known.currency) != (
                quote.customer_number, quote.status, quote.due_date, quote.currency):
            errors.append(f"line {line}: {quote.quote_number} differs from its first row (line {known.line})")
            continue
        if any(existing[0] == item[0] for existing in known.items):
            errors.append(f"line {line}: {quote.quote_number} has position {item[0]} twice")
            continue
        known.items.append(item)
    return list(quotes.values()), errors


def import_csv(session: Session, path: Path) -> ImportReport:
    """Validates the whole file first; writes only when every row is valid (caller commits)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        quotes, errors = read_csv(reader, reader.fieldnames)
    report = ImportReport(errors=errors)
    if errors:
        return report
    for quote in quotes:
        store_quote(session, quote.quote_number, quote.customer_number, quote.status, quote.due_date,
                    quote.currency, quote.items, demo=False)
        report.quotes += 1
        report.items += len(quote.items)
    return report


def store_quote(session: Session, quote_number: str, customer_number: str, status: str, due_date: dt.date,
                currency: str, items: list[tuple[int, str, int, Decimal]], demo: bool) -> RenewalQuote:
    """Inserts or replaces a quote and its line items."""
    quote = session.execute(select(RenewalQuote).where(RenewalQuote.quote_number == quote_number)).scalar_one_or_none()
    if quote is None:
        quote = RenewalQuote(quote_number=quote_number)
        session.add(quote)
    else:
        session.execute(delete(QuoteLineItem).where(QuoteLineItem.quote_id == quote.id))
    quote.customer_number, quote.status, quote.due_date, quote.currency, quote.demo = (
        customer_number, status, due_date, currency, demo)
    session.flush()
    for position, description, quantity, price in items:
        session.add(QuoteLineItem(quote_id=quote.id, position=position, description=description,
                                  quantity=quantity, unit_price_cents=int(price * 100)))
    session.flush()
    session.expire(quote, ["items"])
    return quote


DEMO_CUSTOMER = "9000001"


def seed_demo(session: Session, today: dt.date | None = None) -> int:
    """Demo quotes for local use, marked `demo` and numbered Q-9000000x for customer 9000001."""
    today = today or dt.date.today()
    demo = [
        ("Q-90000001", "open", today + dt.timedelta(days=30), "EUR",
         [(1, "DEMO Software Subscription & Support - Analytics Server (12 months)", 10, Decimal("123.45")),
          (2, "DEMO Software Subscription & Support - Developer Edition (12 months)", 2, Decimal("1000.00"))]),
        ("Q-90000002", "expired", today - dt.timedelta(days=10), "EUR",
         [(1, "DEMO Software Subscription & Support - Storage Manager", 1, Decimal("2500.00"))]),
        ("Q-90000003", "ordered", today + dt.timedelta(days=60), "EUR",
         [(1, "DEMO Software Subscription & Support - Integration Bus", 4, Decimal("860.50"))]),
        ("Q-90000004", "open", today + dt.timedelta(days=45), "RON",
         [(1, "DEMO Software Subscription & Support - Database Server", 3, Decimal("4200.00"))]),
    ]
    for number, status, due, currency, items in demo:
        store_quote(session, number, DEMO_CUSTOMER, status, due, currency, items, demo=True)
    return len(demo)


def has_quotes(session: Session) -> bool:
    return session.execute(select(RenewalQuote.id).limit(1)).first() is not None
