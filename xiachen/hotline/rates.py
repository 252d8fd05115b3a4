"""The three rates (三率), monthly rankings and weekly hot topics (docs/howto/hotline.md defines each).

For a unit U and a period [start, end): the tickets counted are those received in the period, not
merged as duplicates, whose current owner is U or a unit below it.
- response rate   = tickets signed (签收) by `response_due` / tickets counted;
- resolution rate = tickets whose caller said at call-back that the problem was solved / tickets called back;
- satisfaction rate = tickets called back 满意 or 基本满意 / tickets called back;
- score = 10 % × response + 45 % × resolution + 45 % × satisfaction (the 12345 weighting), ranked high first.
A rate with an empty denominator is undefined (shown as “—”); a unit with an undefined rate ranks last.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from fractions import Fraction

from django.db.models import Count, QuerySet
from django.utils import timezone

from xiachen.accounts.permissions import scope_paths
from xiachen.accounts.selectors import ancestor_paths
from xiachen.org.models import Unit, path_within

from .enums import COMMUNITY_KINDS, STREET_KINDS, Satisfaction, TicketStatus
from .models import Ticket

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
    rank: int | None = field(default=None, compare=False)

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
    def score(self) -> Fraction | None:
        rates = (self.response_rate, self.resolution_rate, self.satisfaction_rate)
        if any(rate is None for rate in rates):
            return None
        return sum((weight * rate for weight, rate in zip(WEIGHTS, rates, strict=True)), Fraction(0))

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


def rates_for_units(units: list[Unit], start: datetime, end: datetime) -> list[Rates]:
    """Rates of each unit (its subtree) over the period, in one query."""
    by_path = {unit.path: Rates(unit=unit) for unit in units}
    prefixes = covering_prefixes(list(by_path))
    rows = counted_tickets(start, end).filter(path_within(prefixes, field="owner_path")).values(
        "owner_path", "accepted_at", "response_due", "called_back_at", "caller_says_resolved", "satisfaction"
    )
    for row in rows:
        for path in ancestor_paths(row["owner_path"]):
            if path in by_path:
                by_path[path].add(row)
    return list(by_path.values())


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


def monthly_rankings(user, year: int, month: int) -> dict[str, list[Rates]]:
    start, end = month_bounds(year, month)
    return {
        "streets": rank(rates_for_units(units_ranked_for(user, STREET_KINDS), start, end)),
        "communities": rank(rates_for_units(units_ranked_for(user, COMMUNITY_KINDS), start, end)),
    }


def hot_topics(user, day: date, *, limit: int = 10) -> dict[str, list]:
    """The week's most frequent categories and places among tickets arising in the user's scope."""
    start, end = week_bounds(day)
    tickets = Ticket.objects.filter(
        path_within(scope_paths(user, "hotline.rates"), field="place_path"), received_at__gte=start,
        received_at__lt=end,
    ).exclude(status=TicketStatus.MERGED)
    categories = tickets.values("category__name_zh").annotate(n=Count("id")).order_by("-n", "category__name_zh")
    places = tickets.values("place__name").annotate(n=Count("id")).order_by("-n", "place__name")
    return {
        "start": start, "end": end - timedelta(days=1),
        "categories": [(row["category__name_zh"], row["n"]) for row in categories[:limit]],
        "places": [(row["place__name"], row["n"]) for row in places[:limit]],
    }


def percent(rate: Fraction | None) -> str:
    return "—" if rate is None else f"{float(rate) * 100:.1f}%"
