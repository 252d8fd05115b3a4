"""Deadline arithmetic against a day-by-day reference, over 10,000 generated tickets."""

from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xiachen.hotline import deadlines
from xiachen.hotline.deadlines import Calendar, deadline

CHINA_2026 = Calendar(
    holidays=frozenset({date(2026, 10, d) for d in range(1, 8)} | {date(2026, 2, d) for d in range(15, 24)}),
    extra_workdays=frozenset({date(2026, 9, 20), date(2026, 10, 10), date(2026, 2, 14), date(2026, 2, 28)}),
)


def reference(received: datetime, amount: int, unit: str, calendar: Calendar) -> datetime:
    """Walk the days one by one, spending each working day's open interval."""
    if unit == deadlines.HOURS:
        return received + timedelta(hours=amount)
    left = timedelta(hours=amount) if unit == deadlines.WORKING_HOURS else amount * calendar.day_length
    day, cursor = received.date(), received
    while True:
        if calendar.is_working_day(day):
            begin = max(cursor, datetime.combine(day, calendar.day_start))
            end = datetime.combine(day, calendar.day_end)
            if begin < end:
                if left <= end - begin:
                    return begin + left
                left -= end - begin
        day += timedelta(days=1)
        cursor = datetime.combine(day, time.min)


def test_friday_afternoon_general_request_is_due_seven_working_days_later():
    friday = datetime(2026, 3, 6, 16, 0)
    assert deadline(friday, 7, deadlines.WORKING_DAYS, Calendar()) == datetime(2026, 3, 17, 16, 0)


def test_working_hours_received_at_night_start_next_morning():
    assert deadline(datetime(2026, 3, 2, 22, 15), 2, deadlines.WORKING_HOURS, Calendar()) == datetime(
        2026, 3, 3, 10, 30)


def test_emergency_deadline_crosses_midnight_in_calendar_hours():
    assert deadline(datetime(2026, 10, 1, 23, 30), 2, deadlines.HOURS, CHINA_2026) == datetime(2026, 10, 2, 1, 30)


def test_national_day_week_is_skipped_and_make_up_saturday_counts():
    # received the last working day before the holiday; 10-08 and 10-09 work, 10-10 is a make-up Saturday
    assert deadline(datetime(2026, 9, 30, 17, 30), 3, deadlines.WORKING_DAYS, CHINA_2026) == datetime(
        2026, 10, 10, 17, 30)


def test_a_deadline_using_up_a_day_ends_at_its_close_not_next_morning():
    assert deadline(datetime(2026, 3, 2, 8, 30), 9, deadlines.WORKING_HOURS, Calendar()) == datetime(
        2026, 3, 2, 17, 30)


def test_calendar_without_working_days_is_refused():
    with pytest.raises(ValueError):
        Calendar(workdays=frozenset())


@st.composite
def calendars(draw) -> Calendar:
    start = draw(st.integers(0, 23 * 60 - 1))
    end = draw(st.integers(start + 1, 24 * 60 - 1))
    base = date(2026, 1, 1)
    days = st.builds(lambda n: base + timedelta(days=n), st.integers(0, 400))
    return Calendar(
        day_start=time(start // 60, start % 60), day_end=time(end // 60, end % 60),
        workdays=frozenset(draw(st.sets(st.integers(1, 7), min_size=1))),
        holidays=frozenset(draw(st.sets(days, max_size=30))),
        extra_workdays=frozenset(draw(st.sets(days, max_size=5))),
    )


TICKET = st.tuples(
    st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31, 23, 59)),
    st.integers(1, 15),
    st.sampled_from([deadlines.HOURS, deadlines.WORKING_HOURS, deadlines.WORKING_DAYS]),
)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(calendar=calendars(), tickets=st.lists(TICKET, min_size=100, max_size=100))
def test_deadline_matches_reference_on_10000_generated_tickets(calendar, tickets):
    """100 calendars × 100 tickets: weekends, holidays, make-up days, odd working hours, late-night calls."""
    for received, amount, unit in tickets:
        assert deadline(received, amount, unit, calendar) == reference(received, amount, unit, calendar), (
            received, amount, unit)
