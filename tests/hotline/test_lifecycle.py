"""A ticket from intake to call-back through the one status service, and every refusal."""

import pytest
from django.core.exceptions import PermissionDenied

from xiachen.audit.models import AuditEvent
from xiachen.hotline import services
from xiachen.hotline.enums import EventKind, TicketStatus
from xiachen.hotline.models import RoutingRule, Ticket
from xiachen.hotline.selectors import likely_duplicates

from .builders import PHONE, at, category, make_ticket

pytestmark = pytest.mark.usefixtures("defaults")


def _in_progress(ticket, people):
    return services.accept_ticket(by=people.manager1, ticket=ticket)


def _resolved(ticket, people):
    _in_progress(ticket, people)
    return services.resolve_ticket(by=people.manager1, ticket=ticket, outcome="已更换灯泡")


def _unsatisfied(ticket, people):
    _resolved(ticket, people)
    return services.record_callback(by=people.hotline, ticket=ticket, resolved=False, satisfaction="unsatisfied",
                                    reason="灯又坏了")


def test_call_is_dispatched_by_address_to_the_community(ticket, tree):
    assert ticket.status == TicketStatus.DISPATCHED
    assert ticket.owner == tree.community1
    assert ticket.district == tree.district1
    assert ticket.number.startswith("HL")
    assert list(ticket.events.values_list("kind", flat=True)) == [EventKind.CREATED, EventKind.ROUTED]


def test_caller_phone_is_encrypted_at_rest_and_masked(ticket):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT caller_phone, caller_name FROM hotline_ticket WHERE id = %s", [ticket.pk])
        stored_phone, stored_name = cursor.fetchone()
    assert PHONE not in stored_phone and "王小明" not in stored_name
    assert ticket.masked_phone == "139****5678"
    assert ticket.masked_name == "王**"


def test_medical_rule_routes_to_the_health_liaison(people, tree):
    RoutingRule.objects.create(category=category("medical"), area=tree.district1, unit=tree.department2)
    ticket = make_ticket(people, tree.compound1, code="medical")
    assert ticket.owner == tree.department2


def test_city_wide_rule_yields_to_a_more_specific_district_rule(people, tree):
    RoutingRule.objects.create(category=category("medical"), area=None, unit=tree.agency2)
    RoutingRule.objects.create(category=category("medical"), area=tree.district1, unit=tree.department2)
    assert make_ticket(people, tree.compound1, code="medical").owner == tree.department2


def test_street_level_place_goes_to_the_street(people, tree):
    assert make_ticket(people, tree.street1).owner == tree.street1


def test_urgent_medical_request_is_due_in_two_hours(people, tree):
    ticket = make_ticket(people, tree.compound1, code="medical", urgency="urgent", now=at(2026, 3, 7, 23, 0))
    assert ticket.due_at == at(2026, 3, 8, 1, 0)
    assert ticket.remind_at == at(2026, 3, 8, 0, 30)
    assert ticket.response_due == at(2026, 3, 8, 1, 0)


def test_general_request_counts_working_days_over_the_holiday(people, tree):
    ticket = make_ticket(people, tree.compound1, now=at(2026, 9, 30, 10, 0))
    # working days after 09-30: 10-08, 09, 10 (make-up Saturday), 12, 13, 14, 15
    assert ticket.due_at == at(2026, 10, 15, 10, 0)


def test_operator_outside_the_area_cannot_log_a_call_there(people, tree):
    with pytest.raises(PermissionDenied):
        make_ticket(people, tree.compound2)


def test_bad_phone_is_refused_in_chinese(people, tree):
    with pytest.raises(services.TicketError, match="联系电话格式不正确"):
        make_ticket(people, tree.compound1, phone="12345")
    assert Ticket.objects.count() == 0


def test_routing_to_a_compound_is_refused_and_nothing_changes(ticket, people, tree):
    events = ticket.events.count()
    with pytest.raises(services.TicketError, match=r"车站路小区.*不能承办工单"):
        services.route_ticket(by=people.hotline, ticket=ticket, unit=tree.compound1)
    ticket.refresh_from_db()
    assert (ticket.owner, ticket.status, ticket.events.count()) == (tree.community1, TicketStatus.DISPATCHED, events)


def test_routing_to_the_city_is_refused(ticket, people, tree):
    with pytest.raises(services.TicketError, match="不能承办工单"):
        services.route_ticket(by=people.hotline, ticket=ticket, unit=tree.city)


def test_operator_cannot_route_into_another_district(ticket, people, tree):
    with pytest.raises(services.TicketError, match="不在您的派单范围内"):
        services.route_ticket(by=people.hotline, ticket=ticket, unit=tree.community2)


def test_first_receiver_owns_the_ticket_until_the_transfer_is_accepted(ticket, people, tree):
    _in_progress(ticket, people)
    with pytest.raises(services.TicketError, match="首接负责"):
        services.route_ticket(by=people.hotline, ticket=ticket, unit=tree.street1)
    services.request_transfer(by=people.manager1, ticket=ticket, unit=tree.department2, reason="属医疗事项")
    ticket.refresh_from_db()
    assert (ticket.owner, ticket.transfer_to) == (tree.community1, tree.department2)
    liaison_manager = _manager_of(tree.department2)
    services.accept_transfer(by=liaison_manager, ticket=ticket)
    ticket.refresh_from_db()
    assert (ticket.owner, ticket.transfer_to, ticket.status) == (tree.department2, None, TicketStatus.IN_PROGRESS)


def _manager_of(unit):
    from tests.factories import user_with_role
    from xiachen.accounts.enums import Role

    return user_with_role(Role.UNIT_MANAGER, unit)


def test_declined_transfer_goes_to_the_district_which_rules(ticket, people, tree):
    services.request_transfer(by=people.manager1, ticket=ticket, unit=tree.street1, reason="非本社区事项")
    services.decline_transfer(by=_manager_of(tree.street1), ticket=ticket, reason="应由社区办理")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.owner) == (TicketStatus.DISPUTED, tree.community1)
    with pytest.raises(PermissionDenied):
        services.arbitrate(by=people.manager1, ticket=ticket, unit=tree.street1)
    services.arbitrate(by=people.hotline, ticket=ticket, unit=tree.district1, note="区级兜底")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.owner, ticket.transfer_to) == (TicketStatus.IN_PROGRESS, tree.district1, None)


def test_closing_without_an_outcome_is_refused_and_nothing_changes(ticket, people):
    _in_progress(ticket, people)
    with pytest.raises(services.TicketError, match="请填写办理结果"):
        services.resolve_ticket(by=people.manager1, ticket=ticket, outcome="   ")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.outcome, ticket.resolved_at) == (TicketStatus.IN_PROGRESS, "", None)


def test_other_community_cannot_resolve(ticket, people):
    _in_progress(ticket, people)
    with pytest.raises(PermissionDenied):
        services.resolve_ticket(by=people.manager2, ticket=ticket, outcome="已处理")


def test_unsatisfied_call_back_needs_a_reason(ticket, people):
    _resolved(ticket, people)
    with pytest.raises(services.TicketError, match="请填写原因"):
        services.record_callback(by=people.hotline, ticket=ticket, resolved=False, satisfaction="unsatisfied")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.RESOLVED


def test_satisfied_call_back_closes_the_ticket(ticket, people):
    _resolved(ticket, people)
    services.record_callback(by=people.hotline, ticket=ticket, resolved=True, satisfaction="satisfied")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.satisfaction, ticket.caller_says_resolved) == (
        TicketStatus.CLOSED, "satisfied", True)


def test_unsatisfied_ticket_reopens_once_and_a_second_reopen_is_refused(ticket, people):
    _unsatisfied(ticket, people)
    services.reopen_ticket(by=people.hotline, ticket=ticket, note="再次处理")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.reopen_count, ticket.satisfaction) == (TicketStatus.IN_PROGRESS, 1, "")
    services.resolve_ticket(by=people.manager1, ticket=ticket, outcome="已彻底维修")
    services.record_callback(by=people.hotline, ticket=ticket, resolved=False, satisfaction="unsatisfied",
                             reason="仍不满意")
    audit_rows = AuditEvent.objects.count()
    with pytest.raises(services.TicketError, match="已重办过一次，不能再次重办"):
        services.reopen_ticket(by=people.hotline, ticket=ticket)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.reopen_count, ticket.satisfaction) == (TicketStatus.CLOSED, 1, "unsatisfied")
    assert AuditEvent.objects.count() == audit_rows


def test_satisfied_ticket_cannot_be_reopened(ticket, people):
    _resolved(ticket, people)
    services.record_callback(by=people.hotline, ticket=ticket, resolved=True, satisfaction="basically")
    with pytest.raises(services.TicketError, match="不满意"):
        services.reopen_ticket(by=people.hotline, ticket=ticket)


def test_transition_table_refuses_moves_it_does_not_list(ticket, people):
    with pytest.raises(services.TicketError, match="不能从“待签收”变为“已回访”"):
        services.move_ticket(ticket=ticket, to=TicketStatus.CLOSED, by=people.hotline, kind=EventKind.NOTE)


def test_same_phone_category_and_compound_within_a_day_is_a_likely_duplicate(people, tree):
    first = make_ticket(people, tree.compound1, now=at(2026, 3, 2, 9, 0))
    second = make_ticket(people, tree.compound1, now=at(2026, 3, 2, 20, 0))
    make_ticket(people, tree.compound1, now=at(2026, 3, 4, 9, 0))  # two days later
    make_ticket(people, tree.compound1, code="utilities", now=at(2026, 3, 2, 10, 0))
    make_ticket(people, tree.compound1, phone="13900000001", now=at(2026, 3, 2, 10, 0))
    assert list(likely_duplicates(second)) == [first]
    services.link_duplicate(by=people.hotline, ticket=second, original=first)
    second.refresh_from_db()
    assert (second.status, second.duplicate_of) == (TicketStatus.MERGED, first)
    assert first.events.filter(kind=EventKind.LINKED).count() == 1


def test_resident_files_a_ticket_with_register_data(resident1, tree):
    ticket = services.file_ticket_from_resident(resident=resident1, category=category("supplies"),
                                                description="家中缺米面")
    assert (ticket.source, ticket.place, ticket.owner, ticket.resident) == ("resident", tree.compound1,
                                                                            tree.community1, resident1)
    assert ticket.caller_phone == resident1.phone


def test_reveal_is_audited_and_refused_to_the_organization_department(ticket, people):
    assert services.reveal_caller_field(by=people.hotline, ticket=ticket, field="caller_phone") == PHONE
    assert AuditEvent.objects.filter(action="ticket.personal_revealed").count() == 1
    with pytest.raises(PermissionDenied):
        services.reveal_caller_field(by=people.org_department, ticket=ticket, field="caller_phone")
