from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from xiachen.cadres.models import ServiceRecord
from xiachen.deployments.enums import MatchStatus, RoundStatus
from xiachen.deployments.models import Deployment
from xiachen.deployments.services import (
    RoundError,
    assign_by_hand,
    check_manual_assignment,
    close_round,
    create_round,
    decide_nomination,
    move_round,
    publish_round,
    record_arrival,
    set_round_scope,
    start_matching,
)

from ..factories import CadreFactory
from .conftest import WUHAN, make_demand


def _run(round_, by, capture, incremental=False):
    with capture(execute=True):
        start_matching(by=by, round_=round_, incremental=incremental)
    round_.refresh_from_db()
    return round_


def _plan(round_) -> dict[str, str]:
    """Post type → the agency (code) of the cadre placed there."""
    matches = round_.matches.select_related("demand__post_type", "cadre__agency")
    return {m.demand.post_type.code: m.cadre.agency.code for m in matches if m.status != MatchStatus.DECLINED}


def test_matching_places_each_cadre_where_department_and_expertise_fit(
    draft_round, people, django_capture_on_commit_callbacks
):
    round_ = _run(draft_round, people.org_department, django_capture_on_commit_callbacks)
    assert round_.status == RoundStatus.REVIEW
    assert round_.progress == 100
    assert round_.result["optimal"] is True
    assert _plan(round_) == {"finance_audit_support": "A-AUDIT", "quarantine_service": "A-HEALTH"}
    finance = round_.matches.get(demand__post_type__code="finance_audit_support")
    assert (finance.affinity, finance.specialty_points, finance.commute_penalty, finance.rotation_penalty) == (
        100,
        20,
        0,
        0,
    )
    assert finance.total == 120


def test_unfilled_demand_is_kept_with_its_reason(draft_round, tree, people, django_capture_on_commit_callbacks):
    legal = make_demand(tree.community1, "legal_advice", people.org_department)
    draft_round.demands.add(legal)
    round_ = _run(draft_round, people.org_department, django_capture_on_commit_callbacks)
    unfilled = round_.unfilled.get()
    assert (unfilled.demand_id, unfilled.places, unfilled.reason) == (legal.pk, 1, "specialty_missing")
    assert unfilled.reason_label == "没有具备必备专长的干部"


def test_recent_service_lowers_the_score(draft_round, staffed, tree, people, django_capture_on_commit_callbacks):
    ServiceRecord.objects.create(
        cadre=staffed["auditors"][0],
        unit=tree.community1,
        post="卡口值守",
        start=date(2026, 10, 1),
        end=date(2026, 11, 1),
    )
    round_ = _run(draft_round, people.org_department, django_capture_on_commit_callbacks)
    finance = round_.matches.get(demand__post_type__code="finance_audit_support")
    assert finance.cadre != staffed["auditors"][0]
    assert finance.rotation_penalty == 0


def test_decline_rematches_only_the_affected_place(draft_round, staffed, people, django_capture_on_commit_callbacks):
    round_ = _run(draft_round, people.org_department, django_capture_on_commit_callbacks)
    finance = round_.matches.get(demand__post_type__code="finance_audit_support")
    quarantine = round_.matches.get(demand__post_type__code="quarantine_service")
    decide_nomination(by=people.liaison1, match=finance, confirm=False, reason="本单位审计任务紧")
    round_ = _run(round_, people.org_department, django_capture_on_commit_callbacks, incremental=True)
    replacement = round_.matches.get(demand__post_type__code="finance_audit_support", status=MatchStatus.PROPOSED)
    assert replacement.cadre != finance.cadre
    assert replacement.cadre.agency.code == "A-AUDIT"
    assert round_.matches.get(pk=quarantine.pk).status == MatchStatus.PROPOSED


def test_decline_needs_a_reason_and_the_right_liaison(draft_round, people, django_capture_on_commit_callbacks):
    round_ = _run(draft_round, people.org_department, django_capture_on_commit_callbacks)
    finance = round_.matches.get(demand__post_type__code="finance_audit_support")
    with pytest.raises(RoundError, match="婉拒时请填写原因"):
        decide_nomination(by=people.liaison1, match=finance, confirm=False, reason=" ")
    with pytest.raises(PermissionDenied):
        decide_nomination(by=people.liaison2, match=finance, confirm=True)


def test_publish_waits_for_every_confirmation_then_creates_deployments(
    draft_round, people, django_capture_on_commit_callbacks
):
    round_ = _run(draft_round, people.org_department, django_capture_on_commit_callbacks)
    with pytest.raises(RoundError, match="还有 2 名拟派干部等待派出单位确认"):
        publish_round(by=people.org_department, round_=round_)
    _confirm_all(round_, people)
    publish_round(by=people.org_department, round_=round_)
    assert round_.status == RoundStatus.PUBLISHED
    assert Deployment.objects.filter(is_active=True).count() == 2


def _confirm_all(round_, people):
    for match in round_.matches.select_related("cadre__agency"):
        liaison = people.liaison1 if match.cadre.agency.code == "A-AUDIT" else people.liaison2
        decide_nomination(by=liaison, match=match, confirm=True)


def test_a_cadre_cannot_be_published_in_two_rounds(draft_round, tree, people, django_capture_on_commit_callbacks):
    by = people.org_department
    second = create_round(by=by, name="另一轮", kind="emergency", start=date(2026, 12, 1), end=date(2026, 12, 31))
    twins = [  # the same asks again as separate demands: a demand itself is deployed by one round only
        make_demand(tree.community1, "finance_audit_support", by),
        make_demand(tree.community2, "quarantine_service", by, needs_medical=True),
    ]
    set_round_scope(by=by, round_=second, demands=twins, quotas={tree.agency1: 2, tree.agency2: 2})
    first = _run(draft_round, by, django_capture_on_commit_callbacks)
    second = _run(second, by, django_capture_on_commit_callbacks)
    _confirm_all(first, people)
    _confirm_all(second, people)
    publish_round(by=by, round_=first)
    with pytest.raises(RoundError, match="有干部已在其他轮次派驻"):
        publish_round(by=by, round_=second)
    assert Deployment.objects.filter(is_active=True).count() == 2


def test_status_moves_only_along_the_table(draft_round, people):
    with pytest.raises(RoundError, match="轮次不能从“草稿”变为“已发布”"):
        move_round(round_=draft_round, to=RoundStatus.PUBLISHED, by=people.org_department)


def test_manual_assignment_is_checked_live(draft_round, staffed, people, django_capture_on_commit_callbacks):
    round_ = _run(draft_round, people.org_department, django_capture_on_commit_callbacks)
    finance_demand = round_.demands.get(post_type__code="finance_audit_support")
    medic = staffed["medics"][1]
    problems = check_manual_assignment(round_=round_, demand=finance_demand, cadre=medic)
    assert problems == ["没有具备必备专长的干部", "该岗位人数已满"]
    with pytest.raises(RoundError, match="该岗位人数已满"):
        assign_by_hand(by=people.org_department, round_=round_, demand=finance_demand, cadre=staffed["auditors"][1])


def test_arrival_and_close_write_the_service_history(draft_round, people, django_capture_on_commit_callbacks):
    round_ = _run(draft_round, people.org_department, django_capture_on_commit_callbacks)
    _confirm_all(round_, people)
    publish_round(by=people.org_department, round_=round_)
    finance = round_.matches.get(demand__post_type__code="finance_audit_support")
    record_arrival(by=people.manager1, match=finance)
    with pytest.raises(PermissionDenied):
        record_arrival(by=people.manager1, match=round_.matches.get(demand__post_type__code="quarantine_service"))
    close_round(by=people.org_department, round_=round_)
    record = ServiceRecord.objects.get(cadre=finance.cadre)
    assert (record.post, record.start, record.end) == ("财务审计支援", date(2026, 12, 1), date(2026, 12, 31))
    assert Deployment.objects.filter(is_active=True).count() == 0


def test_an_unmet_medical_requirement_leaves_that_place_unfilled_not_the_round_failed(
    tree, people, staffed, django_capture_on_commit_callbacks
):
    """Issue #16 item 13: it used to send the round back to draft with an English sentence."""
    by = people.org_department
    demand = make_demand(tree.community1, "quarantine_service", by, needs_medical=True)
    finance = make_demand(tree.community1, "finance_audit_support", by)
    round_ = create_round(by=by, name="只有审计局", kind="emergency", start=date(2026, 12, 1), end=date(2026, 12, 31))
    set_round_scope(by=by, round_=round_, demands=[demand, finance], quotas={tree.agency1: 2})
    round_ = _run(round_, by, django_capture_on_commit_callbacks)
    assert round_.status == RoundStatus.REVIEW
    assert round_.result["status"] == "optimal"
    assert _plan(round_) == {"finance_audit_support": "A-AUDIT"}  # the rest of the round is matched
    medical = round_.unfilled.get(demand=demand)
    assert medical.places == 1
    assert medical.reason_label == "没有符合条件的医护背景干部，医护岗位空缺"


def test_the_per_agency_cap_and_the_medical_requirement_hold_together(
    tree, people, staffed, django_capture_on_commit_callbacks
):
    """Issue 21 item 3: two medical places, at most one cadre per agency at a post: one medic of each
    agency, although both of agency 2 are eligible."""
    by = people.org_department
    CadreFactory(
        agency=tree.agency1, specialties=["medicine"], name="医生甲", home_latitude=WUHAN[0], home_longitude=WUHAN[1]
    )
    demand = make_demand(tree.community2, "quarantine_service", by, headcount=2, needs_medical=True)
    round_ = create_round(
        by=by,
        name="每单位一人",
        kind="emergency",
        start=date(2026, 12, 1),
        end=date(2026, 12, 31),
        max_per_agency_per_post=1,
    )
    set_round_scope(by=by, round_=round_, demands=[demand], quotas={tree.agency1: 2, tree.agency2: 2})
    round_ = _run(round_, by, django_capture_on_commit_callbacks)
    matches = list(round_.matches.select_related("cadre__agency"))
    assert sorted(m.cadre.agency.code for m in matches) == sorted([tree.agency1.code, tree.agency2.code])
    assert all("medicine" in m.cadre.specialties.values_list("code", flat=True) for m in matches)
    assert round_.result["status"] == "optimal"
