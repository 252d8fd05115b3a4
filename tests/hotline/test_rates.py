"""The three rates, exactly, on a constructed month; rankings, hot topics and the Excel export."""

from fractions import Fraction
from io import BytesIO

import openpyxl
import pytest
from django.urls import reverse

from xiachen.accounts.enums import Role
from xiachen.hotline.enums import TicketStatus
from xiachen.hotline.models import Ticket
from xiachen.hotline.rates import month_bounds, monthly_rankings, rates_for_units

from ..factories import user_with_role
from .builders import at, make_ticket

pytestmark = pytest.mark.usefixtures("defaults")

ON_TIME, LATE = at(2026, 3, 10, 9, 30), at(2026, 3, 10, 13, 0)  # response due 11:00
MARCH_10 = at(2026, 3, 10, 9, 0)


def _ticket(by, place, *, accepted=None, back=None, code="general", received=MARCH_10, **fields):
    ticket = make_ticket(by, place, code=code, now=received)
    Ticket.objects.filter(pk=ticket.pk).update(
        accepted_at=accepted, called_back_at=at(2026, 3, 20, 10, 0) if back else None,
        caller_says_resolved=back[0] if back else None, satisfaction=back[1] if back else "", **fields,
    )
    return ticket


@pytest.fixture
def month(people, tree):
    city_operator = user_with_role(Role.HOTLINE_OPERATOR, tree.city, username="city_hotline")
    ops = type("Ops", (), {"hotline": city_operator})
    _ticket(ops, tree.compound1, accepted=ON_TIME, back=(True, "satisfied"))
    _ticket(ops, tree.compound1, accepted=LATE, back=(False, "basically"))
    _ticket(ops, tree.compound1, accepted=ON_TIME, back=(True, "unsatisfied"))
    _ticket(ops, tree.compound1)  # never signed, never called back
    _ticket(ops, tree.street1, accepted=ON_TIME, back=(True, "satisfied"))
    _ticket(ops, tree.compound2, code="utilities", accepted=ON_TIME, back=(True, "satisfied"))
    _ticket(ops, tree.compound1, accepted=ON_TIME, back=(True, "satisfied"), status=TicketStatus.MERGED)
    _ticket(ops, tree.compound1, accepted=at(2026, 4, 1, 9, 30), back=(False, "unsatisfied"),
            received=at(2026, 4, 1, 9, 0))


def test_three_rates_are_exact(month, tree):
    community1, street1 = rates_for_units([tree.community1, tree.street1], *month_bounds(2026, 3))
    assert (community1.tickets, community1.responded, community1.called_back, community1.resolved,
            community1.satisfied) == (4, 2, 3, 2, 2)
    assert community1.response_rate == Fraction(1, 2)
    assert community1.resolution_rate == Fraction(2, 3)
    assert community1.satisfaction_rate == Fraction(2, 3)
    assert community1.score == Fraction(13, 20)
    assert (street1.response_rate, street1.resolution_rate, street1.satisfaction_rate) == (
        Fraction(3, 5), Fraction(3, 4), Fraction(3, 4))


def test_rate_without_call_backs_is_undefined(month, tree):
    (april,) = rates_for_units([tree.community2], *month_bounds(2026, 4))
    assert (april.tickets, april.response_rate, april.satisfaction_rate, april.score) == (0, None, None, None)


def test_monthly_rankings_for_the_organization_department(month, people):
    rankings = monthly_rankings(people.org_department, 2026, 3)
    assert [(r.rank, r.unit.code) for r in rankings["communities"]] == [(1, "420103002001"), (2, "420102001001")]
    assert [(r.rank, r.unit.code) for r in rankings["streets"]] == [(1, "420103002"), (2, "420102001")]


def test_manager_sees_only_the_own_community_ranked(month, people):
    rankings = monthly_rankings(people.manager1, 2026, 3)
    assert [r.unit.code for r in rankings["communities"]] == ["420102001001"]
    assert rankings["streets"] == []


def test_rates_page_shows_hot_topics_of_the_week(client, month, people):
    client.force_login(people.org_department)
    response = client.get(reverse("hotline:rates"), {"month": "2026-03", "week": "2026-03-10"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "一般诉求：5" in body and "车站路小区：4" in body and "65.0%" in body


def test_rankings_export_is_an_excel_workbook(client, month, people):
    client.force_login(people.org_department)
    response = client.get(reverse("hotline:rates_export"), {"month": "2026-03"})
    sheet = openpyxl.load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("级别", "名次", "单位代码", "单位")
    # Rates are numbers shown as percentages (sortable), the score a number.
    expected = ("社区/村", 2, "420102001001", "车站路社区", 4, 2, 3, 2, 2, 0.5, 2 / 3, 2 / 3, 65.0)
    found = [row[:13] for row in rows if row[3] == "车站路社区"]
    assert [tuple(round(v, 6) if isinstance(v, float) else v for v in row) for row in found] == \
        [tuple(round(v, 6) if isinstance(v, float) else v for v in expected)]
    rate_cell = next(r for r in sheet.iter_rows() if r[3].value == "车站路社区")[9]
    assert rate_cell.number_format == "0.0%"


def test_covering_prefixes_shrink_to_ancestors_and_cover_every_path():
    from xiachen.hotline.rates import covering_prefixes

    paths = [f"/C/D{d}/S{s}/K{k}/" for d in range(3) for s in range(4) for k in range(100)]  # 1,200 communities
    prefixes = covering_prefixes(paths, limit=50)
    assert prefixes == ["/C/D0/S0/", "/C/D0/S1/", "/C/D0/S2/", "/C/D0/S3/", "/C/D1/S0/", "/C/D1/S1/", "/C/D1/S2/",
                        "/C/D1/S3/", "/C/D2/S0/", "/C/D2/S1/", "/C/D2/S2/", "/C/D2/S3/"]
    assert all(any(p.startswith(q) for q in prefixes) for p in paths)
    assert covering_prefixes(["/C/D0/", "/C/D0/S1/"]) == ["/C/D0/"]  # a path inside another is dropped
