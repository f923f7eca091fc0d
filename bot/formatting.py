"""Babel (CLDR) formatting of everything the assistant prints: times, dates, numbers, money, names."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Sequence

from babel import Locale
from babel.dates import format_date, format_datetime, format_time, get_day_names
from babel.numbers import format_currency, format_decimal

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def babel_locale(code: str) -> Locale:
    """`nl-BE` -> Babel's nl_BE."""
    return Locale.parse(code.replace("-", "_"))


def parse_hhmm(value: str) -> dt.time:
    hours, minutes = value.split(":")
    return dt.time(int(hours), int(minutes))


def time_of_day(value: dt.time | str, locale: str) -> str:
    """`09:00` -> "09:00" (de-DE), "9:00" (es-ES)."""
    if isinstance(value, str):
        value = parse_hhmm(value)
    return format_time(value, format="short", locale=babel_locale(locale))


def weekday_name(day: str | int, locale: str) -> str:
    index = WEEKDAYS.index(day) if isinstance(day, str) else day
    return str(get_day_names("wide", locale=babel_locale(locale))[index])


def weekday_range(days: Sequence[str], locale: str) -> str:
    """[mon, fri] -> "Montag–Freitag" / "luni–vineri"."""
    first, last = days[0], days[-1]
    return f"{weekday_name(first, locale)}–{weekday_name(last, locale)}"


def number(value: int | float | Decimal, locale: str) -> str:
    return format_decimal(value, locale=babel_locale(locale))


def money(amount: Decimal | float, currency: str, locale: str) -> str:
    """1234.56 EUR -> "1.234,56 €" (de-DE), "€ 1.234,56" (nl-BE)."""
    return format_currency(amount, currency, locale=babel_locale(locale))


def date(value: dt.date, locale: str, style: str = "long") -> str:
    return format_date(value, format=style, locale=babel_locale(locale))


def day_and_time(value: dt.datetime, locale: str) -> str:
    """A weekday and time, e.g. "Montag, 09:00" / "maandag 09:00": CLDR's EHm pattern, full weekday."""
    skeleton = babel_locale(locale).datetime_skeletons["EHm"]
    pattern = re.sub(r"(?<!E)E(?!E)", "EEEE", str(getattr(skeleton, "pattern", skeleton)))
    return format_datetime(value, pattern, locale=babel_locale(locale))


def language_name(language: str, in_language: str | None = None) -> str:
    """The name of a language, by default in its own language ("Deutsch", "Română")."""
    name = Locale.parse(language).get_display_name(in_language or language) or language
    return name[:1].upper() + name[1:]


def language_names(languages: Sequence[str]) -> str:
    """"Deutsch, Română, Nederlands, Español"."""
    return ", ".join(language_name(lang) for lang in languages)
