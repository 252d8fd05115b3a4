"""Check-in/out by scanning the post's code or by the manager; late and absent flags; a shift that
crosses midnight belongs to the day it starts; care alerts; the allowance export."""

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.urls import reverse

from xiachen.rosters.attendance import attendance_sheet, confirm_attendance, scan
from xiachen.rosters.enums import AlertKind, RosterStatus
from xiachen.rosters.models import Assignment, CareAlert, Roster
from xiachen.rosters.services import RosterError, update_rules
from xiachen.rosters.tokens import post_token

from .conftest import shift

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def live(roster):
    Roster.objects.filter(pk=roster.pk).update(status=RosterStatus.PUBLISHED)
    roster.refresh_from_db()
    return roster


def _put(roster, cadre, day, code):
    day_ = date(2026, 12, day)
    return Assignment.objects.create(roster=roster, cadre=cadre, day=day_, shift=shift(roster.post, code))


def _state(roster, assignment, now):
    rows, _tallies = attendance_sheet(roster, now)
    return next(r.state for r in rows if r.assignment.pk == assignment.pk)


def test_night_shift_is_not_absent_after_midnight_until_it_ends(live, cadre1):
    night = _put(live, cadre1, 7, "night")
    assert _state(live, night, at(7, 23)) == "upcoming"
    assert _state(live, night, at(8, 0, 30)) == "upcoming"  # past midnight, shift still running
    assert _state(live, night, at(8, 1, 1)) == "absent"


def test_scans_check_in_and_out_of_a_night_shift_across_midnight(live, cadre1, people):
    night = _put(live, cadre1, 7, "night")
    scan(by=people.cadre_user1, post=live.post, now=at(7, 16, 55))
    record = scan(by=people.cadre_user1, post=live.post, now=at(8, 1, 2))  # finds yesterday's shift
    assert record.assignment == night
    assert (record.checked_in_at, record.checked_out_at, record.is_late) == (at(7, 16, 55), at(8, 1, 2), False)
    rows, tallies = attendance_sheet(live, at(8, 9))
    assert rows[0].state == "present" and rows[0].minutes == 480
    assert (tallies[0].shifts, tallies[0].nights, tallies[0].hours, tallies[0].days) == (1, 1, 8.0, {date(2026, 12, 7)})


def test_late_check_in_is_flagged(live, cadre1, people):
    _put(live, cadre1, 7, "morning")
    record = scan(by=people.cadre_user1, post=live.post, now=at(7, 8, 25))
    assert record.is_late
    rows, tallies = attendance_sheet(live, at(7, 21))
    assert rows[0].state == "late" and tallies[0].late == 1


def test_scan_without_a_shift_now_is_refused(live, cadre1, people):
    _put(live, cadre1, 7, "morning")
    with pytest.raises(RosterError, match="现在没有您在本岗位的班次"):
        scan(by=people.cadre_user1, post=live.post, now=at(7, 4))


def test_scan_page_checks_in_through_the_signed_token(client, live, cadre1, people, settings):
    from django.utils import timezone

    today = timezone.localdate()
    Roster.objects.filter(pk=live.pk).update(start=today, end=today)
    Assignment.objects.create(roster=live, cadre=cadre1, day=today, shift=shift(live.post, "morning"))
    client.force_login(people.cadre_user1)
    url = reverse("rosters:scan", args=[post_token(live.post)])
    assert client.get(url.replace("/scan/", "/scan/x")).status_code == 404
    response = client.get(url)
    assert response.status_code == 200


def test_manager_confirmation_counts_the_whole_shift(live, cadre1, people):
    night = _put(live, cadre1, 7, "night")
    record = confirm_attendance(by=people.manager1, assignment=night)
    assert (record.checked_in_at, record.checked_out_at, record.confirmed_by) == (at(7, 17), at(8, 1), people.manager1)
    _rows, tallies = attendance_sheet(live, at(9, 12))
    assert tallies[0].minutes == 480


def test_a_day_past_the_run_limit_raises_a_care_alert(live, cadre1, people):
    # A normalized round allows 5 days in a row (40 h / 5 days a week); the sixth is an alert.
    long = Roster.objects.create(post=live.post, round=live.round, unit_path=live.unit_path, start=date(2026, 12, 1),
                                 end=date(2026, 12, 14), status=RosterStatus.PUBLISHED, created_by=people.manager1)
    for day in range(1, 7):
        a = _put(long, cadre1, day, "morning")
        confirm_attendance(by=people.manager1, assignment=a)
    alert = CareAlert.objects.get()
    assert (alert.kind, alert.day) == (AlertKind.SEVENTH_DAY, date(2026, 12, 6))
    assert alert.detail == "已连续工作 6 天（上限 5 天）"
    for user in (people.manager1, people.org_department):
        assert user.notifications.filter(kind="roster.care_alert").count() == 1
    assert not people.manager2.notifications.exists()


def test_short_rest_in_actual_attendance_raises_a_care_alert(live, cadre1, people):
    night = _put(live, cadre1, 7, "night")
    scan(by=people.cadre_user1, post=live.post, now=at(7, 17))
    scan(by=people.cadre_user1, post=live.post, now=at(8, 1))
    assert night.attendance.checked_out_at == at(8, 1)
    other = Roster.objects.create(post=live.post, round=live.round, unit_path=live.unit_path, start=date(2026, 12, 8),
                                  end=date(2026, 12, 8), status=RosterStatus.PUBLISHED, created_by=people.manager1)
    _put(other, cadre1, 8, "morning")  # entered outside the rules (e.g. an emergency)
    scan(by=people.cadre_user1, post=live.post, now=at(8, 8))
    alert = CareAlert.objects.get(kind=AlertKind.SHORT_REST)
    assert alert.detail == "两班之间只休息了 7.0 小时（至少 11.0 小时）"


def test_allowance_export_uses_the_rounds_rates(client, live, cadre1, people):
    update_rules(by=people.org_department, round_=live.round, meal_rate=25, night_meal_rate=10, transport_rate=12)
    for day, code in ((7, "morning"), (8, "night")):
        confirm_attendance(by=people.manager1, assignment=_put(live, cadre1, day, code))
    client.force_login(people.manager1)
    response = client.get(reverse("rosters:allowances", args=[live.public_id]))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == ["姓名", "出勤班次", "夜班", "出勤天数", "工时（小时）", "餐补（元）", "交通补贴（元）",
                       "合计（元）"]
    assert rows[1] == [cadre1.name, 2, 1, 2, 17, 60, 24, 84]
    client.force_login(people.manager2)
    assert client.get(reverse("rosters:allowances", args=[live.public_id])).status_code == 404


def test_gear_stock_and_issue(live, cadre1, people):
    from xiachen.rosters.care import gear_stock, issue_gear, receive_gear

    receive_gear(by=people.manager1, post=live.post, item="N95口罩", quantity=10)
    issue_gear(by=people.manager1, post=live.post, item="N95口罩", quantity=4, cadre=cadre1)
    assert gear_stock(live.post) == [("N95口罩", 6)]
    with pytest.raises(RosterError, match="库存只有 6"):
        issue_gear(by=people.manager1, post=live.post, item="N95口罩", quantity=7, cadre=cadre1)


def test_feeling_unwell_raises_a_replacement_request(client, live, cadre1, people):
    _put(live, cadre1, 9, "morning")
    client.force_login(people.cadre_user1)
    response = client.post(reverse("rosters:unwell", args=[live.public_id]), {"note": "发烧 38.2℃"})
    assert response.status_code == 302
    request = live.replacements.get()
    assert (request.cadre, request.status, request.note) == (cadre1, "open", "发烧 38.2℃")
    assert people.manager1.notifications.get(kind="roster.replacement").title == f"替班需求：{cadre1.name} 身体不适"
