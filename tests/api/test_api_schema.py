"""Schemathesis over the whole API, in-process through the WSGI app: no server errors, responses match
the schema, for a signed-in organization department user and anonymously."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings

from tests.tripwire import find_personal_data


def _carries_no_personal_looking_value(case) -> bool:
    """Generated digits can look like a phone number; the tripwire would (rightly) stop such a URL."""
    return not find_personal_data(f"{case.path_parameters} {case.query}")


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """Like Django's test client: a raw WSGI request must not close the test transaction's connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _call_all(session_cookie: str | None, *, staff_client) -> list[int]:
    """Every operation with generated input, as the holder of `session_cookie` (None: anonymous);
    the schema itself is read by a staff member (`staff_client`): it is not public."""
    app = get_wsgi_application()
    schema = schemathesis.openapi.from_dict(staff_client.get("/api/openapi.json").json())
    # Django's test client reconnects close_old_connections when its request ends: undo that again.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    schema.app, schema.location = app, "/api/openapi.json"  # what from_wsgi sets after loading
    cookies = {"sessionid": session_cookie} if session_cookie else {}
    statuses = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(case=operation.as_strategy().filter(_carries_no_personal_looking_value))
        def check(case):
            response = case.call(cookies=cookies)
            statuses.append(response.status_code)
            assert response.status_code < 500, (case.path, case.query, case.path_parameters)
            if response.status_code == 200:
                case.validate_response(response, checks=[schemathesis.checks.response_schema_conformance])

        check()
    return statuses


@pytest.mark.django_db
def test_api_conforms_for_a_signed_in_user(client, people, resident1, cadre1):
    client.force_login(people.org_department)
    statuses = _call_all(client.cookies["sessionid"].value, staff_client=client)
    assert 200 in statuses


@pytest.mark.django_db
def test_api_refuses_anonymous_callers_cleanly(client, people):
    client.force_login(people.org_department)
    statuses = _call_all(None, staff_client=client)
    assert set(statuses) <= {400, 401, 404, 422}


@pytest.mark.django_db
def test_out_of_range_offset_is_a_validation_error(client, people):
    client.force_login(people.org_department)
    assert client.get("/api/units/", {"offset": 2**63}).status_code == 422
    assert client.get("/api/units/", {"limit": 501}).status_code == 422


@pytest.mark.django_db
def test_nul_characters_are_refused_before_any_query(client, people):
    client.force_login(people.org_department)
    assert client.get("/api/units/", {"q": "a\x00b"}).status_code == 400
    assert client.get("/cadres/", {"q": "\x00"}).status_code == 400
    assert client.get("/api/units/", {"q": "ab"}).status_code == 200
