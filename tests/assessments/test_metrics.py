"""Metric providers read rosters and hotline data exactly; without a source they report no data."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from xiachen.assessments import metrics
from xiachen.assessments.services import compute_scores, create_scheme
from xiachen.hotline.models import Ticket, TicketEvent
from xiachen.rosters.attendance import attendance_sheet

from ..factories import CadreFactory
from ..hotline.builders import at, make_ticket
from .builders import rostered, served_round

NOV = {"start": date(2026, 11, 1), "end": date(2026, 11, 30), "name": "2026年11月常态化下沉"}
AS_OF = timezone.make_aware(datetime(2026, 11, 10, 12))
WEEK = {
    date(2026, 11, 2): ("07:55", "16:05", False),  # 480 min inside the window
    date(2026, 11, 3): ("08:30", "16:00", True),  # late: 450 min
    date(2026, 11, 4): None,  # absent
    date(2026, 11, 5): ("08:00", None, False),  # never checked out: counted to the shift's end, 480 min
}


@pytest.fixture
def november(tree, people, cadre1):
    return served_round(tree, people, cadres_at_1=[cadre1], **NOV)


def _service(round_, cadre, as_of=AS_OF):
    matches = tuple(round_.matches.filter(cadre=cadre).values_list("pk", flat=True))
    return metrics.Service(cadre.pk, round_.pk, matches, NOV["start"], NOV["end"], as_of=as_of)


def _raw(code, service):
    value = metrics.PROVIDERS[code].value(service)
    return None if value is None else (value.raw, value.points.quantize(Decimal("0.01")))


def test_roster_metrics_count_only_due_shifts_at_the_receiving_unit(november, tree, people, cadre1):
    roster = rostered(november, tree.community1, people.manager1, cadre1,
                      WEEK | {date(2026, 11, 30): None})  # not yet due on 10 November: not an absence
    # a shift of cadre1 at community2, where they were not deployed, does not count
    rostered(november, tree.community2, people.manager2, cadre1, {date(2026, 11, 6): ("08:00", "16:00", False)})
    service = _service(november, cadre1)
    assert _raw("attendance_rate", service) == (Decimal("0.75"), Decimal("75.00"))  # 3 of 4 due
    assert _raw("punctuality", service)[1] == Decimal("66.67")  # 2 of 3 attended on time
    assert _raw("shifts", service) == (Decimal(3), Decimal("15.00"))  # target 20
    assert _raw("hours", service) == (Decimal("23.5"), Decimal("14.69"))  # 1410 min; target 160 h
    # the same minutes as the rosters' own attendance sheet
    [tally] = attendance_sheet(roster, AS_OF)[1]
    assert tally.minutes == 1410 and tally.shifts == 3


def test_roster_metrics_without_due_shifts_have_no_data(november, tree, people, cadre1):
    rostered(november, tree.community1, people.manager1, cadre1, {date(2026, 11, 30): None})
    service = _service(november, cadre1)
    assert [_raw(code, service) for code in ("attendance_rate", "punctuality", "shifts", "hours")] == [None] * 4


def test_a_draft_roster_does_not_count(november, tree, people, cadre1):
    roster = rostered(november, tree.community1, people.manager1, cadre1, WEEK)
    type(roster).objects.filter(pk=roster.pk).update(status="draft")
    assert _raw("attendance_rate", _service(november, cadre1)) is None


def test_absent_everywhere_scores_zero_punctuality_has_no_data(november, tree, people, cadre1):
    rostered(november, tree.community1, people.manager1, cadre1, {date(2026, 11, 2): None})
    service = _service(november, cadre1)
    assert _raw("attendance_rate", service) == (Decimal(0), Decimal("0.00"))
    assert _raw("punctuality", service) is None
    assert _raw("shifts", service) == (Decimal(0), Decimal("0.00"))


def test_compute_scores_uses_attendance(november, tree, people, cadre1):
    rostered(november, tree.community1, people.manager1, cadre1, WEEK)
    create_scheme(by=people.org_department, name="出勤",
                  weights={"metric:attendance_rate": 60, "metric:punctuality": 40})
    [score] = compute_scores(by=people.org_department, round_=november)
    # (60·75 + 40·66.666…) / 100 = 71.666… → 71.67
    assert score.total == Decimal("71.67")
    rows = {row["component"]: row for row in score.breakdown}
    assert rows["metric:attendance_rate"]["raw"] == "0.75"


def _resolved(ticket, actor, day, unit):
    Ticket.objects.filter(pk=ticket.pk).update(owner=unit, owner_path=unit.path)
    event = TicketEvent.objects.create(ticket=ticket, kind="resolved", actor=actor, unit=unit)
    at_ten = timezone.make_aware(datetime(day.year, day.month, day.day, 10))
    TicketEvent.objects.filter(pk=event.pk).update(created_at=at_ten)


def test_hotline_tickets_count_those_the_cadre_resolved_there_in_the_period(november, tree, people, cadre1):
    tickets = [make_ticket(people, tree.compound1) for _index in range(5)]
    _resolved(tickets[0], people.cadre_user1, date(2026, 11, 3), tree.community1)
    _resolved(tickets[1], people.cadre_user1, date(2026, 11, 30), tree.community1)  # last day counts
    _resolved(tickets[1], people.cadre_user1, date(2026, 11, 30), tree.community1)  # reopened, resolved again
    _resolved(tickets[2], people.cadre_user1, date(2026, 12, 1), tree.community1)  # after the service
    _resolved(tickets[3], people.worker1, date(2026, 11, 3), tree.community1)  # someone else
    _resolved(tickets[4], people.cadre_user1, date(2026, 11, 3), tree.community2)  # not where they served
    assert _raw("hotline_tickets", _service(november, cadre1)) == (Decimal(2), Decimal("20.00"))  # target 10


def test_hotline_tickets_need_a_user_account(november, cadre1):
    type(cadre1).objects.filter(pk=cadre1.pk).update(user=None)
    assert _raw("hotline_tickets", _service(november, cadre1)) is None


def test_hotline_tickets_without_any_work_on_tickets_have_no_data_else_zero(november, tree, people, cadre1):
    service = _service(november, cadre1)
    assert _raw("hotline_tickets", service) is None  # the hotline is not part of their post
    ticket = make_ticket(people, tree.compound1)
    Ticket.objects.filter(pk=ticket.pk).update(owner=tree.community1, owner_path=tree.community1.path)
    event = TicketEvent.objects.create(ticket=ticket, kind="accepted", actor=people.cadre_user1)
    TicketEvent.objects.filter(pk=event.pk).update(created_at=timezone.make_aware(datetime(2026, 11, 3, 9)))
    assert _raw("hotline_tickets", service) == (Decimal(0), Decimal("0.00"))  # signed for one, resolved none


def test_complaints_count_only_those_the_manager_confirmed_during_the_service(november, tree, people, cadre1):
    from xiachen.hotline.models import ComplaintSubject

    assert _raw("complaints", _service(november, cadre1)) == (Decimal(0), Decimal("100.00"))  # none: full points
    other = CadreFactory(agency=tree.agency1, name="干部丙")
    for status, cadre, received in (("confirmed", cadre1, at(2026, 11, 5, 10, 0)),
                                    ("confirmed", cadre1, at(2026, 11, 20, 10, 0)),
                                    ("pending", cadre1, at(2026, 11, 6, 10, 0)),
                                    ("rejected", cadre1, at(2026, 11, 7, 10, 0)),
                                    ("confirmed", other, at(2026, 11, 8, 10, 0)),
                                    ("confirmed", cadre1, at(2026, 12, 2, 10, 0))):  # after the service
        ticket = make_ticket(people, tree.compound1, code="staff_complaint", now=received,
                             phone=f"139{received.day:08d}")
        ComplaintSubject.objects.create(ticket=ticket, cadre=cadre, status=status)
    assert _raw("complaints", _service(november, cadre1)) == (Decimal(2), Decimal("60.00"))  # target 5


def test_a_source_that_changed_shape_reports_no_data(november, monkeypatch):
    monkeypatch.setattr(metrics.Hours, "source_model", "NoSuchModel")
    assert metrics.PROVIDERS["hours"].value(_service(november, november.matches.first().cadre)) is None


def _errand(people, compound, assignee, *, status="confirmed", day=date(2026, 11, 3), rating=None):
    import uuid

    from xiachen.errands.models import Errand

    from ..factories import HouseholdFactory

    errand = Errand.objects.create(household=HouseholdFactory(compound=compound), kind="groceries", details="买米",
                                   requested_by=people.resident_user1, submission_key=uuid.uuid4(),
                                   assignee=assignee, status=status, rating=rating)
    if status in ("delivered", "confirmed", "closed"):
        Errand.objects.filter(pk=errand.pk).update(delivered_at=timezone.make_aware(datetime(day.year, day.month,
                                                                                             day.day, 15)))
    return errand


def test_errands_done_and_residents_ratings(november, tree, people, cadre1):
    _errand(people, tree.compound1, people.cadre_user1, rating=5)
    _errand(people, tree.compound1, people.cadre_user1, status="closed")  # auto-closed, not rated
    _errand(people, tree.compound1, people.cadre_user1, status="delivered", rating=None)
    _errand(people, tree.compound1, people.cadre_user1, status="confirmed", rating=3, day=date(2026, 11, 30))
    _errand(people, tree.compound1, people.cadre_user1, status="in_progress")  # not done
    _errand(people, tree.compound1, people.cadre_user1, rating=1, day=date(2026, 12, 1))  # after the service
    _errand(people, tree.compound1, people.worker1, rating=1)  # someone else
    service = _service(november, cadre1)
    assert _raw("errands_done", service) == (Decimal(4), Decimal("20.00"))  # target 20
    assert _raw("resident_rating", service) == (Decimal(4), Decimal("80.00"))  # (5 + 3) / 2


def test_errands_without_any_assigned_have_no_data_else_zero(november, tree, people, cadre1):
    service = _service(november, cadre1)
    assert _raw("errands_done", service) is None
    errand = _errand(people, tree.compound1, people.cadre_user1, status="accepted")
    type(errand).objects.filter(pk=errand.pk).update(created_at=timezone.make_aware(datetime(2026, 11, 3, 9)))
    assert _raw("errands_done", service) == (Decimal(0), Decimal("0.00"))
    assert _raw("resident_rating", service) is None


def test_errand_ratings_flow_into_the_composite(november, tree, people, cadre1):
    _errand(people, tree.compound1, people.cadre_user1, rating=4)
    create_scheme(by=people.org_department, name="代办", weights={"metric:errands_done": 50,
                                                                 "metric:resident_rating": 50})
    [score] = compute_scores(by=people.org_department, round_=november)
    assert score.total == Decimal("42.50")  # (50·5 + 50·80) / 100


def test_errands_that_changed_shape_report_no_data(november, cadre1, monkeypatch):
    from xiachen.assessments import errands_adapter

    monkeypatch.setattr(errands_adapter, "FIELDS", (*errands_adapter.FIELDS, "resident_score"))
    service = _service(november, cadre1)
    assert _raw("errands_done", service) is None
    assert errands_adapter.residents_ratings(service) == []
    monkeypatch.setattr(errands_adapter, "DONE_STATUSES", ("finished",))
    monkeypatch.setattr(errands_adapter, "FIELDS", ("assignee",))
    assert _raw("errands_done", service) is None


def test_the_errands_rating_source_is_registered():
    from xiachen.assessments import errands_adapter

    assert errands_adapter.residents_ratings in metrics.RATING_SOURCES
