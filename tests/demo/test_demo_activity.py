"""The simulated month at a tiny volume on the tiny demo city: exact counts and the invariants the
dashboards rely on (gates are compounds, timelines are ordered, states match timestamps)."""

import hashlib
from datetime import date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import F, Q

from xiachen.demo.bulk import secondary_indexes
from xiachen.deployments.enums import MatchStatus
from xiachen.deployments.models import Deployment, Match, Round
from xiachen.errands.enums import OPEN_ERRAND_STATUSES, ErrandStatus
from xiachen.errands.models import Errand, ErrandEvent
from xiachen.hotline.enums import TicketStatus
from xiachen.hotline.models import Ticket
from xiachen.households.models import Household
from xiachen.org.models import Unit
from xiachen.passes.models import FeverAlert, Pass, Scan
from xiachen.passes.verification import verify_tokens
from xiachen.rosters.models import Assignment, Attendance

ANCHOR = date(2026, 11, 2)
MONTH_START = datetime(2026, 10, 3, tzinfo=ZoneInfo("Asia/Shanghai"))
NOW = datetime(2026, 11, 2, tzinfo=ZoneInfo("Asia/Shanghai"))
VOLUME = {"scans": 3000, "errands": 400, "tickets": 150}


pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def month(django_db_setup, django_db_blocker):
    """The month, built once for the module inside a transaction rolled back at the end.

    Each test's own transaction is a savepoint inside it, so every test sees the same month and
    leaves it as it found it; building it once instead of once per test saves a minute of CI.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("demo_city", scale="tiny", seed=1, stdout=StringIO(), stderr=StringIO())
        indexes = secondary_indexes(Scan)
        call_command("demo_activity", seed=1, anchor=ANCHOR, stdout=StringIO(), stderr=StringIO(), **VOLUME)
        yield indexes
        transaction.set_rollback(True)


def test_simulated_month_writes_exactly_the_requested_volumes(month):
    assert (Scan.objects.count(), Errand.objects.count(), Ticket.objects.count()) == (3000, 400, 150)
    assert Pass.objects.count() == Household.objects.count()
    assert Round.objects.filter(status="published").count() == 1
    if connection.vendor == "postgresql":  # every scan's UUID claimed (ADR 2111), so a re-send stays a duplicate
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM passes_scan s JOIN passes_scan_uuid c USING (client_uuid)")
            assert cursor.fetchone()[0] == 3000
    assert (
        Deployment.objects.count()
        == Match.objects.filter(status__in=[MatchStatus.ARRIVED, MatchStatus.CONFIRMED]).count()
    )


def test_simulated_scans_happen_at_compound_gates_of_the_city_within_the_month(month):
    city = Unit.objects.get(code="420100")
    assert not Scan.objects.exclude(gate__kind__code="compound").exists()
    assert not Scan.objects.exclude(gate_path=F("gate__path")).exists()
    assert not Scan.objects.exclude(gate_path__startswith=city.path).exists()
    assert not Scan.objects.filter(Q(scanned_at__lt=MONTH_START) | Q(scanned_at__gte=NOW)).exists()
    assert not Scan.objects.filter(received_at__lt=F("scanned_at")).exists()
    assert Scan.objects.filter(server_valid=False).exists()


def test_simulated_scans_name_real_passes_of_the_gates_households(month):
    passes = {p.public_id: p for p in Pass.objects.select_related("household")}
    for scan in Scan.objects.all()[:500]:
        issued = passes[scan.pass_public_id]
        assert issued.household.public_id == scan.household_public_id
        assert issued.audience_id == scan.gate_id


def test_simulated_passes_verify_with_the_real_verifier(month):
    issued = list(Pass.objects.filter(revoked_at__isnull=True).select_related("audience")[:20])
    for item in issued:
        assert verify_tokens([item.token], gate=item.audience)[0].valid


def test_every_fever_scan_has_an_alert_and_only_those(month):
    fevers = set(Scan.objects.filter(temperature__gte="37.3").values_list("client_uuid", flat=True))
    assert set(FeverAlert.objects.values_list("scan_id", flat=True)) == fevers
    assert not Scan.objects.filter(temperature__gte="37.3", server_reason="valid").exists()


def test_scan_indexes_are_rebuilt_after_the_load(month):
    assert secondary_indexes(Scan) == month
    expected = [  # besides the primary key and, on SQLite, the unique client UUID
        "passes_scan_gate_path_time",
        "passes_scan_gate_time",
        "passes_scan_household_public_id_11ce73db",
        "passes_scan_scanned_at_1fdac958",
    ]
    if connection.vendor == "postgresql":
        # monthly partitions (ADR 2111): the client UUID is unique in the claim table, its index on the
        # scans is a plain one, dropped for the load and rebuilt like the others
        expected = sorted([*expected, "passes_scan_client_uuid"])
    assert [name for name, _sql in month] == expected
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # each rebuilt on the partitioned table and on every partition
            cursor.execute("SELECT count(*) FROM pg_inherits WHERE inhparent = 'passes_scan'::regclass")
            partitions = cursor.fetchone()[0]
            cursor.execute(
                "SELECT c.relname, x.indisvalid, (SELECT count(*) FROM pg_inherits i WHERE i.inhparent = x.indexrelid) "
                "FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid WHERE x.indrelid = 'passes_scan'::regclass "
                "AND c.relname = ANY(%s) ORDER BY c.relname",
                [expected],
            )
            assert cursor.fetchall() == [(name, True, partitions) for name in expected]
        assert partitions >= 3  # this month, next month, the default one (the demo's month is in it)


def test_errand_states_match_their_timestamps(month):
    open_errands = Errand.objects.filter(status__in=OPEN_ERRAND_STATUSES)
    assert not open_errands.filter(Q(delivered_at__isnull=False) | Q(finished_at__isnull=False)).exists()
    finished = Errand.objects.filter(status__in=[ErrandStatus.CONFIRMED, ErrandStatus.CLOSED])
    assert not finished.filter(Q(delivered_at__isnull=True) | Q(finished_at__lt=F("delivered_at"))).exists()
    assert not Errand.objects.filter(status=ErrandStatus.CANCELLED, delivered_at__isnull=False).exists()
    assert not Errand.objects.filter(delivered_at__lt=F("created_at")).exists()
    assert not Errand.objects.filter(Q(finished_at__gt=NOW) | Q(created_at__gte=NOW)).exists()
    assert not Errand.objects.filter(rating__isnull=False).exclude(status=ErrandStatus.CONFIRMED).exists()
    for errand in Errand.objects.prefetch_related("events")[:100]:
        assert [e.to_status for e in errand.events.all()][-1] == errand.status


def test_some_open_errands_are_overdue(month):
    overdue = Errand.objects.filter(status__in=OPEN_ERRAND_STATUSES, created_at__lt=NOW - timedelta(days=1))
    assert overdue.exists()
    assert ErrandEvent.objects.count() > Errand.objects.count() * 3


def test_ticket_timelines_are_ordered_and_rates_are_meaningful(month):
    tickets = list(Ticket.objects.exclude(status=TicketStatus.MERGED))
    for ticket in tickets:
        moments = [
            ticket.received_at,
            ticket.dispatched_at,
            ticket.accepted_at,
            ticket.resolved_at,
            ticket.called_back_at,
        ]
        present = [m for m in moments if m is not None]
        assert present == sorted(present) and all(m < NOW for m in present)
        assert (
            (ticket.status == TicketStatus.CLOSED) == (ticket.called_back_at is not None) == bool(ticket.satisfaction)
        )
        assert ticket.number.endswith(f"-{ticket.pk:05d}")
    responded = sum(1 for t in tickets if t.accepted_at and t.accepted_at <= t.response_due)
    assert 0.8 < responded / len(tickets) < 1
    assert {t.satisfaction for t in tickets if t.satisfaction} == {"satisfied", "basically", "unsatisfied"}


def test_deployed_cadres_have_logins_and_attendance_follows_assignments(month):
    for deployment in Deployment.objects.select_related("cadre__user", "match__demand"):
        assert deployment.cadre.user.memberships.filter(role="cadre", unit=deployment.match.demand.unit).exists()
    assert not Attendance.objects.filter(checked_out_at__lte=F("checked_in_at")).exists()
    assert Attendance.objects.count() < Assignment.objects.count()


def digest() -> str:
    hasher = hashlib.sha256()
    for row in Scan.objects.order_by("scanned_at", "client_uuid").values_list(
        "client_uuid", "gate__code", "server_reason"
    ):
        hasher.update(repr(row).encode())
    for row in Ticket.objects.order_by("received_at").values_list("number", "status", "satisfaction"):
        hasher.update(repr(row).encode())
    return hasher.hexdigest()


def test_simulated_month_is_reproducible_and_refuses_a_second_run(month):
    first = digest()
    with pytest.raises(CommandError):
        call_command("demo_activity", seed=1, anchor=ANCHOR, stdout=StringIO(), stderr=StringIO(), **VOLUME)
    call_command("demo_activity", seed=1, anchor=ANCHOR, reset=True, stdout=StringIO(), stderr=StringIO(), **VOLUME)
    assert digest() == first
    call_command("demo_city", scale="tiny", seed=1, reset=True, stdout=StringIO(), stderr=StringIO())
    assert not Scan.objects.exists() and not Errand.objects.exists()


def test_the_month_has_members_service_records_and_a_filled_call_out(month):
    from xiachen.volunteers import feedback
    from xiachen.volunteers.models import CallOut, Member, Pairing, ServiceRecord

    community = Unit.objects.get(memberships__user__username="shequ")
    agency = Unit.objects.get(memberships__user__username="lianluo")
    assert Pairing.objects.filter(agency=agency, community=community).exists()
    members = Member.objects.filter(community=community)
    assert members.count() > 10 and all(member.user_id for member in members)
    records = ServiceRecord.objects.filter(community=community, status="approved")
    assert records.exists() and all(MONTH_START.date() <= r.served_on < NOW.date() for r in records)
    call_out = CallOut.objects.get(area=community)
    assert call_out.status == "closed" and call_out.invites.filter(reply="yes").count() == call_out.headcount
    rows = feedback.rows_for(agency, feedback.quarter_of(MONTH_START.date()))
    assert any(row.hours for row in rows)
