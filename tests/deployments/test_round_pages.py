import pytest
from django.urls import reverse

from xiachen.deployments.enums import RoundStatus
from xiachen.deployments.models import Round


def test_progress_partial_polls_while_matching(client, people, draft_round):
    Round.objects.filter(pk=draft_round.pk).update(status=RoundStatus.MATCHING, progress=40, progress_note="求解中")
    client.force_login(people.org_department)
    body = client.get(reverse("deployments:round_progress", args=[draft_round.public_id]),
                      HTTP_HX_REQUEST="true").content.decode()
    assert '<progress max="100" value="40">' in body
    assert 'hx-trigger="every 1s"' in body
    assert "40% · 求解中" in body


def test_progress_partial_asks_for_a_refresh_when_done(client, people, draft_round):
    Round.objects.filter(pk=draft_round.pk).update(status=RoundStatus.REVIEW, progress=100)
    client.force_login(people.org_department)
    response = client.get(reverse("deployments:round_progress", args=[draft_round.public_id]), HTTP_HX_REQUEST="true")
    assert response["HX-Refresh"] == "true"
    assert "hx-trigger" not in response.content.decode()


def test_refused_publish_shows_the_reason_and_changes_nothing(client, people, draft_round):
    client.force_login(people.org_department)
    response = client.post(reverse("deployments:round_publish", args=[draft_round.public_id]), follow=True)
    assert "轮次不能从“草稿”变为“已发布”" in response.content.decode()
    draft_round.refresh_from_db()
    assert draft_round.status == RoundStatus.DRAFT


def test_other_agency_liaison_cannot_see_the_round(client, people, draft_round):
    client.force_login(people.liaison2)
    assert client.get(reverse("deployments:round_detail", args=[draft_round.public_id])).status_code == 404


@pytest.mark.parametrize("count", [1, 3])
def test_round_list_query_count_is_independent_of_size(client, people, draft_round, count, django_assert_num_queries):
    from datetime import date

    from xiachen.deployments.services import create_round

    for index in range(count - 1):
        create_round(by=people.org_department, name=f"轮次{index}", kind="emergency", start=date(2027, 1, 1),
                     end=date(2027, 1, 31))
    client.force_login(people.org_department)
    with django_assert_num_queries(4):
        response = client.get(reverse("deployments:rounds"))
    assert len(response.context["rounds"]) == count


def test_checkin_with_a_forged_code_is_404(client, people):
    client.force_login(people.cadre_user1)
    assert client.get(reverse("deployments:checkin", args=["forged:token"])).status_code == 404


def test_round_list_counts_demands_and_matches_each_once(people, draft_round, django_capture_on_commit_callbacks):
    from xiachen.deployments.round_selectors import round_list
    from xiachen.deployments.services import start_matching

    with django_capture_on_commit_callbacks(execute=True):
        start_matching(by=people.org_department, round_=draft_round)
    matches = draft_round.matches.count()
    assert matches >= 2  # both demands placed: a join of the two tables would count 2 × 2
    listed = round_list(people.org_department).get(pk=draft_round.pk)
    assert (listed.demand_count, listed.match_count) == (2, matches)
