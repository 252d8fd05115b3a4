import time

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import override_settings
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from xiachen.accounts.middleware import LAST_SEEN, SIGNED_IN
from xiachen.accounts.services import disable_user
from xiachen.audit.models import AuditEvent

PASSWORD = "correct-horse-battery"


def _login(client, username, password=PASSWORD, ip="10.0.0.1"):
    return client.post(reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_login_lands_on_home(client, people):
    response = _login(client, "manager1")
    assert response.status_code == 302
    assert response.url == reverse("accounts:home")


def test_unknown_user_and_wrong_password_get_the_same_message(client, people):
    unknown = _login(client, "nobody-here").content.decode()
    wrong = _login(client, "manager1", "wrong-password").content.decode()
    assert "用户名或密码不正确" in unknown
    assert "用户名或密码不正确" in wrong


def test_five_failures_lock_the_username_and_ip_pair(client, people):
    for _ in range(5):
        _login(client, "manager1", "wrong-password")
    locked = _login(client, "manager1")  # the right password no longer helps
    assert locked.status_code == 429
    assert "锁定15分钟" in locked.content.decode()
    assert SESSION_KEY not in client.session
    other_ip = _login(client, "manager1", ip="10.0.0.2")
    assert other_ip.status_code == 302


def test_lockout_lifts_after_fifteen_minutes(client, people):
    from axes.models import AccessAttempt

    for _ in range(5):
        _login(client, "manager1", "wrong-password")
    assert _login(client, "manager1").status_code == 429
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.first().attempt_time.replace(year=2000))
    assert _login(client, "manager1").status_code == 302


def test_unknown_user_locks_out_with_the_same_page(client, people):
    for _ in range(5):
        _login(client, "ghost", "x")
    assert _login(client, "ghost", "x").status_code == 429


def test_successful_login_resets_the_failure_count(client, people):
    for _ in range(4):
        _login(client, "manager1", "wrong-password")
    assert _login(client, "manager1").status_code == 302
    client.logout()
    for _ in range(4):
        _login(client, "manager1", "wrong-password")
    assert _login(client, "manager1").status_code == 302


@override_settings(XIACHEN_REQUIRE_TOTP=True)
def test_staff_must_enrol_and_then_present_totp(client, people):
    _login(client, "manager1")
    assert client.get(reverse("accounts:home")).url == reverse("accounts:otp_setup")
    client.get(reverse("accounts:otp_setup"))
    device = TOTPDevice.objects.get(user=people.manager1)
    client.post(reverse("accounts:otp_setup"), {"otp_token": _token(device)})
    assert client.get(reverse("accounts:home")).status_code == 200
    client.logout()
    _login(client, "manager1")
    assert client.get(reverse("accounts:home")).url.startswith(reverse("accounts:otp_verify") + "?next=")


@override_settings(XIACHEN_REQUIRE_TOTP=True)
def test_wrong_totp_code_is_refused_with_a_chinese_message(client, people):
    _login(client, "manager1")
    client.get(reverse("accounts:otp_setup"))
    device = TOTPDevice.objects.get(user=people.manager1)
    wrong = "000000" if _token(device) != "000000" else "111111"
    response = client.post(reverse("accounts:otp_setup"), {"otp_token": wrong})
    assert "验证码不正确" in response.content.decode()
    assert client.get(reverse("accounts:home")).url == reverse("accounts:otp_setup")


@override_settings(XIACHEN_REQUIRE_TOTP=True)
def test_residents_need_no_second_factor(client, people):
    _login(client, "resident1")
    response = client.get(reverse("accounts:home"))
    assert response.status_code == 302 and response["Location"] == reverse("resident:home")
    assert client.get(reverse("resident:home")).status_code == 200


def _token(device) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():06d}"


def test_staff_session_ends_after_thirty_idle_minutes(client, people):
    client.force_login(people.manager1)
    assert client.get(reverse("accounts:home")).status_code == 200
    session = client.session
    session[LAST_SEEN] = time.time() - 31 * 60
    session.save()
    response = client.get(reverse("accounts:home"))
    assert response.status_code == 302
    assert response.url == reverse("accounts:login")
    assert SESSION_KEY not in client.session


def test_active_session_ends_after_twelve_hours_in_total(client, people):
    client.force_login(people.manager1)
    client.get(reverse("accounts:home"))
    session = client.session
    session[SIGNED_IN] = time.time() - 12 * 3600 - 60
    session[LAST_SEEN] = time.time() - 60
    session.save()
    assert client.get(reverse("accounts:home")).url == reverse("accounts:login")


def test_twenty_nine_idle_minutes_keep_the_session(client, people):
    client.force_login(people.manager1)
    client.get(reverse("accounts:home"))
    session = client.session
    session[LAST_SEEN] = time.time() - 29 * 60
    session.save()
    assert client.get(reverse("accounts:home")).status_code == 200


def test_disabling_an_account_ends_its_sessions(client, people):
    client.force_login(people.manager1)
    assert client.get(reverse("accounts:home")).status_code == 200
    disable_user(by=people.sysadmin, user=people.manager1, reason="调离")
    assert client.get(reverse("accounts:home")).status_code == 302
    assert AuditEvent.objects.filter(action="user.disabled", fields__sessions_ended=1).count() == 1


def test_only_the_system_admin_disables_accounts(people):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        disable_user(by=people.org_department, user=people.manager1, reason="x")


def test_pages_with_personal_data_are_not_cached(client, people):
    client.force_login(people.manager1)
    assert client.get(reverse("households:list"))["Cache-Control"] == "no-store"


def test_csp_forbids_inline_scripts(client, people):
    client.force_login(people.manager1)
    policy = client.get(reverse("accounts:home"))["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
