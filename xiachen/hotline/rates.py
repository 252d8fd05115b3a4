"""The three rates (三率), on-time resolution, 退单/延期/督办 counts, monthly rankings and weekly hot
topics (docs/howto/hotline.md defines each; ADR 1604 the counting rules).

For a unit U and a period [start, end): the tickets counted are those received in the period, not
merged as duplicates, whose current owner is U or a unit below it. A ticket whose 退单 was approved
has left U (it is owned by the unit it was dispatched to next), so it never counts against U.
- response rate   = tickets signed (签收) by `response_due` / tickets counted;
- resolution rate = tickets whose caller said at call-back that the problem was solved / tickets called back;
- satisfaction rate = tickets called back 满意 or 基本满意 / tickets called back;
- on-time rate (按时办结率) = tickets resolved by `due_at` — the deadline an approved 延期 moved — /
  tickets resolved, or still open past `due_at` at `as_of`;
- score = 10 % × response + 45 % × resolution + 45 % × satisfaction (the 12345 weighting), ranked high first.
A rate with an empty denominator is undefined (shown as “—”); a unit with an undefined rate ranks last.
Shown beside the rates, by the unit that acted or was acted upon (tickets received in the period):
approved 退单 (合理退单, not held against U), rejected 退单 (不合理退单), approved 延期, and 督办
(times a supervisor pressed U on a ticket).
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from fractions import Fraction

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from xiachen.accounts.permissions import scope_paths
from xiachen.accounts.selectors import ancestor_paths
from xiachen.org.models import Unit, is_broad_scope, path_within

from .enums import (
    COMMUNITY_KINDS,
    OPEN_STATUSES,
    STREET_KINDS,
    EventKind,
    RequestKind,
    RequestStatus,
    Satisfaction,
    TicketStatus,
)
from .models import Category, Ticket, TicketEvent, TicketRequest

WEIGHTS = (Fraction(1, 10), Fraction(9, 20), Fraction(9, 20))
SATISFIED = (Satisfaction.SATISFIED, Satisfaction.BASICALLY)


@dataclass
class Rates:
    unit: Unit | None = None
    tickets: int = 0
    responded: int = 0
    called_back: int = 0
    resolved: int = 0
    satisfied: int = 0
    due: int = 0
    on_time: int = 0
    returns_approved: int = 0
    returns_rejected: int = 0
    extensions: int = 0
    supervised: int = 0
    rank: int | None = field(default=None, compare=False)

    COUNTS = ("tickets", "responded", "called_back", "resolved", "satisfied", "due", "on_time", "returns_approved",
              "returns_rejected", "extensions", "supervised")

    @property
    def response_rate(self) -> Fraction | None:
        return Fraction(self.responded, self.tickets) if self.tickets else None

    @property
    def resolution_rate(self) -> Fraction | None:
        return Fraction(self.resolved, self.called_back) if self.called_back else None

    @property
    def satisfaction_rate(self) -> Fraction | None:
        return Fraction(self.satisfied, self.called_back) if self.called_back else None

    @property
    def on_time_rate(self) -> Fraction | None:
        return Fraction(self.on_time, self.due) if self.due else None

    @property
    def score(self) -> Fraction | None:
        rates = (self.response_rate, self.resolution_rate, self.satisfaction_rate)
        if any(rate is None for rate in rates):
            return None
        return sum((weight * rate for weight, rate in zip(WEIGHTS, rates, strict=True)), Fraction(0))

    def add_counts(self, counts: dict) -> None:
        for name in self.COUNTS:
            setattr(self, name, getattr(self, name) + counts.get(name, 0))

    def add(self, row: dict) -> None:
        self.tickets += 1
        accepted = row["accepted_at"]
        self.responded += bool(accepted and accepted <= row["response_due"])
        if row["called_back_at"] is not None:
            self.called_back += 1
            self.resolved += bool(row["caller_says_resolved"])
            self.satisfied += row["satisfaction"] in SATISFIED


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    start = date(year, month, 1)
    end = date(year + month // 12, month % 12 + 1, 1)
    return _midnight(start), _midnight(end)


def week_bounds(day: date) -> tuple[datetime, datetime]:
    monday = day - timedelta(days=day.weekday())
    return _midnight(monday), _midnight(monday + timedelta(days=7))


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day))


def counted_tickets(start: datetime, end: datetime) -> QuerySet[Ticket]:
    return Ticket.objects.filter(received_at__gte=start, received_at__lt=end, owner__isnull=False).exclude(
        status=TicketStatus.MERGED
    )


MAX_PREFIXES = 50  # SQLite refuses a WHERE of ~1,000 ORs ("Expression tree is too large")


def covering_prefixes(paths: list[str], limit: int = MAX_PREFIXES) -> list[str]:
    """At most `limit` unit paths whose subtrees contain every path given (their ancestors when needed).

    A superset is fine where rows are attributed to units afterwards: a city's 1,400 communities
    become its 13 districts in the query instead of 1,400 prefixes.
    """
    current = sorted(set(paths))
    while len(current) > limit:
        parents = {ancestor_paths(path)[-2] if path.count("/") > 2 else path for path in current}
        if len(parents) == len(current):
            break
        current = sorted(parents)
    return [p for p in current if not any(p != q and p.startswith(q) for q in current)]


def rates_for_units(units: list[Unit], start: datetime, end: datetime, *, counts: dict | None = None,
                    as_of: datetime | None = None) -> list[Rates]:
    """Rates of each unit (its subtree) over the period: one grouped query (or `counts` from
    `counts_by_owner`, to share it between rankings), then each owner's counts added to its ancestors.

    The database counts per owner (a few thousand groups for a city) instead of returning every
    ticket of the month (250,000 rows turned into Python dicts: 3.8–26 s at Wuhan scale).
    """
    by_path = {unit.path: Rates(unit=unit) for unit in units}
    if counts is None:
        counts = counts_by_owner(list(by_path), start, end, as_of=as_of)
    for owner_path, row in counts.items():
        for path in ancestor_paths(owner_path):
            if path in by_path:
                by_path[path].add_counts(row)
    return list(by_path.values())


def counts_by_owner(paths: list[str], start: datetime, end: datetime, *,
                    as_of: datetime | None = None) -> dict[str, dict]:
    """Per unit path, the counted tickets of the period and those responded, called back, resolved,
    satisfied, due and on time (by owner), with the 退单, 延期 and 督办 counts (by the unit that
    asked or was pressed); limited to the subtrees of `paths`. `as_of` (default now) decides which
    open tickets are already past their deadline."""
    as_of = as_of or timezone.now()
    prefixes = covering_prefixes(paths)
    called_back = Q(called_back_at__isnull=False)
    finished = Q(status__in=FINISHED)
    rows = (
        counted_tickets(start, end)
        .filter(path_within(prefixes, field="owner_path"))
        .values("owner_path")
        .annotate(
            tickets=Count("id"),
            responded=Count("id", filter=Q(accepted_at__isnull=False, accepted_at__lte=F("response_due"))),
            called_back=Count("id", filter=called_back),
            resolved=Count("id", filter=called_back & Q(caller_says_resolved=True)),
            satisfied=Count("id", filter=called_back & Q(satisfaction__in=SATISFIED)),
            due=Count("id", filter=finished | Q(status__in=OPEN_STATUSES, due_at__lt=as_of)),
            on_time=Count("id", filter=finished & Q(resolved_at__lte=F("due_at"))),
        )
        .order_by()
    )
    counts: dict[str, dict] = {row.pop("owner_path"): row for row in rows}
    for path, name, n in _request_counts(prefixes, start, end) + _supervision_counts(prefixes, start, end):
        counts.setdefault(path, {})[name] = counts.get(path, {}).get(name, 0) + n
    return counts


FINISHED = (TicketStatus.RESOLVED, TicketStatus.CLOSED)
REQUEST_COUNTS = {
    (RequestKind.RETURN, RequestStatus.APPROVED): "returns_approved",
    (RequestKind.RETURN, RequestStatus.REJECTED): "returns_rejected",
    (RequestKind.EXTENSION, RequestStatus.APPROVED): "extensions",
}


def _request_counts(prefixes: list[str], start: datetime, end: datetime) -> list[tuple[str, str, int]]:
    """(unit path, count name, n): decided 退单 and approved 延期 of the period's tickets, by the unit that asked."""
    rows = (
        TicketRequest.objects.filter(path_within(prefixes, field="unit_path"), ticket__received_at__gte=start,
                                     ticket__received_at__lt=end)
        .exclude(ticket__status=TicketStatus.MERGED)
        .values_list("unit_path", "kind", "status").annotate(n=Count("id")).order_by()
    )
    return [(path, REQUEST_COUNTS[(kind, status)], n) for path, kind, status, n in rows
            if (kind, status) in REQUEST_COUNTS]


def _supervision_counts(prefixes: list[str], start: datetime, end: datetime) -> list[tuple[str, str, int]]:
    """(unit path, "supervised", n): manual 督办 of the period's tickets, by the unit pressed."""
    rows = (
        TicketEvent.objects.filter(path_within(prefixes, field="unit__path"), kind=EventKind.SUPERVISED,
                                   ticket__received_at__gte=start, ticket__received_at__lt=end)
        .exclude(ticket__status=TicketStatus.MERGED)
        .values_list("unit__path").annotate(n=Count("id")).order_by()
    )
    return [(path, "supervised", n) for path, n in rows]


def rank(rates: list[Rates]) -> list[Rates]:
    """Highest score first; equal scores share a rank; units without a score follow unranked."""
    scored = sorted((r for r in rates if r.score is not None), key=lambda r: (-r.score, r.unit.path))
    previous, position = None, 0
    for index, entry in enumerate(scored, start=1):
        if entry.score != previous:
            position, previous = index, entry.score
        entry.rank = position
    return scored + sorted((r for r in rates if r.score is None), key=lambda r: r.unit.path)


def units_ranked_for(user, kinds) -> list[Unit]:
    paths = scope_paths(user, "hotline.rates")
    return list(Unit.objects.filter(path_within(paths), kind__code__in=kinds).select_related("kind"))


# The levels ranked, in the order shown: (key, unit kinds, Chinese heading).
LEVELS = (
    ("districts", ("district",), "区"),
    ("streets", STREET_KINDS, "街道/乡镇"),
    ("communities", COMMUNITY_KINDS, "社区/村"),
    ("departments", ("agency",), "市直部门"),
)


def monthly_rankings(user, year: int, month: int, *, as_of: datetime | None = None) -> dict[str, list[Rates]]:
    """Each level's units in the user's scope, ranked; municipal departments (市直部门) with the
    offices below them."""
    start, end = month_bounds(year, month)
    units = {key: units_ranked_for(user, kinds) for key, kinds, _label in LEVELS}
    every = [unit.path for level in units.values() for unit in level]
    counts = counts_by_owner(every, start, end, as_of=as_of) if every else {}  # one query for all levels
    return {key: rank(rates_for_units(level, start, end, counts=counts)) for key, level in units.items()}


def hot_topics(user, day: date, *, limit: int = 10) -> dict[str, list]:
    """The week's most frequent categories and places among tickets arising in the user's scope."""
    start, end = week_bounds(day)
    paths = scope_paths(user, "hotline.rates")
    # A city's or district's week is found by received_at, not by the path (all tickets match it).
    within = path_within(paths, field="place_path", indexed=not is_broad_scope(paths))
    tickets = Ticket.objects.filter(within, received_at__gte=start, received_at__lt=end).exclude(
        status=TicketStatus.MERGED
    )
    return {
        "start": start, "end": end - timedelta(days=1),
        "categories": _most_frequent(tickets, "category_id", Category.objects.all(), "name_zh", limit),
        "places": _most_frequent(tickets, "place_id", Unit.objects.all(), "name", limit),
    }


def _most_frequent(tickets: QuerySet[Ticket], key: str, named: QuerySet, name: str, limit: int) -> list[tuple]:
    """(name, tickets) most frequent first, then by name; counted by id, named afterwards.

    Grouping by the joined name let SQLite start from the named table (every unit of the city)
    and probe the tickets of each: 0.3–0.5 s for a week of 30,000 tickets.
    """
    counts = dict(tickets.values_list(key).annotate(n=Count("id")).order_by())
    totals: dict[str, int] = {}
    for label, pk in ((label, pk) for pk, label in named.filter(pk__in=list(counts)).values_list("pk", name)):
        totals[label] = totals.get(label, 0) + counts[pk]
    return sorted(totals.items(), key=lambda item: (-item[1], item[0]))[:limit]


def percent(rate: Fraction | None) -> str:
    return "—" if rate is None else f"{float(rate) * 100:.1f}%"
