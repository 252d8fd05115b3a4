"""The rollups equal a direct aggregate over the raw tables, for random scans, fever alerts,
errands and tickets (hypothesis); an incremental refresh after new and changed rows equals a
full rebuild; the hotline counts give the same three rates as hotline.rates."""

from collections import Counter
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.dashboards.builders import add_errand, add_scans, add_ticket, at
from tests.factories import make_unit
from xiachen.dashboards import rollups
from xiachen.dashboards.charts import rates_from
from xiachen.dashboards.measures import ERRAND_DUE, LEVEL_KINDS
from xiachen.dashboards.models import DailyMetric, HourlyMetric, Snapshot
from xiachen.errands.enums import OPEN_ERRAND_STATUSES
from xiachen.errands.models import Errand
from xiachen.hotline.models import Ticket
from xiachen.hotline.rates import SATISFIED, rates_for_units
from xiachen.org.models import Unit
from xiachen.passes.models import FeverAlert, Scan

START = at(2026, 3, 1, 0, 0)
NOW = at(2026, 3, 4, 12, 0)
SPAN = 3 * 24 * 60  # minutes: three local days, so rows fall on both sides of local midnight

scan_specs = st.lists(st.tuples(st.integers(0, 2), st.integers(0, SPAN), st.booleans()), max_size=40)
errand_specs = st.lists(st.tuples(st.integers(0, 1), st.integers(0, SPAN), st.sampled_from(["open", "delivered",
                                                                                           "cancelled"]),
                                  st.integers(1, 3000)), max_size=12)
ticket_specs = st.lists(st.tuples(st.integers(0, 5), st.integers(0, SPAN), st.one_of(st.none(), st.integers(0, 300)),
                                  st.booleans(), st.booleans(), st.sampled_from(["satisfied", "basically",
                                                                                 "unsatisfied"]),
                                  st.booleans()), max_size=15)


@pytest.fixture
def places(tree):
    grid = make_unit("420102001001G1", "一网格", "grid", tree.community1)
    return {
        "gates": [tree.compound1, tree.compound2, grid],
        "compounds": [tree.compound1, tree.compound2],
        "owners": [tree.community1, tree.community2, tree.street1, tree.district2, tree.department1, None],
    }


def _local_day(moment) -> int:
    return rollups.day_number(timezone.localtime(moment).date())


def _levels_of(path: str, levels: list[Unit]) -> list[Unit]:
    return [level for level in levels if path.startswith(level.path)]


def _expected(now) -> tuple[Counter, Counter, Counter]:
    """Direct aggregates over the raw tables: hourly, daily and snapshot counts per level unit."""
    levels = list(Unit.objects.filter(kind__code__in=LEVEL_KINDS))
    paths = dict(Unit.objects.values_list("pk", "path"))
    hourly, daily, snapshot = Counter(), Counter(), Counter()
    for scan in Scan.objects.all():
        for level in _levels_of(scan.gate_path, levels):
            hourly[(level.pk, int(scan.scanned_at.timestamp()) // 3600, "scans")] += 1
            daily[(level.pk, _local_day(scan.scanned_at), "scans")] += 1
    for alert in FeverAlert.objects.all():
        for level in _levels_of(alert.gate_path, levels):
            daily[(level.pk, _local_day(alert.created_at), "fever_alerts")] += 1
            snapshot[(level.pk, "fever_open", "")] += alert.status == "open"
    for errand in Errand.objects.all():
        for level in _levels_of(errand.compound_path, levels):
            daily[(level.pk, _local_day(errand.created_at), "errands_created")] += 1
            if errand.delivered_at:
                daily[(level.pk, _local_day(errand.delivered_at), "errands_delivered")] += 1
            if errand.status == "cancelled":
                daily[(level.pk, _local_day(errand.finished_at), "errands_cancelled")] += 1
            is_open = errand.status in OPEN_ERRAND_STATUSES
            snapshot[(level.pk, "errands_open", "")] += is_open
            snapshot[(level.pk, "errands_overdue", "")] += is_open and errand.created_at < now - ERRAND_DUE
    for ticket in Ticket.objects.exclude(status="merged").exclude(owner=None):
        for level in _levels_of(paths[ticket.owner_id], levels):
            day = _local_day(ticket.received_at)
            daily[(level.pk, day, "tickets")] += 1
            daily[(level.pk, day, "tickets_responded")] += bool(ticket.accepted_at and
                                                              ticket.accepted_at <= ticket.response_due)
            if ticket.called_back_at:
                daily[(level.pk, day, "tickets_called_back")] += 1
                daily[(level.pk, day, "tickets_resolved")] += bool(ticket.caller_says_resolved)
                daily[(level.pk, day, "tickets_satisfied")] += ticket.satisfaction in SATISFIED
    return +hourly, +daily, +snapshot


def _actual() -> tuple[Counter, Counter, Counter]:
    hourly = Counter({(u, h, m): v for u, h, m, v in HourlyMetric.objects.values_list("unit_id", "hour", "metric",
                                                                                       "value")})
    daily = Counter({(u, d, m): v for u, d, m, v in DailyMetric.objects.values_list("unit_id", "day", "metric",
                                                                                     "value")})
    snapshot = Counter({(u, m, k): v for u, m, k, v in Snapshot.objects.values_list("unit_id", "metric", "key",
                                                                                     "value")})
    return hourly, daily, snapshot


def _load(places, people, scans, errands, tickets) -> None:
    for gate_index, minute, fever in scans:
        add_scans(places["gates"][gate_index], [START + timedelta(minutes=minute)], by=people.worker1,
                  fever_at={0} if fever else set())
    for compound_index, minute, outcome, delay in errands:
        created = START + timedelta(minutes=minute)
        later = created + timedelta(minutes=delay)
        add_errand(places["compounds"][compound_index], by=people.worker1, created=created,
                   delivered=later if outcome == "delivered" else None,
                   cancelled=later if outcome == "cancelled" else None)
    for owner_index, minute, accept, called_back, resolved, satisfaction, merged in tickets:
        received = START + timedelta(minutes=minute)
        add_ticket(places["compounds"][owner_index % 2], owner=places["owners"][owner_index], received=received,
                   accepted=None if accept is None else received + timedelta(minutes=accept),
                   called_back=called_back, resolved=resolved, satisfaction=satisfaction,
                   status="merged" if merged else "closed" if called_back else "in_progress")


def _clear() -> None:
    FeverAlert.objects.all().delete()
    Scan.objects.all().delete()
    Errand.objects.all().delete()
    Ticket.objects.all().delete()


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(scans=scan_specs, errands=errand_specs, tickets=ticket_specs)
def test_rollups_equal_direct_aggregates(places, people, scans, errands, tickets):
    _clear()
    _load(places, people, scans, errands, tickets)
    rollups.rebuild_all(now=NOW)
    assert _actual() == _expected(NOW)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(before=st.tuples(scan_specs, errand_specs, ticket_specs), after=st.tuples(scan_specs, errand_specs,
                                                                                 ticket_specs))
def test_incremental_refresh_equals_full_rebuild(places, people, before, after):
    _clear()
    _load(places, people, *before)
    rollups.rebuild_all()
    _load(places, people, *after)  # new rows, some in hours and days already rolled up
    now = timezone.now()
    for errand in Errand.objects.filter(status="requested")[:3]:  # delivered after the rebuild
        Errand.objects.filter(pk=errand.pk).update(status="delivered", delivered_at=errand.created_at +
                                                   timedelta(hours=5), updated_at=now)
    for ticket in Ticket.objects.filter(called_back_at=None).exclude(status="merged")[:3]:  # called back later
        Ticket.objects.filter(pk=ticket.pk).update(called_back_at=ticket.received_at + timedelta(days=2),
                                                   caller_says_resolved=True, satisfaction="satisfied",
                                                   updated_at=now)
    rollups.refresh_changed()
    incremental = _actual()
    rollups.rebuild_all()
    assert incremental == _actual()


def test_hotline_counts_give_the_rates_of_hotline(places, people, tree):
    _load(places, people, [], [], [(0, 10, 30, True, True, "satisfied", False),
                                   (0, 20, 500, True, False, "unsatisfied", False),
                                   (2, 30, None, False, False, "satisfied", False),
                                   (4, 40, 10, True, True, "basically", False),
                                   (1, 50, 10, True, True, "satisfied", True)])
    rollups.rebuild_all()
    start, end = at(2026, 3, 1), at(2026, 3, 2)
    for unit in (tree.city, tree.district1, tree.street1, tree.community1, tree.agency1, tree.community2):
        rows = DailyMetric.objects.filter(unit=unit, day=rollups.day_number(date(2026, 3, 1)))
        counts = dict(rows.values_list("metric", "value"))
        expected = rates_for_units([unit], start, end)[0]
        actual = rates_from(counts)
        assert (actual.tickets, actual.responded, actual.called_back, actual.resolved, actual.satisfied) == (
            expected.tickets, expected.responded, expected.called_back, expected.resolved, expected.satisfied)
        assert (actual.response_rate, actual.resolution_rate, actual.satisfaction_rate) == (
            expected.response_rate, expected.resolution_rate, expected.satisfaction_rate)


def test_refresh_recent_equals_full_rebuild(places, people):
    _load(places, people, [(0, 100, True), (1, 2000, False)], [(0, 50, "open", 10), (1, 3000, "delivered", 60)],
          [(0, 10, 30, True, True, "satisfied", False)])
    rollups.rebuild_all()
    Scan.objects.filter(gate=places["gates"][1]).delete()
    add_scans(places["gates"][2], [START + timedelta(minutes=2100)], by=people.worker1)
    rollups.refresh_recent(since=START + timedelta(days=1))
    recent = _actual()
    rollups.rebuild_all()
    assert recent == _actual()


def test_command_refreshes(places, people, capsys):
    _load(places, people, [(0, 100, False)], [], [])
    call_command("refresh_rollups", "--full")
    assert HourlyMetric.objects.filter(metric="scans").count() == 4  # city, district, street, community
    add_scans(places["gates"][1], [START + timedelta(minutes=5)], by=people.worker1)
    call_command("refresh_rollups")
    assert DailyMetric.objects.filter(unit=places["gates"][1].parent, metric="scans").get().value == 1
    call_command("refresh_rollups", "--since", "2026-03-01")
    assert "rollups refreshed" in capsys.readouterr().out
