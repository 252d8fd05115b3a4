"""The system administrator's services: each change works, is refused where it must be, and is audited."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from xiachen.accounts import administration as admin
from xiachen.accounts.enums import Role
from xiachen.accounts.models import GrantStatus, Membership, RoleGrant, User
from xiachen.accounts.permissions import roles_of
from xiachen.audit.models import AuditEvent

from ..factories import user_with_role


def _last(action: str) -> AuditEvent:
    return AuditEvent.objects.filter(action=action).latest("id")


def _sign_in(username: str, password: str):
    request = RequestFactory().post("/login/")
    return authenticate(request, username=username, password=password)


def test_create_user_returns_a_temporary_password_that_signs_in_once_and_must_be_changed(people):
    user, password = admin.create_user(by=people.sysadmin, username="liming", display_name="李明")
    assert user.must_change_password and user.check_password(password)
    assert len(password) == 14 and password.count("-") == 2
    assert _sign_in("liming", password) == user
    event = _last("user.created")
    assert event.actor_id == people.sysadmin.pk and event.target_id == str(user.public_id)
    assert password not in str(event.fields)


def test_usernames_are_unique_without_case(people):
    with pytest.raises(admin.AccountError, match="已被使用"):
        admin.create_user(by=people.sysadmin, username="MANAGER1", display_name="重复")


def test_only_the_administrator_manages_accounts(people):
    for someone in (people.auditor, people.org_department, people.manager1):
        with pytest.raises(PermissionDenied):
            admin.create_user(by=someone, username="x-" + someone.username, display_name="某人")
    with pytest.raises(PermissionDenied):
        admin.reset_password(by=people.auditor, user=people.manager1)


def test_update_user_audits_the_names_of_changed_fields_only(people):
    admin.update_user(by=people.sysadmin, user=people.manager1, display_name="王芳", email="")
    people.manager1.refresh_from_db()
    assert people.manager1.display_name == "王芳"
    assert _last("user.updated").fields == {"fields": ["display_name"]}


def test_disable_ends_sessions_and_enable_restores(client, people):
    client.force_login(people.manager1)
    admin.set_user_active(by=people.sysadmin, user=people.manager1, active=False, reason="调离")
    assert client.get(reverse("accounts:home")).status_code == 302
    assert _last("user.disabled").fields["sessions_ended"] == 1
    admin.set_user_active(by=people.sysadmin, user=people.manager1, active=True)
    people.manager1.refresh_from_db()
    assert people.manager1.is_active
    assert _last("user.enabled").target_id == str(people.manager1.public_id)


def test_administrator_cannot_disable_themself(people):
    with pytest.raises(admin.AccountError):
        admin.set_user_active(by=people.sysadmin, user=people.sysadmin, active=False, reason="误操作")


def test_reset_password_forces_a_change_at_next_sign_in(client, people):
    password = admin.reset_password(by=people.sysadmin, user=people.manager1)
    assert _sign_in("manager1", password) == people.manager1
    client.force_login(User.objects.get(pk=people.manager1.pk))
    response = client.get(reverse("households:list"))
    assert response.status_code == 302 and response.url == reverse("accounts:password_change")
    response = client.post(reverse("accounts:password_change"),
                           {"new_password1": "sehr-geheim-2026", "new_password2": "sehr-geheim-2026"})
    assert response.status_code == 302
    assert client.get(reverse("households:list")).status_code == 200
    people.manager1.refresh_from_db()
    assert not people.manager1.must_change_password and people.manager1.check_password("sehr-geheim-2026")
    assert _last("user.password_changed").actor_id == people.manager1.pk


def test_password_change_refuses_weak_and_mismatched_passwords(client, people):
    client.force_login(people.manager1)
    response = client.post(reverse("accounts:password_change"), {"new_password1": "123", "new_password2": "123"})
    assert response.status_code == 200 and "密码" in response.content.decode()
    response = client.post(reverse("accounts:password_change"),
                           {"new_password1": "sehr-geheim-2026", "new_password2": "sehr-geheim-2027"})
    assert "两次输入的密码不一致" in response.content.decode()


def test_reset_totp_removes_devices_so_the_next_sign_in_enrols(people, settings, client):
    TOTPDevice.objects.create(user=people.manager1, name="phone", confirmed=True)
    assert admin.reset_totp(by=people.sysadmin, user=people.manager1) == 1
    assert not TOTPDevice.objects.filter(user=people.manager1).exists()
    settings.XIACHEN_REQUIRE_TOTP = True
    client.force_login(people.manager1)
    assert client.get(reverse("accounts:home")).url == reverse("accounts:otp_setup")
    assert _last("user.totp_reset").fields["devices"] == 1


def test_unlock_clears_axes_lockout(people, settings):
    AccessAttempt.objects.create(username="manager1", ip_address="10.0.0.1", user_agent="t",
                                 failures_since_start=settings.AXES_FAILURE_LIMIT, attempt_time=timezone.now())
    from xiachen.accounts.admin_selectors import is_locked, locked_attempts

    assert [attempt.username for attempt in locked_attempts()] == ["manager1"]
    assert is_locked(people.manager1)
    assert admin.unlock_user(by=people.sysadmin, username="manager1") == 1
    assert not AccessAttempt.objects.filter(username="manager1").exists()
    assert _last("user.unlocked").fields == {"attempts_cleared": 1}


def test_assign_and_withdraw_an_ordinary_role_takes_effect_at_once(tree, people):
    user, _password = admin.create_user(by=people.sysadmin, username="shequ2", display_name="社区二")
    membership = admin.assign_role(by=people.sysadmin, user=user, role=Role.UNIT_MANAGER, unit=tree.community2)
    assert isinstance(membership, Membership)
    assert roles_of(User.objects.get(pk=user.pk)) == {Role.UNIT_MANAGER}
    assert _last("role.assigned").fields == {"role": "unit_manager", "unit": tree.community2.code}
    with pytest.raises(admin.AccountError, match="已在此单位"):
        admin.assign_role(by=people.sysadmin, user=user, role=Role.UNIT_MANAGER, unit=tree.community2)
    admin.withdraw_role(by=people.sysadmin, membership=membership)
    assert roles_of(User.objects.get(pk=user.pk)) == set()
    admin.assign_role(by=people.sysadmin, user=user, role=Role.UNIT_MANAGER, unit=tree.community2)
    assert Membership.objects.filter(user=user).count() == 1  # the withdrawn membership came back


def test_residents_are_not_granted_by_the_administrator(tree, people):
    with pytest.raises(admin.AccountError):
        admin.assign_role(by=people.sysadmin, user=people.manager1, role=Role.RESIDENT, unit=tree.compound1)


def test_privileged_grant_waits_for_a_different_administrator(tree, people):
    grant = admin.assign_role(by=people.sysadmin, user=people.liaison1, role=Role.ORG_DEPARTMENT, unit=tree.city)
    assert isinstance(grant, RoleGrant) and grant.status == GrantStatus.PENDING
    assert Role.ORG_DEPARTMENT not in roles_of(User.objects.get(pk=people.liaison1.pk))
    with pytest.raises(admin.AccountError, match="另一名系统管理员"):
        admin.approve_grant(by=people.sysadmin, grant=grant)
    with pytest.raises(admin.AccountError, match="等待批准"):
        admin.assign_role(by=people.sysadmin, user=people.liaison1, role=Role.ORG_DEPARTMENT, unit=tree.city)
    second = user_with_role(Role.SYSTEM_ADMIN, tree.city, username="admin2")
    admin.approve_grant(by=second, grant=grant)
    assert Role.ORG_DEPARTMENT in roles_of(User.objects.get(pk=people.liaison1.pk))
    grant.refresh_from_db()
    assert grant.status == GrantStatus.APPROVED and grant.decided_by == second
    assert _last("role.grant_approved").actor_id == second.pk
    with pytest.raises(admin.AccountError, match="已处理"):
        admin.reject_grant(by=people.sysadmin, grant=grant)


def test_nobody_approves_their_own_elevation(tree, people):
    second = user_with_role(Role.SYSTEM_ADMIN, tree.city, username="admin2")
    grant = admin.assign_role(by=people.sysadmin, user=second, role=Role.ORG_DEPARTMENT, unit=tree.city)
    with pytest.raises(admin.AccountError, match="授予自己"):
        admin.approve_grant(by=second, grant=grant)
    admin.reject_grant(by=second, grant=grant)
    assert RoleGrant.objects.get(pk=grant.pk).status == GrantStatus.REJECTED


def test_administrator_cannot_withdraw_their_own_admin_role(people):
    with pytest.raises(admin.AccountError):
        admin.withdraw_role(by=people.sysadmin, membership=people.sysadmin.memberships.get())


def test_temporary_passwords_differ_and_pass_the_validators():
    passwords = {admin.temporary_password() for _ in range(50)}
    assert len(passwords) == 50
    assert admin.check_new_password(passwords.pop()) == []


def test_unit_picker_lists_units_with_their_full_names_for_administrator_and_auditor(client, tree, people):
    for someone in (people.sysadmin, people.auditor):
        client.force_login(someone)
        html = client.get(reverse("accounts:unit_picker"), {"unit_q": "车站路"}).content.decode()
        assert "武汉市 / 江岸区 / 大智街道 / 车站路社区" in html
        assert f'value="{tree.community1.public_id}"' in html
        assert "桥口" not in html
    assert "没有找到匹配的单位" in client.get(reverse("accounts:unit_picker"), {"unit_q": "不存在"}).content.decode()
    client.force_login(people.manager1)
    assert client.get(reverse("accounts:unit_picker"), {"unit_q": "车站路"}).status_code == 403


def test_role_assign_refuses_a_unit_outside_the_picker(client, tree, people):
    client.force_login(people.sysadmin)
    url = reverse("accounts:role_assign", args=[people.manager1.public_id])
    response = client.post(url, {"role": Role.COMMUNITY_WORKER, "unit": "00000000-0000-0000-0000-000000000000"})
    assert response.status_code == 400 and "请搜索并选择单位" in response.content.decode()
    response = client.post(url, {"role": Role.COMMUNITY_WORKER, "unit": str(tree.community2.public_id)})
    assert response.status_code == 302
    assert Membership.objects.filter(user=people.manager1, role=Role.COMMUNITY_WORKER, unit=tree.community2).exists()


def test_lockouts_page_lists_locked_accounts_and_unlocks(client, people, settings):
    AccessAttempt.objects.create(username="manager1", ip_address="10.0.0.9", user_agent="t",
                                 failures_since_start=settings.AXES_FAILURE_LIMIT, attempt_time=timezone.now())
    client.force_login(people.sysadmin)
    html = client.get(reverse("accounts:lockouts")).content.decode()
    assert "10.0.0.9" in html and str(people.manager1) in html
    response = client.post(reverse("accounts:user_unlock", args=[people.manager1.public_id]), {"next": "lockouts"})
    assert response.url == reverse("accounts:lockouts")
    assert "当前没有被锁定的账号" in client.get(reverse("accounts:lockouts")).content.decode()


def test_user_list_filters_by_name_role_and_status(client, people):
    people.manager2.is_active = False
    people.manager2.save()
    client.force_login(people.sysadmin)
    listed = client.get(reverse("accounts:users"), {"role": Role.UNIT_MANAGER}).content.decode()
    assert "manager1" in listed and "manager2" in listed and "liaison1" not in listed
    disabled = client.get(reverse("accounts:users"), {"status": "disabled"}).content.decode()
    assert "manager2" in disabled and "manager1" not in disabled
    by_name = client.get(reverse("accounts:users"), {"q": str(people.liaison1.display_name)}).content.decode()
    assert "liaison1" in by_name and "manager1" not in by_name
