"""Automatic metrics as pluggable providers. A provider returns None when its source has not landed
or holds nothing for the cadre, and the breakdown then shows 无数据 — never a made-up number.

Providers for rosters, errands and hotline data look their source up through the app registry
(`apps.is_installed`, `apps.get_model`) and never import those apps, so this module works whether or
not they are installed. A source whose shape changed (a field renamed, a model gone) reports no data
rather than failing the whole computation (ADR 0801 lists what each adapter reads).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.apps import apps
from django.core.exceptions import FieldError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Service:
    """What a provider is asked about: one cadre's service in one round (dates inclusive)."""

    cadre_id: int
    round_id: int
    match_ids: tuple[int, ...]
    start: date | None
    end: date | None
    as_of: datetime | None = None  # shifts ending after this are not yet due (default: now)

    def now(self) -> datetime:
        return self.as_of or timezone.now()

    def day_bounds(self) -> tuple[datetime, datetime]:
        """Aware [start 00:00, day after end 00:00) in the site's time zone."""
        zone = timezone.get_current_timezone()
        return (timezone.make_aware(datetime.combine(self.start, time()), zone),
                timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time()), zone))


@dataclass(frozen=True)
class MetricValue:
    raw: Decimal
    points: Decimal  # 0–100


class Provider:
    code = ""
    label = ""
    kind = "count"  # "rate" (0–1), "count" (target earns 100), "penalty" (target costs 100), "rating" (1–5)
    default_target: Decimal | None = None

    def raw(self, service: Service) -> Decimal | None:
        raise NotImplementedError

    def value(self, service: Service, target: Decimal | None = None) -> MetricValue | None:
        raw = self.raw(service)
        if raw is None:
            return None
        return MetricValue(raw=Decimal(raw), points=to_points(self.kind, Decimal(raw), target or self.default_target))


def to_points(kind: str, raw: Decimal, target: Decimal | None) -> Decimal:
    if kind == "rate":
        points = raw * HUNDRED
    elif kind == "rating":
        points = raw * 20
    elif kind == "penalty":
        points = HUNDRED - raw * HUNDRED / (target or 1)
    else:
        points = raw * HUNDRED / (target or 1)
    return min(HUNDRED, max(Decimal(0), points))


class SourceProvider(Provider):
    """A metric read from another app's models; no data while the app or model is absent."""

    source_app = ""
    source_model = ""

    def source(self):
        if not apps.is_installed(f"xiachen.{self.source_app}"):
            return None
        try:
            return apps.get_model(self.source_app, self.source_model)
        except LookupError:
            return None

    def raw(self, service: Service) -> Decimal | None:
        model = self.source()
        if model is None:
            return None
        if service.start is None or service.end is None:
            return None
        try:
            return self.compute(model, service)
        except (LookupError, AttributeError, ValueError, FieldError):  # the source's shape changed: invent nothing
            return None

    def compute(self, model, service: Service) -> Decimal | None:
        return None  # no adapter for this source's models yet


# --- rosters: attendance of the cadre's own shifts at the receiving unit ----------------------------------


@dataclass(frozen=True)
class ShiftTally:
    due: int  # rostered shifts that had ended by `as_of`
    attended: int  # of those, checked in
    on_time: int  # of those attended, not late
    minutes: int  # minutes worked inside the shift window (as rosters' attendance sheet counts them)


def roster_tally(assignment_model, service: Service) -> ShiftTally | None:
    """The cadre's shifts on published/locked rosters of the posts they served (the demands of the
    service's matches) in the round, starting within the service period. None without any due shift."""
    demand_ids = _demand_ids(service)
    if not demand_ids:
        return None
    assignments = assignment_model.objects.filter(
        cadre_id=service.cadre_id, roster__round_id=service.round_id, roster__post_id__in=demand_ids,
        roster__status__in=("published", "locked"), day__gte=service.start, day__lte=service.end,
    ).select_related("shift", "attendance")
    zone = timezone.get_current_timezone()
    now = service.now()
    due = attended = on_time = minutes = 0
    for assignment in assignments:
        naive_start, naive_end = assignment.shift.window(assignment.day)
        start, end = timezone.make_aware(naive_start, zone), timezone.make_aware(naive_end, zone)
        if end > now:
            continue  # not yet due: neither attended nor missed
        due += 1
        record = getattr(assignment, "attendance", None)
        if record is None or record.checked_in_at is None:
            continue
        attended += 1
        on_time += not record.is_late
        worked = min(record.checked_out_at or end, end) - max(record.checked_in_at, start)
        minutes += max(0, int(worked.total_seconds() // 60))
    return ShiftTally(due, attended, on_time, minutes) if due else None


def _demand_ids(service: Service) -> list[int]:
    from xiachen.deployments.models import Match  # a core dependency of this app, not an optional source

    return list(Match.objects.filter(pk__in=service.match_ids).values_list("demand_id", flat=True))


class RosterProvider(SourceProvider):
    source_app, source_model = "rosters", "Assignment"

    def compute(self, model, service: Service) -> Decimal | None:
        tally = roster_tally(model, service)
        return None if tally is None else self.from_tally(tally)

    def from_tally(self, tally: ShiftTally) -> Decimal | None:
        raise NotImplementedError


class AttendanceRate(RosterProvider):
    """Attended / due shifts."""

    code, label, kind = "attendance_rate", _("出勤率"), "rate"

    def from_tally(self, tally: ShiftTally) -> Decimal | None:
        return Decimal(tally.attended) / Decimal(tally.due)


class Punctuality(RosterProvider):
    """On-time / attended shifts; no data when nothing was attended."""

    code, label, kind = "punctuality", _("准时率"), "rate"

    def from_tally(self, tally: ShiftTally) -> Decimal | None:
        return Decimal(tally.on_time) / Decimal(tally.attended) if tally.attended else None


class Shifts(RosterProvider):
    """Attended shifts."""

    code, label = "shifts", _("排班次数")
    default_target = Decimal(20)

    def from_tally(self, tally: ShiftTally) -> Decimal | None:
        return Decimal(tally.attended)


class Hours(RosterProvider):
    """Hours worked inside the shift windows of attended shifts."""

    code, label = "hours", _("工作时长（小时）")
    default_target = Decimal(160)

    def from_tally(self, tally: ShiftTally) -> Decimal | None:
        return Decimal(tally.minutes) / Decimal(60)


# --- errands (xiachen/assessments/errands_adapter.py) -------------------------------------------------------


class ErrandsDone(SourceProvider):
    code, label, source_app, source_model = "errands_done", _("完成代办事项"), "errands", "Errand"
    default_target = Decimal(20)

    def compute(self, model, service: Service) -> Decimal | None:
        from . import errands_adapter

        return errands_adapter.errands_done(model, service)


# --- hotline ---------------------------------------------------------------------------------------------


class HotlineTickets(SourceProvider):
    """Tickets the cadre's user resolved (办结 events by them) in the service period, owned by a unit
    they served; a merged duplicate does not count. No data when the cadre has no user account or
    did nothing on any ticket there (the hotline is not part of their post); 0 when they worked on
    tickets but resolved none."""

    code, label, source_app, source_model = "hotline_tickets", _("办理热线工单"), "hotline", "TicketEvent"
    default_target = Decimal(10)

    def compute(self, model, service: Service) -> Decimal | None:
        from xiachen.org.models import path_within

        user_id, unit_paths = cadre_user_and_units(service)
        if user_id is None or not unit_paths:
            return None
        start, end = service.day_bounds()
        events = model.objects.filter(
            path_within(unit_paths, field="ticket__owner_path"), actor_id=user_id, created_at__gte=start,
            created_at__lt=end,
        ).exclude(ticket__status="merged")
        if not events.exists():
            return None
        return Decimal(events.filter(kind="resolved").values("ticket_id").distinct().count())


def cadre_user_and_units(service: Service) -> tuple[int | None, list[str]]:
    """The cadre's user id and the paths of the receiving units of the service's matches."""
    from xiachen.cadres.models import Cadre
    from xiachen.deployments.models import Match

    user_id = Cadre.objects.filter(pk=service.cadre_id).values_list("user_id", flat=True).first()
    unit_paths = list(Match.objects.filter(pk__in=service.match_ids).values_list("demand__unit_path", flat=True))
    return user_id, unit_paths


class Complaints(SourceProvider):
    """Residents' complaints naming the cadre (`hotline.ComplaintSubject`) that the receiving unit's
    manager found 属实, on tickets received during the service (ADR 1604). Pending and 不属实
    complaints do not count; without any confirmed complaint the count is 0 (full points)."""

    code, label, kind, source_app, source_model = "complaints", _("被投诉次数"), "penalty", "hotline", \
        "ComplaintSubject"
    default_target = Decimal(5)

    def compute(self, model, service: Service) -> Decimal | None:
        start, end = service.day_bounds()
        return Decimal(model.objects.filter(cadre_id=service.cadre_id, status="confirmed",
                                            ticket__received_at__gte=start, ticket__received_at__lt=end).count())


# --- residents' ratings: other apps register a source; with none registered there is no data ---------

RatingSource = Callable[[Service], list[int]]
RATING_SOURCES: list[RatingSource] = []


def register_rating_source(source: RatingSource) -> None:
    """Let an app (errands, visits) contribute residents' 1–5 ratings of a cadre's service."""
    if source not in RATING_SOURCES:
        RATING_SOURCES.append(source)


class ResidentRating(Provider):
    code, label, kind = "resident_rating", _("居民平均评分"), "rating"

    def raw(self, service: Service) -> Decimal | None:
        ratings = [rating for source in RATING_SOURCES for rating in source(service)]
        if not ratings:
            return None
        return Decimal(sum(ratings)) / Decimal(len(ratings))


class Commendations(Provider):
    """Earlier approved commendations of the cadre (this app's own data)."""

    code, label = "commendations", _("受表彰次数")
    default_target = Decimal(1)

    def raw(self, service: Service) -> Decimal | None:
        from .models import CommendationEntry

        return Decimal(
            CommendationEntry.objects.filter(
                cadre_id=service.cadre_id, commendation_list__status="approved"
            ).exclude(commendation_list__round_id=service.round_id).count()
        )


PROVIDERS: dict[str, Provider] = {}


def register(provider: Provider) -> None:
    PROVIDERS[provider.code] = provider


for _provider in (AttendanceRate(), Punctuality(), Shifts(), Hours(), ErrandsDone(), ResidentRating(),
                  HotlineTickets(), Commendations(), Complaints()):
    register(_provider)
