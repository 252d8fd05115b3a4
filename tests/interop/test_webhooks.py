"""Webhooks against a real receiver on 127.0.0.1 that checks the documented signature: delivered after
commit, retried with backoff on 5xx and timeouts, an endpoint that keeps failing disabled (and the
administrators told), replay from the delivery log, no personal data in payloads."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.hotline.builders import make_ticket
from tests.tripwire import find_personal_data
from xiachen.audit.models import AuditEvent
from xiachen.interop import webhooks
from xiachen.interop.endpoints import create_endpoint, set_endpoint_active
from xiachen.interop.models import WebhookDelivery
from xiachen.interop.signing import verify
from xiachen.notices.models import Notification


@pytest.fixture(autouse=True)
def fast_sender(settings):
    settings.XIACHEN_WEBHOOK_TIMEOUT_SECONDS = 0.3
    settings.XIACHEN_WEBHOOK_DISABLE_AFTER = 3


@pytest.fixture
def endpoint(people, tree, receiver, hotline_defaults):
    """An endpoint of district1 following ticket events; the receiver knows its secret."""
    created, secret = create_endpoint(by=people.sysadmin, name="区平台", url=receiver.url("/hooks/d1"),
                                      event_types=["ticket.created", "ticket.closed"], unit=tree.district1)
    receiver.on("/hooks/d1", secret, 200)
    return created


def _ticket_in(people, place, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return make_ticket(people, place)


def test_an_event_is_delivered_signed_after_commit_without_personal_data(
        people, tree, receiver, endpoint, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ticket = make_ticket(people, tree.compound1)
        assert receiver.received == []  # nothing leaves inside the transaction
    for callback in callbacks:
        callback()
    [got] = receiver.at("/hooks/d1")
    assert got.signature_ok
    assert got.headers["Xiachen-Event"] == "ticket.created"
    assert got.json["data"]["ticket"] == str(ticket.public_id) and got.json["data"]["status"] == "new"
    text = got.body.decode()
    assert "王小明" not in text and "楼道灯" not in text and find_personal_data(text) == []
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)


def test_the_signature_follows_the_documented_scheme(receiver, endpoint):
    body, header = b'{"a":1}', None
    from xiachen.interop.signing import sign

    header = sign(endpoint.secret, body, int(timezone.now().timestamp()))
    assert verify(endpoint.secret, body, header)
    assert not verify(endpoint.secret, body + b" ", header)
    assert not verify("whsec_other", body, header)
    old = sign(endpoint.secret, body, int(timezone.now().timestamp()) - 301)
    assert not verify(endpoint.secret, body, old)


def test_events_elsewhere_do_not_reach_the_endpoint(
        people, tree, receiver, endpoint, django_capture_on_commit_callbacks):
    other, secret = create_endpoint(by=people.sysadmin, name="桥口社区", url=receiver.url("/hooks/c2"),
                                    event_types=["ticket.created"], unit=tree.community2)
    receiver.on("/hooks/c2", secret, 200)
    _ticket_in(people, tree.compound1, django_capture_on_commit_callbacks)  # district1, community1
    assert receiver.at("/hooks/c2") == [] and len(receiver.at("/hooks/d1")) == 1
    assert not WebhookDelivery.objects.filter(endpoint=other).exists()


def test_server_errors_and_timeouts_are_retried_with_backoff(
        people, tree, receiver, endpoint, django_capture_on_commit_callbacks):
    receiver.on("/hooks/d1", endpoint.secret, 503, "slow", 200)
    _ticket_in(people, tree.compound1, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("retrying", 1, 503)
    first_wait = delivery.next_attempt_at - delivery.updated_at
    assert timedelta(seconds=29) < first_wait <= timedelta(seconds=31)
    assert webhooks.deliver_due() == 0  # not due yet
    webhooks.deliver_due(now=delivery.next_attempt_at)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("retrying", 2, None)
    assert "timed out" in delivery.last_error
    assert timedelta(seconds=59) < delivery.next_attempt_at - delivery.updated_at <= timedelta(seconds=61)
    webhooks.deliver_due(now=delivery.next_attempt_at)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 3, 200)
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 0 and endpoint.is_active
    assert len(receiver.at("/hooks/d1")) == 3 and all(r.signature_ok for r in receiver.at("/hooks/d1"))


def test_an_endpoint_that_keeps_failing_is_disabled_and_the_administrator_told(
        people, tree, receiver, endpoint, django_capture_on_commit_callbacks):
    receiver.on("/hooks/d1", endpoint.secret, 500)
    for _ in range(2):
        _ticket_in(people, tree.compound1, django_capture_on_commit_callbacks)
    endpoint.refresh_from_db()
    assert endpoint.is_active and endpoint.consecutive_failures == 2
    later = timezone.now() + timedelta(minutes=5)
    webhooks.deliver_due(now=later)  # the first retry of one of them is the third failure in a row
    endpoint.refresh_from_db()
    assert not endpoint.is_active and "连续 3 次" in endpoint.disabled_reason
    assert Notification.objects.filter(recipient=people.sysadmin, kind="webhook_disabled").count() == 1
    assert AuditEvent.objects.filter(action="webhook.disabled", actor_id=None).count() == 1
    calls = len(receiver.at("/hooks/d1"))
    _ticket_in(people, tree.compound1, django_capture_on_commit_callbacks)
    assert webhooks.deliver_due(now=later + timedelta(hours=7)) == 0 and len(receiver.at("/hooks/d1")) == calls
    receiver.on("/hooks/d1", endpoint.secret, 200)
    with django_capture_on_commit_callbacks(execute=True):
        set_endpoint_active(by=people.sysadmin, endpoint=endpoint, active=True)
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"delivered"}


def test_a_refusal_is_not_retried(people, tree, receiver, endpoint, django_capture_on_commit_callbacks):
    receiver.on("/hooks/d1", "whsec_not_the_right_one", 200)  # the receiver's check fails: 401
    _ticket_in(people, tree.compound1, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.last_status_code, delivery.next_attempt_at) == ("failed", 401, None)


def test_the_administrator_replays_from_the_delivery_log(
        client, people, tree, receiver, endpoint, django_capture_on_commit_callbacks):
    _ticket_in(people, tree.compound1, django_capture_on_commit_callbacks)
    original = WebhookDelivery.objects.get()
    client.force_login(people.sysadmin)
    page = client.get(reverse("interop:webhook_detail", args=[endpoint.public_id]))
    assert page.status_code == 200 and "热线工单创建" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("interop:delivery_replay", args=[original.public_id]))
    assert response.status_code == 302
    first, second = receiver.at("/hooks/d1")
    assert second.signature_ok and second.json["id"] == first.json["id"] == str(original.event_id)
    assert second.headers["Xiachen-Delivery"] != first.headers["Xiachen-Delivery"]
    assert WebhookDelivery.objects.filter(replay_of=original, status="delivered").exists()


def test_a_test_ping_is_delivered(people, tree, receiver, endpoint, client,
                                   django_capture_on_commit_callbacks):
    client.force_login(people.sysadmin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("interop:webhook_test", args=[endpoint.public_id]))
    [ping] = receiver.at("/hooks/d1")
    assert ping.signature_ok and ping.json["type"] == "ping"


def test_errand_moves_and_overdue_tickets_are_events_too(people, tree, resident1, receiver,
                                                         django_capture_on_commit_callbacks, hotline_defaults):
    import uuid

    from xiachen.errands.services import cancel_errand, request_errand
    from xiachen.hotline.jobs import escalate_overdue

    _endpoint, secret = create_endpoint(by=people.sysadmin, name="社区系统", url=receiver.url("/hooks/c1"),
                                        event_types=["errand.status_changed", "ticket.overdue"], unit=tree.community1)
    receiver.on("/hooks/c1", secret, 200)
    with django_capture_on_commit_callbacks(execute=True):
        errand, _created = request_errand(by=people.manager1, household=resident1.household, kind="meal",
                                          details="午饭", submission_key=uuid.uuid4())
        cancel_errand(by=people.manager1, errand=errand, reason="不需要了")
    ticket = _ticket_in(people, tree.compound1, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        assert escalate_overdue(now=ticket.due_at + timedelta(minutes=1)) == 1
    moved, overdue = receiver.at("/hooks/c1")
    assert moved.signature_ok and overdue.signature_ok
    assert (moved.json["type"], moved.json["data"]["status"], moved.json["data"]["errand"]) == (
        "errand.status_changed", "cancelled", str(errand.public_id))
    assert (overdue.json["type"], overdue.json["data"]["number"]) == ("ticket.overdue", ticket.number)
    assert "午饭" not in moved.body.decode() and "不需要了" not in moved.body.decode()
