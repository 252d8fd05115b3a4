"""The calendar grid of a roster: one row per cadre, one column per day, cover per day and shift."""

from dataclasses import dataclass
from datetime import date

from .models import Unavailability
from .planning import RosterFrame


@dataclass
class Cell:
    cadre: object
    day: date
    assignment: object | None
    away: str


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
    rows = [(cadre, [Cell(cadre, day, cells.get((cadre.pk, day)), away.get((cadre.pk, day), "")) for day in days])
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
    return {"days": days, "rows": rows, "cover": cover}
