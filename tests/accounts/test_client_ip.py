"""Behind a proxy, lockouts follow the real client, and only a trusted proxy can say who that is (issue 15, item 7)."""

import pytest
from django.test import override_settings
from django.urls import reverse

from xiachen.core.client_ip import client_ip

PASSWORD = "correct-horse-battery"


def _login(client, password, *, peer, forwarded=None):
    extra = {"REMOTE_ADDR": peer}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(reverse("accounts:login"), {"username": "manager1", "password": password}, **extra)


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        ("127.0.0.1", "203.0.113.5", "203.0.113.5"),  # nginx on this machine names the client
        ("127.0.0.1", "198.51.100.1, 203.0.113.5", "203.0.113.5"),  # the client's own header is not believed
        ("127.0.0.1", "203.0.113.5, 10.1.0.1", "203.0.113.5"),  # a trusted load balancer in between
        ("198.51.100.9", "203.0.113.5", "198.51.100.9"),  # an untrusted peer's header is ignored
        ("127.0.0.1", "not-an-ip", "127.0.0.1"),
        ("127.0.0.1", "", "127.0.0.1"),
    ],
)
def test_client_ip_believes_only_trusted_proxies(rf, peer, forwarded, expected):
    request = rf.get("/", REMOTE_ADDR=peer, HTTP_X_FORWARDED_FOR=forwarded)
    with override_settings(XIACHEN_TRUSTED_PROXIES=["127.0.0.1", "10.1.0.0/16"]):
        assert client_ip(request) == expected


@override_settings(XIACHEN_TRUSTED_PROXIES=["127.0.0.1"])
def test_behind_the_proxy_one_clients_failures_do_not_lock_out_another(client, people):
    for _ in range(5):
        _login(client, "wrong-password", peer="127.0.0.1", forwarded="203.0.113.5")
    assert _login(client, PASSWORD, peer="127.0.0.1", forwarded="203.0.113.5").status_code == 429
    assert _login(client, PASSWORD, peer="127.0.0.1", forwarded="203.0.113.77").status_code == 302


@override_settings(XIACHEN_TRUSTED_PROXIES=["127.0.0.1"])
def test_an_untrusted_peer_cannot_dodge_its_lockout_with_a_forged_header(client, people):
    for attempt in range(5):
        _login(client, "wrong-password", peer="198.51.100.9", forwarded=f"203.0.113.{attempt}")
    assert _login(client, PASSWORD, peer="198.51.100.9", forwarded="203.0.113.200").status_code == 429
