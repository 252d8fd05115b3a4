"""Open311 GeoReport v2: inbound (services, file, follow; JSON and XML; api_key = API token) and outbound
(forward to a city platform started here, pull its status back and map it)."""

import pytest
from defusedxml import ElementTree as ET

from tests.hotline.builders import make_ticket
from xiachen.hotline.models import Ticket
from xiachen.hotline.services import accept_ticket
from xiachen.interop.models import Open311Forward
from xiachen.interop.open311_client import ForwardError, forward_ticket, pull_statuses, retry_forwards

from .conftest import bearer

FORM = {"service_code": "general", "description": "路灯不亮", "phone": "13912345678", "last_name": "王",
        "first_name": "小明"}


def test_services_need_a_valid_api_key(client, operator_token):
    _token, raw = operator_token
    listed = client.get("/open311/v2/services.json", {"api_key": raw})
    assert listed.status_code == 200
    general = next(s for s in listed.json() if s["service_code"] == "general")
    assert (general["metadata"], general["type"], general["service_name"]) == (False, "realtime", "一般诉求")
    refused = client.get("/open311/v2/services.json", {"api_key": raw + "x"})
    assert refused.status_code == 403 and refused.json()[0]["code"] == 403
    assert client.get("/open311/v2/services.json").status_code == 403
    assert client.get("/open311/v2/services.json", **bearer(raw)).status_code == 200  # kept out of URLs


def test_a_request_is_filed_and_followed_in_json_and_xml(client, tree, operator_token):
    _token, raw = operator_token
    filed = client.post("/open311/v2/requests.json", FORM | {"api_key": raw, "address_id": tree.compound1.code})
    assert filed.status_code == 201, filed.content
    number = filed.json()[0]["service_request_id"]
    ticket = Ticket.objects.get(number=number)
    assert (ticket.source, ticket.place, ticket.caller_name) == ("open311", tree.compound1, "王小明")
    one = client.get(f"/open311/v2/requests/{number}.json", {"api_key": raw}).json()[0]
    assert (one["status"], one["service_code"], one["address_id"]) == ("open", "general", tree.compound1.code)
    assert "13912345678" not in str(one) and "王小明" not in str(one)
    listed = client.get("/open311/v2/requests.json", {"api_key": raw, "status": "open"}).json()
    assert [r["service_request_id"] for r in listed] == [number]
    xml = client.get("/open311/v2/requests.xml", {"api_key": raw, "service_request_id": number})
    root = ET.fromstring(xml.content)
    assert root.tag == "service_requests" and root.find("request/service_request_id").text == number


def test_bad_input_and_foreign_places_are_open311_errors(client, tree, operator_token):
    _token, raw = operator_token
    unknown = client.post("/open311/v2/requests.json", FORM | {"api_key": raw, "service_code": "nope",
                                                                "address_id": tree.compound1.code})
    assert unknown.status_code == 400 and "service_code" in unknown.json()[0]["description"]
    foreign = client.post("/open311/v2/requests.json", FORM | {"api_key": raw, "address_id": tree.compound2.code})
    assert foreign.status_code == 400 and not Ticket.objects.exists()
    missing = client.get("/open311/v2/requests/HL000000-99999.xml", {"api_key": raw})
    assert missing.status_code == 404 and ET.fromstring(missing.content).find("error/code").text == "404"


def test_a_token_without_the_hotline_scope_cannot_file(client, people, tree, hotline_defaults):
    from .conftest import make_token

    _token, raw = make_token(people, [tree.district1], scopes=["read"])
    response = client.post("/open311/v2/requests.json", FORM | {"api_key": raw, "address_id": tree.compound1.code})
    assert response.status_code == 403 and not Ticket.objects.exists()


@pytest.fixture
def ticket(people, tree, hotline_defaults):
    return make_ticket(people, tree.compound1)


def test_a_ticket_is_forwarded_and_its_closure_pulled_back(
        people, tree, platform, ticket, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        forward_ticket(by=people.hotline, ticket=ticket)
    [posted] = platform.posts
    assert (posted["service_code"], posted["address_id"], posted["attribute[xiachen_ticket]"]) == (
        "CITY-GEN", tree.compound1.code, ticket.number)
    assert "phone" not in posted and "13912345678" not in str(posted)  # the caller stays with us
    forward = Open311Forward.objects.get(ticket=ticket)
    assert (forward.state, forward.service_request_id, forward.remote_status) == ("sent", "C0001", "open")
    assert pull_statuses() == 0  # nothing changed on the platform
    accept_ticket(by=people.manager1, ticket=ticket)
    platform.statuses["C0001"] = ("closed", "已修复路灯")
    assert pull_statuses() == 1
    ticket.refresh_from_db()
    forward.refresh_from_db()
    assert (ticket.status, ticket.outcome, forward.remote_status) == ("resolved", "已修复路灯", "closed")
    assert ticket.events.filter(kind="resolved", actor=None).exists()


def test_a_failed_forward_is_retried_by_the_job(people, platform, ticket, django_capture_on_commit_callbacks):
    platform.fail_next = 1
    with django_capture_on_commit_callbacks(execute=True):
        forward_ticket(by=people.hotline, ticket=ticket)
    forward = Open311Forward.objects.get(ticket=ticket)
    assert (forward.state, forward.last_error, forward.attempts) == ("failed", "HTTP 503", 1)
    assert retry_forwards() == 1
    forward.refresh_from_db()
    assert (forward.state, forward.attempts) == ("sent", 2) and len(platform.posts) == 1
    with pytest.raises(ForwardError):
        forward_ticket(by=people.hotline, ticket=ticket)


def test_forwarding_is_refused_when_no_platform_is_configured(people, ticket, settings):
    settings.XIACHEN_OPEN311_UPSTREAM_URL = ""
    with pytest.raises(ForwardError):
        forward_ticket(by=people.hotline, ticket=ticket)


def test_the_operator_forwards_from_the_ticket_page(client, people, platform, ticket,
                                                    django_capture_on_commit_callbacks):
    from django.urls import reverse

    client.force_login(people.hotline)
    page = client.get(reverse("hotline:ticket_detail", args=[ticket.public_id])).content.decode()
    assert 'id="forward-ticket"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("interop:ticket_forward", args=[ticket.public_id]))
    assert response.status_code == 302 and len(platform.posts) == 1
    page = client.get(reverse("hotline:ticket_detail", args=[ticket.public_id])).content.decode()
    assert 'id="forward-ticket"' not in page and "C0001" in page and "已转送" in page
