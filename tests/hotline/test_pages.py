"""Ticket pages: list query count, masked detail, audited reveal, actions refused with a message."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from xiachen.hotline.enums import TicketStatus

from .builders import PHONE, category, make_ticket

pytestmark = pytest.mark.usefixtures("defaults")


@pytest.mark.parametrize("count", [1, 3])
def test_ticket_list_query_count_is_independent_of_size(client, people, tree, count, django_assert_num_queries):
    for index in range(count):
        make_ticket(people, tree.compound1, phone=f"1390000000{index}")
    client.force_login(people.hotline)
    with django_assert_num_queries(8):  # keyset page (keys, then rows), no COUNT; category and place prefetched
        response = client.get(reverse("hotline:tickets"))
    assert response.status_code == 200
    assert response.content.decode().count("/hotline/tickets/") == count


def test_detail_shows_the_phone_masked(client, people, ticket):
    client.force_login(people.manager1)
    body = client.get(reverse("hotline:ticket_detail", args=[ticket.public_id])).content.decode()
    assert "139****5678" in body and PHONE not in body


def test_phone_typed_into_the_description_is_masked(client, people, tree):
    ticket = make_ticket(people, tree.compound1, description="请回电 13811112222")
    client.force_login(people.hotline)
    body = client.get(reverse("hotline:ticket_detail", args=[ticket.public_id])).content.decode()
    assert "138****2222" in body


def test_reveal_returns_the_phone(client, people, ticket):
    client.force_login(people.hotline)
    response = client.post(reverse("hotline:ticket_reveal", args=[ticket.public_id, "caller_phone"]))
    assert response.content.decode().count(PHONE) == 1


def test_routing_to_a_compound_on_the_page_shows_the_reason(client, people, tree, ticket):
    client.force_login(people.hotline)
    response = client.post(reverse("hotline:ticket_route", args=[ticket.public_id]),
                           {"unit": tree.compound1.public_id})
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "“车站路小区”是小区，不能承办工单：请派给社区、街道、区或职能部门"]
    ticket.refresh_from_db()
    assert ticket.owner == tree.community1


def test_operator_logs_a_call_on_the_page(client, people, tree):
    client.force_login(people.hotline)
    response = client.post(reverse("hotline:ticket_new"), {
        "caller_name": "李四", "caller_phone": "13700001111", "place": tree.compound1.public_id,
        "category": "utilities", "urgency": "normal", "description": "停水",
    })
    assert response.status_code == 302
    body = client.get(response["Location"]).content.decode()
    assert "车站路社区" in body and "137****1111" in body


def test_resident_files_and_sees_the_ticket(client, people, tree):
    category("supplies")
    client.force_login(people.resident_user1)
    response = client.post(reverse("hotline:resident_file"), {"category": "supplies", "urgency": "normal",
                                                              "description": "缺米面"})
    assert response.status_code == 302
    body = client.get(response["Location"]).content.decode()
    assert str(TicketStatus.DISPATCHED.label) in body
