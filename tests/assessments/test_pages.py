"""List pages: constant query counts, pagination, and 我的考核 only for cadres."""

import re
from datetime import date

import pytest
from django.urls import reverse

from xiachen.assessments.models import Appeal
from xiachen.assessments.services import assign_grades, compute_scores, evaluate, file_appeal
from xiachen.deployments.models import Round
from xiachen.deployments.services import create_round

from .builders import ALL, more_cadres, served_round


def _published_rounds(people, count):
    for index in range(count):
        round_ = create_round(by=people.org_department, name=f"轮次{index:02d}", kind="normalized",
                              start=date(2026, 1, 1), end=date(2026, 1, 31))
        Round.objects.filter(pk=round_.pk).update(status="published")


@pytest.mark.parametrize("count", [1, 3])
def test_index_query_count(client, people, django_assert_num_queries, count):
    _published_rounds(people, count)
    client.force_login(people.org_department)
    with django_assert_num_queries(5):
        response = client.get(reverse("assessments:index"))
    assert response.status_code == 200
    assert len(re.findall(r"轮次\d\d", response.content.decode())) == count


def test_index_is_paginated(client, people):
    _published_rounds(people, 51)
    client.force_login(people.org_department)
    first = client.get(reverse("assessments:index")).content.decode()
    assert "第 1 / 2 页，共 51 条" in first
    second = client.get(reverse("assessments:index"), {"page": 2}).content.decode()
    assert len(re.findall(r"轮次\d\d", second)) == 1


def _appeals(tree, people, count):
    cadres = more_cadres(tree, count)
    for cadre, index in zip(cadres, range(count), strict=True):
        cadre.user = type(people.cadre_user1).objects.create_user(username=f"cadre-appeal-{index}")
        cadre.save(update_fields=["user"])
    round_ = served_round(tree, people, cadres_at_1=cadres)
    for cadre in cadres:
        evaluate(by=people.manager1, round_=round_, cadre=cadre, period="final", scores=ALL)
    scores = compute_scores(by=people.org_department, round_=round_)
    assign_grades(by=people.org_department, round_=round_)  # appeals open once the round is graded
    for score in scores:
        file_appeal(by=score.cadre.user, score=score, reason=f"复核{score.cadre.name}")
    return round_


@pytest.mark.parametrize("count", [1, 3])
def test_appeals_query_count(client, tree, people, django_assert_num_queries, count):
    _appeals(tree, people, count)
    client.force_login(people.org_department)
    with django_assert_num_queries(5):
        response = client.get(reverse("assessments:appeals"))
    assert response.status_code == 200
    assert response.content.decode().count("复核干部乙") == count


def test_appeals_are_paginated(client, tree, people):
    _appeals(tree, people, 1)
    appeal = Appeal.objects.get()
    Appeal.objects.bulk_create(
        Appeal(score=appeal.score, author=appeal.author, reason="旧申诉", status="dismissed", answer="维持")
        for _index in range(50)
    )
    client.force_login(people.org_department)
    first = client.get(reverse("assessments:appeals")).content.decode()
    assert "第 1 / 2 页，共 51 条" in first
    assert "复核干部乙0" in first  # open appeals first
    assert client.get(reverse("assessments:appeals"), {"page": 2}).content.decode().count("旧申诉") == 1


def test_mine_is_for_cadres_only(client, graded, people):
    client.force_login(people.cadre_user1)
    page = client.get(reverse("assessments:mine"))
    assert page.status_code == 200 and graded.round.name in page.content.decode()
    for role in ("org_department", "liaison1", "manager1", "worker1", "resident_user1"):
        client.force_login(getattr(people, role))
        assert client.get(reverse("assessments:mine")).status_code == 403, role


def test_evaluations_appeals_and_reports_are_registered_personal_data():
    from xiachen.core.personal_data import LegalBasis, registered

    assert registered("assessments.Evaluation")["comments"].legal_basis == LegalBasis.EMPLOYMENT
    assert {"reason", "answer"} <= set(registered("assessments.Appeal"))
    assert registered("assessments.ReportJob")["content"].retention_days == 30
