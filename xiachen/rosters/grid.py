"""The calendar grid of a roster: one row per cadre, one column per day, cover per day and shift."""

from dataclasses import dataclass
from datetime import date

from . import holidays
from .models import Unavailability
from .planning import RosterFrame, explain_breach, stored_cells, validate_cells

BREACHES_SHOWN = 40


@dataclass
class Cell:
    cadre: object
    day: date
    assignment: object | None
    away: str
    breach: bool = False


@dataclass
class CoverCell:
    day: date
    count: int
    minimum: int
    preferred: int

    @property
    def short(self) -> int:
        return max(0, self.preferred - self.count)


def grid(frame: RosterFrame) -> dict:
    roster = frame.roster
    days = roster.days()
    cells = {(a.cadre_id, a.day): a for a in roster.assignments.select_related("shift")}
    away = {(u.cadre_id, u.day): u.reason for u in Unavailability.objects.filter(
        cadre__in=frame.cadres, day__gte=roster.start, day__lte=roster.end)}
    found = validate_cells(frame, stored_cells(roster)).breaches
    marked = {(b.person, frame.day_of(d)) for b in found if b.person is not None for d in b.days}
    rows = [(cadre, [Cell(cadre, day, cells.get((cadre.pk, day)), away.get((cadre.pk, day), ""),
                          (str(cadre.pk), day) in marked) for day in days])
            for cadre in frame.cadres]
    need = {(n.day, n.shift): n for n in frame.problem.cover}
    cover = []
    for shift in frame.shifts:
        line = []
        for index, day in enumerate(days):
            count = sum(1 for a in cells.values() if a.day == day and a.shift_id == shift.pk)
            requirement = need[(index, shift.code)]
            line.append(CoverCell(day, count, requirement.minimum, requirement.preferred))
        cover.append((shift, line))
    balance = holidays.compensatory_balance(frame.cadres, roster.round)
    day_marks = holidays.marks(roster.start, roster.end)
    return {
        "days": days, "rows": [(cadre, line, balance[cadre.pk]) for cadre, line in rows], "cover": cover,
        "breaches": [explain_breach(frame, b) for b in found[:BREACHES_SHOWN]], "breach_count": len(found),
        "columns": [(day, day_marks.get(day)) for day in days],
        "calendar_missing": holidays.missing_years(roster.start, roster.end),
    }
