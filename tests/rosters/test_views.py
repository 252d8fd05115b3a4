"""Roster pages: list pages keep a constant number of queries, the grid cell explains a refused move,
the calendar feed needs only its signed token."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from xiachen.rosters.enums import AlertKind, RosterStatus
from xiachen.rosters.models import Assignment, CareAlert, Roster, SwapRequest
from xiachen.rosters.services import create_roster
from xiachen.rosters.tokens import calendar_token

from .conftest import shift


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def _rosters(post, people, count):
    for i in range(count):
        create_roster(by=people.manager1, post=post, start=date(2026, 12, 1 + 7 * i), end=date(2026, 12, 7 + 7 * i))


def _swaps(roster, crew, count):
    for i in range(count):
        SwapRequest.objects.create(roster=roster, day=date(2026, 12, 7 + i), requester=crew[0], partner=crew[1])


def _alerts(roster, crew, count):
    for i in range(count):
        CareAlert.objects.create(cadre=crew[i], roster=roster, unit_path=roster.unit_path, day=date(2026, 12, 7),
                                 kind=AlertKind.SEVENTH_DAY, detail="已连续工作 7 天")


@pytest.mark.parametrize(("url_name", "make"), [("rosters:index", "rosters"), ("rosters:swaps", "swaps"),
                                                ("rosters:alerts", "alerts")])
def test_list_pages_query_count_does_not_grow(client, people, post, roster, crew, url_name, make):
    client.force_login(people.manager1)
    build = {"rosters": lambda n: _rosters(post, people, n), "swaps": lambda n: _swaps(roster, crew, n),
             "alerts": lambda n: _alerts(roster, crew, n)}[make]
    build(1)
    one = _queries(client, reverse(url_name))
    Roster.objects.exclude(pk=roster.pk).delete()
    SwapRequest.objects.all().delete()
    CareAlert.objects.all().delete()
    build(3)
    assert _queries(client, reverse(url_name)) == one


def test_grid_cell_explains_why_a_move_is_refused(client, people, roster, cadre1):
    Assignment.objects.create(roster=roster, cadre=cadre1, day=date(2026, 12, 7), shift=shift(roster.post, "night"))
    client.force_login(people.manager1)
    url = reverse("rosters:cell", args=[roster.public_id])
    response = client.get(url, {"cadre": cadre1.public_id, "day": "2026-12-08", "shift": "morning"},
                          headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "只休息 7 小时，规定至少 11 小时" in body and "disabled" in body
    response = client.post(url, {"cadre": cadre1.public_id, "day": "2026-12-08", "shift": "morning"},
                           headers={"HX-Request": "true"})
    assert not Assignment.objects.filter(cadre=cadre1, day=date(2026, 12, 8)).exists()
    response = client.post(url, {"cadre": cadre1.public_id, "day": "2026-12-10", "shift": "night"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200 and "夜班" in response.content.decode()
    assert Assignment.objects.get(cadre=cadre1, day=date(2026, 12, 10)).shift.code == "night"


def test_grid_page_shows_every_cadre_and_day(client, people, roster, crew):
    client.force_login(people.manager1)
    body = client.get(reverse("rosters:roster", args=[roster.public_id])).content.decode()
    assert all(c.name in body for c in crew)
    assert "12-13" in body


def test_calendar_feed_needs_no_session(client, roster, cadre1):
    Roster.objects.filter(pk=roster.pk).update(status=RosterStatus.PUBLISHED)
    Assignment.objects.create(roster=roster, cadre=cadre1, day=date(2026, 12, 7), shift=shift(roster.post, "night"))
    response = client.get(reverse("rosters:ical", args=[calendar_token(cadre1)]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content.decode()
    # 17:00–01:00 Shanghai time is 09:00–17:00 UTC of the day the shift starts
    assert "DTSTART:20261207T090000Z" in body and "DTEND:20261207T170000Z" in body
    assert client.get(reverse("rosters:ical", args=["forged"])).status_code == 404
