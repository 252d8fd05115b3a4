"""On phones: a community manager calls out members and watches the replies arrive (a member replies
through the link in their message, in another browser); an agency liaison downloads the quarterly
feedback."""

import re
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import openpyxl
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.callouts.test_callouts import _member
from xiachen.notices.models import Notification
from xiachen.volunteers.enums import RecordSource, RecordStatus
from xiachen.volunteers.models import ServiceRecord

from .conftest import click_menu, sign_in
from .quality import PageWatch, horizontal_overflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_community_calls_out_and_watches_replies_arrive(browser, phone_page, tree, people):
    near = _member(tree, tree.compound1, "近邻")
    _member(tree, tree.compound1, "邻居")
    caller = phone_page
    watch = PageWatch(caller)
    sign_in(caller, "manager1")
    click_menu(caller, "应急动员")
    caller.click("#callout-new")
    caller.select_option("#id_area", label="车站路社区")
    caller.fill("#id_title", "防汛值守")
    caller.fill("#id_need", "今晚沿江巡查排水口")
    caller.fill("#id_place", "社区党群服务中心")
    start = timezone.now() + timedelta(days=1)
    caller.fill("#id_starts_at", _local(start))
    caller.fill("#id_reply_deadline", _local(timezone.now() + timedelta(hours=2)))
    caller.fill("#id_headcount", "1")
    caller.fill("#id_invite_factor", "2")
    caller.click("#callout-form button[type=submit]")
    caller.wait_for_selector("#callout-preview")  # the draft shows who fits best, before sending
    assert "近邻" in caller.inner_text("#callout-preview")
    caller.click("#callout-send")
    caller.wait_for_selector("#callout-progress")
    assert "可以 0 / 需要 1" in caller.inner_text("#callout-counts")
    assert horizontal_overflow(caller) == 0

    body = Notification.objects.get(recipient=near.user, kind="volunteers.call_out").body
    link = re.search(r"/volunteers/callouts/reply/\S+/", body).group(0)
    member_context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    member = member_context.new_page()
    member.goto(caller.base_url + link)  # no login: the signed link is enough
    assert "今晚沿江巡查排水口" in member.inner_text("main")
    member.click("#reply-yes")
    member.wait_for_selector("#reply-done")
    assert "可以" in member.inner_text("#reply-done")
    member_context.close()

    # the caller's page polls and shows the reply without a reload
    expect(caller.locator("#callout-counts")).to_contain_text("可以 1 / 需要 1", timeout=15_000)
    assert "已满员" in caller.inner_text("#callout-status")
    assert "可以（链接）" in caller.inner_text("#invite-table")
    assert watch.problems == []


def test_agency_liaison_downloads_the_quarterly_feedback(phone_page, tree, people):
    member = _member(tree, tree.compound1, "近邻", agency=tree.agency1)
    ServiceRecord.objects.create(member=member, community=tree.community1, source=RecordSource.POST,
                                 served_on=timezone.localdate(), minutes=120, status=RecordStatus.APPROVED, rating=5,
                                 comment="认真负责")
    liaison = phone_page
    watch = PageWatch(liaison)
    sign_in(liaison, "liaison1")
    click_menu(liaison, "季度服务反馈")
    assert "近邻" in liaison.inner_text("#feedback-table") and "认真负责" in liaison.inner_text("#feedback-table")
    assert horizontal_overflow(liaison) == 0
    with liaison.expect_download() as download:
        liaison.click("#feedback-xlsx")
    sheet = openpyxl.load_workbook(BytesIO(Path(download.value.path()).read_bytes())).active
    assert sheet["A2"].value == "近邻" and sheet["F2"].value == 2
    with liaison.expect_download() as pdf:
        liaison.click("#feedback-pdf")
    assert Path(pdf.value.path()).read_bytes()[:5] == b"%PDF-"
    assert watch.problems == []
