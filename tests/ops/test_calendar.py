"""The one working calendar (issue #16 item 1, ADR 1601): known years, the yearly import, provisional
deadlines past the calendar's end made final by the import, and the administrator's warning."""

import io
from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from tests.excel_helpers import xlsx
from tests.hotline.builders import at, make_ticket
from tests.policies.builders import make_document, make_feedback
from xiachen.audit.models import AuditEvent
from xiachen.core.calendar import CalendarImportError, known_years, missing_next_year, parse_holiday_file, replace_year
from xiachen.core.models import CalendarYear, Holiday
from xiachen.core.workdays import Calendar, CalendarMissing, add_working_days
from xiachen.hotline.vocabulary import load_defaults
from xiachen.notices.models import Notification
from xiachen.ops.calendar_alerts import ALERT_KIND, alert_calendar_problems

# A made-up 2027 notice for the tests (the real one is whatever the State Council publishes):
# three days off around 2027-02-03 and the Sunday before worked.
TEST_2027 = [["日期", "名称", "类型"], ["2027-02-03", "测试节", "放假"], ["2027-02-04", "测试节", "放假"],
             ["2027-02-05", "测试节", "放假"], ["2027-01-31", "测试节调休", "调休上班"]]


def load_2027(by=None) -> int:
    rows = parse_holiday_file(xlsx(TEST_2027), filename="2027.xlsx", year=2027)
    return replace_year(by=by, year=2027, rows=rows, source="测试通知")


def test_a_calendar_refuses_to_guess_about_a_year_it_does_not_know():
    calendar = Calendar(known_years=frozenset({2026}))
    assert calendar.is_working_day(date(2026, 12, 31))
    with pytest.raises(CalendarMissing) as missing:
        calendar.is_working_day(date(2027, 1, 4))
    assert missing.value.year == 2027
    assert calendar.by_weekday_rule().is_working_day(date(2027, 1, 4))
    assert add_working_days(date(2026, 12, 30), 3, calendar.by_weekday_rule()) == date(2027, 1, 4)


def test_the_shipped_years_are_known_and_next_year_is_missing_from_november(db):
    assert {2025, 2026} <= known_years()
    assert missing_next_year(date(2026, 10, 31)) is None
    assert missing_next_year(date(2026, 11, 1)) == 2027
    load_2027()
    assert missing_next_year(date(2026, 11, 1)) is None


def test_a_ticket_due_in_an_unknown_year_is_provisional_until_the_year_is_loaded(people, tree, db):
    load_defaults()
    ticket = make_ticket(people, tree.compound1, now=at(2027, 2, 2, 10, 0))  # general: 5 working days
    assert ticket.deadline_provisional
    provisional_due = ticket.due_at
    assert load_2027() >= 1
    ticket.refresh_from_db()
    assert not ticket.deadline_provisional
    assert ticket.due_at - provisional_due == timedelta(days=5)  # 3 days off, and the weekend after them


def test_a_ticket_inside_known_years_is_final(people, tree, db):
    load_defaults()
    ticket = make_ticket(people, tree.compound1, now=at(2026, 3, 2, 10, 0))
    assert not ticket.deadline_provisional


def test_policy_feedback_due_in_an_unknown_year_is_provisional_then_final(tree, people):
    _document, version = make_document(tree, people)
    item = make_feedback(version, people.cadre_user1, today=date(2026, 12, 28))
    assert item.due_date_provisional
    load_2027()
    item.refresh_from_db()
    assert not item.due_date_provisional
    assert item.filed_on == date(2026, 12, 28)


def test_import_stores_days_off_and_makeup_days_and_audits(people):
    load_2027(by=people.sysadmin)
    assert list(Holiday.objects.filter(date__year=2027).values_list("date", "is_workday")) == [
        (date(2027, 1, 31), True), (date(2027, 2, 3), False), (date(2027, 2, 4), False), (date(2027, 2, 5), False),
    ]
    assert CalendarYear.objects.get(year=2027).loaded_by == people.sysadmin
    assert AuditEvent.objects.filter(action="calendar.year_loaded", target_id="2027").count() == 1


def test_reimport_replaces_the_year(db):
    load_2027()
    rows = parse_holiday_file(xlsx([["日期", "名称", "类型"], ["2027-10-01", "国庆", "放假"]]), filename="a.xlsx",
                              year=2027)
    replace_year(by=None, year=2027, rows=rows, source="更正通知")
    assert list(Holiday.objects.filter(date__year=2027).values_list("date", flat=True)) == [date(2027, 10, 1)]
    assert CalendarYear.objects.get(year=2027).source == "更正通知"


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([["2026-02-03", "节", "放假"]], "第 2 行“日期”列：2026-02-03 不在 2027 年"),
        ([["2027-02-03", "节", "放假"], ["2027-02-03", "节", "放假"]], "第 3 行“日期”列：2027-02-03 重复"),
        (
            [["2027-02-03", "节", "放假"], ["2027-02-02", "节", "调休上班"]],
            "第 3 行：调休上班日 2027-02-02 不是周六或周日",
        ),
        ([["2027-02-03", "节", "假期"]], "第 2 行“类型”列"),
        ([["不是日期", "节", "放假"]], "第 2 行“日期”列"),
        ([["2027-02-03", "", "放假"]], "第 2 行“名称”列：必填项为空"),
        ([["2027-01-31", "节", "调休上班"]], "文件里没有放假日期"),
    ],
)
def test_bad_rows_are_named_and_nothing_is_stored(db, rows, message):
    with pytest.raises(CalendarImportError) as refused:
        parse_holiday_file(xlsx([["日期", "名称", "类型"], *rows]), filename="bad.xlsx", year=2027)
    assert any(message in error for error in refused.value.errors), refused.value.errors
    assert not Holiday.objects.filter(date__year=2027).exists()


def test_a_csv_saved_by_chinese_excel_in_gb18030_is_read(db):
    content = "日期,名称,类型\r\n2027-02-03,春节,放假\r\n2027/1/31,春节调休,调休上班\r\n".encode("gb18030")
    rows = parse_holiday_file(content, filename="节假日.csv", year=2027)
    assert [(row.day, row.is_workday) for row in rows] == [(date(2027, 2, 3), False), (date(2027, 1, 31), True)]


def test_a_csv_without_the_type_column_is_refused(db):
    with pytest.raises(CalendarImportError) as refused:
        parse_holiday_file("日期,名称\n2027-02-03,春节\n".encode(), filename="a.csv", year=2027)
    assert refused.value.errors == ["第 1 行：缺少列：类型"]


def test_the_administrator_and_organization_department_are_warned_once_a_day(people):
    assert alert_calendar_problems(date(2026, 10, 31)) == 0
    assert alert_calendar_problems(date(2026, 11, 2)) == 2
    assert alert_calendar_problems(date(2026, 11, 2)) == 0
    recipients = set(Notification.objects.filter(kind=ALERT_KIND).values_list("recipient__username", flat=True))
    assert recipients == {"sysadmin", "org"}


def test_the_administrator_imports_a_year_from_the_calendar_page(client, people):
    client.force_login(people.sysadmin)
    page = client.get(reverse("ops:calendar"))
    assert page.status_code == 200
    upload = io.BytesIO(xlsx(TEST_2027))
    upload.name = "2027.xlsx"
    response = client.post(reverse("ops:calendar"), {"year": 2027, "source": "测试通知", "file": upload})
    assert response.status_code == 302
    assert CalendarYear.objects.filter(year=2027).exists()
    assert "2027-02-03" in client.get(response["Location"]).content.decode()


def test_a_bad_file_on_the_page_lists_every_row_and_stores_nothing(client, people):
    client.force_login(people.sysadmin)
    rows = [["日期", "名称", "类型"], ["2027-02-02", "节", "调休上班"], ["2026-01-01", "节", "放假"]]
    upload = io.BytesIO(xlsx(rows))
    upload.name = "2027.xlsx"
    response = client.post(reverse("ops:calendar"), {"year": 2027, "source": "测试通知", "file": upload})
    assert response.status_code == 400
    text = response.content.decode()
    assert "第 2 行：调休上班日 2027-02-02 不是周六或周日" in text
    assert "第 3 行“日期”列：2026-01-01 不在 2027 年" in text
    assert not CalendarYear.objects.filter(year=2027).exists()


@pytest.mark.parametrize("persona", ["cadre_user1", "manager1", "resident_user1", "auditor"])
def test_only_the_administrator_and_organization_department_manage_the_calendar(client, people, persona):
    client.force_login(getattr(people, persona))
    assert client.get(reverse("ops:calendar")).status_code == 403


def test_the_import_command_loads_a_year_and_refuses_a_bad_file(tmp_path, db):
    good = tmp_path / "2027.xlsx"
    good.write_bytes(xlsx(TEST_2027))
    output = io.StringIO()
    call_command("import_holidays", str(good), year=2027, source="测试通知", stdout=output)
    assert "2027 年：放假 3 天，调休上班 1 天" in output.getvalue()
    bad = tmp_path / "bad.csv"
    bad.write_text("日期,名称,类型\n2028-01-01,元旦,放假\n", encoding="utf-8")
    with pytest.raises(CommandError, match="不在 2027 年"):
        call_command("import_holidays", str(bad), year=2027, source="x")
