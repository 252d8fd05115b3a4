"""Resident login codes (issue 15, item 3): unknown numbers read exactly like registered ones, and
budgets per phone, per client address and for the whole site, with an administrator alert."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import HouseholdFactory, ResidentFactory
from xiachen.accounts.enums import Role
from xiachen.accounts.models import Membership
from xiachen.audit.models import AuditEvent
from xiachen.notices.models import Notification
from xiachen.resident import services
from xiachen.resident.models import LoginCode

UNREGISTERED = "13900000001"


def _answers(client, phone: str, wrong_code: str) -> list[str]:
    """What a caller sees: the page after asking for a code, then after two wrong codes."""
    client.cookies.clear()
    seen = [client.post(reverse("resident:login"), {"phone": phone}, follow=True).content.decode()]
    for _ in range(2):
        page = client.post(reverse("resident:verify"), {"code": wrong_code}).content.decode()
        seen.append(page)
    return seen


def _messages(pages: list[str]) -> list[str]:
    import re

    found = []
    for page in pages:
        found += re.findall(r"(验证码[^<]*|如果该手机号[^<]*)", page)
    return found


def test_an_unregistered_number_reads_exactly_like_a_registered_one(client, resident1):
    registered = _messages(_answers(client, resident1.phone, "000000"))
    unregistered = _messages(_answers(client, UNREGISTERED, "000000"))
    assert registered == unregistered
    assert any("还可以再试 4 次" in message for message in registered)


def test_a_decoy_code_never_signs_anyone_in(db):
    index = services.phone_index_of(UNREGISTERED)
    services.request_code(phone_index=index)
    decoy = LoginCode.objects.get(phone_index=index)
    assert decoy.resident_id is None and decoy.used_at is None and len(decoy.code_hash) == 64
    for _ in range(services.MAX_ATTEMPTS):
        with pytest.raises(services.LoginError):
            services.verify_code(phone_index=index, code="123456")


def test_one_address_cannot_ask_for_codes_for_many_numbers(db):
    now = timezone.now()
    for n in range(services.MAX_CODES_PER_ADDRESS_PER_HOUR):
        services.request_code(phone_index=services.phone_index_of(f"1390000{n:04d}"), client_ip="203.0.113.7", now=now)
    with pytest.raises(services.LoginError, match="过于频繁"):
        services.request_code(phone_index=services.phone_index_of("13911112222"), client_ip="203.0.113.7", now=now)
    # another address is not affected, and an hour later the first one may ask again
    services.request_code(phone_index=services.phone_index_of("13911112222"), client_ip="203.0.113.8", now=now)
    later = now + timedelta(hours=1, seconds=1)
    services.request_code(phone_index=services.phone_index_of("13911113333"), client_ip="203.0.113.7", now=later)
    assert not LoginCode.objects.exclude(ip_index="").filter(ip_index__contains="203.0.113").exists()


def test_the_site_budget_stops_codes_and_alerts_the_administrators_once(settings, tree, people):
    settings.XIACHEN_LOGIN_CODES_PER_HOUR = 5
    now = timezone.now()
    for n in range(5):
        services.request_code(phone_index=services.phone_index_of(f"1370000{n:04d}"), client_ip=f"198.51.100.{n}",
                              now=now)
    for attempt in range(3):
        with pytest.raises(services.LoginError, match="系统繁忙"):
            services.request_code(phone_index=services.phone_index_of(f"1360000{attempt:04d}"),
                                  client_ip=f"192.0.2.{attempt}", now=now)
    assert AuditEvent.objects.filter(action="resident.code_budget_exhausted").count() == 1
    admins = Membership.objects.filter(role=Role.SYSTEM_ADMIN).values_list("user", flat=True)
    alerts = Notification.objects.filter(kind="security", recipient__in=admins)
    assert alerts.count() == len(set(admins)) >= 1
    assert "上限" in alerts.first().title


def test_the_login_view_counts_the_client_address(client, tree):
    resident = ResidentFactory(household=HouseholdFactory(compound=tree.compound1))
    client.post(reverse("resident:login"), {"phone": resident.phone}, REMOTE_ADDR="203.0.113.50")
    row = LoginCode.objects.get(resident=resident)
    assert row.ip_index == services.ip_index_of("203.0.113.50")
