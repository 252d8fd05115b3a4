"""Issue #16 item 11 (ADR 1604): 退单, 延期 and 督办 — services, audit, the ticket page's buttons for
the right role, and how each is counted in the rankings."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from xiachen.accounts.enums import Role
from xiachen.audit.models import AuditEvent
from xiachen.hotline import services
from xiachen.hotline.enums import TicketStatus
from xiachen.hotline.models import Ticket, TicketRequest
from xiachen.hotline.rates import month_bounds, monthly_rankings, rates_for_units

from ..factories import user_with_role
from .builders import at, make_ticket

pytestmark = pytest.mark.usefixtures("defaults")


@pytest.fixture
def street_manager(tree):
    return user_with_role(Role.UNIT_MANAGER, tree.street1, username="street_manager")


def _detail(client, user, ticket) -> str:
    client.force_login(user)
    return client.get(reverse("hotline:ticket_detail", args=[ticket.public_id])).content.decode()


# ---- 退单 -------------------------------------------------------------------------------------------


def test_owner_returns_a_wrongly_routed_ticket_and_the_dispatcher_approves(people, tree, ticket):
    services.request_return(by=people.manager1, ticket=ticket, reason="属于供水公司职责，非社区职责")
    assert ticket.status == TicketStatus.RETURNED
    services.decide_return(by=people.hotline, ticket=ticket, approve=True, note="确属派错")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.owner, ticket.accepted_at) == (TicketStatus.NEW, None, None)
    assert TicketRequest.objects.get(ticket=ticket).status == "approved"
    actions = set(AuditEvent.objects.filter(target_id=str(ticket.public_id)).values_list("action", flat=True))
    assert {"ticket.return_requested", "ticket.return_approved"} <= actions
    with pytest.raises(services.TicketError, match="退单已审核通过"):
        services.route_ticket(by=people.hotline, ticket=ticket, unit=tree.community1)
    services.route_ticket(by=people.hotline, ticket=ticket, unit=tree.street1)
    assert ticket.status == TicketStatus.DISPATCHED


def test_a_rejected_return_goes_back_to_the_unit_as_it_was(people, ticket):
    services.accept_ticket(by=people.manager1, ticket=ticket)
    services.request_return(by=people.manager1, ticket=ticket, reason="不归我们管")
    services.decide_return(by=people.hotline, ticket=ticket, approve=False, note="楼道照明属社区物业管理职责")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.owner_id) == (TicketStatus.IN_PROGRESS, people.manager1.memberships.get().unit_id)


@pytest.mark.parametrize("reason", ["", "  ", "。"])
def test_a_return_needs_a_reason_in_words(people, ticket, reason):
    with pytest.raises(services.TicketError, match="退单理由"):
        services.request_return(by=people.manager1, ticket=ticket, reason=reason)
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.DISPATCHED
    assert not TicketRequest.objects.exists()


def test_only_the_dispatcher_decides_a_return(people, ticket):
    services.request_return(by=people.manager1, ticket=ticket, reason="不属于本单位")
    with pytest.raises(PermissionDenied):
        services.decide_return(by=people.manager1, ticket=ticket, approve=True, note="自己批准")


# ---- 延期 -------------------------------------------------------------------------------------------


def test_an_approved_extension_moves_the_deadline_and_restarts_reminders(people, ticket, street_manager):
    services.accept_ticket(by=people.manager1, ticket=ticket)
    original = ticket.due_at
    until = original + timedelta(days=5)
    services.request_extension(by=people.manager1, ticket=ticket, until=until, reason="需协调产权单位维修")
    with pytest.raises(PermissionDenied):  # the owner cannot approve its own extension
        services.decide_extension(by=people.manager1, ticket=ticket, approve=True, note="同意")
    services.decide_extension(by=street_manager, ticket=ticket, approve=True, note="情况属实，同意")
    ticket.refresh_from_db()
    assert (ticket.due_at, ticket.original_due_at, ticket.reminded_at) == (until, original, None)
    assert original < ticket.remind_at < until
    with pytest.raises(services.TicketError, match="已延期过一次"):
        services.request_extension(by=people.manager1, ticket=ticket, until=until + timedelta(days=1), reason="再延")


def test_an_extension_must_be_later_than_the_deadline(people, ticket):
    services.accept_ticket(by=people.manager1, ticket=ticket)
    with pytest.raises(services.TicketError, match="必须晚于当前办理时限"):
        services.request_extension(by=people.manager1, ticket=ticket, until=ticket.due_at, reason="需要时间")


# ---- 督办 -------------------------------------------------------------------------------------------


def test_supervision_by_the_dispatcher_or_a_manager_above_but_not_the_owner(people, ticket, street_manager):
    services.supervise_ticket(by=street_manager, ticket=ticket, reason="请今日内签收")
    services.supervise_ticket(by=people.hotline, ticket=ticket, reason="来电人再次催促")
    with pytest.raises(PermissionDenied):
        services.supervise_ticket(by=people.manager1, ticket=ticket, reason="自己督办自己")
    assert ticket.events.filter(kind="supervised").count() == 2
    assert AuditEvent.objects.filter(action="ticket.supervised").count() == 2
    with pytest.raises(services.TicketError, match="督办意见"):
        services.supervise_ticket(by=people.hotline, ticket=ticket, reason="")


# ---- pages: each action is a button for the right role ----------------------------------------------


def test_ticket_page_offers_each_action_to_the_right_role(client, people, ticket, street_manager):
    owner_page = _detail(client, people.manager1, ticket)
    assert 'id="return-form"' in owner_page and 'id="supervise-form"' not in owner_page
    assert 'id="supervise-form"' in _detail(client, people.hotline, ticket)
    assert 'id="supervise-form"' in _detail(client, street_manager, ticket)
    client.force_login(people.manager1)
    client.post(reverse("hotline:ticket_accept", args=[ticket.public_id]))
    assert 'id="extend-form"' in _detail(client, people.manager1, ticket)
    response = client.post(reverse("hotline:ticket_extend", args=[ticket.public_id]),
                           {"until": "", "reason": "需协调"})
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["请填写“申请延期至”的日期和时间"]
    until = timezone.localtime(ticket.due_at + timedelta(days=3))
    client.post(reverse("hotline:ticket_extend", args=[ticket.public_id]),
                {"until": f"{until:%Y-%m-%dT%H:%M}", "reason": "需协调产权单位"})
    assert 'id="extend-decide-form"' in _detail(client, people.hotline, ticket)
    client.force_login(people.hotline)
    response = client.post(reverse("hotline:ticket_extend_decide", args=[ticket.public_id]),
                           {"decision": "approve", "note": ""})
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["请填写审核意见"]
    client.post(reverse("hotline:ticket_extend_decide", args=[ticket.public_id]),
                {"decision": "approve", "note": "同意延期"})
    ticket.refresh_from_db()
    assert ticket.original_due_at is not None
    assert "已延期" in _detail(client, people.manager1, ticket)


def test_return_by_clicking_then_dispatcher_sees_the_decision_form(client, people, ticket):
    client.force_login(people.manager1)
    client.post(reverse("hotline:ticket_return", args=[ticket.public_id]), {"reason": "属于燃气公司职责"})
    page = _detail(client, people.hotline, ticket)
    assert 'id="return-decide-form"' in page and "退单待审核" in page and "属于燃气公司职责" in page
    client.force_login(people.hotline)
    client.post(reverse("hotline:ticket_return_decide", args=[ticket.public_id]),
                {"decision": "approve", "note": "派错了"})
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.NEW


# ---- counting -------------------------------------------------------------------------------------------


MARCH = month_bounds(2026, 3)


def test_approved_return_does_not_count_against_the_returning_unit(people, tree):
    ticket = make_ticket(people, tree.compound1, now=at(2026, 3, 10, 9, 0))
    services.request_return(by=people.manager1, ticket=ticket, reason="属于街道职责")
    services.decide_return(by=people.hotline, ticket=ticket, approve=True, note="同意")
    services.route_ticket(by=people.hotline, ticket=ticket, unit=tree.street1)
    community, = rates_for_units([tree.community1], *MARCH)
    assert (community.tickets, community.returns_approved, community.returns_rejected) == (0, 1, 0)
    street, = rates_for_units([tree.street1], *MARCH)
    assert street.tickets == 1  # the street's own ticket now (its subtree holds the community's counts too)


def test_rejected_return_counts_against_the_unit(people, tree):
    ticket = make_ticket(people, tree.compound1, now=at(2026, 3, 10, 9, 0))
    services.request_return(by=people.manager1, ticket=ticket, reason="不归我们")
    services.decide_return(by=people.hotline, ticket=ticket, approve=False, note="属社区职责")
    community, = rates_for_units([tree.community1], *MARCH)
    assert (community.tickets, community.returns_approved, community.returns_rejected) == (1, 0, 1)


def test_on_time_rate_uses_the_extended_deadline(people, tree):
    resolved = at(2026, 3, 25, 10, 0)
    late = make_ticket(people, tree.compound1, now=at(2026, 3, 10, 9, 0))  # due 03-19 09:00
    extended = make_ticket(people, tree.compound1, now=at(2026, 3, 10, 9, 0), phone="13912345679")
    Ticket.objects.filter(pk=extended.pk).update(original_due_at=extended.due_at, due_at=at(2026, 3, 31, 17, 0))
    Ticket.objects.filter(pk__in=[late.pk, extended.pk]).update(status=TicketStatus.RESOLVED, resolved_at=resolved)
    open_overdue = make_ticket(people, tree.compound1, now=at(2026, 3, 10, 9, 0), phone="13912345670")
    make_ticket(people, tree.compound1, now=at(2026, 3, 30, 9, 0), phone="13912345671")  # open, not yet due
    community, = rates_for_units([tree.community1], *MARCH, as_of=at(2026, 4, 1, 9, 0))
    assert (community.due, community.on_time) == (3, 1)
    assert open_overdue.status == TicketStatus.DISPATCHED


def test_supervision_is_counted_and_shown_by_district_and_department(client, people, tree, street_manager):
    ticket = make_ticket(people, tree.compound1, now=at(2026, 3, 10, 9, 0))
    services.supervise_ticket(by=street_manager, ticket=ticket, reason="请加快")
    rankings = monthly_rankings(people.org_department, 2026, 3)
    assert [r.unit for r in rankings["districts"]] == [tree.district1, tree.district2]
    assert rankings["districts"][0].supervised == 1
    assert {r.unit for r in rankings["departments"]} == {tree.agency1, tree.agency2}
    client.force_login(people.org_department)
    body = client.get(reverse("hotline:rates"), {"month": "2026-03"}).content.decode()
    assert 'id="district-ranking"' in body and 'id="department-ranking"' in body and "督办" in body
