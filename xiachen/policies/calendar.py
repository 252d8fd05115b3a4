"""Working-day arithmetic for feedback deadlines: weekends are off, configured holidays are off, and
make-up days (调休) are on. Pure functions; the holidays come in as a dict."""

from datetime import date, timedelta

MAX_SEARCH_DAYS = 3660


def is_working_day(day: date, holidays: dict[date, bool]) -> bool:
    """`holidays` maps a date to True for a make-up working day, False for a holiday."""
    if day in holidays:
        return holidays[day]
    return day.isoweekday() <= 5


def add_working_days(start: date, days: int, holidays: dict[date, bool]) -> date:
    """The date `days` working days after `start` (the day of filing does not count)."""
    day, counted = start, 0
    for _step in range(MAX_SEARCH_DAYS):
        if counted >= days:
            return day
        day += timedelta(days=1)
        counted += is_working_day(day, holidays)
    raise ValueError("no working day within ten years: check the holiday calendar")
