"""Forms and pickers in the browser, and two roles' journeys by clicking alone.

- A household is picked by typing part of a name on a phone; the errand is filed for it.
- The organization department at 1366 px: from its home, create a round, scope it, run the matcher,
  read a match's score breakdown, add a cadre by hand through the picker (only free cadres are
  offered), publish after a confirmation, and drill down from the city dashboard.
- The hotline operator at 1366 px: from its home, take a call with the place picker, route it,
  and record the call-back — refused once for a missing reason, with both radio choices kept.
"""

import uuid

import pytest

from xiachen.cadres.models import Cadre
from xiachen.deployments import services as round_services
from xiachen.deployments.enums import MatchStatus, RoundStatus
from xiachen.deployments.models import Round
from xiachen.errands.models import Errand
from xiachen.hotline import services as ticket_services
from xiachen.hotline.enums import TicketStatus
from xiachen.hotline.models import Ticket

from ..deployments.conftest import make_demand
from ..factories import CadreFactory, HouseholdFactory, ResidentFactory
from ..hotline.builders import category
from .conftest import click_menu, sign_in
from .quality import PageWatch, horizontal_overflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DESKTOP = {"width": 1366, "height": 768}


def problems(watch: PageWatch) -> list[str]:
    """What the browser reported. Until issue #14 item 9 lands (htmx's indicator style, blocked by
    the CSP, on every staff page, and the missing favicon; the nav-home branch) those known messages
    are set aside here — the lead removes this filter at merge."""
    # The favicon request is invisible to Playwright's response events: a bare console 404 with no
    # failed response recorded is that one.
    failed_loads = any(problem.startswith("404 for") for problem in watch.problems)
    return [problem for problem in watch.problems if "Applying inline style violates" not in problem
            and (failed_loads or "status of 404" not in problem)]


def pick(page, field: str, text: str, option: str) -> None:
    """Type into a picker and click the option whose label contains `option`."""
    page.fill(f"#{field}", "")
    page.type(f"#{field}", text, delay=30)
    page.locator(f"#{field}-results [data-picker-option]", has_text=option).first.click()


def test_household_is_picked_by_typing_on_a_phone(phone_page, people, tree):
    wanted = HouseholdFactory(compound=tree.compound1, building="3", entrance="2", room="501")
    ResidentFactory(household=wanted, name="张秀英")
    ResidentFactory(household=HouseholdFactory(compound=tree.compound1, building="4", room="101"), name="张秀兰")
    ResidentFactory(household=HouseholdFactory(compound=tree.compound2, building="3", room="501"), name="张秀英")
    page = phone_page
    watch = PageWatch(page)
    sign_in(page, "manager1")
    page.goto(f"{page.base_url}/errands/new/")
    page.type("#id_household", "张秀", delay=30)
    options = page.locator("#id_household-results [data-picker-option]")
    options.first.wait_for()
    # Only the community's own households, each with its full address and residents.
    assert sorted(options.all_inner_texts()) == [
        "车站路小区 3栋2单元501室\n江岸区 · 大智街道 · 车站路社区 · 车站路小区 · 张秀英",
        "车站路小区 4栋1单元101室\n江岸区 · 大智街道 · 车站路社区 · 车站路小区 · 张秀兰",
    ]
    options.filter(has_text="501室").click()
    assert page.input_value("#id_household") == "车站路小区 3栋2单元501室"
    assert "张秀英" in page.locator("#errand-form [data-picker-detail]").inner_text()
    assert horizontal_overflow(page) == 0
    page.select_option("#id_kind", "meal")
    page.fill("#id_details", "午餐一份")
    page.click("#errand-form button[type=submit]")
    page.wait_for_selector("#errand-status")
    assert Errand.objects.get().household == wanted
    assert problems(watch) == []


def test_required_errors_show_once_under_their_field(phone_page, people, tree):
    page = phone_page
    sign_in(page, "manager1")
    page.goto(f"{page.base_url}/errands/new/")
    page.fill("#id_details", "午餐一份")
    page.click("#errand-form button[type=submit]")
    errors = page.locator("#errand-form .field-errors")
    # The click starts a navigation; wait for the re-rendered form before reading it.
    errors.first.wait_for()
    assert errors.all_inner_texts() == ["这个字段是必填项。"]
    # The error sits in the household field's own block, after its input.
    field = page.locator("#errand-form .field-invalid")
    assert field.locator("#id_household").count() == 1
    assert page.locator("#errand-form .form-errors").count() == 0


@pytest.fixture
def round_people(tree, people):
    home = {"home_latitude": "30.580000", "home_longitude": "114.300000"}
    for i in range(2):
        CadreFactory(agency=tree.agency1, specialties=["audit"], name=f"审计员{i}", **home)
    CadreFactory(agency=tree.agency1, department=tree.department1, name="候补审计员", position="副科长",
                 specialties=["audit"], **home)
    return [make_demand(tree.community1, "finance_audit_support", people.org_department, headcount=3)]


def test_organization_department_runs_a_round_by_clicking(page, people, tree, round_people):
    page.set_viewport_size(DESKTOP)
    watch = PageWatch(page)
    sign_in(page, "org")
    click_menu(page, "派驻轮次")
    page.click("#round-new")
    page.fill("#id_name", "十二月常态化下沉")
    page.fill("#id_start", "2026-12-01")
    page.fill("#id_end", "2026-12-31")
    page.click("#round-form button[type=submit]")
    for box in page.locator("#scope-form input[name=demands]").all():
        box.check()
    page.fill(f"input[name='quota-{tree.agency1.public_id}']", "2")
    page.click("#scope-form button[type=submit]")
    page.click("#run-matching")
    page.wait_for_selector("#plan-table")
    assert page.locator("#round-status").inner_text() == "待审核"
    # The explanation of a match: every part of its score.
    row = page.locator("#plan-table tbody tr").first
    cells = row.locator("td").all_inner_texts()
    assert cells[1] == "财务审计支援" and cells[5] == "+20" and cells[8].isdigit()
    round_ = Round.objects.get(name="十二月常态化下沉")
    placed = set(round_.matches.values_list("cadre__name", flat=True))
    assert len(placed) == 2

    # Hand edit: the quota is full, so raise it through the scope and add the third auditor by picker.
    round_.agencies.filter(agency=tree.agency1).update(quota=3)
    page.select_option("#assign_demand", label="车站路社区 · 财务审计支援")
    page.type("#assign_cadre", "审计员", delay=30)
    offered = page.locator("#assign_cadre-results [data-picker-option]")
    offered.first.wait_for()
    free = Cadre.objects.exclude(name__in=placed).get(agency=tree.agency1, name__contains="审计员")
    assert [text.split("\n")[0] for text in offered.all_inner_texts()] == [free.name]  # not the placed two
    offered.first.click()
    page.click("#assign-form button[type=submit]")
    assert page.locator("#plan-table tbody tr", has_text=free.name).locator(".tag").inner_text() == "人工"

    for match in round_.matches.filter(status=MatchStatus.PROPOSED):  # the agency confirms (its own journey)
        round_services.decide_nomination(by=people.liaison1, match=match, confirm=True)
    page.reload()
    page.click("#publish")
    assert page.dialogs == ["发布后方案不能再调整，并通知派出单位、干部和接收单位。确定发布？"]
    assert page.locator("#round-status").inner_text() == "已发布"
    assert Round.objects.get(pk=round_.pk).status == RoundStatus.PUBLISHED

    click_menu(page, "数据看板")
    page.locator("a.dash-drill", has_text="江岸区").click()
    assert "江岸区" in page.locator("h1").inner_text()
    assert horizontal_overflow(page) == 0
    assert problems(watch) == []


def test_hotline_operator_takes_a_call_and_calls_back_by_clicking(page, people, tree):
    category("utilities")
    page.set_viewport_size(DESKTOP)
    watch = PageWatch(page)
    sign_in(page, "hotline")
    click_menu(page, "热线工单")
    page.click("#ticket-new")
    page.fill("#id_caller_name", "王小明")
    page.fill("#id_caller_phone", "13912345678")
    pick(page, "id_place", "车站", "车站路小区")
    shown = page.locator("#ticket-form [data-picker-detail]").inner_text()
    assert shown == "江岸区 · 大智街道 · 车站路社区 · 车站路小区"
    page.select_option("#id_category", "utilities")
    page.fill("#id_description", "3栋停水一天了")
    page.click("#ticket-form button[type=submit]")
    assert page.locator("#ticket-status").inner_text() == "待签收"
    assert page.input_value("#route_unit") == "车站路社区（社区）"  # the current owner, shown by name
    pick(page, "route_unit", "大智", "大智街道")
    page.click("#route-form button[type=submit]")
    assert page.locator("#ticket-owner").inner_text() == "大智街道"

    ticket = Ticket.objects.get()
    street_manager = people.manager1.__class__.objects.create_user("street", password="x")
    from xiachen.accounts.enums import Role
    from xiachen.accounts.models import Membership

    Membership.objects.create(user=street_manager, role=Role.UNIT_MANAGER, unit=tree.street1)
    ticket_services.accept_ticket(by=street_manager, ticket=ticket)  # the street's own journey
    ticket_services.resolve_ticket(by=street_manager, ticket=Ticket.objects.get(), outcome="已恢复供水")

    click_menu(page, "热线工单")
    page.get_by_role("link", name=ticket.number).click()
    page.check("#callback-form input[name=resolved][value=no]")
    page.check("#callback-form input[name=satisfaction][value=unsatisfied]")
    page.click("#callback")
    assert "请填写原因" in page.locator(".flash-error").inner_text()
    # Both choices survive the refusal: only the missing reason needs typing.
    assert page.is_checked("#callback-form input[name=resolved][value=no]")
    assert page.is_checked("#callback-form input[name=satisfaction][value=unsatisfied]")
    page.fill("#callback-form input[name=reason]", "只恢复了一半")
    page.click("#callback")
    assert page.locator("#ticket-status").inner_text() == "已回访"
    assert page.locator("#ticket-satisfaction").inner_text() == "不满意"
    ticket.refresh_from_db()
    assert (ticket.status, ticket.caller_says_resolved) == (TicketStatus.CLOSED, False)
    assert problems(watch) == []


def test_a_destructive_button_asks_first_and_cancelling_changes_nothing(browser, live_server, people, tree):
    household = HouseholdFactory(compound=tree.compound1)
    errand = Errand.objects.create(household=household, kind="meal", details="午餐", requested_by=people.manager1,
                                   submission_key=uuid.uuid4())
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.base_url = live_server.url
    answers, questions = [False, True], []

    def answer(dialog) -> None:
        questions.append(dialog.message)
        dialog.accept() if answers.pop(0) else dialog.dismiss()

    page.on("dialog", answer)
    sign_in(page, "manager1")
    page.goto(f"{page.base_url}/errands/{errand.public_id}/")
    page.click("#cancel-form button")
    page.wait_for_timeout(300)
    errand.refresh_from_db()
    assert (questions, errand.status) == (["确定取消这项代办？"], "requested")  # declined: nothing sent
    page.click("#cancel-form button")
    page.wait_for_selector(".flash")
    errand.refresh_from_db()
    assert (len(questions), errand.status) == (2, "cancelled")
    context.close()
