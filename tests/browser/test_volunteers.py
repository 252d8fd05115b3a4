"""双报到 on a phone (390 px): a resident who is an in-service party member reports to their
community, is confirmed, signs up for an activity, signs in and out with the QR code the organizer's
page shows (decoded off a screenshot), and sees the hours the organizer approved (1366-px office page)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from xiachen.volunteers.models import Member, Pairing
from xiachen.volunteers.services.registration import review_member

from ..volunteers.world import list_entry_for, make_activity
from .conftest import click_menu, sign_in
from .quality import PageWatch, decode_qr, horizontal_overflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _settled(page, watch: PageWatch) -> None:
    page.wait_for_load_state("networkidle")
    assert horizontal_overflow(page) <= 0, f"{page.url} is wider than the phone"
    assert watch.problems == [], "\n".join(watch.problems)


def test_member_reports_signs_up_scans_and_sees_hours(phone_page, page, tree, people, resident1):
    Pairing.objects.create(agency=tree.agency1, community=tree.community1, started_on=timezone.localdate())
    list_entry_for(resident1, tree.agency1)
    activity = make_activity(tree.community1, title="敬老院义务理发", starts_in=timedelta(minutes=30),
                             signup_deadline=timezone.now() + timedelta(minutes=20), points_per_hour=10)
    phone, watch = phone_page, PageWatch(phone_page)
    phone.set_default_navigation_timeout(60_000)  # the first request of a run imports the whole URLconf
    sign_in(phone, "resident1")
    watch.clear()

    # 1. report to the community from the resident home
    phone.click("#volunteer-link")
    phone.click("#register-link")
    _settled(phone, watch)
    phone.select_option("#id_agency", label=tree.agency1.name)
    phone.fill("#id_id_number", resident1.id_number)
    phone.click("#register-submit")
    assert phone.locator("#registration-status").inner_text() == "待确认"
    _settled(phone, watch)
    review_member(by=people.manager1, member=Member.objects.get(resident=resident1), confirm=True)

    # 2. sign up for the activity
    phone.reload()
    phone.locator("#activity-list a").filter(has_text=activity.title).click()
    phone.click("#sign-up")
    assert phone.locator("#signup-status").inner_text() == "已报名"
    _settled(phone, watch)

    # 3. the organizer's page shows the sign-in QR code; the member's phone opens what it encodes
    sign_in(page, "manager1")
    click_menu(page, "志愿活动")
    page.get_by_role("link", name=activity.title).click()
    scan_url = decode_qr(page, "#activity-qr")
    assert scan_url == page.locator("#activity-qr-url").inner_text()
    for expected in ("已签到", "已签退"):
        phone.goto(scan_url)
        _settled(phone, watch)
        phone.click("#scan-button")
        assert phone.locator("#signup-status").inner_text() == expected

    # 4. the organizer approves two hours with a rating; the member sees them
    click_menu(page, "服务时长审核")
    row = page.locator("#record-table tbody tr").filter(has_text=resident1.name)
    row.locator("input[name=minutes]").fill("120")
    row.locator("select[name=rating]").select_option("5")
    row.locator("input[name=comment]").fill("耐心细致")
    row.get_by_role("button", name="认定", exact=True).click()
    assert "已认定服务时长" in page.locator(".flash").inner_text()
    phone.goto(f"{phone.base_url}/r/")
    phone.click("#volunteer-link")
    _settled(phone, watch)
    assert "2.0 小时 · 20 积分" in phone.locator("#hours-by-year").inner_text()
    assert phone.locator("#points-balance").inner_text() == "20"
