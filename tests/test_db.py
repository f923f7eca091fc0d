"""The application database on SQLite and PostgreSQL: requests, idempotency, audit, quotes, CSV import."""

from __future__ import annotations

import datetime as dt
import re
import threading
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, inspect, select

from bot.db.engine import get_engine, session_scope
from bot.db.models import QuoteLineItem, RenewalQuote, RequestStatusChange, ServiceRequest
from bot.db.quotes_io import import_csv, seed_demo
from bot.db.repository import NewRequest, change_status, file_request, find_quote, is_expired

NEW = NewRequest(conversation_id="conv-1", request_type="contract_copy", contract_number="CT-20261234",
                 company="Firma GmbH", contact_name="Erika Muster", email="erika@firma.de",
                 details="Bitte eine Kopie.", language="de", country="DE", queue="contracts-DE")


def test_migrations_create_the_tables(db_url: str) -> None:
    tables = set(inspect(get_engine(db_url)).get_table_names())
    assert {"service_requests", "request_status_changes", "renewal_quotes", "quote_line_items"} <= tables


def test_filing_gives_a_reference_and_an_audit_entry(db_url: str) -> None:
    with session_scope(db_url) as session:
        request, created = file_request(session, NEW)
        reference = request.reference
    assert created and re.fullmatch(r"REQ-\d{4}-\d{6}", reference)
    with session_scope(db_url) as session:
        stored = session.execute(select(ServiceRequest)).scalar_one()
        assert (stored.reference, stored.queue, stored.status) == (reference, "contracts-DE", "open")
        assert [(c.old_status, c.new_status, c.actor) for c in stored.changes] == [(None, "open", "assistant")]


def test_repeated_submit_is_not_a_duplicate(db_url: str) -> None:
    with session_scope(db_url) as session:
        first, _ = file_request(session, NEW)
        reference = first.reference
    with session_scope(db_url) as session:
        again, created = file_request(session, NEW)
        assert not created and again.reference == reference
        assert session.execute(select(func.count(ServiceRequest.id))).scalar() == 1


def test_concurrent_identical_submits_create_one_request(db_url: str) -> None:
    references: list[str] = []
    errors: list[BaseException] = []

    def submit() -> None:
        try:
            with session_scope(db_url) as session:
                request, _ = file_request(session, NEW)
                references.append(str(request.reference))
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=submit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with session_scope(db_url) as session:
        count = session.execute(select(func.count(ServiceRequest.id))).scalar()
    assert count == 1
    assert len(set(references)) == 1 and len(references) + len(errors) == 8


def test_status_changes_are_audited(db_url: str) -> None:
    with session_scope(db_url) as session:
        request, _ = file_request(session, NEW)
        change_status(session, request, "in_progress", actor="agent:anna")
    with session_scope(db_url) as session:
        changes = session.execute(select(RequestStatusChange).order_by(RequestStatusChange.id)).scalars().all()
        assert [(c.old_status, c.new_status, c.actor) for c in changes] == [
            (None, "open", "assistant"), ("open", "in_progress", "agent:anna")]


def test_quote_needs_both_numbers(db_url: str) -> None:
    with session_scope(db_url) as session:
        seed_demo(session, today=dt.date(2026, 11, 21))
    with session_scope(db_url) as session:
        assert find_quote(session, "Q-90000001", "9000001") is not None
        assert find_quote(session, "Q-90000001", "1234567") is None
        assert find_quote(session, "Q-99999999", "9000001") is None
        quote = find_quote(session, "Q-90000002", "9000001")
        assert quote is not None and quote.demo and is_expired(quote, dt.date(2026, 11, 21))


def _csv(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "quotes.csv"
    header = "quote_number,customer_number,status,due_date,currency,position,description,quantity,unit_price"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_csv_import_all_rows(db_url: str, tmp_path: Path) -> None:
    path = _csv(tmp_path, ["Q-12345678,1234567,open,2026-12-31,EUR,1,Support A,10,123.45",
                           "q12345678,1234567,open,2026-12-31,EUR,2,Support B,1,99",
                           "Q-87654321,7654321,ordered,2027-01-15,RON,1,Support C,2,4200.00"])
    with session_scope(db_url) as session:
        report = import_csv(session, path)
    assert (report.quotes, report.items, report.errors) == (2, 3, [])
    with session_scope(db_url) as session:
        quote = find_quote(session, "Q-12345678", "1234567")
        assert quote is not None
        assert [(i.position, i.quantity, Decimal(i.unit_price)) for i in quote.items] == [
            (1, 10, Decimal("123.45")), (2, 1, Decimal("99.00"))]


def test_csv_import_is_all_or_nothing_with_line_numbers(db_url: str, tmp_path: Path) -> None:
    path = _csv(tmp_path, ["Q-12345678,1234567,open,2026-12-31,EUR,1,Support A,10,123.45",
                           "Q-1,123,maybe,31.12.2026,EURO,1,Support B,1,12.345",
                           "Q-12345678,1234567,open,2026-12-31,EUR,1,Support A again,1,1"])
    with session_scope(db_url) as session:
        report = import_csv(session, path)
        assert report.quotes == 0
    assert report.errors[0].startswith("line 3: quote_number")
    assert "line 4: Q-12345678 has position 1 twice" in report.errors
    with session_scope(db_url) as session:
        assert session.execute(select(func.count(RenewalQuote.id))).scalar() == 0
        assert session.execute(select(func.count(QuoteLineItem.id))).scalar() == 0


def test_csv_missing_columns(db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("quote_number,total\nQ-12345678,10\n", encoding="utf-8")
    with session_scope(db_url) as session:
        report = import_csv(session, path)
    assert report.errors[0].startswith("line 1: missing column(s): customer_number")


def test_money_beyond_32_bits_is_stored_exactly(db_url: str, tmp_path: Path) -> None:
    # EUR 25M in cents (2,500,000,000) overflowed the former 32-bit column on PostgreSQL.
    path = _csv(tmp_path, ["Q-12345678,1234567,open,2026-12-31,EUR,1,Enterprise licence,1,25000000.00",
                           "Q-12345678,1234567,open,2026-12-31,EUR,2,Largest price,3,9999999999.99"])
    with session_scope(db_url) as session:
        assert import_csv(session, path).errors == []
    with session_scope(db_url) as session:
        quote = find_quote(session, "Q-12345678", "1234567")
        assert quote is not None
        assert [Decimal(i.unit_price) for i in quote.items] == [Decimal("25000000.00"), Decimal("9999999999.99")]


def test_out_of_range_values_are_line_numbered_errors_not_database_errors(db_url: str, tmp_path: Path) -> None:
    path = _csv(tmp_path, ["Q-12345678,1234567,open,2026-12-31,EUR,1,Too dear,1,10000000000",
                           "Q-12345678,1234567,open,2026-12-31,EUR,2,Too many,3000000000,1.00",
                           "Q-12345678,1234567,open,2026-12-31,EUR,3,Not a number,1,Infinity"])
    with session_scope(db_url) as session:
        report = import_csv(session, path)
    assert [e.split(":")[0] for e in report.errors] == ["line 2", "line 3", "line 4"]
    assert "unit_price" in report.errors[0] and "quantity" in report.errors[1] and "unit_price" in report.errors[2]
    with session_scope(db_url) as session:
        assert session.execute(select(func.count(QuoteLineItem.id))).scalar() == 0


class _BusyLog:
    """A SQLite engine whose write-ahead-log checkpoint never finishes (another process keeps writing)."""

    class url:  # noqa: N801 - stands in for sqlalchemy's URL
        database = "busy.db"

        @staticmethod
        def get_backend_name() -> str:
            return "sqlite"

    def __init__(self) -> None:
        self.checkpoints = 0

    def connect(self):  # type: ignore[no-untyped-def]
        import contextlib

        engine = self

        class Connection:
            def exec_driver_sql(self, sql: str):  # type: ignore[no-untyped-def]
                assert sql == "PRAGMA wal_checkpoint(TRUNCATE)"
                engine.checkpoints += 1
                return type("Result", (), {"first": staticmethod(lambda: (1, 12, 3))})()

        return contextlib.nullcontext(Connection())


def test_a_checkpoint_that_cannot_finish_is_retried_then_reported(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import pytest

    from bot.db import engine as engine_module

    busy = _BusyLog()
    monkeypatch.setattr(engine_module, "_engines", {"sqlite:///busy.db": busy})
    monkeypatch.setattr(engine_module.time, "sleep", lambda _: None)
    with pytest.raises(RuntimeError, match="run the command again"):
        engine_module.checkpoint_sqlite()
    assert busy.checkpoints == engine_module.CHECKPOINT_ATTEMPTS
