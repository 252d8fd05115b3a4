"""Deployments, demand, attendance, care alerts, survey responses and scores reach the right
rollup rows, and the agency dashboard shows them; the refresh task and a changed unit tree."""

import uuid
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.dashboards.builders import add_scans
from tests.factories import make_unit
from xiachen.assessments.models import Grade, Scheme, Score
from xiachen.dashboards import rollups
from xiachen.dashboards.models import DailyMetric, Snapshot
from xiachen.dashboards.tasks import refresh_rollups_task
from xiachen.deployments.models import Demand, Deployment, Match, PostType, Round
from xiachen.rosters.models import Assignment, Attendance, CareAlert, Roster, ShiftTemplate
from xiachen.surveys import services as surveys
from xiachen.surveys.models import Participation


@pytest.fixture
def served(tree, people, cadre1, resident1):
    """cadre1 (agency1) deployed on gate duty in community1 (a demand for two, current), one
    attended 8.5-hour shift yesterday, a care alert, a survey answer and an excellent score."""
    by, today = people.org_department, timezone.localdate()
    yesterday = today - timedelta(days=1)
    demand = Demand.objects.create(unit=tree.community1, post_type=PostType.objects.get(code="gate_duty"),
                                   headcount=2, start=today - timedelta(days=10), end=today + timedelta(days=10),
                                   created_by=by, status="in_round")
    round_ = Round.objects.create(name="第一轮", start=demand.start, end=demand.end, status="published", created_by=by)
    match = Match.objects.create(round=round_, demand=demand, cadre=cadre1, agency_path=cadre1.agency_path,
                                 status="arrived")
    Deployment.objects.create(match=match, cadre=cadre1)
    roster = Roster.objects.create(post=demand, round=round_, unit_path=tree.community1.path, start=demand.start,
                                   end=demand.end, created_by=by, status="published")
    shift = ShiftTemplate.objects.create(post=demand, code="am", name="早班", start=time(8), length_minutes=510)
    assignment = Assignment.objects.create(roster=roster, cadre=cadre1, day=yesterday, shift=shift)
    start = timezone.make_aware(datetime.combine(yesterday, time(8)))
    Attendance.objects.create(assignment=assignment, checked_in_at=start, checked_out_at=start + timedelta(minutes=510),
                              source="scan")
    CareAlert.objects.create(cadre=cadre1, roster=roster, unit_path=tree.community1.path, day=yesterday,
                             kind="seventh_day", detail="连续工作第 7 天")
    survey = surveys.create_survey(by=people.manager1, title="需求调查", compounds=[tree.compound1])
    answer = Participation.objects.create(survey=survey, resident=resident1, compound_path=tree.compound1.path,
                                          submission_key=uuid.uuid4())
    Participation.objects.filter(pk=answer.pk).update(created_at=start)
    Score.objects.create(round=round_, cadre=cadre1, agency_path=cadre1.agency_path, total=Decimal("92.50"),
                         scheme=Scheme.objects.get(is_active=True), grade=Grade.objects.get(code="excellent"),
                         computed_at=timezone.now())
    return rollups.day_number(yesterday)


def _snapshot(unit) -> dict:
    return {(m, k): v for m, k, v in Snapshot.objects.filter(unit=unit).values_list("metric", "key", "value")}


def _daily(unit, day) -> dict:
    return dict(DailyMetric.objects.filter(unit=unit, day=day).values_list("metric", "value"))


def test_every_source_reaches_every_level(tree, served):
    rollups.rebuild_all()
    for unit in (tree.city, tree.district1, tree.street1, tree.community1):
        snapshot = _snapshot(unit)
        assert (snapshot[("deployed", "gate_duty")], snapshot[("headcount", "gate_duty")],
                snapshot[("covered", "gate_duty")]) == (1, 2, 1)
        assert _daily(unit, served) | {"attendance_minutes": 0, "attended_shifts": 0} == {
            "care_alerts": 1, "survey_responses": 1, "attendance_minutes": 0, "attended_shifts": 0}
    assert _snapshot(tree.district2) == {}
    agency = _snapshot(tree.agency1)
    assert {key: value for (metric, key), value in agency.items() if metric == "placed"} == {
        str(unit.pk): 1 for unit in (tree.city, tree.district1, tree.street1, tree.community1)}
    assert (agency[("scored", "excellent")], agency[("score_total_x100", "excellent")]) == (1, 9250)
    assert _daily(tree.agency1, served) == {"attendance_minutes": 510, "attended_shifts": 1}
    assert _daily(tree.city, served)["attendance_minutes"] == 510


def test_agency_dashboard_shows_placements_hours_and_scores(client, people, tree, served):
    rollups.rebuild_all()
    client.force_login(people.liaison1)
    response = client.get(reverse("dashboards:agency", args=[tree.agency1.public_id]))
    kpis = {kpi["id"]: kpi["value"] for kpi in response.context["dashboard"].kpis}
    assert kpis == {"placed": 1, "hours": 8.5, "scored": 1, "average": 92.5}
    districts = response.context["dashboard"].chart("districts")
    assert (districts.x, districts.series[0]["data"]) == (["江岸区"], [1])
    grades = response.context["dashboard"].chart("grades")
    assert (grades.x, grades.series[0]["data"]) == (["优秀"], [1])


def test_city_dashboard_shows_deployed_cadres_and_coverage(client, people, tree, served):
    rollups.rebuild_all()
    client.force_login(people.org_department)
    response = client.get(reverse("dashboards:city"))
    kpis = {kpi["id"]: kpi["value"] for kpi in response.context["dashboard"].kpis}
    assert (kpis["deployed"], kpis["coverage"], kpis["care"], kpis["surveys"]) == (1, "50.0%", 1, 1)
    deployed = response.context["dashboard"].chart("deployed")
    assert (deployed.x, deployed.series) == (["江岸区", "江汉区"], [{"name": "卡口值守", "data": [1, 0]}])
    assert deployed.links == [reverse("dashboards:district", args=[tree.district1.public_id]),
                              reverse("dashboards:district", args=[tree.district2.public_id])]


def test_refresh_task_runs_the_incremental_and_the_full_refresh(tree, people):
    add_scans(tree.compound1, [timezone.now()], by=people.worker1)
    refresh_rollups_task.enqueue(full=True)
    assert DailyMetric.objects.filter(unit=tree.city, metric="scans").get().value == 1
    add_scans(tree.compound1, [timezone.now()], by=people.worker1)
    refresh_rollups_task.enqueue()
    assert DailyMetric.objects.filter(unit=tree.city, metric="scans").get().value == 2


def test_a_changed_unit_tree_rebuilds_the_rollups(tree, people):
    rollups.rebuild_all()
    community = make_unit("420103002002", "新社区", "community", tree.street2)
    compound = make_unit("420103002002001", "新小区", "compound", community)
    add_scans(compound, [timezone.now()], by=people.worker1)
    assert rollups.refresh_changed() == dict.fromkeys(
        ["scans", "fever", "errands", "tickets", "surveys", "care", "attendance"], -1)
    assert DailyMetric.objects.filter(unit=community, metric="scans").get().value == 1
