"""What the rollups count, as SQL over the source apps' tables (ADR 0901).

Each measure is one grouped SELECT returning `unit_id, bucket, key, value` rows at the unit where
the raw row lives (a gate, a compound, a ticket's owner, a cadre's agency); `rollups.py` moves the
counts to the nearest dashboard level and sums them up the tree. `{window}` is replaced by the
time filter of an incremental refresh (or `1=1` for a full rebuild). The SQL is the common subset
of SQLite and PostgreSQL; the few expressions that differ come from `Dialect`.

Definitions (the same words as the source apps):
- errands: requested on the day of `created_at`; delivered on `delivered_at`; cancelled on the
  `finished_at` of a cancelled errand. Open = requested, accepted or in progress
  (errands.enums.OPEN_ERRAND_STATUSES); overdue = open more than ERRAND_DUE after the request.
- tickets: hotline.rates — counted on the day received, not merged, with an owner; responded =
  signed by `response_due`; resolved and satisfied among those called back. The rates are
  computed from these counts by hotline.rates.Rates.
- survey responses: one per participation, on the day it was first submitted.
- attendance minutes: check-in to check-out of a shift, on the shift's day, to the cadre's agency.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection

from xiachen.errands.enums import OPEN_ERRAND_STATUSES

ERRAND_DUE = timedelta(hours=24)
# Unit kinds that get rollup rows; every other unit counts at its nearest such ancestor.
LEVEL_KINDS = ("city", "district", "street", "township", "community", "village", "agency")


def utc_offset_seconds() -> int:
    """The offset of TIME_ZONE. Asia/Shanghai has had no daylight saving since 1991, so one fixed
    offset turns UTC instants into local days on both databases (ADR 0901)."""
    offset = datetime.now(ZoneInfo(settings.TIME_ZONE)).utcoffset()
    return int(offset.total_seconds()) if offset else 0


class Dialect:
    """The few SQL expressions that differ between SQLite and PostgreSQL."""

    def __init__(self) -> None:
        self.postgres = connection.vendor == "postgresql"
        self.offset = utc_offset_seconds()

    def epoch(self, column: str) -> str:
        if self.postgres:
            return f"CAST(FLOOR(EXTRACT(EPOCH FROM {column})) AS BIGINT)"
        return f"CAST(strftime('%%s', {column}) AS INTEGER)"

    def hour(self, column: str) -> str:
        return f"({self.epoch(column)} / 3600)"

    def day(self, column: str) -> str:
        return f"(({self.epoch(column)} + {self.offset}) / 86400)"

    def date_day(self, column: str) -> str:
        if self.postgres:
            return f"({column} - DATE '1970-01-01')"
        return f"CAST(julianday({column}) - 2440587.5 AS INTEGER)"

    def hour_to_day(self, column: str) -> str:
        return f"(({column} * 3600 + {self.offset}) / 86400)"


@dataclass(frozen=True)
class Measure:
    metric: str
    sql: str  # SELECT unit_id, bucket, key, value … WHERE {window} … GROUP BY …
    time_column: str = ""  # filtered by the window; "" for snapshots
    is_date: bool = False  # the time column is a DateField (windowed by dates, not instants)


def _by_path(inner: str) -> str:
    """Counts grouped by a denormalized path column, then mapped to the unit with that path."""
    return f"SELECT u.id AS unit_id, x.bucket, '' AS key, x.value FROM ({inner}) x JOIN org_unit u ON u.path = x.path"  # noqa: S608


def _in(values) -> str:
    return "(" + ", ".join(f"'{value}'" for value in values) + ")"


def hourly_measures(d: Dialect) -> list[Measure]:
    scans = (f"SELECT gate_id AS unit_id, {d.hour('scanned_at')} AS bucket, '' AS key, COUNT(*) AS value "  # noqa: S608
             "FROM passes_scan WHERE {window} GROUP BY gate_id, " + d.hour("scanned_at"))
    return [Measure("scans", scans, "scanned_at")]


def _errands(d: Dialect, column: str, condition: str) -> str:
    return _by_path(
        f"SELECT compound_path AS path, {d.day(column)} AS bucket, COUNT(*) AS value FROM errands_errand "  # noqa: S608
        f"WHERE {condition} AND {{window}} GROUP BY compound_path, {d.day(column)}"
    )


def _tickets(d: Dialect, condition: str) -> str:
    return (
        f"SELECT owner_id AS unit_id, {d.day('received_at')} AS bucket, '' AS key, COUNT(*) AS value "  # noqa: S608
        f"FROM hotline_ticket WHERE owner_id IS NOT NULL AND status <> 'merged' {condition} AND {{window}} "
        f"GROUP BY owner_id, {d.day('received_at')}"
    )


CALLED_BACK = "AND called_back_at IS NOT NULL"


def errand_measures(d: Dialect) -> list[Measure]:
    return [
        Measure("errands_created", _errands(d, "created_at", "1=1"), "created_at"),
        Measure("errands_delivered", _errands(d, "delivered_at", "delivered_at IS NOT NULL"), "delivered_at"),
        Measure("errands_cancelled", _errands(d, "finished_at", "status = 'cancelled' AND finished_at IS NOT NULL"),
                "finished_at"),
    ]


def ticket_measures(d: Dialect) -> list[Measure]:
    return [
        Measure("tickets", _tickets(d, ""), "received_at"),
        Measure("tickets_responded", _tickets(d, "AND accepted_at IS NOT NULL AND accepted_at <= response_due"),
                "received_at"),
        Measure("tickets_called_back", _tickets(d, CALLED_BACK), "received_at"),
        Measure("tickets_resolved", _tickets(d, f"{CALLED_BACK} AND caller_says_resolved"), "received_at"),
        Measure("tickets_satisfied", _tickets(d, f"{CALLED_BACK} AND satisfaction IN ('satisfied', 'basically')"),
                "received_at"),
    ]


def fever_measures(d: Dialect) -> list[Measure]:
    # By the alert's own gate_path, not a join to the scans: the planner must never walk 10 M scans.
    inner = (f"SELECT gate_path AS path, {d.day('created_at')} AS bucket, COUNT(*) AS value "  # noqa: S608
             f"FROM passes_feveralert WHERE {{window}} GROUP BY gate_path, {d.day('created_at')}")
    return [Measure("fever_alerts", _by_path(inner), "created_at")]


def survey_measures(d: Dialect) -> list[Measure]:
    inner = (f"SELECT compound_path AS path, {d.day('created_at')} AS bucket, COUNT(*) AS value "  # noqa: S608
             f"FROM surveys_participation WHERE {{window}} GROUP BY compound_path, {d.day('created_at')}")
    return [Measure("survey_responses", _by_path(inner), "created_at")]


def care_measures(d: Dialect) -> list[Measure]:
    inner = (f"SELECT unit_path AS path, {d.date_day('day')} AS bucket, COUNT(*) AS value "  # noqa: S608
             f"FROM rosters_carealert WHERE {{window}} GROUP BY unit_path, {d.date_day('day')}")
    return [Measure("care_alerts", _by_path(inner), "day", is_date=True)]


def attendance_measures(d: Dialect) -> list[Measure]:
    joins = ("FROM rosters_attendance t JOIN rosters_assignment a ON a.id = t.assignment_id "
             "JOIN cadres_cadre c ON c.id = a.cadre_id")
    minutes = f"({d.epoch('t.checked_out_at')} - {d.epoch('t.checked_in_at')}) / 60"
    group = f"GROUP BY c.agency_id, {d.date_day('a.day')}"
    worked = f"SELECT c.agency_id AS unit_id, {d.date_day('a.day')} AS bucket, '' AS key, SUM({minutes}) AS value "
    shifts = f"SELECT c.agency_id AS unit_id, {d.date_day('a.day')} AS bucket, '' AS key, COUNT(*) AS value "
    both = "WHERE t.checked_in_at IS NOT NULL AND t.checked_out_at IS NOT NULL AND {window} "
    return [
        Measure("attendance_minutes", worked + joins + " " + both + group, "a.day", is_date=True),
        Measure("attended_shifts", shifts + joins + " WHERE t.checked_in_at IS NOT NULL AND {window} " + group,
                "a.day", is_date=True),
    ]


def _deployments(*, key: str, select: str, condition: str = "", joins: str = "") -> str:
    return (
        f"SELECT de.unit_id AS unit_id, 0 AS bucket, {key} AS key, {select} AS value "  # noqa: S608
        "FROM deployments_deployment dp JOIN deployments_match m ON m.id = dp.match_id "
        "JOIN deployments_demand de ON de.id = m.demand_id "
        f"JOIN deployments_posttype pt ON pt.id = de.post_type_id {joins} WHERE dp.is_active {condition} "
        f"GROUP BY de.unit_id, {key}"
    )


def snapshot_measures(d: Dialect, *, now: datetime, today_param) -> list[tuple[Measure, list]]:
    """Measures of the current state, each with its parameters (today, the overdue cut-off)."""
    current = "AND de.start <= %s AND de.\"end\" >= %s AND de.status <> 'closed'"
    headcount = ("SELECT de.unit_id AS unit_id, 0 AS bucket, pt.code AS key, SUM(de.headcount) AS value "
                 "FROM deployments_demand de JOIN deployments_posttype pt ON pt.id = de.post_type_id "
                 "WHERE de.start <= %s AND de.\"end\" >= %s AND de.status <> 'closed' GROUP BY de.unit_id, pt.code")
    open_errands = ("SELECT compound_path AS path, 0 AS bucket, COUNT(*) AS value FROM errands_errand "  # noqa: S608
                    f"WHERE status IN {_in(OPEN_ERRAND_STATUSES)} {{extra}} GROUP BY compound_path")
    cutoff = connection.ops.adapt_datetimefield_value(now - ERRAND_DUE)
    fever = _by_path("SELECT gate_path AS path, 0 AS bucket, COUNT(*) AS value FROM passes_feveralert "
                     "WHERE status = 'open' GROUP BY gate_path")
    scores = ("SELECT c.agency_id AS unit_id, 0 AS bucket, COALESCE(g.code, '') AS key, {value} AS value "
              "FROM assessments_score s JOIN cadres_cadre c ON c.id = s.cadre_id "
              "LEFT JOIN assessments_grade g ON g.id = s.grade_id WHERE s.total IS NOT NULL "
              "GROUP BY c.agency_id, COALESCE(g.code, '')")
    return [
        (Measure("deployed", _deployments(key="pt.code", select="COUNT(*)")), []),
        (Measure("covered", _deployments(key="pt.code", select="COUNT(*)", condition=current)),
         [today_param, today_param]),
        (Measure("headcount", headcount), [today_param, today_param]),
        (Measure("errands_open", _by_path(open_errands.replace("{extra}", ""))), []),
        (Measure("errands_overdue", _by_path(open_errands.replace("{extra}", "AND created_at < %s"))), [cutoff]),
        (Measure("fever_open", fever), []),
        (Measure("scored", scores.replace("{value}", "COUNT(*)")), []),
        (Measure("score_total_x100", scores.replace("{value}", "SUM(CAST(ROUND(s.total * 100) AS BIGINT))")), []),
    ]


def placements_sql() -> str:
    """Where each agency's cadres are deployed: one snapshot row per agency and receiving level unit."""
    return (
        "INSERT INTO dashboards_snapshot (unit_id, metric, key, value) "
        "SELECT c.agency_id, 'placed', CAST(n.ancestor_id AS VARCHAR(40)), COUNT(*) "
        "FROM deployments_deployment dp JOIN deployments_match m ON m.id = dp.match_id "
        "JOIN deployments_demand de ON de.id = m.demand_id JOIN cadres_cadre c ON c.id = dp.cadre_id "
        "JOIN dashboards_unitlevel n ON n.unit_id = de.unit_id WHERE dp.is_active "
        "GROUP BY c.agency_id, n.ancestor_id"
    )


@dataclass(frozen=True)
class Source:
    """A source app's rows: its measures and how to find the buckets its recent changes touched."""

    name: str
    measures: list[Measure]
    changed_sql: str  # SELECT DISTINCT bucket … WHERE <changed since %s>
    mark_sql: str  # the current watermark: MAX(id) or None for a time watermark
    by_id: bool


def sources(d: Dialect) -> list[Source]:
    def days(table: str, column: str) -> str:
        return f"SELECT DISTINCT {d.day(column)} FROM {table} WHERE {column} IS NOT NULL AND updated_at >= %s"  # noqa: S608

    errand_days = " UNION ".join(days("errands_errand", c) for c in ("created_at", "delivered_at", "finished_at"))
    return [
        Source("scans", hourly_measures(d),
               f"SELECT DISTINCT {d.hour('scanned_at')} FROM passes_scan WHERE id > %s",  # noqa: S608
               "SELECT MAX(id) FROM passes_scan", True),
        Source("fever", fever_measures(d),
               f"SELECT DISTINCT {d.day('created_at')} FROM passes_feveralert WHERE id > %s",  # noqa: S608
               "SELECT MAX(id) FROM passes_feveralert", True),
        Source("errands", errand_measures(d), errand_days, "", False),
        Source("tickets", ticket_measures(d), days("hotline_ticket", "received_at"), "", False),
        Source("surveys", survey_measures(d), days("surveys_participation", "created_at"), "", False),
        Source("care", care_measures(d),
               f"SELECT DISTINCT {d.date_day('day')} FROM rosters_carealert WHERE id > %s",  # noqa: S608
               "SELECT MAX(id) FROM rosters_carealert", True),
        Source("attendance", attendance_measures(d),
               f"SELECT DISTINCT {d.date_day('a.day')} FROM rosters_attendance t "  # noqa: S608
               "JOIN rosters_assignment a ON a.id = t.assignment_id WHERE t.updated_at >= %s",
               "", False),
    ]
