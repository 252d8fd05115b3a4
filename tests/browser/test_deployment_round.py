"""The whole round in the browser: create, choose scope, run with progress, read an explanation,
confirm and decline as the agency, re-match, publish, and arrival check-in by QR on a phone."""

import re

import pytest

from xiachen.deployments.enums import MatchStatus, RoundStatus
from xiachen.deployments.models import Round

from ..deployments.conftest import make_demand
from ..factories import CadreFactory
from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demands(tree, people):
    home = {"home_latitude": "30.580000", "home_longitude": "114.300000"}
    for i in range(2):
        CadreFactory(agency=tree.agency1, specialties=["audit"], name=f"审计员{i}", **home)
        CadreFactory(agency=tree.agency2, specialties=["medicine"], name=f"医生{i}", **home)
    return [make_demand(tree.community1, "finance_audit_support", people.org_department),
            make_demand(tree.community1, "quarantine_service", people.org_department, needs_medical=True)]


def test_whole_round_from_creation_to_check_in(page, phone_page, people, demands, tree):
    sign_in(page, "org")
    page.goto(f"{page.base_url}/deployments/rounds/new/")
    page.fill("#id_name", "十二月常态化下沉")
    page.fill("#id_start", "2026-12-01")
    page.fill("#id_end", "2026-12-31")
    page.click("#round-form button[type=submit]")
    for box in page.locator("#scope-form input[name=demands]").all():
        box.check()
    page.fill(f"input[name='quota-{tree.agency1.public_id}']", "2")
    page.fill(f"input[name='quota-{tree.agency2.public_id}']", "2")
    page.click("#scope-form button[type=submit]")
    page.click("#run-matching")
    page.wait_for_selector("#plan-table")
    assert page.locator("#round-status").inner_text() == "待审核"
    assert "已证明最优" in page.locator("#round-result").inner_text()
    finance_row = page.locator("#plan-table tbody tr", has_text="财务审计支援")
    cells = finance_row.locator("td").all_inner_texts()
    assert cells[5] == "+20" and cells[8] == "120"
    round_ = Round.objects.get(name="十二月常态化下沉")
    first_auditor = round_.matches.get(demand__post_type__code="finance_audit_support").cadre

    page.context.clear_cookies()
    sign_in(page, "liaison1")
    page.goto(f"{page.base_url}/deployments/nominations/")
    row = page.locator("#nomination-table tbody tr", has_text=first_auditor.name)
    row.locator("input[name=reason]").fill("年底审计任务重")
    row.locator("button.decline").click()
    assert round_.matches.get(cadre=first_auditor).status == MatchStatus.DECLINED
    # declined for the whole round unless the agency says otherwise (issue #16 item 14)
    assert "本轮不再推荐" in row.locator(".other-posts").inner_text()
    assert row.locator("button.other-posts-toggle").inner_text() == "允许推荐到本轮其他岗位"

    page.context.clear_cookies()
    sign_in(page, "org")
    page.goto(f"{page.base_url}/deployments/rounds/{round_.public_id}/")
    page.click("#rematch")
    page.wait_for_selector("#plan-table")
    replacement = round_.matches.get(demand__post_type__code="finance_audit_support", status=MatchStatus.PROPOSED)
    assert replacement.cadre != first_auditor

    for username in ("liaison1", "liaison2"):
        page.context.clear_cookies()
        sign_in(page, username)
        page.goto(f"{page.base_url}/deployments/nominations/")
        while page.locator("#nomination-table button.confirm").count():
            page.locator("#nomination-table button.confirm").first.click()

    page.context.clear_cookies()
    sign_in(page, "org")
    page.goto(f"{page.base_url}/deployments/rounds/{round_.public_id}/")
    page.click("#publish")
    assert page.locator("#round-status").inner_text() == "已发布"

    page.context.clear_cookies()
    sign_in(page, "manager1")
    page.goto(f"{page.base_url}/deployments/units/{tree.community1.public_id}/checkin-code/")
    checkin_url = page.locator("#checkin-url").inner_text()
    assert re.match(rf"{page.base_url}/deployments/checkin/[^/]+/$", checkin_url)

    cadre = replacement.cadre
    cadre.user = people.cadre_user1.__class__.objects.create_user("auditor-phone", password="correct-horse-battery")
    cadre.save()
    sign_in(phone_page, "auditor-phone")
    phone_page.goto(checkin_url)
    phone_page.click("#checkin-confirm")
    assert "已于" in phone_page.locator("#checkin-done").inner_text()
    replacement.refresh_from_db()
    assert replacement.status == MatchStatus.ARRIVED
    assert round_.__class__.objects.get(pk=round_.pk).status == RoundStatus.PUBLISHED
