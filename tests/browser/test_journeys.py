"""Each staff role's main journey in the browser, starting from its home page and only clicking (no
typed URL after signing in), at the width the role works at: the cadre and the community worker on
a phone (390×844), the liaison and the community manager on a desktop (1366). Every step asserts
what the user sees. The one step that is not a click is the cadre's 报到: a phone camera scanning the
unit's code, done here by opening the address the code page prints under the code (the QR image
itself is decoded with zbar by the QR tests).

The fixture is small and exact (factories): community1 with a published round deploying cadre1,
a published roster with cadre1's shift today, errands, a notice, a fever alert and a disagreement.
"""

import uuid
from datetime import time, timedelta

import pytest
from django.utils import timezone

from xiachen.deployments.models import Demand, Deployment, Match, PostType, Round
from xiachen.deployments.services import create_round
from xiachen.errands.models import Errand
from xiachen.notices.models import Notification
from xiachen.passes.models import Disagreement, FeverAlert, Scan
from xiachen.rosters.enums import RosterStatus
from xiachen.rosters.models import Assignment, Roster, ShiftTemplate
from xiachen.rosters.services import create_roster

from ..factories import CadreFactory, HouseholdFactory
from .conftest import sign_in
from .quality import PageWatch, horizontal_overflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def patient(request):
    """The first page of a fresh live server can take long on a busy machine (as in test_crawl)."""
    for name in ("page", "phone_page"):
        if name in request.fixturenames:
            request.getfixturevalue(name).set_default_timeout(30_000)


def _post(tree, people, *, status: str) -> tuple[Demand, Round]:
    today = timezone.localdate()
    post = Demand.objects.create(unit=tree.community1, post_type=PostType.objects.get(code="gate_duty"), headcount=2,
                                 start=today - timedelta(days=1), end=today + timedelta(days=30),
                                 created_by=people.org_department)
    round_ = create_round(by=people.org_department, name=f"{status}轮次", kind="normalized", start=post.start,
                          end=post.end)
    round_.demands.add(post)
    Round.objects.filter(pk=round_.pk).update(status=status)
    return post, round_


def _errand(household, by, *, assignee=None, status="requested", age=timedelta(0)) -> Errand:
    errand = Errand.objects.create(household=household, kind="groceries", details="大米一袋", requested_by=by,
                                   submission_key=uuid.uuid4(), assignee=assignee, status=status)
    Errand.objects.filter(pk=errand.pk).update(created_at=timezone.now() - age)
    return errand


@pytest.fixture
def city(tree, people, cadre1):
    """cadre1 deployed (confirmed, not yet arrived) to community1 with a shift today; an errand for
    cadre1, one for worker1, one overdue and unassigned; an unread notice; a fever alert."""
    today = timezone.localdate()
    post, round_ = _post(tree, people, status="published")
    match = Match.objects.create(round=round_, demand=post, cadre=cadre1, agency_path=cadre1.agency_path,
                                 status="confirmed")
    Deployment.objects.create(match=match, cadre=cadre1)
    morning = ShiftTemplate.objects.create(post=post, code="morning", name="白班", start=time(8), length_minutes=540)
    roster = create_roster(by=people.manager1, post=post, start=today, end=today + timedelta(days=6))
    Roster.objects.filter(pk=roster.pk).update(status=RosterStatus.PUBLISHED)
    Assignment.objects.create(roster=roster, cadre=cadre1, day=today, shift=morning)

    home = HouseholdFactory(compound=tree.compound1, building="3", room="402")
    _errand(home, people.manager1, assignee=people.cadre_user1, status="accepted")
    _errand(HouseholdFactory(compound=tree.compound1, building="5", room="101"), people.manager1,
            assignee=people.worker1, status="accepted")
    overdue = _errand(HouseholdFactory(compound=tree.compound1, building="7", room="202"), people.manager1,
                      age=timedelta(days=2))
    Notification.objects.create(recipient=people.cadre_user1, kind="test", title="明早七点半集合",
                                body="请提前十分钟到岗")
    now = timezone.now()
    scan = Scan.objects.create(
        client_uuid=uuid.uuid4(), device_id="gate-1", gate=tree.compound1, gate_path=tree.compound1.path,
        recorded_by=people.worker1, scanned_at=now, received_at=now, direction="in", temperature="38.4",
        client_valid=True, client_reason="valid", server_valid=False, server_reason="fever",
    )
    Disagreement.objects.create(scan=scan, gate_path=scan.gate_path)
    FeverAlert.objects.create(scan=scan, gate_path=scan.gate_path, temperature=scan.temperature)
    return {"overdue": overdue}


def _todo(page, label: str):
    return page.locator(".todo-list a", has_text=label)


def _home(page) -> None:
    """Back to the home page by the brand in the header (a phone's menu is folded away)."""
    page.locator("a.brand").click()
    page.wait_for_load_state("networkidle")


def test_cadre_on_a_phone_shift_checkin_errand_and_notice(phone_page, page, people, city):
    watch = PageWatch(phone_page)
    sign_in(phone_page, "cadre1")
    assert "白班 08:00–17:00 · 车站路社区" in phone_page.locator(".home-rows").inner_text()
    assert _todo(phone_page, "待报到").locator(".todo-count").inner_text() == "1"

    phone_page.locator(".home-rows a", has_text="白班").click()
    assert "今天" in phone_page.locator("#my-shifts li").first.inner_text()
    assert horizontal_overflow(phone_page) <= 0
    _home(phone_page)

    _todo(phone_page, "待报到").click()
    assert "待报到" in phone_page.locator("#checkin-due").inner_text()
    # The manager shows the unit's code (from their own home page); the cadre's phone scans it.
    sign_in(page, "manager1")
    _todo(page, "待报到的下沉干部").click()
    code_address = page.locator("#checkin-url").inner_text()
    phone_page.goto(code_address)
    phone_page.locator("#checkin-confirm").click()
    assert phone_page.locator("#checkin-done").is_visible()
    _home(phone_page)
    assert _todo(phone_page, "待报到").locator(".todo-count").inner_text() == "0"

    _todo(phone_page, "分派给我的代办").click()
    phone_page.locator("#round-table a", has_text="3栋1单元402室").click()
    phone_page.locator("#start").click()
    phone_page.locator("#deliver").click()
    assert phone_page.locator(".flash").first.is_visible()
    assert "已送达" in phone_page.locator("body").inner_text()
    _home(phone_page)
    assert _todo(phone_page, "分派给我的代办").locator(".todo-count").inner_text() == "0"

    phone_page.locator("#inbox-link").click()
    row = phone_page.locator("#inbox-table tr.unread", has_text="明早七点半集合")
    row.locator("button").click()
    phone_page.wait_for_load_state("networkidle")
    assert phone_page.locator("#inbox-table tr.unread").count() == 0
    assert phone_page.locator("#unread-count").count() == 0
    assert horizontal_overflow(phone_page) <= 0
    assert watch.problems == [], watch.problems


def test_community_worker_on_a_phone_does_the_errand_given_to_them(phone_page, people, city):
    watch = PageWatch(phone_page)
    sign_in(phone_page, "worker1")
    _todo(phone_page, "分派给我的代办").click()
    phone_page.locator("#round-table a", has_text="5栋1单元101室").click()
    phone_page.locator("#start").click()
    assert "办理中" in phone_page.locator("body").inner_text()
    phone_page.locator("#deliver").click()
    assert "已送达" in phone_page.locator("body").inner_text()
    assert horizontal_overflow(phone_page) <= 0
    _home(phone_page)
    assert _todo(phone_page, "分派给我的代办").locator(".todo-count").inner_text() == "0"
    assert watch.problems == [], watch.problems


def test_liaison_confirms_a_nomination_and_sees_where_the_cadres_are(page, tree, people, cadre1, city):
    post, round_ = _post(tree, people, status="review")
    nominee = CadreFactory(agency=tree.agency1, name="周敏")
    Match.objects.create(round=round_, demand=post, cadre=nominee, agency_path=nominee.agency_path, status="proposed")
    watch = PageWatch(page)
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, "liaison1")
    assert "车站路社区" in page.locator(".home-rows").inner_text()  # cadre1 is already there
    _todo(page, "待确认的拟派干部").click()
    page.locator("#nomination-table tr", has_text="周敏").locator("button.confirm").click()
    page.wait_for_load_state("networkidle")
    assert "派出单位已确认" in page.locator("#nomination-table tr", has_text="周敏").inner_text()
    _home(page)
    assert _todo(page, "待确认的拟派干部").locator(".todo-count").inner_text() == "0"
    assert "1 人" in page.locator(".home-rows li", has_text="车站路社区").inner_text()
    assert horizontal_overflow(page) <= 0
    assert watch.problems == [], watch.problems


def test_community_manager_follows_a_fever_alert_and_assigns_an_overdue_errand(page, people, city):
    watch = PageWatch(page)
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, "manager1")
    page.locator("details[data-navgroup=passes] summary").click()
    page.locator("details[data-navgroup=passes] >> text=扫码记录").click()
    page.locator("a", has_text="发热预警").last.click()
    row = page.locator("#fever-table tbody tr").first
    assert "38.4" in row.inner_text()
    row.locator("input[name=note]").fill("已联系社区卫生服务中心上门复测")
    row.locator("button").click()
    page.wait_for_load_state("networkidle")
    assert "已联系社区卫生服务中心上门复测" in page.locator("#fever-table").inner_text()

    _home(page)
    assert _todo(page, "发热预警待跟进").locator(".todo-count").inner_text() == "0"
    _todo(page, "超时未办结的代办").click()
    assert page.locator("#errand-filter-note").is_visible()
    page.locator("#errand-table tr", has_text="7栋1单元202室").locator("a").click()
    page.click("#assign_assignee")  # the searchable picker lists who is on duty there
    page.locator("#assign_assignee-results [data-picker-option]", has_text=str(people.worker1)).first.click()
    page.locator("#assign-form button").click()
    page.wait_for_load_state("networkidle")
    assert str(people.worker1) in page.locator("body").inner_text()
    city["overdue"].refresh_from_db()
    assert city["overdue"].assignee == people.worker1
    assert horizontal_overflow(page) <= 0
    assert watch.problems == [], watch.problems
