"""Public holidays and compensatory rest (补休) as rosters see them, read from the platform's one
working calendar (`core.Holiday`, `core.CalendarYear`; ADR 1601).

A shift worked on a public holiday (a day off in the State Council's notice) earns the cadre one
compensatory rest day; the manager grants it as an unavailable day marked 补休. The balance counts
every roster of the round, whatever the post. Days of a year whose notice is not loaded are not
guessed: the roster page says which years are missing.
"""

from dataclasses import dataclass
from datetime import date

from xiachen.core import calendar
from xiachen.core.models import Holiday

from .models import Assignment, Unavailability


@dataclass(frozen=True)
class DayMark:
    name: str
    is_workday: bool  # a weekend made a working day (调休上班)


def marks(start: date, end: date) -> dict[date, DayMark]:
    """Holidays and make-up working days between `start` and `end`, by day."""
    return {h.date: DayMark(h.name, h.is_workday) for h in Holiday.objects.filter(date__gte=start, date__lte=end)}


def missing_years(start: date, end: date) -> list[int]:
    """Years of the period whose holiday notice is not loaded (their holidays are unknown)."""
    known = calendar.known_years()
    return [year for year in range(start.year, end.year + 1) if year not in known]


@dataclass(frozen=True)
class Balance:
    holidays_worked: int
    taken: int

    @property
    def owed(self) -> int:
        return max(0, self.holidays_worked - self.taken)


def compensatory_balance(cadres: list, round_) -> dict[int, Balance]:
    """Per cadre: shifts worked on public holidays in any roster of `round_`, and 补休 days granted
    within the round's period."""
    days_off = set(Holiday.objects.filter(date__gte=round_.start, date__lte=round_.end, is_workday=False)
                   .values_list("date", flat=True))
    worked: dict[int, int] = {}
    for cadre_id, day in Assignment.objects.filter(cadre__in=cadres, roster__round=round_).values_list(
            "cadre_id", "day"):
        if day in days_off:
            worked[cadre_id] = worked.get(cadre_id, 0) + 1
    taken: dict[int, int] = {}
    for cadre_id in Unavailability.objects.filter(cadre__in=cadres, compensatory=True, day__gte=round_.start,
                                                  day__lte=round_.end).values_list("cadre_id", flat=True):
        taken[cadre_id] = taken.get(cadre_id, 0) + 1
    return {c.pk: Balance(worked.get(c.pk, 0), taken.get(c.pk, 0)) for c in cadres}
