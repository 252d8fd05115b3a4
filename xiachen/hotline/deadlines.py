"""Deadline arithmetic on local wall-clock time; pure Python, no Django (ADR 0301). The calendar is
the platform's one working-day calendar (`xiachen.core.workdays`); a day in a year it does not know
raises CalendarMissing.

Three ways to count a deadline's amount:
- ``hours``: calendar hours, round the clock, weekends and holidays included (emergencies, 24 h matters);
- ``working_hours``: only minutes inside working hours on working days;
- ``working_days``: ``amount`` × the length of a working day, counted like working hours.

A working day is a configured weekday that is not a holiday, or a make-up day (调休). Received
outside working time, the working clock starts at the next working day's start; a deadline that
uses up a whole day ends at that day's close, never at the next morning.
"""

from datetime import date, datetime, time, timedelta

from xiachen.core.workdays import Calendar, CalendarMissing

__all__ = ["Calendar", "CalendarMissing", "deadline", "reminder_time", "response_deadline"]

HOURS, WORKING_HOURS, WORKING_DAYS = "hours", "working_hours", "working_days"
CALENDAR_CLOCK, WORKING_CLOCK = "calendar", "working"  # how a response window is counted (ADR 1604)


def _at(day: date, moment: time) -> datetime:
    return datetime.combine(day, moment)


def first_working_instant(start: datetime, calendar: Calendar) -> datetime:
    """`start` itself when inside working time, else the start of the next working period."""
    day = start.date()
    if calendar.is_working_day(day) and start.time() < calendar.day_end:
        return max(start, _at(day, calendar.day_start))
    return _at(calendar.next_working_day(day), calendar.day_start)


def add_working_time(start: datetime, amount: timedelta, calendar: Calendar) -> datetime:
    """The instant at which `amount` (> 0) of working time has passed since `start`."""
    if amount <= timedelta(0):
        raise ValueError("amount must be positive")
    cursor = first_working_instant(start, calendar)
    left_today = _at(cursor.date(), calendar.day_end) - cursor
    if amount <= left_today:
        return cursor + amount
    full_days, rest = divmod(amount - left_today, calendar.day_length)
    if not rest:  # ends exactly at a day's close
        full_days, rest = full_days - 1, calendar.day_length
    day = cursor.date()
    for _ in range(full_days + 1):
        day = calendar.next_working_day(day)
    return _at(day, calendar.day_start) + rest


def deadline(received: datetime, amount: int, unit: str, calendar: Calendar) -> datetime:
    """When feedback is due for something received at `received` (local wall-clock time)."""
    if unit == HOURS:
        return received + timedelta(hours=amount)
    if unit == WORKING_HOURS:
        return add_working_time(received, timedelta(hours=amount), calendar)
    if unit == WORKING_DAYS:
        return add_working_time(received, amount * calendar.day_length, calendar)
    raise ValueError(f"unknown deadline unit {unit!r}")


def response_deadline(received: datetime, minutes: int, clock: str, calendar: Calendar) -> datetime:
    """When the owning unit must sign for a ticket: `minutes` of calendar time, or of working time
    (a call at 22:00 with a 120-minute window is due at 10:30 the next working morning)."""
    if clock == CALENDAR_CLOCK or minutes <= 0:
        return received + timedelta(minutes=minutes)
    if clock == WORKING_CLOCK:
        return add_working_time(received, timedelta(minutes=minutes), calendar)
    raise ValueError(f"unknown response clock {clock!r}")


def reminder_time(received: datetime, due: datetime, *, percent: int, cap: timedelta) -> datetime:
    """Remind `percent` of the allowed time before the deadline, but never earlier than `cap` before it."""
    lead = min((due - received) * percent / 100, cap)
    return due - lead
