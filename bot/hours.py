"""Support opening hours: is support open now, and when does it open next (time-zone and DST aware).

Hours come from a locale's `support_hours` fact. A seasonal (summer) schedule applies between its
`period.from` and `period.to` (MM-DD, inclusive). When the content gives summer hours without dates, the
answer is only definite where both schedules agree; otherwise the caller shows the whole schedule.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from bot.formatting import WEEKDAYS, parse_hhmm


@dataclass(frozen=True)
class Window:
    open: dt.time
    close: dt.time


@dataclass(frozen=True)
class Schedule:
    weekdays: frozenset[int]  # 0 = Monday
    regular: Window
    summer: Window | None = None
    summer_period: tuple[str, str] | None = None  # ("07-01", "08-31"); None = dates unknown
    timezone: str = "UTC"

    @classmethod
    def from_facts(cls, hours: Mapping[str, Any], timezone: str) -> Schedule:
        first, last = (WEEKDAYS.index(d) for d in hours["weekdays"])
        summer = hours.get("summer") or None
        period = (summer or {}).get("period") or None
        return cls(
            weekdays=frozenset(range(first, last + 1)),
            regular=Window(parse_hhmm(hours["open"]), parse_hhmm(hours["close"])),
            summer=Window(parse_hhmm(summer["open"]), parse_hhmm(summer["close"])) if summer else None,
            summer_period=(str(period["from"]), str(period["to"])) if period else None,
            timezone=timezone,
        )

    def window_on(self, day: dt.date) -> Window | None:
        """The opening window of a day; None when closed or when the day's hours are uncertain."""
        if day.weekday() not in self.weekdays:
            return None
        if self.summer is None:
            return self.regular
        if self.summer_period is None:
            # Only the part both schedules share is certain.
            return Window(max(self.regular.open, self.summer.open), min(self.regular.close, self.summer.close))
        start, end = self.summer_period
        mmdd = day.strftime("%m-%d")
        in_summer = start <= mmdd <= end if start <= end else (mmdd >= start or mmdd <= end)
        return self.summer if in_summer else self.regular

    @property
    def certain(self) -> bool:
        return self.summer is None or self.summer_period is not None


@dataclass(frozen=True)
class HoursStatus:
    open_now: bool
    closes_at: dt.datetime | None  # local time, when open and certain
    next_open: dt.datetime | None  # local time, when closed
    definite: bool  # False when the answer depends on summer dates the content does not give


def status(schedule: Schedule, now: dt.datetime) -> HoursStatus:
    """Whether support is open at `now` (any aware datetime) and what comes next, in local time."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    zone = ZoneInfo(schedule.timezone)
    local = now.astimezone(zone)
    window = schedule.window_on(local.date())
    if window and window.open <= local.time() < window.close:
        closes = dt.datetime.combine(local.date(), window.close, tzinfo=zone)
        # With unknown summer dates, "open until 14:00" could be wrong about the closing time.
        return HoursStatus(True, closes, None, definite=schedule.certain)

    in_uncertain_band = (
        not schedule.certain
        and local.weekday() in schedule.weekdays
        and schedule.summer is not None
        and min(schedule.regular.open, schedule.summer.open)
        <= local.time()
        < max(schedule.regular.close, schedule.summer.close)
    )
    for offset in range(0, 8):
        day = local.date() + dt.timedelta(days=offset)
        day_window = schedule.window_on(day)
        if not day_window:
            continue
        opens = dt.datetime.combine(day, day_window.open, tzinfo=zone)
        if opens > local:
            return HoursStatus(False, None, opens, definite=not in_uncertain_band)
    return HoursStatus(False, None, None, definite=False)


def current_time() -> dt.datetime:
    """Now (aware), or the test clock of CLOCK_OVERRIDE outside production (bot.settings.clock_override)."""
    from bot.settings import clock_override

    return clock_override() or dt.datetime.now(dt.timezone.utc)


def locale_status(facts: Mapping[str, Any], timezone: str, now: dt.datetime) -> HoursStatus | None:
    """Open/closed for a locale's facts; None when its content gives no support hours."""
    hours = facts.get("support_hours")
    return status(Schedule.from_facts(hours, timezone), now) if hours else None
