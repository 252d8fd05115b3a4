"""Plain, immutable data classes describing a roster problem and a roster.

This module is shared by the optimizer (``rostering``) and the independent validator
(``validate``); it therefore holds data and calendar arithmetic only, never model logic.

Conventions:
- Days are integers ``0 .. horizon_days - 1``; ``first_weekday`` says which weekday day 0 is
  (0 = Monday … 6 = Sunday, as :func:`datetime.date.weekday`).
- A shift's minutes count towards the day it starts on, also when it crosses midnight.
- A roster is one row per person (in ``Problem.people`` order) of one shift id or ``None``
  (day off) per day.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MINUTES_PER_DAY = 24 * 60
NIGHT_STARTS_BEFORE_MINUTE = 5 * 60
SATURDAY, SUNDAY = 5, 6

Roster = tuple[tuple[str | None, ...], ...]


@dataclass(frozen=True)
class ShiftTemplate:
    """A kind of shift: start time of day and length; it may run past midnight.

    ``night`` overrides the default night rule (the shift crosses midnight or starts before 05:00).
    """

    id: str
    start_minute: int
    length_minutes: int
    night: bool | None = None
    # Worked in protective gear from start to end (see ``Problem.max_gear_minutes``).
    gear: bool = False

    @property
    def end_minute(self) -> int:
        """Minutes after the start day's midnight at which the shift ends (may exceed 1440)."""
        return self.start_minute + self.length_minutes

    @property
    def crosses_midnight(self) -> bool:
        return self.end_minute > MINUTES_PER_DAY

    @property
    def is_night(self) -> bool:
        if self.night is not None:
            return self.night
        return self.crosses_midnight or self.start_minute < NIGHT_STARTS_BEFORE_MINUTE


@dataclass(frozen=True)
class WorkRules:
    """Per-person hard rules. ``None`` means "no limit".

    ``max_shifts_per_type`` lists ``(shift id, maximum)`` pairs; a missing shift id is unlimited and
    a maximum of 0 forbids that shift for the person.
    """

    max_consecutive_days: int = 6
    min_consecutive_days: int = 1
    min_consecutive_days_off: int = 2
    max_minutes_per_week: int | None = None
    max_minutes_per_period: int | None = None
    min_minutes_per_period: int = 0
    max_shifts_per_type: tuple[tuple[str, int], ...] = ()
    max_weekends: int | None = None
    max_days_per_week: int | None = None

    def max_shifts_of(self, shift_id: str) -> int | None:
        for listed_id, maximum in self.max_shifts_per_type:
            if listed_id == shift_id:
                return maximum
        return None


@dataclass(frozen=True)
class FixedShift:
    """Work of a person that this problem does not decide: a shift on a neighbouring or overlapping
    roster (another period, or another post). ``day`` counts from day 0 and may be negative or at or
    beyond the horizon; ``source`` names where it comes from, for messages.

    Fixed work counts for every rule that looks across days — rest between shifts and listed
    successions, days in a row, minutes and days per calendar week — and a fixed shift inside the
    horizon takes the person's day (one shift a day, whatever the roster). Minimum run lengths stay
    exempt at an edge unless a fixed shift lies just beyond it.
    """

    day: int
    start_minute: int
    length_minutes: int
    shift: str = ""
    source: str = ""

    @property
    def starts_at(self) -> int:
        return self.day * MINUTES_PER_DAY + self.start_minute

    @property
    def ends_at(self) -> int:
        return self.starts_at + self.length_minutes


@dataclass(frozen=True)
class Person:
    id: str
    rules: WorkRules = field(default_factory=WorkRules)
    unavailable_days: frozenset[int] = frozenset()
    fixed: tuple[FixedShift, ...] = ()

    @property
    def fixed_days(self) -> frozenset[int]:
        return frozenset(f.day for f in self.fixed)

    def blocked_days(self, horizon_days: int) -> frozenset[int]:
        """Days inside the horizon the person cannot be given a shift: unavailable, or taken by fixed work."""
        return self.unavailable_days | frozenset(d for d in self.fixed_days if 0 <= d < horizon_days)


@dataclass(frozen=True)
class CoverRequirement:
    """Cover wanted for one shift on one day.

    Fewer than ``minimum`` people is a hard break; every person short of ``preferred`` costs
    ``under_weight``, every person above it costs ``over_weight``.
    """

    day: int
    shift: str
    preferred: int
    minimum: int = 0
    under_weight: int = 1
    over_weight: int = 1


@dataclass(frozen=True)
class Wish:
    """A person's soft wish about one day.

    ``wanted=True``: the person wants that shift (``shift=None``: any shift); missing it costs
    ``weight``. ``wanted=False``: the person does not want that shift (``shift=None``: wants the day
    off); getting it costs ``weight``.
    """

    person: str
    day: int
    shift: str | None
    weight: int
    wanted: bool


@dataclass(frozen=True)
class Problem:
    """A complete roster problem.

    ``edge_runs_exempt``: a working run shorter than the minimum, or a day-off run shorter than the
    minimum, is only forbidden when the run and the day on each side lie inside the horizon (the
    roster's neighbours in time are unknown, so runs touching the edges are free).
    """

    horizon_days: int
    shifts: tuple[ShiftTemplate, ...]
    people: tuple[Person, ...]
    cover: tuple[CoverRequirement, ...] = ()
    wishes: tuple[Wish, ...] = ()
    forbidden_successions: tuple[tuple[str, str], ...] = ()
    min_rest_minutes: int = 11 * 60
    first_weekday: int = 0
    edge_runs_exempt: bool = True
    night_fairness_weight: int = 1
    weekend_fairness_weight: int = 1
    name: str = ""
    # Longest a shift may keep a person in protective gear (``ShiftTemplate.gear``); None: no limit.
    max_gear_minutes: int | None = None

    def gear_too_long(self, shift: ShiftTemplate) -> bool:
        return shift.gear and self.max_gear_minutes is not None and shift.length_minutes > self.max_gear_minutes

    def shift_by_id(self, shift_id: str) -> ShiftTemplate:
        for shift in self.shifts:
            if shift.id == shift_id:
                return shift
        raise KeyError(shift_id)

    def weekday_of(self, day: int) -> int:
        return (self.first_weekday + day) % 7

    def week_of(self, day: int) -> int:
        """Calendar week index (weeks start on Monday); day 0's week is 0."""
        return (self.first_weekday + day) // 7

    def weekends(self) -> tuple[tuple[int, ...], ...]:
        """Days of each (possibly partial) weekend inside the horizon, in order."""
        by_week: dict[int, list[int]] = {}
        for day in range(self.horizon_days):
            if self.weekday_of(day) in (SATURDAY, SUNDAY):
                by_week.setdefault(self.week_of(day), []).append(day)
        return tuple(tuple(days) for _, days in sorted(by_week.items()))


@dataclass(frozen=True)
class CoverShortfall:
    day: int
    shift: str
    preferred: int
    assigned: int

    @property
    def missing(self) -> int:
        return self.preferred - self.assigned
