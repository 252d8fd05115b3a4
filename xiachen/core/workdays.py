"""The platform's one working-day calendar, as pure Python (no Django): weekdays, public holidays,
make-up working days (调休), and the years the calendar actually knows.

China's public holidays move every year (the State Council publishes the next year's notice each
autumn), so a weekday rule alone is wrong for about ten days a year. A calendar therefore carries
`known_years`: asking it about a day outside them raises `CalendarMissing` instead of silently
guessing. Callers decide what to do — the hotline and policy feedback compute a provisional
deadline by the weekday rule, mark it, and alert the administrator (ADR 1601).
"""

from dataclasses import dataclass, field, replace
from datetime import date, time, timedelta

MAX_SEARCH_DAYS = 3660  # no working day within ten years means the calendar is misconfigured


class CalendarMissing(Exception):
    """The calendar has no holiday notice for `year`: a working-day answer would be a guess."""

    def __init__(self, year: int) -> None:
        super().__init__(f"no holiday calendar for {year}")
        self.year = year


@dataclass(frozen=True)
class Calendar:
    """Working hours and days. `known_years` None means "trust the weekday rule everywhere"."""

    day_start: time = time(8, 30)
    day_end: time = time(17, 30)
    workdays: frozenset[int] = frozenset({1, 2, 3, 4, 5})  # ISO weekdays, 1 = Monday
    holidays: frozenset[date] = field(default_factory=frozenset)
    extra_workdays: frozenset[date] = field(default_factory=frozenset)  # 调休: weekends worked
    known_years: frozenset[int] | None = None

    def __post_init__(self) -> None:
        if self.day_end <= self.day_start:
            raise ValueError("day_end must be after day_start")
        if not self.workdays and not self.extra_workdays:
            raise ValueError("a calendar needs working days")

    @property
    def day_length(self) -> timedelta:
        return timedelta(hours=self.day_end.hour - self.day_start.hour,
                         minutes=self.day_end.minute - self.day_start.minute)

    def is_working_day(self, day: date) -> bool:
        """Raises CalendarMissing for a day in a year the calendar does not know."""
        if self.known_years is not None and day.year not in self.known_years:
            raise CalendarMissing(day.year)
        if day in self.extra_workdays:
            return True
        return day.isoweekday() in self.workdays and day not in self.holidays

    def next_working_day(self, day: date) -> date:
        for _ in range(MAX_SEARCH_DAYS):
            day += timedelta(days=1)
            if self.is_working_day(day):
                return day
        raise ValueError("no working day found")

    def by_weekday_rule(self) -> "Calendar":
        """The same calendar that answers unknown years by the weekday rule (for provisional deadlines)."""
        return replace(self, known_years=None)


def add_working_days(start: date, days: int, calendar: Calendar) -> date:
    """The date `days` working days after `start` (the day of filing does not count)."""
    day, counted = start, 0
    for _step in range(MAX_SEARCH_DAYS):
        if counted >= days:
            return day
        day += timedelta(days=1)
        counted += calendar.is_working_day(day)
    raise ValueError("no working day within ten years: check the holiday calendar")
