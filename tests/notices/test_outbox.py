"""The outbox behind the transports: channels per user, claim → commit → send → record, retries with
backoff, dead letters, quiet hours, token buckets — all against the local provider servers."""

from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from tests.fixtures import provider_servers as servers
from xiachen.notices.enums import Channel, OutboxStatus
from xiachen.notices.models import ChannelPreference, OutboxMessage, RateBucket
from xiachen.notices.outbox import backoff
from xiachen.notices.services import deliver_outbox, notify
from xiachen.notices.transports import ChannelRouter

from .conftest import channel_config

ROUTER = "xiachen.notices.transports.ChannelRouter"


@pytest.fixture
def channels(settings, receiver, smtp, mailbox):
    settings.XIACHEN_CHANNELS = channel_config(receiver, smtp)
    settings.XIACHEN_NOTICE_TRANSPORT = ROUTER
    settings.XIACHEN_SITE_URL = "https://xiachen.example.test"
    return receiver


def _local(hour: int, minute: int = 0) -> datetime:
    day = timezone.localdate() + timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _rows(**filters):
    return list(OutboxMessage.objects.filter(**filters).order_by("id"))


def test_a_cadre_gets_sms_and_wecom_and_each_row_keeps_the_providers_id(channels, people):
    servers.WECOM_MEMBERS[people.cadre_user1.cadre.phone] = "li.si"
    notify(recipients=[people.cadre_user1], kind="match.reminder", title="明日 8:00 到江岸区一社区报到",
           link="/deployments/mine/")
    assert deliver_outbox() == 2
    by_channel = {row.channel: row for row in _rows()}
    assert set(by_channel) == {Channel.SMS, Channel.WECOM}
    assert all(row.status == OutboxStatus.SENT and row.attempts == 1 for row in by_channel.values())
    sms, wecom = (next(m for m in channels.accepted if m["provider"] == p) for p in ("aliyun", "wecom"))
    assert sms["params"] == {"content": "报到提醒：明日 8:00 到江岸区一社区报到"}
    assert sms["to"] == people.cadre_user1.cadre.phone
    assert (by_channel[Channel.SMS].provider, by_channel[Channel.SMS].provider_message_id) == ("sms:aliyun", sms["id"])
    assert wecom["text"] == "报到提醒：明日 8:00 到江岸区一社区报到\n详情：https://xiachen.example.test/deployments/mine/"
    assert by_channel[Channel.WECOM].provider_message_id == wecom["id"]
    assert ChannelPreference.objects.get(user=people.cadre_user1).wecom_userid == "li.si"  # looked up once


def test_wecom_token_is_cached_and_refreshed_when_it_expires(channels, people):
    servers.WECOM_MEMBERS[people.cadre_user1.cadre.phone] = "li.si"
    ChannelPreference.objects.create(user=people.cadre_user1, by_sms=False, wecom_userid="li.si")
    notify(recipients=[people.cadre_user1], kind="errand.assigned", title="代买药品")
    notify(recipients=[people.cadre_user1], kind="errand.assigned", title="代取快递")
    assert deliver_outbox() == 2
    assert channels.requests["wecom_gettoken"] == 1
    channels.script("wecom", "expire")  # the next call finds every issued token expired (42001)
    notify(recipients=[people.cadre_user1], kind="errand.assigned", title="代缴水费")
    assert deliver_outbox() == 1
    assert channels.requests["wecom_gettoken"] == 2
    assert [m["text"] for m in channels.accepted] == ["代办任务：代买药品", "代办任务：代取快递", "代办任务：代缴水费"]


def test_rate_limited_message_comes_back_with_backoff_then_goes(channels, people):
    channels.script("aliyun", "limit")
    notify(recipients=[people.resident_user1], kind="community_notice", title="停水通知")
    now = timezone.now()
    assert deliver_outbox(now=now) == 0
    [row] = _rows(channel=Channel.SMS)
    assert (row.status, row.attempts) == (OutboxStatus.PENDING, 1)
    assert row.error == "aliyun isv.BUSINESS_LIMIT_CONTROL: 触发分钟级流控Permits:1"
    assert now + timedelta(seconds=30) <= row.next_attempt_at < now + timedelta(seconds=90)
    assert deliver_outbox(now=now + timedelta(seconds=20)) == 0  # not due yet
    assert deliver_outbox(now=now + timedelta(minutes=2)) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts, row.error) == (OutboxStatus.SENT, 2, "")


def test_after_the_last_attempt_the_message_is_a_dead_letter(channels, people, settings):
    settings.XIACHEN_OUTBOX_MAX_ATTEMPTS = 2
    channels.script("aliyun", "throttle", "limit")
    notify(recipients=[people.resident_user1], kind="community_notice", title="停水通知")
    now = timezone.now()
    deliver_outbox(now=now)
    deliver_outbox(now=now + timedelta(hours=1))
    [row] = _rows(channel=Channel.SMS)
    assert (row.status, row.attempts) == (OutboxStatus.DEAD, 2)
    assert row.error.startswith("aliyun isv.BUSINESS_LIMIT_CONTROL")
    assert deliver_outbox(now=now + timedelta(days=1)) == 0  # dead letters wait for an administrator


def test_a_final_error_is_a_dead_letter_at_once_and_no_address_is_skipped(channels, people, settings):
    settings.XIACHEN_CHANNELS["sms"]["templates"] = {"default": "SMS_NOT_APPROVED"}
    notify(recipients=[people.resident_user1, people.manager1], kind="community_notice", title="停水通知")
    deliver_outbox()
    outcome = {row.notification.recipient_id: (row.status, row.attempts) for row in _rows(channel=Channel.SMS)}
    assert outcome == {people.resident_user1.pk: (OutboxStatus.DEAD, 1),  # the provider refuses the template
                       people.manager1.pk: (OutboxStatus.SKIPPED, 1)}  # a manager without a phone record


def test_residents_receive_sms_only_whatever_their_settings(channels, people):
    ChannelPreference.objects.create(user=people.resident_user1, by_sms=False, by_wecom=True, by_email=True)
    notify(recipients=[people.resident_user1], kind="errand.progress", title="代办已接单")
    deliver_outbox()
    assert [(row.channel, row.status) for row in _rows()] == [(Channel.SMS, OutboxStatus.SENT)]
    assert [m["params"] for m in channels.accepted] == [{"content": "代办进度：代办已接单"}]


def test_channel_preferences_choose_the_rows(channels, people, mailbox):
    people.manager1.email = "manager1@example.test"
    people.manager1.save()
    ChannelPreference.objects.create(user=people.manager1, by_sms=False, by_wecom=False, by_email=True)
    ChannelPreference.objects.create(user=people.worker1, by_sms=False, by_wecom=False, by_email=False)
    notify(recipients=[people.manager1, people.worker1], kind="errand.unassigned", title="有 3 件代办待派")
    assert [row.channel for row in _rows()] == [Channel.EMAIL]
    assert deliver_outbox() == 1
    [mail] = mailbox.messages
    assert mail["to"] == ["manager1@example.test"]
    assert mail["message"]["Subject"] == "【下沉】代办待派：有 3 件代办待派"


def test_quiet_hours_hold_non_urgent_messages_until_they_end(channels, people):
    ChannelPreference.objects.create(user=people.resident_user1, quiet_start=time(22), quiet_end=time(7))
    notify(recipients=[people.resident_user1], kind="community_notice", title="明日停水")
    notify(recipients=[people.resident_user1], kind="fever_alert", title="门岗发热预警")
    assert deliver_outbox(now=_local(23, 30)) == 2  # the urgent one: by SMS and to the 钉钉 group
    held = OutboxMessage.objects.get(notification__kind="community_notice", channel=Channel.SMS)
    assert (held.status, held.attempts) == (OutboxStatus.PENDING, 0)
    assert held.next_attempt_at == _local(7) + timedelta(days=1)
    assert deliver_outbox(now=_local(6, 59) + timedelta(days=1)) == 0
    assert deliver_outbox(now=_local(7) + timedelta(days=1)) == 1


def test_group_robots_carry_their_kinds_once_per_announcement(channels, people):
    notify(recipients=[people.manager1, people.worker1], kind="fever_alert", title="1 号门岗体温 38.2℃")
    notify(recipients=[people.sysadmin], kind="security", title="验证码请求异常")
    deliver_outbox()
    robots = [(m["provider"], m["text"]) for m in channels.accepted if m["provider"] in ("dingtalk", "wecom_robot")]
    assert robots == [("dingtalk", "发热预警：1 号门岗体温 38.2℃"), ("wecom_robot", "安全提醒：验证码请求异常")]


def test_the_provider_bucket_holds_back_what_exceeds_the_rate(channels, people, settings):
    settings.XIACHEN_CHANNELS["sms"] |= {"per_second": 0.5, "burst": 1}
    ChannelPreference.objects.create(user=people.cadre_user1, by_wecom=False)
    notify(recipients=[people.resident_user1, people.cadre_user1], kind="community_notice", title="停水通知")
    now = timezone.now()
    assert deliver_outbox(now=now) == 1
    waiting = OutboxMessage.objects.get(status=OutboxStatus.PENDING)
    assert (waiting.attempts, waiting.next_attempt_at) == (0, now + timedelta(seconds=2))
    assert RateBucket.objects.get(key="sms:aliyun").tokens == 0
    assert deliver_outbox(now=now + timedelta(seconds=2)) == 1


def test_a_row_whose_worker_died_is_claimed_again_after_its_lease(channels, people):
    notify(recipients=[people.resident_user1], kind="community_notice", title="停水通知")
    now = timezone.now()
    OutboxMessage.objects.update(status=OutboxStatus.SENDING, claimed_until=now + timedelta(minutes=1))
    assert deliver_outbox(now=now) == 0
    assert deliver_outbox(now=now + timedelta(minutes=2)) == 1


class ObservingRouter(ChannelRouter):
    """The real router, noting whether a transaction was open whenever it called a provider."""

    inside_transaction: list[bool] = []

    def send(self, message):
        self.inside_transaction.append(connection.in_atomic_block)
        return super().send(message)


@pytest.mark.django_db(transaction=True)
def test_providers_are_called_with_no_transaction_open(channels, people, settings):
    settings.XIACHEN_NOTICE_TRANSPORT = "tests.notices.test_outbox.ObservingRouter"
    ObservingRouter.inside_transaction = []
    notify(recipients=[people.resident_user1, people.cadre_user1], kind="community_notice", title="停水通知")
    deliver_outbox()
    assert ObservingRouter.inside_transaction == [False] * 3  # SMS to each, 企业微信 to the cadre


def test_backoff_doubles_with_jitter_and_is_capped():
    for attempts, middle in [(1, 60), (2, 120), (5, 960)]:
        delays = {backoff(attempts, base=60, cap=3600).total_seconds() for _ in range(50)}
        assert all(middle * 0.5 <= d < middle * 1.5 for d in delays)
        assert len(delays) > 1  # jittered
    assert backoff(30, base=60, cap=3600) < timedelta(seconds=5400)
