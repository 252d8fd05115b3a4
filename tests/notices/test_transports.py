"""Each provider's transport against a local server that checks the request the way the provider
documents it (tests/fixtures/provider_servers.py) and answers with the provider's own bodies."""

import re

import pytest

from tests.fixtures import provider_servers as servers
from xiachen.notices.transports import TransportError
from xiachen.notices.transports.aliyun import AliyunSms
from xiachen.notices.transports.dingtalk import DingTalkRobot
from xiachen.notices.transports.email import SmtpEmail
from xiachen.notices.transports.tencent import TencentSms
from xiachen.notices.transports.wecom import WeComRobot

from .conftest import channel_config, tencent_config

PHONE = "13912345678"


def test_aliyun_sms_is_signed_as_documented_and_returns_the_biz_id(receiver):
    sms = AliyunSms(channel_config(receiver)["sms"])
    biz_id = sms.send_sms(phone=PHONE, template="SMS_100001", params={"content": "报到提醒：明日 8 点报到"})
    assert receiver.accepted == [{"provider": "aliyun", "to": PHONE, "sign_name": "下沉平台", "template": "SMS_100001",
                                  "params": {"content": "报到提醒：明日 8 点报到"}, "id": biz_id}]


def test_aliyun_sms_with_a_wrong_secret_is_refused_for_good(receiver):
    sms = AliyunSms(channel_config(receiver)["sms"] | {"access_key_secret": "not-the-secret"})
    with pytest.raises(TransportError, match="SignatureDoesNotMatch") as refused:
        sms.send_sms(phone=PHONE, template="SMS_100001", params={"content": "x"})
    assert refused.value.retry is False
    assert receiver.accepted == []


@pytest.mark.parametrize(("answer", "code"), [("limit", "isv.BUSINESS_LIMIT_CONTROL"), ("throttle", "Throttling.User")])
def test_aliyun_rate_limits_are_retried_later(receiver, answer, code):
    receiver.script("aliyun", answer)
    sms = AliyunSms(channel_config(receiver)["sms"])
    with pytest.raises(TransportError, match=re.escape(code)) as limited:
        sms.send_sms(phone=PHONE, template="SMS_100001", params={"content": "x"})
    assert limited.value.retry is True
    assert sms.send_sms(phone=PHONE, template="SMS_100001", params={"content": "x"})  # the next one passes


def test_aliyun_unknown_template_and_bad_number_are_final(receiver):
    sms = AliyunSms(channel_config(receiver)["sms"])
    with pytest.raises(TransportError, match=r"isv\.SMS_TEMPLATE_ILLEGAL") as template:
        sms.send_sms(phone=PHONE, template="SMS_999", params={})
    with pytest.raises(TransportError, match=r"isv\.MOBILE_NUMBER_ILLEGAL") as number:
        sms.send_sms(phone="1391234", template="SMS_100001", params={})
    assert (template.value.retry, number.value.retry) == (False, False)


def test_tencent_sms_is_signed_with_tc3_and_returns_the_serial_number(receiver):
    sms = TencentSms(tencent_config(receiver))
    serial = sms.send_sms(phone=PHONE, template="100002", params={"code": "123456"})
    assert serial.startswith("2640:")
    assert receiver.accepted == [{"provider": "tencent", "to": "+86" + PHONE, "sign_name": "下沉平台",
                                  "template": "100002", "params": ["123456"], "id": serial}]


def test_tencent_wrong_key_and_unapproved_template_are_final(receiver):
    with pytest.raises(TransportError, match=r"AuthFailure\.SignatureFailure") as signature:
        TencentSms(tencent_config(receiver, secret_key="wrong")).send_sms(phone=PHONE, template="100001", params={})
    with pytest.raises(TransportError, match="TemplateIncorrectOrUnapproved") as template:
        TencentSms(tencent_config(receiver)).send_sms(phone=PHONE, template="7", params={})
    assert (signature.value.retry, template.value.retry) == (False, False)


@pytest.mark.parametrize(("answer", "code"), [("limit", "LimitExceeded.PhoneNumberThirtySecondLimit"),
                                              ("request_limit", "RequestLimitExceeded")])
def test_tencent_limits_are_retried_later(receiver, answer, code):
    receiver.script("tencent", answer)
    with pytest.raises(TransportError, match=re.escape(code)) as limited:
        TencentSms(tencent_config(receiver)).send_sms(phone=PHONE, template="100001", params={"content": "x"})
    assert limited.value.retry is True
    assert receiver.accepted == []


def test_dingtalk_robot_signs_the_timestamp(receiver):
    robot = DingTalkRobot(channel_config(receiver)["dingtalk"])
    robot.send_text(text="发热预警：1 号门岗")
    assert receiver.accepted == [{"provider": "dingtalk", "text": "发热预警：1 号门岗"}]
    receiver.script("dingtalk", "limit")
    with pytest.raises(TransportError, match="130101") as limited:
        robot.send_text(text="again")
    assert limited.value.retry is True


def test_dingtalk_robot_with_a_wrong_secret_is_refused(receiver):
    robot = DingTalkRobot(channel_config(receiver)["dingtalk"] | {"secret": "SEC-wrong"})
    with pytest.raises(TransportError, match="310000") as refused:
        robot.send_text(text="x")
    assert refused.value.retry is False
    assert receiver.accepted == []


def test_wecom_group_robot_posts_to_its_webhook(receiver):
    config = channel_config(receiver)["wecom_robot"]
    WeComRobot(config).send_text(text="安全提醒")
    receiver.script("wecom_robot", "limit")
    with pytest.raises(TransportError, match="45009") as limited:
        WeComRobot(config).send_text(text="again")
    with pytest.raises(TransportError, match="93000") as wrong_key:
        WeComRobot({"webhook": config["webhook"].replace(servers.WECOM_ROBOT_KEY, "other")}).send_text(text="x")
    assert receiver.accepted == [{"provider": "wecom_robot", "text": "安全提醒"}]
    assert (limited.value.retry, wrong_key.value.retry) == (True, False)


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_email_goes_over_verified_tls_with_login(smtp, mailbox, receiver, security):
    port = smtp["starttls"] if security == "starttls" else smtp["smtps"]
    config = channel_config(receiver, smtp)["email"] | {"port": port, "security": security}
    message_id = SmtpEmail(config).send_mail(to="li@example.test", subject="【下沉】报到提醒", text="明日 8 点报到")
    [received] = mailbox.messages
    assert (received["tls"], received["authenticated"]) == (True, True)
    assert received["to"] == ["li@example.test"]
    assert received["message"]["Message-ID"] == message_id
    assert received["message"]["Subject"] == "【下沉】报到提醒"
    assert received["message"].get_content().strip() == "明日 8 点报到"


def test_email_refusals_are_final_or_retried_by_the_servers_code(smtp, mailbox, receiver):
    email = SmtpEmail(channel_config(receiver, smtp)["email"])
    with pytest.raises(TransportError, match="550") as refused:
        email.send_mail(to="x@refused.example.test", subject="s", text="t")
    with pytest.raises(TransportError, match="451") as busy:
        email.send_mail(to="x@busy.example.test", subject="s", text="t")
    with pytest.raises(TransportError, match="535") as wrong_password:
        SmtpEmail(channel_config(receiver, smtp)["email"] | {"password": "wrong"}).send_mail(
            to="li@example.test", subject="s", text="t")
    assert (refused.value.retry, busy.value.retry, wrong_password.value.retry) == (False, True, False)
    assert mailbox.messages == []


def test_email_refuses_a_server_whose_certificate_it_cannot_verify(smtp, mailbox, receiver):
    config = channel_config(receiver, smtp)["email"] | {"ca_file": ""}  # system CAs do not know the test CA
    with pytest.raises(TransportError, match="SSLCertVerificationError") as unverified:
        SmtpEmail(config).send_mail(to="li@example.test", subject="s", text="t")
    assert unverified.value.retry is True
    assert mailbox.messages == []


def test_a_number_a_provider_echoes_back_is_masked_in_the_stored_error():
    error = TransportError("aliyun isv.MOBILE_NUMBER_ILLEGAL: 13912345678 非法手机号", retry=False)
    assert str(error) == "aliyun isv.MOBILE_NUMBER_ILLEGAL: 139****5678 非法手机号"
