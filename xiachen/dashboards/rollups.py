"""Rebuild and refresh the rollup tables (ADR 0901). Pure functions of the source tables: no
request, no user. Everything is set-based SQL (INSERT … SELECT … GROUP BY); Python never loops
over raw rows, only over units (to map each one to its dashboard-level ancestors) and buckets.

- `rebuild_all()` empties and recomputes every table (after a bulk load, or nightly).
- `refresh_changed()` uses per-source watermarks (largest id seen, or last refresh time against
  `updated_at`) to find the hours/days touched since the previous refresh and recomputes only
  those buckets, for every unit at once; snapshots are recomputed whole (they are small).
- `refresh_recent(since=…)` recomputes every bucket from `since` on.

Each run holds one transaction and the `lock` row, so readers never see a half-built rollup and
two refreshes never interleave.
"""

import hashlib
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from xiachen.org.models import Unit

from .measures import LEVEL_KINDS, Dialect, Measure, Source, placements_sql, snapshot_measures, sources
from .models import DailyMetric, HourlyMetric, RefreshState, UnitLevel

EPOCH = date(1970, 1, 1)
MAX_RANGES = 48  # more scattered buckets than this are recomputed as one span…
MAX_SPAN = 14 * 24  # …unless it is longer than this many buckets: then the whole source is rebuilt


def day_number(day: date) -> int:
    return (day - EPOCH).days


def day_of(number: int) -> date:
    return EPOCH + timedelta(days=number)


def _run(sql: str, params: Iterable = ()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return cursor.fetchall() if cursor.description else []


def rebuild_unit_levels(*, force: bool = False) -> bool:
    """Map every unit to its ancestors-or-self at a dashboard level; skipped when the unit tree has
    not changed since the last run. Returns True when the map was rebuilt."""
    units = list(Unit.objects.values_list("id", "path", "kind__code").order_by("id"))
    signature = hashlib.sha256("\n".join(f"{pk}:{path}:{kind}" for pk, path, kind in units).encode()).hexdigest()
    state, _created = RefreshState.objects.get_or_create(source="units")
    if not force and state.signature == signature and UnitLevel.objects.exists():
        return False
    level_by_path = {path: pk for pk, path, kind in units if kind in LEVEL_KINDS}
    rows = []
    for pk, path, _kind in units:
        prefixes = [path[: i + 1] for i, char in enumerate(path) if char == "/" and i > 0]
        levels = [level_by_path[p] for p in prefixes if p in level_by_path]
        rows += [UnitLevel(unit_id=pk, ancestor_id=a, is_nearest=a == levels[-1]) for a in levels]
    UnitLevel.objects.all().delete()
    UnitLevel.objects.bulk_create(rows, batch_size=2000)
    state.signature = signature
    state.save(update_fields=["signature"])
    return True


def _stage(measure: Measure, window: str, params: list) -> None:
    """Counts of one measure at each raw row's nearest dashboard level."""
    _run("DELETE FROM dashboards_stagerow")
    _run(
        "INSERT INTO dashboards_stagerow (unit_id, bucket, key, value) "  # noqa: S608
        "SELECT n.ancestor_id, x.bucket, x.key, SUM(x.value) FROM (" + measure.sql.replace("{window}", window) + ") x "
        "JOIN dashboards_unitlevel n ON n.unit_id = x.unit_id AND n.is_nearest "
        "GROUP BY n.ancestor_id, x.bucket, x.key",
        params,
    )


def _spread(table: str, bucket: str, metric: str) -> None:
    """Sum the staged counts into every dashboard-level ancestor (the nearest one included)."""
    _run(
        f"INSERT INTO {table} (unit_id, {bucket}, metric, value) "  # noqa: S608
        "SELECT n.ancestor_id, s.bucket, %s, SUM(s.value) FROM dashboards_stagerow s "
        "JOIN dashboards_unitlevel n ON n.unit_id = s.unit_id GROUP BY n.ancestor_id, s.bucket",
        [metric],
    )


def _window(measure: Measure, start: int | None, end: int | None, *, hourly: bool) -> tuple[str, list]:
    """The SQL time filter covering buckets [start, end) of the measure's grain."""
    if start is None:
        return "1=1", []
    column, seconds = measure.time_column, 3600 if hourly else 86400
    if measure.is_date:
        bounds = [day_of(start), day_of(end)]
        return f"({column} >= %s AND {column} < %s)", [connection.ops.adapt_datefield_value(b) for b in bounds]
    offset = 0 if hourly else Dialect().offset
    bounds = [datetime.fromtimestamp(b * seconds - offset, tz=UTC) for b in (start, end)]
    return f"({column} >= %s AND {column} < %s)", [connection.ops.adapt_datetimefield_value(b) for b in bounds]


def _recompute(measure: Measure, ranges: list[tuple[int, int]] | None, *, hourly: bool) -> None:
    """Recompute one measure over bucket ranges (None: everything, the table already emptied)."""
    table, bucket = ("dashboards_hourlymetric", "hour") if hourly else ("dashboards_dailymetric", "day")
    for start, end in ranges if ranges is not None else [(None, None)]:
        window, params = _window(measure, start, end, hourly=hourly)
        _stage(measure, window, params)
        if start is not None:
            _run(f"DELETE FROM {table} WHERE metric = %s AND {bucket} >= %s AND {bucket} < %s",  # noqa: S608
                 [measure.metric, start, end])
        _spread(table, bucket, measure.metric)
    if hourly and measure.metric == "scans":
        _daily_scans(None if ranges is None else _hours_to_days(ranges))


def _hours_to_days(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The local days that hour ranges [start, end) touch."""
    offset = Dialect().offset
    days = set()
    for start, end in ranges:
        days.update(range((start * 3600 + offset) // 86400, ((end - 1) * 3600 + offset) // 86400 + 1))
    ranges = _ranges(days)
    return ranges if ranges is not None else [(min(days), max(days) + 1)]


def _daily_scans(ranges: list[tuple[int, int]] | None) -> None:
    """Daily scan counts of every unit from its hourly rows (no second pass over raw scans)."""
    d = Dialect()
    for start, end in ranges if ranges is not None else [(None, None)]:
        condition, params = "", []
        if start is not None:
            _run("DELETE FROM dashboards_dailymetric WHERE metric = 'scans' AND day >= %s AND day < %s", [start, end])
            condition = "AND hour >= %s AND hour < %s"
            params = [(start * 86400 - d.offset) // 3600, (end * 86400 - d.offset) // 3600]
        _run(
            "INSERT INTO dashboards_dailymetric (unit_id, day, metric, value) "  # noqa: S608
            f"SELECT unit_id, {d.hour_to_day('hour')}, 'scans', SUM(value) FROM dashboards_hourlymetric "
            f"WHERE metric = 'scans' {condition} GROUP BY unit_id, {d.hour_to_day('hour')}",
            params,
        )


def _ranges(buckets: Iterable[int]) -> list[tuple[int, int]] | None:
    """Sorted buckets as half-open ranges of consecutive values; too many become one span, and
    None (rebuild the source whole, cheaper than a wide windowed recompute) when that is too long."""
    ordered = sorted({int(b) for b in buckets if b is not None})
    ranges: list[list[int]] = []
    for bucket in ordered:
        if ranges and ranges[-1][1] == bucket:
            ranges[-1][1] = bucket + 1
        else:
            ranges.append([bucket, bucket + 1])
    if len(ranges) > MAX_RANGES:
        return [(ranges[0][0], ranges[-1][1])] if ranges[-1][1] - ranges[0][0] <= MAX_SPAN else None
    return [(start, end) for start, end in ranges]


def refresh_snapshots(*, now: datetime | None = None) -> None:
    """Recompute the current-state table whole: deployments, demand, open errands and alerts, scores."""
    now = now or timezone.now()
    today = connection.ops.adapt_datefield_value(timezone.localdate(now))
    _run("DELETE FROM dashboards_snapshot")
    for measure, params in snapshot_measures(Dialect(), now=now, today_param=today):
        _stage(measure, "1=1", params)
        _run(
            "INSERT INTO dashboards_snapshot (unit_id, metric, key, value) "
            "SELECT n.ancestor_id, %s, s.key, SUM(s.value) FROM dashboards_stagerow s "
            "JOIN dashboards_unitlevel n ON n.unit_id = s.unit_id GROUP BY n.ancestor_id, s.key",
            [measure.metric],
        )
    _run(placements_sql())
    _run("DELETE FROM dashboards_stagerow")


def _lock() -> None:
    RefreshState.objects.get_or_create(source="lock")
    RefreshState.objects.select_for_update().get(source="lock")


def _current_mark(source: Source, now: datetime) -> tuple[int, datetime]:
    if source.by_id:
        return (_run(source.mark_sql)[0][0] or 0), now
    return 0, now


def _save_mark(source: Source, mark: int, now: datetime, *, full: bool) -> None:
    state, _created = RefreshState.objects.get_or_create(source=source.name)
    state.previous_mark = mark if full else state.mark
    state.previous_marked_at = now if full else state.marked_at
    state.mark, state.marked_at, state.refreshed_at = mark, now, timezone.now()
    state.save()


def _refresh_source(source: Source, ranges: list[tuple[int, int]] | None) -> None:
    hourly = source.name == "scans"
    for measure in source.measures:
        _recompute(measure, ranges, hourly=hourly)


@transaction.atomic
def rebuild_all(*, now: datetime | None = None) -> None:
    """Empty every rollup table and recompute it from the source tables."""
    now = now or timezone.now()
    _lock()
    rebuild_unit_levels(force=True)
    _rebuild_inside(now)


def _changed_ranges(source: Source, state: RefreshState) -> list[tuple[int, int]] | None:
    since = state.previous_mark if source.by_id else connection.ops.adapt_datetimefield_value(
        state.previous_marked_at)
    placeholders = source.changed_sql.count("%s") - source.changed_sql.count("%%s")
    rows = _run(source.changed_sql, [since] * placeholders)
    return _ranges(row[0] for row in rows)


@transaction.atomic
def refresh_changed(*, now: datetime | None = None) -> dict[str, int]:
    """Recompute the buckets touched since the refresh before the last one (one interval of overlap
    covers rows committed late); a source never refreshed before is rebuilt whole. Returns the
    number of bucket ranges recomputed per source."""
    now = now or timezone.now()
    _lock()
    if rebuild_unit_levels():
        return _rebuild_inside(now)
    done = {}
    for source in sources(Dialect()):
        state = RefreshState.objects.filter(source=source.name).first()
        mark, marked_at = _current_mark(source, now)
        ranges = None if state is None or state.previous_marked_at is None else _changed_ranges(source, state)
        if ranges is None:
            _delete_metrics(source)
            _refresh_source(source, None)
            done[source.name] = -1
        else:
            if ranges:
                _refresh_source(source, ranges)
            done[source.name] = len(ranges)
        _save_mark(source, mark, marked_at, full=state is None)
    refresh_snapshots(now=now)
    return done


def _rebuild_inside(now: datetime) -> dict[str, int]:
    """Empty the rollup tables and recompute them (also when the unit tree changed: every row may
    belong elsewhere now)."""
    for table in ("dashboards_hourlymetric", "dashboards_dailymetric"):
        _run(f"DELETE FROM {table}")  # noqa: S608
    for source in sources(Dialect()):
        mark, marked_at = _current_mark(source, now)
        _refresh_source(source, None)
        _save_mark(source, mark, marked_at, full=True)
    refresh_snapshots(now=now)
    return {source.name: -1 for source in sources(Dialect())}


def _delete_metrics(source: Source) -> None:
    model = HourlyMetric if source.name == "scans" else DailyMetric
    metrics = [m.metric for m in source.measures]
    model.objects.filter(metric__in=metrics).delete()
    if source.name == "scans":
        DailyMetric.objects.filter(metric="scans").delete()


@transaction.atomic
def refresh_recent(*, since: datetime, now: datetime | None = None) -> None:
    """Recompute every bucket from the one containing `since` up to now (and a day beyond); a
    changed unit tree rebuilds everything instead."""
    now = now or timezone.now()
    _lock()
    if rebuild_unit_levels():
        _rebuild_inside(now)
        return
    offset = Dialect().offset
    first_day, last_day = [(int(t.timestamp()) + offset) // 86400 for t in (since, now)]
    for source in sources(Dialect()):
        if source.name == "scans":
            ranges = [(int(since.timestamp()) // 3600, int(now.timestamp()) // 3600 + 25)]
        else:
            ranges = [(first_day, last_day + 2)]
        _refresh_source(source, ranges)
    refresh_snapshots(now=now)
