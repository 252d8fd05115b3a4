"""Rules as reality has them (issue #16 items 14 and 15): a decline counts for the whole round unless
the agency says otherwise; round and demand periods must overlap; a deployed demand is not offered
to another round; the scope picker shows where each demand stands."""

from datetime import date

import pytest
from django.urls import reverse

from xiachen.audit.models import AuditEvent
from xiachen.deployments.enums import DemandStatus, MatchStatus, RoundStatus
from xiachen.deployments.services import (
    RoundError,
    check_manual_assignment,
    create_round,
    decide_nomination,
    publish_round,
    set_other_posts,
    set_round_scope,
    start_matching,
)

from .conftest import make_demand


def _run(round_, by, capture, incremental=False):
    with capture(execute=True):
        start_matching(by=by, round_=round_, incremental=incremental)
    round_.refresh_from_db()
    return round_


@pytest.fixture
def two_finance_posts(tree, people):
    """Two finance posts; agency1's only cadre (cadre1, an auditor) fits both."""
    by = people.org_department
    first = make_demand(tree.community1, "finance_audit_support", by)
    second = make_demand(tree.community2, "finance_audit_support", by)
    round_ = create_round(by=by, name="财务支援", kind="normalized", start=date(2026, 12, 1), end=date(2026, 12, 31))
    set_round_scope(by=by, round_=round_, demands=[first, second], quotas={tree.agency1: 1})
    return round_


def test_a_declined_cadre_is_not_proposed_again_for_another_post_of_the_round(
    two_finance_posts, people, cadre1, django_capture_on_commit_callbacks
):
    by = people.org_department
    round_ = _run(two_finance_posts, by, django_capture_on_commit_callbacks)
    nominated = round_.matches.get()
    decide_nomination(by=people.liaison1, match=nominated, confirm=False, reason="在岗任务重")
    round_ = _run(round_, by, django_capture_on_commit_callbacks, incremental=True)
    assert round_.status == RoundStatus.REVIEW
    assert not round_.matches.exclude(status=MatchStatus.DECLINED).exists()  # the bug: cadre1 at the other post
    assert check_manual_assignment(round_=round_, demand=round_.demands.exclude(pk=nominated.demand_id).get(),
                                   cadre=cadre1) == ["派出单位已在本轮婉拒该干部"]


def test_the_agency_may_let_a_declined_cadre_take_another_post_and_that_is_audited(
    client, two_finance_posts, people, cadre1, django_capture_on_commit_callbacks
):
    by = people.org_department
    round_ = _run(two_finance_posts, by, django_capture_on_commit_callbacks)
    nominated = round_.matches.get()
    decide_nomination(by=people.liaison1, match=nominated, confirm=False, reason="不适合该社区")
    client.force_login(people.liaison1)
    page = client.get(reverse("deployments:nominations")).content.decode()
    assert "本轮不再推荐" in page and reverse("deployments:match_other_posts", args=[nominated.public_id]) in page
    response = client.post(reverse("deployments:match_other_posts", args=[nominated.public_id]), {"allowed": "1"})
    assert response.status_code == 302
    nominated.refresh_from_db()
    assert nominated.other_posts_allowed
    event = AuditEvent.objects.get(action="match.other_posts_set")
    assert event.fields == {"allowed": True}
    round_ = _run(round_, by, django_capture_on_commit_callbacks, incremental=True)
    again = round_.matches.get(status=MatchStatus.PROPOSED)
    assert again.cadre == cadre1 and again.demand_id != nominated.demand_id  # never the declined post


def test_the_decline_form_can_allow_other_posts_at_once(two_finance_posts, people, django_capture_on_commit_callbacks):
    round_ = _run(two_finance_posts, people.org_department, django_capture_on_commit_callbacks)
    match = decide_nomination(by=people.liaison1, match=round_.matches.get(), confirm=False, reason="路远",
                              other_posts=True)
    assert match.other_posts_allowed
    assert AuditEvent.objects.get(action="match.declined").fields == {"other_posts_allowed": True}


def test_only_the_agency_answers_for_its_declined_cadre(two_finance_posts, people, django_capture_on_commit_callbacks):
    from django.core.exceptions import PermissionDenied

    round_ = _run(two_finance_posts, people.org_department, django_capture_on_commit_callbacks)
    match = round_.matches.get()
    with pytest.raises(RoundError, match="只能对本轮已婉拒的干部作此设定"):
        set_other_posts(by=people.liaison1, match=match, allowed=True)
    decide_nomination(by=people.liaison1, match=match, confirm=False, reason="路远")
    with pytest.raises(PermissionDenied):
        set_other_posts(by=people.liaison2, match=match, allowed=True)


def test_a_demand_outside_the_round_period_is_refused_naming_it(tree, people):
    by = people.org_department
    late = make_demand(tree.community1, "finance_audit_support", by)  # December 2026
    round_ = create_round(by=by, name="十一月", kind="normalized", start=date(2026, 11, 1), end=date(2026, 11, 30))
    with pytest.raises(RoundError) as refused:
        set_round_scope(by=by, round_=round_, demands=[late], quotas={tree.agency1: 1})
    assert str(refused.value) == (
        "岗位需求“车站路社区·财务审计支援”的期间（2026-12-01 至 2026-12-31）"
        "与轮次期间（2026-11-01 至 2026-11-30）没有重叠"
    )
    assert not round_.demands.exists()  # nothing partly saved
    late.refresh_from_db()
    assert late.status == DemandStatus.OPEN


def test_a_round_with_a_demand_outside_its_period_neither_runs_nor_publishes(
    draft_round, tree, people, django_capture_on_commit_callbacks
):
    """Data from before the check: the notice used to read "2026年12月14日 至 2026年12月9日"."""
    by = people.org_department
    early = make_demand(tree.community1, "finance_audit_support", by)
    early.start, early.end = date(2026, 11, 1), date(2026, 11, 9)
    early.save()
    draft_round.demands.add(early)
    with pytest.raises(RoundError, match="与轮次期间（2026-12-01 至 2026-12-31）没有重叠"):
        start_matching(by=by, round_=draft_round)
    draft_round.demands.remove(early)
    round_ = _run(draft_round, by, django_capture_on_commit_callbacks)
    for match in round_.matches.select_related("cadre__agency"):
        liaison = people.liaison1 if match.cadre.agency_id == tree.agency1.pk else people.liaison2
        decide_nomination(by=liaison, match=match, confirm=True)
    round_.demands.add(early)
    with pytest.raises(RoundError, match="车站路社区·财务审计支援"):
        publish_round(by=by, round_=round_)


def test_a_deployed_demand_is_not_offered_to_another_round(
    client, draft_round, tree, people, django_capture_on_commit_callbacks
):
    by = people.org_department
    round_ = _run(draft_round, by, django_capture_on_commit_callbacks)
    for match in round_.matches.select_related("cadre__agency"):
        liaison = people.liaison1 if match.cadre.agency_id == tree.agency1.pk else people.liaison2
        decide_nomination(by=liaison, match=match, confirm=True)
    publish_round(by=by, round_=round_)
    deployed = list(round_.demands.all())
    assert {d.status for d in deployed} == {DemandStatus.DEPLOYED}
    later = create_round(by=by, name="下一轮", kind="normalized", start=date(2026, 12, 1), end=date(2026, 12, 31))
    with pytest.raises(RoundError, match="已在轮次“2026年12月常态化下沉”中派驻"):
        set_round_scope(by=by, round_=later, demands=deployed, quotas={tree.agency1: 1})
    client.force_login(by)
    page = client.get(reverse("deployments:round_detail", args=[later.public_id]))
    offered = {d.pk for d, *_rest in page.context["open_demands"]}
    assert not offered & {d.pk for d in deployed}


def test_the_scope_picker_shows_where_each_demand_stands(client, draft_round, tree, people):
    by = people.org_department
    fresh = make_demand(tree.community1, "legal_advice", by)
    november = make_demand(tree.community2, "legal_advice", by)
    november.start, november.end = date(2026, 11, 1), date(2026, 11, 20)
    november.save()
    other = create_round(by=by, name="补充轮次", kind="normalized", start=date(2026, 12, 10), end=date(2026, 12, 31))
    client.force_login(by)
    page = client.get(reverse("deployments:round_detail", args=[other.public_id]))
    rows = {d.pk: (chosen, rounds, outside) for d, chosen, rounds, outside in page.context["open_demands"]}
    in_draft = draft_round.demands.first()
    assert rows[in_draft.pk] == (False, ["2026年12月常态化下沉"], False)
    assert rows[fresh.pk] == (False, [], False)
    assert rows[november.pk] == (False, [], True)
    html = page.content.decode()
    assert "已在轮次“2026年12月常态化下沉”中" in html and "待匹配" in html and "期间与本轮不重叠" in html
