"""LDAP sign-in and the directory sync against a real OpenLDAP slapd (tests/fixtures/directory.ldif).

The directory holds zhao.lei (财政审计科, in the liaisons group), qian.min (疾控科) and sun.li (a
department code no unit has). The service account reads; people bind with their own password.
"""

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from tests.identity.servers import free_port, ldap_settings
from xiachen.accounts.enums import Role
from xiachen.accounts.models import Membership, User
from xiachen.audit.models import AuditEvent
from xiachen.identity.ldap_directory import DirectoryError, all_people, person_with_password
from xiachen.identity.ldap_sync import reconcile
from xiachen.identity.models import ExternalAccount, Source

GONE_DN = "uid=gone,ou=people,dc=xiachen,dc=test"


@pytest.fixture
def directory(settings, slapd, tree):
    ldap_settings(settings, slapd)
    return tree


def roles(user) -> set[tuple[str, str]]:
    return set(user.memberships.filter(is_active=True).values_list("role", "unit__code"))


def test_directory_password_signs_in_and_brings_the_account(client, directory):
    response = client.post(reverse("accounts:login"), {"username": "zhao.lei", "password": "ldap-pass-1"})
    assert response.status_code == 302
    user = User.objects.get(username="zhao.lei")
    assert str(client.session["_auth_user_id"]) == str(user.pk)
    assert (user.display_name, user.email, user.has_usable_password()) == ("赵磊", "zhao.lei@audit.example.gov.cn",
                                                                           False)
    assert roles(user) == {(Role.CADRE, "A-AUDIT-01"), (Role.AGENCY_LIAISON, "A-AUDIT-01")}
    assert ExternalAccount.objects.get(user=user).external_id == "uid=zhao.lei,ou=people,dc=xiachen,dc=test"


def test_wrong_empty_or_wildcard_credentials_never_bind(directory):
    assert person_with_password("zhao.lei", "ldap-pass-1").username == "zhao.lei"
    assert person_with_password("zhao.lei", "wrong") is None
    assert person_with_password("zhao.lei", "") is None  # an unauthenticated bind "succeeds" in LDAP
    assert person_with_password("*", "ldap-pass-1") is None
    assert person_with_password("zhao*", "ldap-pass-1") is None


def test_directory_failures_count_toward_the_lockout(client, directory):
    for _ in range(5):
        client.post(reverse("accounts:login"), {"username": "qian.min", "password": "wrong-password"})
    response = client.post(reverse("accounts:login"), {"username": "qian.min", "password": "ldap-pass-2"})
    assert "_auth_user_id" not in client.session
    assert response.status_code == 429


def test_unknown_people_may_be_refused_at_sign_in(client, directory, settings):
    settings.XIACHEN_LDAP_UNKNOWN_USERS = "refuse"
    client.post(reverse("accounts:login"), {"username": "qian.min", "password": "ldap-pass-2"})
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(username="qian.min").exists()


def test_an_unreachable_directory_leaves_local_passwords_working(client, directory, settings, people):
    settings.XIACHEN_LDAP_URL = f"ldap://127.0.0.1:{free_port()}"
    people.sysadmin.set_password("local-password-123")
    people.sysadmin.save()
    client.post(reverse("accounts:login"), {"username": "sysadmin", "password": "local-password-123"})
    assert str(client.session["_auth_user_id"]) == str(people.sysadmin.pk)


@pytest.mark.parametrize("transport", ["ldaps", "starttls"])
def test_sign_in_over_tls_verifies_the_directory_certificate(client, directory, settings, slapd, transport):
    if transport == "ldaps":
        settings.XIACHEN_LDAP_URL = slapd.ldaps_url
    else:
        settings.XIACHEN_LDAP_START_TLS = True
    assert person_with_password("zhao.lei", "ldap-pass-1").username == "zhao.lei"
    settings.XIACHEN_LDAP_CA_FILE = ""  # the system's CAs do not know the test CA: no connection
    with pytest.raises(DirectoryError):
        person_with_password("zhao.lei", "ldap-pass-1")
    client.post(reverse("accounts:login"), {"username": "zhao.lei", "password": "ldap-pass-1"})
    assert "_auth_user_id" not in client.session


def test_dry_run_writes_nothing_and_apply_does_what_it_reported(directory):
    before = (User.objects.count(), Membership.objects.count(), AuditEvent.objects.count())
    report = reconcile(all_people(), apply=False)
    assert (User.objects.count(), Membership.objects.count(), AuditEvent.objects.count()) == before
    assert [(c.kind, c.username, c.detail) for c in report.changes] == [
        ("create", "qian.min", ""),
        ("add_role", "qian.min", "cadre@A-HEALTH-01"),
        ("create", "sun.li", ""),
        ("create", "zhao.lei", ""),
        ("add_role", "zhao.lei", "agency_liaison@A-AUDIT-01"),
        ("add_role", "zhao.lei", "cadre@A-AUDIT-01"),
    ]
    assert report.unmatched_departments == {"NO-SUCH-UNIT"}
    assert report.changes[1].shown == "下沉干部 · 疾控科"
    reconcile(all_people(), apply=True)
    assert roles(User.objects.get(username="qian.min")) == {(Role.CADRE, "A-HEALTH-01")}
    assert roles(User.objects.get(username="sun.li")) == set()
    assert reconcile(all_people(), apply=False).changes == []  # in agreement now


def test_people_gone_from_the_directory_are_disabled_not_deleted(directory, people, client):
    gone = User.objects.create_user(username="gone", password="local-password-123")
    ExternalAccount.objects.create(user=gone, source=Source.LDAP, external_id=GONE_DN)
    client.force_login(gone)
    local_only = people.manager1  # never came from the directory: left alone
    reconcile(all_people(), apply=True)
    gone.refresh_from_db()
    assert gone.is_active is False and "_auth_user_id" not in client.session.load()
    assert User.objects.get(pk=local_only.pk).is_active
    event = AuditEvent.objects.get(action="directory.user_disabled")
    assert (event.target_id, event.fields) == (str(gone.public_id), {"sessions_ended": 1})


def test_a_local_account_linked_to_the_directory_keeps_no_local_password(client, directory):
    local = User.objects.create_user(username="zhao.lei", password="local-password-123")
    client.post(reverse("accounts:login"), {"username": "zhao.lei", "password": "ldap-pass-1"})
    assert str(client.session["_auth_user_id"]) == str(local.pk)
    local.refresh_from_db()
    assert not local.has_usable_password()
    assert AuditEvent.objects.filter(action="directory.user_linked", target_id=str(local.public_id)).count() == 1


def test_a_privileged_local_account_is_never_linked_to_the_directory(client, directory):
    admin = User.objects.create_user(username="qian.min", password="local-password-123")
    Membership.objects.create(user=admin, role=Role.SYSTEM_ADMIN, unit=directory.city)
    report = reconcile(all_people(), apply=True)
    assert [(c.kind, c.username) for c in report.changes if c.username == "qian.min"] == [
        ("skip_privileged", "qian.min")]
    client.post(reverse("accounts:login"), {"username": "qian.min", "password": "ldap-pass-2"})
    assert "_auth_user_id" not in client.session  # the directory's password is not this account's
    assert not ExternalAccount.objects.filter(user=admin).exists()


def test_sync_withdraws_only_the_roles_it_gave(directory, settings):
    reconcile(all_people(), apply=True)
    zhao = User.objects.get(username="zhao.lei")
    Membership.objects.create(user=zhao, role=Role.HOTLINE_OPERATOR, unit=directory.district1)  # an administrator's
    settings.XIACHEN_LDAP_ROLE_GROUPS = {}  # the liaisons group no longer gives a role
    report = reconcile(all_people(), apply=True)
    assert [(c.kind, c.detail) for c in report.changes] == [("withdraw_role", "agency_liaison@A-AUDIT-01")]
    assert roles(zhao) == {(Role.CADRE, "A-AUDIT-01"), (Role.HOTLINE_OPERATOR, directory.district1.code)}


def test_administrator_previews_then_applies_from_the_page(client, directory, people):
    client.force_login(people.sysadmin)
    page = client.get(reverse("identity:directory_sync") + "?preview=1").content.decode()
    assert "qian.min" in page and "下沉干部 · 疾控科" in page and "新建账号" in page
    assert "NO-SUCH-UNIT" in page
    fingerprint = reconcile(all_people(), apply=False).fingerprint
    response = client.post(reverse("identity:directory_sync"), {"fingerprint": fingerprint})
    assert response.status_code == 302
    assert User.objects.filter(username__in=["zhao.lei", "qian.min", "sun.li"]).count() == 3
    event = AuditEvent.objects.get(action="directory.synced")
    assert (event.actor_id, event.fields) == (people.sysadmin.pk, {"people": 3, "changes": 6, "disabled": 0})


def test_a_directory_that_changed_since_the_preview_is_shown_again_not_applied(client, directory, people):
    client.force_login(people.sysadmin)
    response = client.post(reverse("identity:directory_sync"), {"fingerprint": "stale"})
    assert response.status_code == 200
    assert "目录在预览后发生了变化" in response.content.decode()
    assert not User.objects.filter(username="zhao.lei").exists()


def test_scheduled_sync_refuses_to_disable_more_than_the_limit(directory, settings):
    settings.XIACHEN_LDAP_SYNC_SCHEDULED = True
    settings.XIACHEN_LDAP_SYNC_MAX_DISABLE = 0
    gone = User.objects.create_user(username="gone", password=None)
    ExternalAccount.objects.create(user=gone, source=Source.LDAP, external_id=GONE_DN)
    with pytest.raises(CommandError, match="1 accounts would be disabled"):
        call_command("ldap_sync", "--apply", "--scheduled")
    assert User.objects.get(pk=gone.pk).is_active
    assert not User.objects.filter(username="zhao.lei").exists()
    call_command("ldap_sync", "--apply", "--scheduled", "--force")
    assert not User.objects.get(pk=gone.pk).is_active
