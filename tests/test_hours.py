"""Opening hours with an injected clock: open, closed, weekend, boundaries, summer schedule, DST."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.hours import Schedule, status

RO = Schedule.from_facts({"weekdays": ["mon", "fri"], "open": "09:00", "close": "17:30"}, "Europe/Bucharest")
ES_SUMMER = {"weekdays": ["mon", "fri"], "open": "09:00", "close": "17:00",
             "summer": {"open": "08:30", "close": "14:00", "period": {"from": "07-01", "to": "08-31"}}}
ES = Schedule.from_facts(ES_SUMMER, "Europe/Madrid")
ES_UNDATED = Schedule.from_facts({**ES_SUMMER, "summer": {"open": "08:30", "close": "14:00", "period": None}},
                                 "Europe/Madrid")


def local(zone: str, *args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=ZoneInfo(zone))


def test_open_on_a_weekday() -> None:
    result = status(RO, local("Europe/Bucharest", 2026, 11, 23, 10, 0))  # Monday
    assert result.open_now and result.definite
    assert result.closes_at == local("Europe/Bucharest", 2026, 11, 23, 17, 30)


@pytest.mark.parametrize("hour, minute, is_open", [(8, 59, False), (9, 0, True), (17, 29, True), (17, 30, False)])
def test_boundaries(hour: int, minute: int, is_open: bool) -> None:
    assert status(RO, local("Europe/Bucharest", 2026, 11, 24, hour, minute)).open_now is is_open


def test_closed_in_the_evening_opens_next_morning() -> None:
    result = status(RO, local("Europe/Bucharest", 2026, 11, 24, 18, 0))  # Tuesday
    assert not result.open_now and result.next_open == local("Europe/Bucharest", 2026, 11, 25, 9, 0)


def test_weekend_opens_on_monday() -> None:
    result = status(RO, local("Europe/Bucharest", 2026, 11, 28, 11, 0))  # Saturday
    assert result.next_open == local("Europe/Bucharest", 2026, 11, 30, 9, 0)


def test_friday_evening_opens_on_monday() -> None:
    assert status(RO, local("Europe/Bucharest", 2026, 11, 27, 17, 30)).next_open == local(
        "Europe/Bucharest", 2026, 11, 30, 9, 0)


def test_clock_in_another_zone_is_converted() -> None:
    # 07:30 UTC is 09:30 in Bucharest in winter (UTC+2).
    assert status(RO, dt.datetime(2026, 11, 23, 7, 30, tzinfo=dt.timezone.utc)).open_now


def test_summer_schedule() -> None:
    assert status(ES, local("Europe/Madrid", 2026, 7, 15, 8, 45)).open_now  # summer opens 08:30
    assert not status(ES, local("Europe/Madrid", 2026, 7, 15, 15, 0)).open_now  # closes 14:00
    assert status(ES, local("Europe/Madrid", 2026, 9, 1, 15, 0)).open_now  # regular again
    assert status(ES, local("Europe/Madrid", 2026, 7, 15, 15, 0)).next_open == local("Europe/Madrid", 2026, 7, 16, 8, 30)


def test_undated_summer_schedule_is_only_definite_where_both_agree() -> None:
    assert status(ES_UNDATED, local("Europe/Madrid", 2026, 7, 15, 10, 0)).open_now
    assert not status(ES_UNDATED, local("Europe/Madrid", 2026, 7, 15, 10, 0)).definite
    assert not status(ES_UNDATED, local("Europe/Madrid", 2026, 7, 15, 15, 0)).definite  # 14:00-17:00 unknown
    assert status(ES_UNDATED, local("Europe/Madrid", 2026, 7, 15, 20, 0)).definite  # closed either way


def test_daylight_saving_change() -> None:
    # Clocks go forward on Sunday 29 March 2026 in Romania: Monday 09:00 local is 06:00 UTC, not 07:00.
    saturday = dt.datetime(2026, 3, 28, 12, 0, tzinfo=dt.timezone.utc)
    result = status(RO, saturday)
    assert result.next_open == local("Europe/Bucharest", 2026, 3, 30, 9, 0)
    assert result.next_open.astimezone(dt.timezone.utc).hour == 6
    assert status(RO, dt.datetime(2026, 3, 30, 6, 0, tzinfo=dt.timezone.utc)).open_now
    assert not status(RO, dt.datetime(2026, 3, 27, 6, 30, tzinfo=dt.timezone.utc)).open_now  # 08:30 EET


def test_naive_clock_is_rejected() -> None:
    with pytest.raises(ValueError):
        status(RO, dt.datetime(2026, 11, 23, 10, 0))


# --- the test clock (CLOCK_OVERRIDE) -------------------------------------------------------------

def test_clock_override_fixes_now_outside_production() -> None:
    from bot.settings import clock_override

    moment = clock_override({"CLOCK_OVERRIDE": "2026-11-30T10:00:00+02:00"})
    assert moment == dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.timezone.utc)
    assert clock_override({}) is None


@pytest.mark.parametrize("env", [
    {"CLOCK_OVERRIDE": "2026-11-30T10:00:00+02:00", "APP_ENV": "production"},
    {"CLOCK_OVERRIDE": "2026-11-30T10:00:00"},  # no offset: which zone would it be?
    {"CLOCK_OVERRIDE": "next monday"},
])
def test_clock_override_is_refused_in_production_and_when_malformed(env: dict[str, str]) -> None:
    from bot.settings import SettingsError, clock_override

    with pytest.raises(SettingsError):
        clock_override(env)
