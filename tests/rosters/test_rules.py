"""Manual edits are checked against the round's rules with the independent validator, including
shifts that cross midnight and weeks that start inside the roster."""

from datetime import date

import pytest

from xiachen.rosters.models import Assignment
from xiachen.rosters.services import RosterError, check_cells, create_roster, set_cell, update_rules

from .conftest import shift


def _put(roster, cadre, day, code):
    Assignment.objects.create(roster=roster, cadre=cadre, day=day, shift=shift(roster.post, code))


def test_morning_after_a_night_that_ends_at_one_breaks_the_rest_rule(roster, cadre1):
    _put(roster, cadre1, date(2026, 12, 7), "night")
    reasons = check_cells(roster=roster, changes={(cadre1.pk, date(2026, 12, 8)): "morning"})
    assert any("12-07 的夜班与 12-08 的白班之间只休息 7 小时，规定至少 11 小时" in r for r in reasons)
    assert any("夜班之后不得接白班" in r for r in reasons)


def test_night_after_a_night_keeps_sixteen_hours_rest(roster, cadre1):
    _put(roster, cadre1, date(2026, 12, 7), "night")
    assert check_cells(roster=roster, changes={(cadre1.pk, date(2026, 12, 8)): "night"}) == []


def test_morning_after_two_days_off_following_nights_is_allowed(roster, cadre1):
    _put(roster, cadre1, date(2026, 12, 7), "night")
    _put(roster, cadre1, date(2026, 12, 8), "night")
    assert check_cells(roster=roster, changes={(cadre1.pk, date(2026, 12, 11)): "morning"}) == []
    reasons = check_cells(roster=roster, changes={(cadre1.pk, date(2026, 12, 10)): "morning"})
    assert reasons == [f"{cadre1.name} 在 12-09 起只休息 1 天，规定连续休息至少 2 天"]


def test_weekly_minutes_count_calendar_weeks_from_monday(post, people, cadre1):
    update_rules(by=people.org_department, round_=post.rounds.get(), max_minutes_per_week=2 * 540)
    thursday = create_roster(by=people.manager1, post=post, start=date(2026, 12, 10), end=date(2026, 12, 16))
    _put(thursday, cadre1, date(2026, 12, 12), "morning")  # Saturday, week of 12-07
    _put(thursday, cadre1, date(2026, 12, 13), "morning")  # Sunday, week of 12-07
    assert check_cells(roster=thursday, changes={(cadre1.pk, date(2026, 12, 14)): "morning"}) == []  # Monday
    reasons = check_cells(roster=thursday, changes={(cadre1.pk, date(2026, 12, 11)): "morning"})  # Friday
    assert reasons == [f"{cadre1.name} 在 12-07 这一周工作 27 小时，超过每周 18 小时"]


def test_seventh_day_in_a_row_is_refused(post, people, cadre1):
    update_rules(by=people.org_department, round_=post.rounds.get(), max_minutes_per_week=None)
    long = create_roster(by=people.manager1, post=post, start=date(2026, 12, 1), end=date(2026, 12, 14))
    for day in range(2, 8):
        _put(long, cadre1, date(2026, 12, day), "morning")
    reasons = check_cells(roster=long, changes={(cadre1.pk, date(2026, 12, 8)): "morning"})
    assert reasons == [f"{cadre1.name} 从 12-02 起连续工作 7 天，超过上限"]


def test_a_single_day_off_between_runs_is_refused(roster, cadre1):
    _put(roster, cadre1, date(2026, 12, 8), "morning")
    _put(roster, cadre1, date(2026, 12, 10), "morning")
    reasons = check_cells(roster=roster, changes={(cadre1.pk, date(2026, 12, 9)): None})
    assert reasons == []  # already off: nothing new
    _put(roster, cadre1, date(2026, 12, 9), "morning")
    reasons = check_cells(roster=roster, changes={(cadre1.pk, date(2026, 12, 9)): None})
    assert reasons == [
        f"{cadre1.name} 在 12-09 起只休息 1 天，规定连续休息至少 2 天",
        "12-09 白班只有 0 人，至少需要 1 人",
    ]


def test_set_cell_refuses_with_the_reason_and_changes_nothing(roster, cadre1, people):
    _put(roster, cadre1, date(2026, 12, 7), "night")
    with pytest.raises(RosterError, match="只休息 7 小时"):
        set_cell(by=people.manager1, roster=roster, cadre=cadre1, day=date(2026, 12, 8), code="morning")
    assert not Assignment.objects.filter(cadre=cadre1, day=date(2026, 12, 8)).exists()


def test_set_cell_on_an_unavailable_day_is_refused(roster, cadre1, people):
    from xiachen.rosters.services import add_unavailability

    add_unavailability(by=people.cadre_user1, roster=roster, cadre=cadre1, day=date(2026, 12, 9), reason="原单位值班")
    with pytest.raises(RosterError, match="12-09 不可排班"):
        set_cell(by=people.manager1, roster=roster, cadre=cadre1, day=date(2026, 12, 9), code="morning")


def test_other_units_manager_cannot_edit(roster, cadre1, people):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        set_cell(by=people.manager2, roster=roster, cadre=cadre1, day=date(2026, 12, 9), code="morning")
