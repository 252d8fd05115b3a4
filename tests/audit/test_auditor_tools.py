"""The auditor's tools: filters, keyset pages, Chinese labels, the Excel export (audited), chain checks."""

import io
import re
from datetime import timedelta
from pathlib import Path

import openpyxl
from django.urls import reverse
from django.utils import timezone

from xiachen.audit import labels
from xiachen.audit.models import AuditEvent, ChainCheck
from xiachen.audit.selectors import AuditFilters, audit_events_for, keyset_page
from xiachen.audit.services import record, run_chain_check, start_chain_check

from .test_audit_chain import _forge


def test_filters_by_actor_action_target_type_unit_and_date(tree, people):
    record(actor=people.manager1, action="household.exported", fields={"rows": 3})
    record(actor=people.manager2, action="household.exported", fields={"rows": 4})
    record(actor=people.org_department, action="unit.created", target=tree.compound1)
    mine = audit_events_for(people.auditor, AuditFilters(actor="manager1"))
    assert {event.actor_id for event in mine} == {people.manager1.pk}
    assert audit_events_for(people.auditor, AuditFilters(action="unit.created")).get().target_type == "org.Unit"
    assert audit_events_for(people.auditor, AuditFilters(target_type="org.Unit")).count() == 1
    in_community1 = audit_events_for(people.auditor, AuditFilters(unit=tree.community1))
    assert {event.actor_id for event in in_community1} == {people.manager1.pk, people.org_department.pk}
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert not audit_events_for(people.auditor, AuditFilters(date_from=tomorrow)).exists()
    today = timezone.localdate()
    assert audit_events_for(people.auditor, AuditFilters(date_from=today, date_to=today)).count() >= 3


def test_keyset_pages_walk_the_trail_both_ways(people):
    for number in range(7):
        record(actor=people.manager1, action="household.exported", fields={"rows": number})
    events = audit_events_for(people.auditor, AuditFilters(action="household.exported"))
    first = keyset_page(events, size=3)
    assert [event.fields["rows"] for event in first.events] == [6, 5, 4] and first.newer is None
    second = keyset_page(events, before=first.older, size=3)
    assert [event.fields["rows"] for event in second.events] == [3, 2, 1]
    last = keyset_page(events, before=second.older, size=3)
    assert [event.fields["rows"] for event in last.events] == [0] and last.older is None
    back = keyset_page(events, after=second.newer, size=3)
    assert [event.fields["rows"] for event in back.events] == [6, 5, 4] and back.newer is None


def test_the_page_shows_names_and_chinese_labels_not_codes(client, tree, people):
    people.manager1.display_name = "王芳"
    people.manager1.save()
    record(actor=people.manager1, action="pass_correction.filed", target=tree.compound1)
    client.force_login(people.auditor)
    page = client.get(reverse("audit:list")).content.decode()
    html = page[page.index('id="audit-table"'):]
    assert "王芳" in html and "居民提交通行证更正申请" in html and "单位" in html
    assert "pass_correction.filed" not in html and "org.Unit" not in html


def test_the_administrator_cannot_read_the_trail_and_the_auditor_cannot_manage_accounts(client, people):
    client.force_login(people.sysadmin)
    assert client.get(reverse("audit:list")).status_code == 403
    client.force_login(people.auditor)
    assert client.get(reverse("accounts:users")).status_code == 403


def test_export_of_a_filtered_view_is_audited(client, people):
    record(actor=people.manager1, action="household.exported", fields={"rows": 3})
    record(actor=people.manager2, action="cadre.exported", fields={"rows": 4})
    client.force_login(people.auditor)
    response = client.get(reverse("audit:export"), {"action": "household.exported"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("编号", "时间", "操作人", "账号", "操作")
    assert [row[4] for row in rows[1:]] == ["导出住户"]
    assert rows[1][3] == "manager1"
    exported = AuditEvent.objects.filter(action="audit.exported").get()
    assert exported.actor_id == people.auditor.pk
    assert exported.fields["rows"] == 1 and exported.fields["filters"]["action"] == "household.exported"


def test_chain_check_runs_in_the_background_and_reports_intact(client, people, django_capture_on_commit_callbacks):
    record(actor=people.manager1, action="household.exported")
    client.force_login(people.auditor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("audit:verify"))
    check = ChainCheck.objects.get()
    assert response.url == reverse("audit:check", args=[check.public_id])
    assert check.status == ChainCheck.Status.INTACT  # the test settings run tasks at once
    assert check.checked == check.total
    page = client.get(response.url).content.decode()
    assert "审计链完整" in page
    assert AuditEvent.objects.filter(action="audit.chain_checked", result="ok").exists()


def test_chain_check_finds_the_forged_row(people, django_capture_on_commit_callbacks):
    events = [record(actor=people.manager1, action="household.exported") for _ in range(3)]
    _forge(events[1].pk, "household.imported")
    with django_capture_on_commit_callbacks(execute=True):
        check = start_chain_check(by=people.auditor)
    check.refresh_from_db()
    assert check.status == ChainCheck.Status.BROKEN and check.first_broken_id == events[1].pk
    assert AuditEvent.objects.filter(action="audit.chain_checked", result="failed").exists()


def test_progress_while_running(client, people):
    check = ChainCheck.objects.create(started_by=people.auditor, total=10_000, checked=2_500)
    client.force_login(people.auditor)
    partial = client.get(reverse("audit:check", args=[check.public_id]), HTTP_HX_REQUEST="true")
    assert 'value="25"' in partial.content.decode() and "HX-Refresh" not in partial
    run_chain_check(check_id=check.pk)
    partial = client.get(reverse("audit:check", args=[check.public_id]), HTTP_HX_REQUEST="true")
    assert partial["HX-Refresh"] == "true"


ACTION_LITERAL = re.compile(r"""action\s*=\s*f?["']([a-z_]+\.[a-z_{}.]+)["']""")
CONDITIONAL = re.compile(r"""action\s*=\s*["']([a-z_]+\.[a-z_]+)["']\s+if\s+.+\s+else\s+["']([a-z_]+\.[a-z_]+)["']""")


def _recorded_actions() -> set[str]:
    root = Path(__file__).resolve().parents[2] / "xiachen"
    found = set()
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for match in ACTION_LITERAL.finditer(text):
            found.add(match.group(1))
        for match in CONDITIONAL.finditer(text):
            found.update(match.groups())
    return found


def test_every_recorded_action_has_a_chinese_label():
    actions = _recorded_actions()
    assert len(actions) > 100
    dynamic = {action for action in actions if "{" in action}
    assert dynamic == {"ticket.{kind}", "pass.bulk_revocation_{request.status}"}
    missing = sorted(action for action in actions - dynamic if action not in labels.ACTION_LABELS)
    assert missing == []
    from xiachen.hotline.enums import EventKind
    from xiachen.passes.enums import RequestStatus

    for kind in EventKind:
        assert "ticket" not in labels.action_label(f"ticket.{kind.value}")
    for status in RequestStatus:
        assert labels.action_label(f"pass.bulk_revocation_{status.value}") in {
            str(label) for label in labels.ACTION_LABELS.values()}


def test_unknown_actions_and_types_still_read_in_chinese():
    assert labels.action_label("ticket.something_new") == "工单 · 其他操作"
    assert labels.action_label("zzz.unknown") == "其他操作"
    assert labels.target_type_label("hotline.Ticket") == "工单"
    assert labels.target_type_label("nope.Model") == "其他对象"


def test_recorded_codes_read_in_their_own_apps_words():
    # "published" is a status of rounds and of rosters; the event's target decides whose label shows.
    assert labels.value_label("published", "deployments.Round") == "已发布"
    assert labels.value_label("closed", "deployments.Demand") == "已关闭"
    assert labels.value_label("matching", "deployments.Round") == "匹配中"
    assert labels.value_label("fever") == "体温异常，请引导至临时观察点"  # a table in passes.enums
    # Names, numbers and dates are data, not codes.
    assert labels.value_label("张三") == "张三"
    assert labels.value_label("2026-12-07") == "2026-12-07"
    assert labels.value_label("no_such_code") == "no_such_code"


def test_event_details_show_status_labels(people):
    from xiachen.audit.selectors import readable

    event = AuditEvent(actor_id=None, action="round.published", target_type="deployments.Round",
                       target_id="x", fields={"from": "review", "to": "published", "rows": 3}, result="ok")
    (row,) = readable([event])
    assert ("原状态", "待审核") in row.details
    assert ("新状态", "已发布") in row.details
    assert ("行数", "3") in row.details


def test_a_running_check_is_not_queued_twice(people):
    running = ChainCheck.objects.create(started_by=people.auditor, total=10)
    assert start_chain_check(by=people.auditor) == running
    assert ChainCheck.objects.count() == 1


def test_accounts_and_units_are_named_after_their_type(client, tree, people):
    record(actor=people.sysadmin, action="user.password_reset", target=people.manager1)
    record(actor=people.org_department, action="unit.created", target=tree.compound2)
    client.force_login(people.auditor)
    page = client.get(reverse("audit:list")).content.decode()
    assert f"用户 · {people.manager1}" in page and "单位 · 桥口小区" in page
