"""Issue #16 item 10 (ADR 1604): the response window (签收时限) counts calendar or working time per
category; past the holiday calendar's end it is provisional like the feedback deadline."""

from datetime import date

import pytest
from django.urls import reverse

from xiachen.core.calendar import HolidayRow, replace_year
from xiachen.hotline import deadlines
from xiachen.hotline.deadlines import Calendar, response_deadline
from xiachen.hotline.models import Category

from .builders import at, make_ticket

pytestmark = pytest.mark.usefixtures("defaults")
MONDAY_NIGHT = at(2026, 3, 2, 22, 0)


def test_pure_response_deadline_in_working_time_starts_next_morning():
    from datetime import datetime

    night = datetime(2026, 3, 2, 22, 0)
    assert response_deadline(night, 120, deadlines.WORKING_CLOCK, Calendar()) == datetime(2026, 3, 3, 10, 30)
    assert response_deadline(night, 120, deadlines.CALENDAR_CLOCK, Calendar()) == datetime(2026, 3, 3, 0, 0)


def test_general_request_at_night_is_signed_for_in_working_time(people, tree):
    ticket = make_ticket(people, tree.compound1, now=MONDAY_NIGHT)
    assert ticket.response_due == at(2026, 3, 3, 10, 30)


def test_water_outage_at_night_keeps_the_round_the_clock_window(people, tree):
    ticket = make_ticket(people, tree.compound1, code="utilities", now=MONDAY_NIGHT)
    assert ticket.response_due == at(2026, 3, 3, 0, 0)


def test_an_urgent_ticket_is_signed_for_round_the_clock_whatever_its_category(people, tree):
    ticket = make_ticket(people, tree.compound1, urgency="urgent", now=MONDAY_NIGHT)
    assert ticket.response_due == at(2026, 3, 3, 0, 0)


def test_working_time_window_skips_the_national_day_holiday(people, tree):
    ticket = make_ticket(people, tree.compound1, now=at(2026, 9, 30, 17, 0))  # 30 minutes left that day
    assert ticket.response_due == at(2026, 10, 8, 10, 0)


def test_organization_department_switches_a_category_to_working_time(client, people, tree):
    client.force_login(people.org_department)
    page = client.get(reverse("hotline:settings")).content.decode()
    assert 'name="response_clock"' in page
    utilities = Category.objects.get(code="utilities")
    response = client.post(reverse("hotline:category_save", args=["utilities"]), {
        "name_zh": utilities.name_zh, "deadline_amount": 24, "deadline_unit": "hours", "urgent_deadline_hours": "",
        "response_clock": "working",
    })
    assert response.status_code == 302
    assert Category.objects.get(code="utilities").response_clock == "working"
    assert make_ticket(people, tree.compound1, code="utilities", now=MONDAY_NIGHT).response_due == at(
        2026, 3, 3, 10, 30)


def test_a_response_window_past_the_calendar_is_provisional_then_final(people, tree):
    ticket = make_ticket(people, tree.compound1, now=at(2026, 12, 31, 22, 0))
    # 2027 unknown: by the weekday rule, Friday 1 January at 10:30
    assert ticket.deadline_provisional
    assert ticket.response_due == at(2027, 1, 1, 10, 30)
    replace_year(by=None, year=2027, rows=[HolidayRow(date(2027, 1, 1), "元旦", False)], source="2027年通知")
    ticket.refresh_from_db()
    assert not ticket.deadline_provisional
    assert ticket.response_due == at(2027, 1, 4, 10, 30)  # the holiday and the weekend skipped
