"""Real provider servers on 127.0.0.1 for the transport tests: one HTTP receiver (SMS, 企业微信,
钉钉) and two SMTP servers (STARTTLS, SMTPS), started once per test process."""

import pytest

from tests.fixtures import provider_servers as servers


@pytest.fixture(scope="session")
def provider_receiver():
    receiver = servers.ProviderReceiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture
def receiver(provider_receiver):
    """The shared receiver, with no scripted answers, accepted messages or issued tokens left over."""
    provider_receiver.reset()
    yield provider_receiver
    provider_receiver.reset()


@pytest.fixture(scope="session")
def smtp(tmp_path_factory):
    mailbox, starttls_port, smtps_port, ca, stop = servers.start_smtp_servers(tmp_path_factory.mktemp("smtp"))
    yield {"mailbox": mailbox, "starttls": starttls_port, "smtps": smtps_port, "ca": ca}
    stop()


@pytest.fixture
def mailbox(smtp):
    smtp["mailbox"].messages.clear()
    return smtp["mailbox"]


def channel_config(receiver, smtp=None, **overrides) -> dict:
    """XIACHEN_CHANNELS pointing every provider at the local servers."""
    config = {
        "sms": {"provider": "aliyun", **servers.ALIYUN, "sign_name": "下沉平台", "endpoint": f"{receiver.url}/aliyun/",
                "templates": {"default": "SMS_100001", "login_code": "SMS_100002"}},
        "wecom": {"provider": "wecom", **servers.WECOM, "endpoint": f"{receiver.url}/wecom"},
        "wecom_robot": {"provider": "wecom_robot", "kinds": ["security"],
                        "webhook": f"{receiver.url}/wecom/cgi-bin/webhook/send?key={servers.WECOM_ROBOT_KEY}"},
        "dingtalk": {"provider": "dingtalk", "secret": servers.DINGTALK["secret"], "kinds": ["fever_alert"],
                     "webhook": f"{receiver.url}/dingtalk/robot/send?access_token={servers.DINGTALK['access_token']}"},
    }
    if smtp:
        config["email"] = {"provider": "smtp", "host": "127.0.0.1", "port": smtp["starttls"], "security": "starttls",
                           "username": servers.SMTP_USER, "password": servers.SMTP_PASSWORD,
                           "from_address": "noreply@xiachen.example.test", "ca_file": smtp["ca"]}
    return config | overrides


def tencent_config(receiver, **overrides) -> dict:
    return {"provider": "tencent", **servers.TENCENT, "sign_name": "下沉平台", "endpoint": f"{receiver.url}/tencent/",
            "templates": {"default": "100001", "login_code": "100002"}} | overrides
