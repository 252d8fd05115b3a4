"""Reader for the Curtois & Qu "Shift Scheduling Benchmark" text format, and roster files.

The benchmark (schedulingbenchmarks.org; instances in ``tests/solver/instances/``) maps
onto :class:`~xiachen.solver.roster_problem.Problem` as follows: shifts have lengths but no clock times,
so the rest rule is switched off (``min_rest_minutes=0``) and only the listed successions are
forbidden; cover rows have no hard minimum; fairness terms are off; runs touching the horizon's
edges are exempt from the minimum run lengths; day 0 is a Monday.

Roster file: one line per person, ``ID tok_0 … tok_{h-1}``, a shift id or ``-`` for a day off.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from xiachen.solver.roster_problem import CoverRequirement, Person, Problem, Roster, ShiftTemplate, Wish, WorkRules

DAY_OFF_MARK = "-"
_SECTIONS = (
    "SECTION_HORIZON",
    "SECTION_SHIFTS",
    "SECTION_STAFF",
    "SECTION_DAYS_OFF",
    "SECTION_SHIFT_ON_REQUESTS",
    "SECTION_SHIFT_OFF_REQUESTS",
    "SECTION_COVER",
)


class BenchmarkFormatError(ValueError):
    """The text does not follow the benchmark format."""


def _sections(text: str) -> dict[str, list[list[str]]]:
    sections: dict[str, list[list[str]]] = {name: [] for name in _SECTIONS}
    current: str | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("SECTION_"):
            if line not in sections:
                raise BenchmarkFormatError(f"line {number}: unknown section {line}")
            current = line
            continue
        if current is None:
            raise BenchmarkFormatError(f"line {number}: data before the first section")
        sections[current].append([field.strip() for field in line.split(",")])
    return sections


def _max_shifts(field: str) -> tuple[tuple[str, int], ...]:
    pairs = []
    for part in field.split("|"):
        shift_id, _, maximum = part.partition("=")
        pairs.append((shift_id.strip(), int(maximum)))
    return tuple(pairs)


def _person(fields: list[str], unavailable: frozenset[int]) -> Person:
    person_id, max_shifts, max_total, min_total, max_run, min_run, min_off, max_weekends = fields[:8]
    rules = WorkRules(
        max_consecutive_days=int(max_run),
        min_consecutive_days=int(min_run),
        min_consecutive_days_off=int(min_off),
        max_minutes_per_period=int(max_total),
        min_minutes_per_period=int(min_total),
        max_shifts_per_type=_max_shifts(max_shifts),
        max_weekends=int(max_weekends),
    )
    return Person(person_id, rules, unavailable)


def _requests(rows: Iterable[list[str]], wanted: bool) -> list[Wish]:
    return [Wish(row[0], int(row[1]), row[2], int(row[3]), wanted) for row in rows]


def parse_benchmark(text: str, name: str = "") -> Problem:
    """Parse an instance text into a :class:`Problem` (see the module docstring for the mapping)."""
    sections = _sections(text)
    try:
        horizon = int(sections["SECTION_HORIZON"][0][0])
        shifts, successions = [], []
        for row in sections["SECTION_SHIFTS"]:
            shifts.append(ShiftTemplate(row[0], start_minute=0, length_minutes=int(row[1]), night=False))
            followers = row[2] if len(row) > 2 else ""
            successions += [(row[0], then.strip()) for then in followers.split("|") if then.strip()]
        days_off = {row[0]: frozenset(int(day) for day in row[1:] if day) for row in sections["SECTION_DAYS_OFF"]}
        people = [_person(row, days_off.get(row[0], frozenset())) for row in sections["SECTION_STAFF"]]
        wishes = _requests(sections["SECTION_SHIFT_ON_REQUESTS"], True)
        wishes += _requests(sections["SECTION_SHIFT_OFF_REQUESTS"], False)
        cover = [
            CoverRequirement(int(day), shift, int(need), 0, int(under), int(over))
            for day, shift, need, under, over in sections["SECTION_COVER"]
        ]
    except (IndexError, ValueError) as error:
        raise BenchmarkFormatError(f"malformed instance {name}: {error}") from error
    return Problem(
        horizon_days=horizon,
        shifts=tuple(shifts),
        people=tuple(people),
        cover=tuple(cover),
        wishes=tuple(wishes),
        forbidden_successions=tuple(successions),
        min_rest_minutes=0,
        first_weekday=0,
        edge_runs_exempt=True,
        night_fairness_weight=0,
        weekend_fairness_weight=0,
        name=name,
    )


def read_benchmark(path: str | Path) -> Problem:
    path = Path(path)
    return parse_benchmark(path.read_text(encoding="utf-8"), name=path.stem)


def format_roster(problem: Problem, roster: Roster) -> str:
    """The roster file text: ``ID tok_0 … tok_{h-1}`` per person, ``-`` for a day off."""
    lines = []
    for person, row in zip(problem.people, roster, strict=True):
        tokens = [DAY_OFF_MARK if shift is None else shift for shift in row]
        lines.append(" ".join([person.id, *tokens]))
    return "\n".join(lines) + "\n"


def parse_roster(problem: Problem, text: str) -> Roster:
    """Read a roster file into rows in ``problem.people`` order; missing people get all days off."""
    by_person: dict[str, tuple[str | None, ...]] = {}
    for line in text.splitlines():
        tokens = line.split()
        if not tokens:
            continue
        by_person[tokens[0]] = tuple(None if t == DAY_OFF_MARK else t for t in tokens[1:])
    empty = tuple(None for _ in range(problem.horizon_days))
    return tuple(by_person.get(person.id, empty) for person in problem.people)
