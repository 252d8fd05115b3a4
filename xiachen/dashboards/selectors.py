"""Reads of the dashboards: who may see which dashboard, and the rollup rows of one dashboard.

Every read goes through a unique index of a rollup table with the unit (or a short list of units)
and a bucket range, so the number of rows read depends on the period and the number of child
units, never on the size of the raw logs (ADR 0901).
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

from django.db.models import Max, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from xiachen.accounts.permissions import require_permission, scope_paths
from xiachen.org.models import Unit, path_within

from .measures import utc_offset_seconds
from .models import DailyMetric, HourlyMetric, Snapshot
from .rollups import day_number, day_of

CITY = "dashboard.city"  # held by the organization department (accounts.permissions)
AREA = "dashboards.view_area"
AGENCY = "dashboards.view_agency"
DISTRICT_KINDS = ("district",)
COMMUNITY_KINDS = ("community", "village")
DEFAULT_DAYS = 30
MAX_DAYS = 366


@dataclass(frozen=True)
class Period:
    """Local days [start, end], both included."""

    start: date
    end: date

    @property
    def first(self) -> int:
        return day_number(self.start)

    @property
    def stop(self) -> int:
        return day_number(self.end) + 1

    @property
    def days(self) -> list[int]:
        return list(range(self.first, self.stop))

    @property
    def hours(self) -> range:
        offset = utc_offset_seconds()
        return range((self.first * 86400 - offset) // 3600, (self.stop * 86400 - offset) // 3600)


def _parse(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def period_for(unit: Unit, *, start: str | None, end: str | None) -> Period:
    """The requested period; by default the last 30 days ending today, or ending at the unit's
    latest data when it has none in the last 30 days. At most 366 days; swapped when reversed."""
    first, last = _parse(start), _parse(end)
    if last is None:
        today = timezone.localdate()
        latest = DailyMetric.objects.filter(unit=unit).aggregate(day=Max("day"))["day"]
        recent = latest is None or latest >= day_number(today) - DEFAULT_DAYS + 1
        last = today if recent else day_of(latest)
    first = first or last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        first, last = last, first
    return Period(max(first, last - timedelta(days=MAX_DAYS - 1)), last)


def city_for(user) -> Unit:
    """The city whose dashboard the user may see (403 without the permission)."""
    require_permission(user, CITY)
    city = Unit.objects.filter(path_within(scope_paths(user, CITY)), kind__code="city").select_related("kind")
    found = city.order_by("path").first()
    if found is None:
        raise Http404
    return found


def _access(user, permission: str, kinds, public_id: UUID) -> Unit:
    require_permission(user, permission)
    units = Unit.objects.filter(path_within(scope_paths(user, permission)), kind__code__in=kinds)
    return get_object_or_404(units.select_related("kind"), public_id=public_id)


def access_district(user, public_id: UUID) -> Unit:
    return _access(user, AREA, DISTRICT_KINDS, public_id)


def access_community(user, public_id: UUID) -> Unit:
    return _access(user, AREA, COMMUNITY_KINDS, public_id)


def access_agency(user, public_id: UUID) -> Unit:
    return _access(user, AGENCY, ("agency",), public_id)


def home_unit(user) -> Unit | None:
    """Where /dashboards/ sends a user without the city dashboard: their own unit's dashboard."""
    for permission, kinds in ((AREA, DISTRICT_KINDS + COMMUNITY_KINDS), (AGENCY, ("agency",))):
        paths = scope_paths(user, permission)
        unit = Unit.objects.filter(path__in=paths, kind__code__in=kinds).select_related("kind").first()
        if unit is not None:
            return unit
    return None


def district_of(unit: Unit) -> Unit | None:
    """The district above a unit (one query on the ancestors' paths)."""
    prefixes = [unit.path[: i + 1] for i, char in enumerate(unit.path) if char == "/" and i > 0]
    return Unit.objects.filter(path__in=prefixes, kind__code__in=DISTRICT_KINDS).first()


def children_of(unit: Unit, kinds) -> list[Unit]:
    return list(Unit.objects.filter(path__startswith=unit.path, kind__code__in=kinds).exclude(pk=unit.pk)
                .select_related("kind").order_by("path"))


def daily_series(unit: Unit, period: Period) -> dict[str, dict[int, int]]:
    """metric → {day: value} for one unit over the period (one indexed range read)."""
    series: dict[str, dict[int, int]] = defaultdict(dict)
    rows = DailyMetric.objects.filter(unit=unit, day__gte=period.first, day__lt=period.stop)
    for day, metric, value in rows.values_list("day", "metric", "value"):
        series[metric][day] = value
    return series


def hourly_scans(unit: Unit, period: Period) -> dict[int, int]:
    hours = period.hours
    rows = HourlyMetric.objects.filter(unit=unit, hour__gte=hours.start, hour__lt=hours.stop, metric="scans")
    return dict(rows.values_list("hour", "value"))


def totals(units: list[Unit], period: Period) -> dict[int, dict[str, int]]:
    """unit id → metric → total over the period, for a short list of units (one grouped read)."""
    result: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (DailyMetric.objects.filter(unit__in=units, day__gte=period.first, day__lt=period.stop)
            .values("unit_id", "metric").annotate(total=Sum("value")).order_by())
    for row in rows:
        result[row["unit_id"]][row["metric"]] = row["total"]
    return result


def snapshots(units: list[Unit]) -> dict[int, dict[tuple[str, str], int]]:
    """unit id → (metric, key) → current value."""
    result: dict[int, dict[tuple[str, str], int]] = defaultdict(dict)
    for unit_id, metric, key, value in Snapshot.objects.filter(unit__in=units).values_list(
        "unit_id", "metric", "key", "value"
    ):
        result[unit_id][(metric, key)] = value
    return result
