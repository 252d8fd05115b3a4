"""A password alone cannot replace the second factor; `next` never leaves the site (issue 15, items 1–2)."""

import time
from urllib.parse import urlencode

import pytest
from django.test import override_settings
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from xiachen.audit.models import AuditEvent

PASSWORD = "correct-horse-battery"
pytestmark = pytest.mark.usefixtures("totp_required")


@pytest.fixture
def totp_required():
    with override_settings(XIACHEN_REQUIRE_TOTP=True):
        yield


def _login(client, username="manager1"):
    return client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD}, REMOTE_ADDR="10.0.0.9")


def _token(device) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():06d}"


def _enrol(client, user) -> TOTPDevice:
    client.get(reverse("accounts:otp_setup"))
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert client.post(reverse("accounts:otp_setup"), {"otp_token": _token(device)}).status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    # Each code is accepted once per 30 s step (replay protection); the tests sign in again within
    # the same step, so forget the step the enrolment used.
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    return device


def test_a_stolen_password_cannot_enrol_a_second_authenticator(client, people):
    _login(client)
    owners = _enrol(client, people.manager1)
    client.logout()

    _login(client)  # the attacker: right password, no authenticator
    page = client.get(reverse("accounts:otp_setup"))
    assert page.status_code == 302
    assert page.url.startswith(reverse("accounts:otp_verify"))
    # Posting a code straight at the enrolment page does not help either: no device is created,
    # and the session is still not verified.
    attackers = TOTPDevice(user=people.manager1, name="x", confirmed=False)
    attackers.save()
    client.post(reverse("accounts:otp_setup"), {"otp_token": _token(attackers)})
    assert list(TOTPDevice.objects.filter(user=people.manager1, confirmed=True)) == [owners]
    assert client.get(reverse("accounts:home")).url.startswith(reverse("accounts:otp_verify"))


def test_the_direct_service_call_is_refused_too(rf, people):
    from django.core.exceptions import PermissionDenied

    from xiachen.accounts.services import confirm_totp_device

    TOTPDevice.objects.create(user=people.manager1, name="owner", confirmed=True)
    pending = TOTPDevice.objects.create(user=people.manager1, name="x", confirmed=False)
    people.manager1.is_verified = lambda: False
    with pytest.raises(PermissionDenied):
        confirm_totp_device(user=people.manager1, device=pending, token=_token(pending), request=rf.get("/"))
    assert AuditEvent.objects.filter(action="otp.enrol_refused", result="denied").exists()


def test_after_the_current_code_a_replacement_retires_the_old_device(client, people):
    _login(client)
    old = _enrol(client, people.manager1)
    client.logout()

    _login(client)
    assert client.post(reverse("accounts:otp_verify"), {"otp_token": _token(old)}).status_code == 302
    new = _enrol(client, people.manager1)
    assert list(TOTPDevice.objects.filter(user=people.manager1)) == [new]
    assert AuditEvent.objects.filter(action="otp.replaced").count() == 1


def test_an_administrator_reset_makes_enrolment_possible_again(client, people):
    _login(client)
    _enrol(client, people.manager1)
    client.logout()
    TOTPDevice.objects.filter(user=people.manager1).delete()  # what the administrator's reset does

    _login(client)
    assert client.get(reverse("accounts:home")).url == reverse("accounts:otp_setup")
    _enrol(client, people.manager1)
    assert client.get(reverse("accounts:home")).status_code == 200


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/", "//evil.example/path", "javascript:alert(1)",
        "http://testserver.evil.example/", "\\\\evil.example",
    ],
)
def test_next_after_the_code_never_leaves_the_site(client, people, target):
    _login(client)
    device = _enrol(client, people.manager1)
    client.logout()
    _login(client)
    response = client.post(f"{reverse('accounts:otp_verify')}?next={target}", {"otp_token": _token(device)})
    assert response.status_code == 302
    assert response.url == reverse("accounts:home")


def test_next_after_the_code_returns_to_the_page_asked_for(client, people):
    _login(client)
    device = _enrol(client, people.manager1)
    client.logout()
    _login(client)
    asked = reverse("accounts:users") + "?q=x"
    detour = client.get(asked)
    assert detour.url == f"{reverse('accounts:otp_verify')}?{urlencode({'next': asked})}"
    response = client.post(detour.url, {"otp_token": _token(device)})
    assert response.url == asked


def test_fragments_asked_for_before_the_code_get_nothing_not_the_code_page(client, people):
    """The header's unread badge loads by htmx: a redirect would swap the code page into it, and its
    copy of the badge would load again, forever (seen as a page that never settles)."""
    _login(client)
    response = client.get(reverse("notices:unread_badge"), HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and response.content == b""
    assert client.get(reverse("notices:unread_badge")).status_code == 302  # a normal request is redirected
