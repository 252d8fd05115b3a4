"""Reminders before the deadline and escalation after it; a second run sends nothing new."""

import pytest
from django.core.management import call_command

from xiachen.hotline import jobs, services
from xiachen.hotline.enums import EventKind
from xiachen.notices.models import Notification, OutboxMessage

from .builders import at, make_ticket

pytestmark = pytest.mark.usefixtures("defaults")


@pytest.fixture
def urgent(people, tree):
    """Urgent medical call at 09:00, due 11:00, reminder at 10:30; owned by community1."""
    return make_ticket(people, tree.compound1, code="medical", urgency="urgent", now=at(2026, 3, 2, 9, 0))


def test_reminder_goes_to_the_owner_once(urgent, people):
    assert jobs.send_reminders(now=at(2026, 3, 2, 10, 0)) == 0
    assert jobs.send_reminders(now=at(2026, 3, 2, 10, 40)) == 1
    assert jobs.send_reminders(now=at(2026, 3, 2, 10, 50)) == 0
    recipients = set(Notification.objects.filter(kind="hotline.reminder").values_list("recipient__username",
                                                                                     flat=True))
    assert recipients == {"manager1", "worker1"}


def test_escalation_is_idempotent(urgent, people, tree):
    assert jobs.escalate_overdue(now=at(2026, 3, 2, 10, 59)) == 0
    assert jobs.escalate_overdue(now=at(2026, 3, 2, 11, 0)) == 1
    notifications, outbox = Notification.objects.count(), OutboxMessage.objects.count()
    assert jobs.escalate_overdue(now=at(2026, 3, 2, 11, 5)) == 0
    assert jobs.escalate_overdue(now=at(2026, 3, 3, 11, 5)) == 0
    assert (Notification.objects.count(), OutboxMessage.objects.count()) == (notifications, outbox)
    urgent.refresh_from_db()
    assert urgent.escalated_to == tree.street1
    assert urgent.events.filter(kind=EventKind.ESCALATED).count() == 1
    assert Notification.objects.filter(kind="hotline.escalated", recipient=people.hotline).count() == 1


def test_resolved_ticket_is_neither_reminded_nor_escalated(urgent, people):
    services.accept_ticket(by=people.manager1, ticket=urgent)
    services.resolve_ticket(by=people.manager1, ticket=urgent, outcome="已协助就医")
    assert jobs.send_reminders(now=at(2026, 3, 2, 10, 40)) == 0
    assert jobs.escalate_overdue(now=at(2026, 3, 2, 12, 0)) == 0


def test_command_second_run_sends_nothing_new(people, tree, defaults):
    make_ticket(people, tree.compound1, code="emergency", now=at(2020, 2, 1, 9, 0))
    call_command("hotline_jobs")
    count = Notification.objects.count()
    call_command("hotline_jobs")
    assert Notification.objects.count() == count
    assert Notification.objects.filter(kind="hotline.escalated").count() >= 1
