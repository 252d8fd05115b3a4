"""Care rules of ADR 1605: protective gear per shift, public holidays and compensatory rest (补休)
from the one working calendar, and working-week defaults by kind of round."""

from datetime import date, time

import pytest
from django.urls import reverse

from xiachen.core.models import CalendarYear, Holiday
from xiachen.deployments.models import Round
from xiachen.rosters.holidays import compensatory_balance
from xiachen.rosters.models import Assignment, RuleSet
from xiachen.rosters.planning import frame_of, rules_for
from xiachen.rosters.services import (
    RosterError,
    add_shift_template,
    add_unavailability,
    check_cells,
    create_roster,
    start_generation,
    update_rules,
)

from .conftest import shift


def test_a_normalized_round_defaults_to_40_hours_and_5_days(post):
    rules = rules_for(post.rounds.get())
    assert (rules.max_minutes_per_week, rules.max_days_per_week, rules.max_consecutive_days) == (40 * 60, 5, 5)


def test_an_emergency_round_keeps_48_hours_and_6_days(post):
    round_ = post.rounds.get()
    Round.objects.filter(pk=round_.pk).update(kind="emergency")
    round_.refresh_from_db()
    rules = rules_for(round_)
    assert (rules.max_minutes_per_week, rules.max_days_per_week, rules.max_consecutive_days) == (48 * 60, 6, 6)


def test_rules_saved_for_a_normalized_round_start_from_its_defaults(post, people):
    update_rules(by=people.org_department, round_=post.rounds.get(), late_grace_minutes=5)
    saved = RuleSet.objects.get(round=post.rounds.get())
    assert (saved.max_minutes_per_week, saved.max_days_per_week) == (40 * 60, 5)


def test_a_sixth_day_in_a_normalized_week_is_refused(roster, cadre1):
    for day in range(7, 12):  # Monday to Friday of 8 h nights: 40 h
        Assignment.objects.create(roster=roster, cadre=cadre1, day=date(2026, 12, day),
                                  shift=shift(roster.post, "night"))
    reasons = check_cells(roster=roster, changes={(cadre1.pk, date(2026, 12, 12)): "night"})
    assert f"{cadre1.name} 在 12-07 这一周工作 6 天，超过每周 5 天" in reasons


def test_a_shift_in_protective_gear_longer_than_the_limit_is_refused(post, people):
    with pytest.raises(RosterError, match="全程穿防护服的班次最长 240 分钟"):
        add_shift_template(by=people.manager1, post=post, code="swab", name="核酸采样", start=time(9),
                           length_minutes=300, minimum=1, preferred=1, in_gear=True)
    add_shift_template(by=people.manager1, post=post, code="swab", name="核酸采样", start=time(9),
                       length_minutes=240, minimum=0, preferred=1, in_gear=True)
    assert post.shift_templates.get(code="swab").in_gear


def test_generation_explains_a_gear_shift_made_too_long_by_a_rule_change(
    roster, post, people, django_capture_on_commit_callbacks
):
    post.shift_templates.filter(code="morning").update(in_gear=True)  # 9 h in gear
    with pytest.raises(RosterError, match="白班全程穿防护服，时长 9 小时 超过每班上限 4 小时"):
        start_generation(by=people.manager1, roster=roster, time_limit=1)
    update_rules(by=people.org_department, round_=post.rounds.get(), max_gear_minutes=None)  # no limit
    assert frame_of(roster).problem.max_gear_minutes is None


@pytest.fixture
def new_year(people):
    """2026 is known; a (test) holiday on Thursday 12-10, a make-up working Saturday 12-12."""
    CalendarYear.objects.get_or_create(year=2026, defaults={"source": "2026 年通知"})  # shipped with the platform
    Holiday.objects.create(date=date(2026, 12, 10), name="测试节", is_workday=False)
    Holiday.objects.create(date=date(2026, 12, 12), name="调休", is_workday=True)


def test_holiday_work_earns_compensatory_rest_until_it_is_granted(roster, people, cadre1, new_year):
    Assignment.objects.create(roster=roster, cadre=cadre1, day=date(2026, 12, 10), shift=shift(roster.post, "night"))
    assert compensatory_balance([cadre1], roster.round)[cadre1.pk].owed == 1
    add_unavailability(by=people.manager1, roster=roster, cadre=cadre1, day=date(2026, 12, 14), reason="",
                       compensatory=True)
    balance = compensatory_balance([cadre1], roster.round)[cadre1.pk]
    assert (balance.holidays_worked, balance.taken, balance.owed) == (1, 1, 0)


def test_a_cadre_cannot_grant_themself_compensatory_rest(roster, people, cadre1):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        add_unavailability(by=people.cadre_user1, roster=roster, cadre=cadre1, day=date(2026, 12, 14), reason="",
                           compensatory=True)


def test_the_roster_page_marks_holidays_and_what_is_owed(client, roster, people, cadre1, new_year):
    Assignment.objects.create(roster=roster, cadre=cadre1, day=date(2026, 12, 10), shift=shift(roster.post, "night"))
    client.force_login(people.manager1)
    page = client.get(reverse("rosters:roster", args=[roster.public_id])).content.decode()
    assert 'class="holiday" title="测试节"' in page
    assert "调休上班" in page
    assert "应补休" in page and "本轮法定节假日上班 1 天，已补休 0 天" in page
    assert 'id="calendar-missing"' not in page


def test_the_roster_page_says_when_the_years_holidays_are_unknown(client, post, people):
    CalendarYear.objects.filter(year=2027).delete()
    across = create_roster(by=people.manager1, post=post, start=date(2026, 12, 28), end=date(2027, 1, 3))
    client.force_login(people.manager1)
    page = client.get(reverse("rosters:roster", args=[across.public_id])).content.decode()
    assert "2027 年的节假日安排尚未导入" in page


