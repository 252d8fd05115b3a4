"""On a phone: the system administrator finds an undelivered message from the menu, reads why and
sends it again; a manager opens their message settings from their name and sets quiet hours."""

from datetime import time

import pytest

from xiachen.notices.enums import OutboxStatus
from xiachen.notices.models import ChannelPreference, OutboxMessage
from xiachen.notices.services import notify

from .conftest import click_menu, sign_in
from .quality import horizontal_overflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_undelivered_messages_and_message_settings_on_a_phone(phone_page, people, settings):
    settings.XIACHEN_CHANNELS = {"sms": {"provider": "console"}, "email": {"provider": "console"}}
    notify(recipients=[people.manager1], kind="community_notice", title="停水通知")
    OutboxMessage.objects.update(status=OutboxStatus.DEAD, attempts=8,
                                 error="aliyun isv.BUSINESS_LIMIT_CONTROL: 触发天级流控Permits:10")
    errors = []
    phone_page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

    phone_page.set_default_timeout(30_000)  # the first page of a cold live server compiles templates
    sign_in(phone_page, people.sysadmin.username)
    click_menu(phone_page, "未送达消息")
    row = phone_page.locator("#dead-letter-table tbody tr").first
    assert "服务商限流或暂时拒收" in row.inner_text() and "停水通知" in row.inner_text()
    assert horizontal_overflow(phone_page) == 0
    phone_page.screenshot(path="/tmp/xiachen-dead-letters-390.png", full_page=True)
    row.get_by_role("button", name="重新发送").click()
    phone_page.wait_for_load_state("networkidle")
    assert "已重新排队发送" in phone_page.locator(".flash").inner_text()
    assert OutboxMessage.objects.get().status == OutboxStatus.PENDING

    phone_page.context.clear_cookies()
    sign_in(phone_page, people.manager1.username)
    phone_page.locator("#current-user").click()
    phone_page.get_by_label("电子邮件").check()
    phone_page.get_by_label("短信").uncheck()
    phone_page.fill("#id_quiet_start", "22:00")
    phone_page.fill("#id_quiet_end", "07:00")
    assert horizontal_overflow(phone_page) == 0
    phone_page.screenshot(path="/tmp/xiachen-message-settings-390.png", full_page=True)
    phone_page.locator("#preferences-form button[type=submit]").click()
    phone_page.wait_for_load_state("networkidle")
    assert "消息接收设置已保存" in phone_page.locator(".flash").inner_text()
    preference = ChannelPreference.objects.get(user=people.manager1)
    assert (preference.by_sms, preference.by_email, preference.quiet_start, preference.quiet_end) == (
        False, True, time(22), time(7))
    assert errors == []
