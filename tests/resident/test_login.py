"""Light login: phone → one-time code. Codes are hashed, expire, are single use, allow five tries;
requests are rate limited; the log shows the code with the phone masked, never the full number."""

import logging
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from xiachen.accounts.models import Membership
from xiachen.resident import services
from xiachen.resident.models import LoginCode

from ..factories import HouseholdFactory, ResidentFactory


@pytest.fixture
def codes(caplog, settings):
    """Collects the codes the demo sender logs."""
    caplog.set_level(logging.INFO, logger="xiachen.resident")

    def latest() -> str:
        return [r.getMessage() for r in caplog.records if "login code" in r.getMessage()][-1].rsplit(" ", 1)[-1]

    return latest


def ask_code(client, phone):
    return client.post(reverse("resident:login"), {"phone": phone})


def test_sign_in_with_code(client, people, resident1, codes, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = ask_code(client, resident1.phone)
    assert response.status_code == 302 and response["Location"] == reverse("resident:verify")
    response = client.post(reverse("resident:verify"), {"code": codes()})
    assert response["Location"] == reverse("resident:home")
    assert client.get(reverse("resident:home")).context["resident"] == resident1


def test_code_is_logged_with_masked_phone_and_stored_hashed(client, people, resident1, caplog, codes,
                                                            django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ask_code(client, resident1.phone)
    message = [r.getMessage() for r in caplog.records if "login code" in r.getMessage()][-1]
    assert resident1.masked_phone in message and resident1.phone not in message
    row = LoginCode.objects.get(resident=resident1)
    assert row.code_hash != codes() and len(row.code_hash) == 64


def test_first_sign_in_creates_a_resident_account(client, tree, codes, django_capture_on_commit_callbacks):
    resident = ResidentFactory(household=HouseholdFactory(compound=tree.compound1))
    with django_capture_on_commit_callbacks(execute=True):
        ask_code(client, resident.phone)
    client.post(reverse("resident:verify"), {"code": codes()})
    resident.refresh_from_db()
    assert resident.user is not None and resident.phone not in resident.user.username
    assert Membership.objects.filter(user=resident.user, role="resident", unit=tree.compound1).count() == 1


def test_wrong_code_counts_attempts_then_locks(client, people, resident1, codes, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ask_code(client, resident1.phone)
    good = codes()
    wrong = "000000" if good != "000000" else "111111"
    for left in (4, 3, 2, 1):
        response = client.post(reverse("resident:verify"), {"code": wrong})
        assert f"还可以再试 {left} 次" in response.content.decode()
    response = client.post(reverse("resident:verify"), {"code": wrong})
    assert "错误次数过多" in response.content.decode()
    response = client.post(reverse("resident:verify"), {"code": good})
    assert "错误次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_expired_code_is_refused(client, people, resident1, codes, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ask_code(client, resident1.phone)
    LoginCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.post(reverse("resident:verify"), {"code": codes()})
    assert "验证码已过期，请重新获取" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_reused_code_is_refused(client, people, resident1, codes, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ask_code(client, resident1.phone)
    code = codes()
    client.post(reverse("resident:verify"), {"code": code})
    other = Client()
    session = other.session  # a second browser that reached the code step for the same phone
    session["resident_login_phone_index"] = services.phone_index_of(resident1.phone)
    session.save()
    response = other.post(reverse("resident:verify"), {"code": code})
    assert "验证码已使用或已失效" in response.content.decode()
    assert "_auth_user_id" not in other.session


def test_new_code_invalidates_the_old_one(people, resident1):
    index = services.phone_index_of(resident1.phone)
    now = timezone.now()
    services.request_code(phone_index=index, now=now - timedelta(minutes=2))
    services.request_code(phone_index=index, now=now)
    assert LoginCode.objects.filter(phone_index=index, used_at__isnull=True).count() == 1


def test_code_requests_are_rate_limited(client, people, resident1):
    index = services.phone_index_of(resident1.phone)
    now = timezone.now()
    with pytest.raises(services.LoginError, match="60 秒"):
        services.request_code(phone_index=index, now=now)
        services.request_code(phone_index=index, now=now + timedelta(seconds=10))
    for minute in range(1, 5):
        services.request_code(phone_index=index, now=now + timedelta(minutes=minute * 2))
    with pytest.raises(services.LoginError, match="过于频繁"):
        services.request_code(phone_index=index, now=now + timedelta(minutes=20))
    assert LoginCode.objects.filter(phone_index=index).count() == 5


def test_unknown_phone_gets_the_same_answer(client, people, caplog):
    caplog.set_level(logging.INFO, logger="xiachen.resident")
    response = ask_code(client, "13900000000")
    assert response["Location"] == reverse("resident:verify")
    assert not [r for r in caplog.records if "login code" in r.getMessage()]


def test_bad_phone_gets_a_chinese_message(client, people):
    response = ask_code(client, "12345")
    assert "请输入11位手机号码" in response.content.decode()
    assert LoginCode.objects.count() == 0


def test_verify_without_a_phone_goes_back(client, people):
    assert client.get(reverse("resident:verify"))["Location"] == reverse("resident:login")


def test_resident_pages_send_anonymous_visitors_to_the_resident_login(client, people):
    response = client.get(reverse("resident:home"))
    assert response["Location"].startswith(reverse("resident:login"))


def test_every_resident_form_page_links_the_privacy_notice(client, people, resident1):
    client.force_login(people.resident_user1)
    privacy = reverse("accounts:privacy")
    for name in ("resident:login", "resident:errand_new", "resident:return_new"):
        assert privacy in client.get(reverse(name)).content.decode()
    client.logout()
    assert privacy in client.get(reverse("resident:login")).content.decode()


def test_refused_phone_is_not_echoed_back(client, people, resident1):
    ask_code(client, resident1.phone)
    response = ask_code(client, resident1.phone)  # within 60 s: refused, form shown again
    assert "请 60 秒后再试" in response.content.decode()
    assert resident1.phone not in response.content.decode()
