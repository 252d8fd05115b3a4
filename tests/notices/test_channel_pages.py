"""The system administrator's list of undelivered messages (retry, discard, audited) and each user's
own channel settings page."""

from datetime import time

import pytest
from django.urls import reverse

from xiachen.audit.models import AuditEvent
from xiachen.notices.enums import Channel, OutboxStatus
from xiachen.notices.models import ChannelPreference, OutboxMessage
from xiachen.notices.services import notify


def _dead(people, count: int = 1, error: str = "aliyun isv.SMS_TEMPLATE_ILLEGAL: 该账号下找不到对应模板"):
    notify(recipients=[people.manager1, people.worker1, people.cadre_user1][:count], kind="community_notice",
           title="停水通知")
    OutboxMessage.objects.update(status=OutboxStatus.DEAD, attempts=1, error=error)
    return list(OutboxMessage.objects.order_by("id"))


def test_the_administrator_reads_why_and_retries_a_dead_letter(client, people):
    [message] = _dead(people)
    client.force_login(people.sysadmin)
    home = client.get(reverse("accounts:home")).content.decode()
    assert reverse("notices:dead_letters") in home  # in the 系统 menu
    page = client.get(reverse("notices:dead_letters")).content.decode()
    assert "短信模板未配置、不存在或未通过审核" in page
    assert 'title="aliyun isv.SMS_TEMPLATE_ILLEGAL' in page
    response = client.post(reverse("notices:dead_letter_retry", args=[message.public_id]), {"status": "dead"})
    assert response.status_code == 302
    message.refresh_from_db()
    assert (message.status, message.attempts, message.next_attempt_at) == (OutboxStatus.PENDING, 0, None)
    event = AuditEvent.objects.get(action="outbox.retried")
    assert (event.actor_id, event.fields) == (people.sysadmin.pk, {"from": "dead"})


def test_the_administrator_discards_a_dead_letter_and_finds_it_under_discarded(client, people):
    [message] = _dead(people)
    client.force_login(people.sysadmin)
    client.post(reverse("notices:dead_letter_discard", args=[message.public_id]))
    message.refresh_from_db()
    assert message.status == OutboxStatus.DISCARDED
    assert AuditEvent.objects.filter(action="outbox.discarded", actor_id=people.sysadmin.pk).count() == 1
    assert "停水通知" not in client.get(reverse("notices:dead_letters")).content.decode()
    assert "停水通知" in client.get(reverse("notices:dead_letters") + "?status=discarded").content.decode()
    response = client.post(reverse("notices:dead_letter_discard", args=[message.public_id]))
    assert response.status_code == 404  # no longer a dead letter


@pytest.mark.parametrize("count", [1, 3])
def test_the_dead_letter_list_costs_the_same_queries_for_1_and_3(client, people, count, django_assert_num_queries):
    _dead(people, count)
    client.force_login(people.sysadmin)
    client.get(reverse("notices:dead_letters"))  # warm the session and memberships caches
    with django_assert_num_queries(5):
        page = client.get(reverse("notices:dead_letters")).content.decode()
    assert page.count("重新发送</button>") == count


def test_a_user_chooses_channels_and_quiet_hours(client, people, settings):
    settings.XIACHEN_CHANNELS = {"sms": {"provider": "console"}, "email": {"provider": "console"}}
    client.force_login(people.manager1)
    assert reverse("notices:preferences") in client.get(reverse("notices:inbox")).content.decode()
    page = client.get(reverse("notices:preferences")).content.decode()
    assert 'value="email"' in page and 'value="wecom"' not in page  # only what this deployment offers
    assert reverse("accounts:password_change") in page  # changing one's own password is a click away
    response = client.post(reverse("notices:preferences"),
                           {"channels": ["email"], "quiet_start": "22:00", "quiet_end": "07:00"})
    assert response.status_code == 302
    preference = ChannelPreference.objects.get(user=people.manager1)
    assert (preference.by_sms, preference.by_email, preference.quiet_start, preference.quiet_end) == (
        False, True, time(22), time(7))
    assert AuditEvent.objects.get(action="notices.preferences_changed").fields == {
        "channels": ["email"], "quiet_hours": True}
    notify(recipients=[people.manager1], kind="errand.unassigned", title="有代办待派")
    assert list(OutboxMessage.objects.values_list("channel", flat=True)) == [Channel.EMAIL]


def test_quiet_hours_need_both_ends(client, people):
    client.force_login(people.manager1)
    page = client.post(reverse("notices:preferences"), {"channels": ["sms"], "quiet_start": "22:00"})
    assert "请同时填写免打扰的开始和结束时间，或都留空" in page.content.decode()
    assert not ChannelPreference.objects.filter(user=people.manager1).exists()
