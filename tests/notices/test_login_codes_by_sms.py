"""Residents' sign-in codes go by SMS through the configured provider, and never into a log; the
production check refuses channels left on the console."""

import json
import logging
import re

import pytest

from xiachen.notices.transports import send_login_code
from xiachen.ops.checks import no_demo_stand_ins_in_production
from xiachen.resident.services import phone_index_of, request_code, verify_code

from .conftest import channel_config, tencent_config

SENDER = "xiachen.notices.transports.send_login_code"
ROUTER = "xiachen.notices.transports.ChannelRouter"


@pytest.fixture
def sms_codes(settings, receiver, caplog):
    settings.XIACHEN_CHANNELS = {"sms": tencent_config(receiver)}
    settings.XIACHEN_LOGIN_CODE_SENDER = SENDER
    caplog.set_level(logging.DEBUG)
    return receiver


def test_a_residents_code_arrives_by_sms_and_signs_them_in(sms_codes, resident1, caplog,
                                                         django_capture_on_commit_callbacks):
    phone_index = phone_index_of(resident1.phone)
    with django_capture_on_commit_callbacks(execute=True):
        request_code(phone_index=phone_index)
    [sms] = sms_codes.accepted
    assert (sms["to"], sms["template"]) == ("+86" + resident1.phone, "100002")
    [code] = sms["params"]
    assert re.fullmatch(r"\d{6}", code)
    assert verify_code(phone_index=phone_index, code=code) == resident1
    assert code not in caplog.text


def test_a_code_the_provider_refuses_is_logged_without_code_or_number(sms_codes, resident1, caplog):
    sms_codes.script("tencent", "limit")
    send_login_code(resident=resident1, code="480213")
    assert sms_codes.accepted == []
    [warning] = [r for r in caplog.records if r.levelno == logging.WARNING and r.name == "xiachen.notices"]
    assert "LimitExceeded.PhoneNumberThirtySecondLimit" in warning.getMessage()
    assert "480213" not in caplog.text
    assert resident1.phone not in caplog.text


@pytest.fixture
def production(settings):
    settings.XIACHEN_PRODUCTION = True
    settings.XIACHEN_NOTICE_TRANSPORT = ROUTER
    settings.XIACHEN_LOGIN_CODE_SENDER = SENDER
    return settings


def _errors() -> list[str]:
    return [f"{error.id} {error.msg}" for error in no_demo_stand_ins_in_production(None)]


def test_production_refuses_channels_left_on_the_console_or_missing(production, receiver):
    production.XIACHEN_CHANNELS = channel_config(receiver) | {"sms": {"provider": "console"}}
    errors = _errors()
    assert len(errors) == 2  # codes and notifications both go through the console SMS
    assert all(e.startswith("xiachen.E001") and "XIACHEN_CHANNELS['sms']" in e for e in errors)
    production.XIACHEN_CHANNELS = {}
    assert [e.split(" ")[0] for e in _errors()] == ["xiachen.E001", "xiachen.E001"]
    production.XIACHEN_CHANNELS = channel_config(receiver)
    assert _errors() == []


def test_production_settings_send_through_the_configured_channels(tmp_path):
    """production.py (read by a fresh interpreter, without starting Django: fast) routes notifications
    and codes through XIACHEN_CHANNELS when it is set; the check above then judges those channels."""
    import subprocess
    import sys

    from tests.core.test_production_settings import ROOT, _production

    read = "import config.settings.production as p; print(p.XIACHEN_NOTICE_TRANSPORT, p.XIACHEN_LOGIN_CODE_SENDER)"
    for channels, expected in [({"sms": {"provider": "console"}}, f"{ROUTER} {SENDER}"),
                               ({"email": {"provider": "smtp"}}, f"{ROUTER} "), ({}, " ")]:
        env = _production(tmp_path, XIACHEN_CHANNELS=json.dumps(channels))
        result = subprocess.run([sys.executable, "-c", read], cwd=ROOT, env=env, capture_output=True, text=True,
                                check=True)
        assert result.stdout.rstrip("\n") == expected, channels
