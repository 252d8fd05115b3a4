"""The keyset paginator walks a list forward and back without gaps or repeats, and never errors on a
bad cursor (xiachen/core/pagination.py)."""

import re

from django.test import RequestFactory
from django.urls import reverse

from xiachen.core.pagination import keyset_page
from xiachen.households.models import Household
from xiachen.households.selectors import HOUSEHOLD_ORDER

from ..factories import HouseholdFactory, ResidentFactory


def _page(query: dict, per_page: int = 7, ordering=HOUSEHOLD_ORDER):
    request = RequestFactory().get("/households/", query)
    return keyset_page(request, Household.objects.all(), ordering=ordering, per_page=per_page)


def _walk(ordering, per_page=7) -> tuple[list[int], list[int]]:
    """Every row's id walking forward page by page, then backward from the last page."""
    forward, page = [], _page({}, per_page, ordering)
    pages = [page]
    while True:
        forward += [h.pk for h in page]
        if not page.has_next:
            break
        page = _page({"after": page.next_cursor, "q": "kept"}, per_page, ordering)
        assert page.querystring == "q=kept"
        pages.append(page)
    backward = [h.pk for h in page]
    while page.has_previous:
        page = _page({"before": page.previous_cursor}, per_page, ordering)
        backward = [h.pk for h in page] + backward
    assert page.is_first is False or not page.has_previous
    return forward, backward


def test_keyset_pages_cover_every_row_once_in_order_both_ways(tree):
    for index in range(30):  # equal buildings across pages: the later keys must break the ties
        HouseholdFactory(compound=tree.compound1, building=str(index % 3), room=f"{index:03d}")
    expected = list(Household.objects.order_by(*HOUSEHOLD_ORDER).values_list("pk", flat=True))
    assert len(expected) >= 30
    forward, backward = _walk(HOUSEHOLD_ORDER)
    assert forward == expected
    assert backward == expected


def test_keyset_pages_follow_a_mixed_direction_order(tree):
    for index in range(20):
        HouseholdFactory(compound=tree.compound1, building=str(index % 4), room=f"{index:03d}")
    ordering = ["-building", "room", "-id"]
    expected = list(Household.objects.order_by(*ordering).values_list("pk", flat=True))
    forward, backward = _walk(ordering, per_page=6)
    assert forward == expected == backward


def test_a_forged_or_stale_cursor_gives_the_first_page(tree):
    for index in range(10):
        HouseholdFactory(compound=tree.compound1, room=f"{index:03d}")
    first = [h.pk for h in _page({})]
    for cursor in ("garbage", "WzFd", "eyJhIjoxfQ", "WyJ4IiwieCIsIngiLCJ4IiwieCJd"):
        page = _page({"after": cursor})
        assert [h.pk for h in page] == first
        assert page.is_first


def test_household_list_counts_members_of_the_shown_page_and_pages_by_cursor(client, people, tree):
    household = HouseholdFactory(compound=tree.compound1, building="1", room="001")
    for _ in range(3):
        ResidentFactory(household=household)
    for index in range(60):
        HouseholdFactory(compound=tree.compound1, building="9", room=f"{index:03d}")
    client.force_login(people.manager1)
    response = client.get(reverse("households:list"))
    rows = response.context["page"].object_list
    assert len(rows) == 50
    assert next(h for h in rows if h.pk == household.pk).member_count == 3
    body = response.content.decode()
    assert "还有更多" in body and "共 " not in body.split('id="results"')[1]
    cursor = re.search(r'href="\?after=([\w-]+)"', body).group(1)
    second = client.get(reverse("households:list"), {"after": cursor}).context["page"].object_list
    assert not {h.pk for h in rows} & {h.pk for h in second}
    assert len(rows) + len(second) == Household.objects.filter(compound=tree.compound1).count()
