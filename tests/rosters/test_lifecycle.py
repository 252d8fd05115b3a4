"""Generation in a background task, validated before it is stored; contradictions explained before
solving; shortfalls reported per day and shift; draft → published → locked through one table."""

from datetime import date

import pytest

from xiachen.rosters.enums import RosterStatus
from xiachen.rosters.models import ShiftTemplate
from xiachen.rosters.planning import frame_of, stored_cells
from xiachen.rosters.services import ALLOWED, RosterError, change_status, move_roster, start_generation
from xiachen.solver.validate import validate


def _generate(roster, by, capture, seconds=1.5):
    with capture(execute=True):
        start_generation(by=by, roster=roster, time_limit=seconds)
    roster.refresh_from_db()
    return roster


def test_generated_roster_passes_the_validator_and_covers_every_shift(
    roster, people, django_capture_on_commit_callbacks
):
    roster = _generate(roster, people.manager1, django_capture_on_commit_callbacks)
    assert roster.status == RosterStatus.DRAFT
    assert roster.progress == 100
    assert roster.result["status"] in ("OPTIMAL", "FEASIBLE")
    frame = frame_of(roster)
    check = validate(frame.problem, frame.rows(stored_cells(roster)))
    assert check.violations == ()
    assert roster.result["validated_objective"] == check.objective
    covered = {(a.day, a.shift.code) for a in roster.assignments.select_related("shift")}
    assert len(covered) == 14  # a morning and a night on each of the 7 days
    assert roster.result["shortfalls"] == []


def test_cover_that_cannot_be_met_is_reported_per_day_and_shift(roster, post, people,
                                                               django_capture_on_commit_callbacks):
    ShiftTemplate.objects.filter(post=post, code="morning").update(preferred=4)
    roster = _generate(roster, people.manager1, django_capture_on_commit_callbacks)
    assert roster.assignments.exists()
    shortfalls = roster.result["shortfalls"]
    assert len(shortfalls) == 7
    assert {s["shift"] for s in shortfalls} == {"白班"}
    assert all(s["missing"] == s["preferred"] - s["assigned"] > 0 for s in shortfalls)


def test_contradictory_rules_are_explained_before_solving(roster, post, people, django_capture_on_commit_callbacks):
    ShiftTemplate.objects.filter(post=post, code="night").update(minimum=5, preferred=5)
    capture = django_capture_on_commit_callbacks(execute=True)
    expected = r"规则互相矛盾，无法排班：\d\d-\d\d 夜班至少需要 5 人，但只有"
    with capture as callbacks, pytest.raises(RosterError, match=expected):
        start_generation(by=people.manager1, roster=roster, time_limit=1)
    assert callbacks == []
    roster.refresh_from_db()
    assert roster.status == RosterStatus.DRAFT
    reasons = roster.result["reasons"]
    assert roster.result["status"] == "INFEASIBLE" and len(reasons) == 7  # one per day of the week
    assert all("人可排" in reason and "people" not in reason for reason in reasons)


def test_publish_then_lock(roster, people, django_capture_on_commit_callbacks, crew):
    roster = _generate(roster, people.manager1, django_capture_on_commit_callbacks)
    change_status(by=people.manager1, roster=roster, to=RosterStatus.PUBLISHED)
    assert people.cadre_user1.notifications.filter(kind="roster.published").count() == 1
    change_status(by=people.manager1, roster=roster, to=RosterStatus.LOCKED)
    assert roster.status == RosterStatus.LOCKED


def test_publishing_a_roster_that_breaks_a_rule_is_refused(roster, people):
    with pytest.raises(RosterError, match="不能发布：12-07 白班只有 0 人"):
        change_status(by=people.manager1, roster=roster, to=RosterStatus.PUBLISHED)
    roster.refresh_from_db()
    assert roster.status == RosterStatus.DRAFT


@pytest.mark.parametrize(("start", "to", "allowed"), [
    (RosterStatus.DRAFT, RosterStatus.PUBLISHED, True),
    (RosterStatus.DRAFT, RosterStatus.LOCKED, False),
    (RosterStatus.PUBLISHED, RosterStatus.LOCKED, True),
    (RosterStatus.PUBLISHED, RosterStatus.DRAFT, True),
    (RosterStatus.LOCKED, RosterStatus.DRAFT, False),
    (RosterStatus.LOCKED, RosterStatus.PUBLISHED, False),
    (RosterStatus.GENERATING, RosterStatus.PUBLISHED, False),
])
def test_transition_table(roster, people, start, to, allowed):
    roster.status = start
    assert (to in ALLOWED[start]) is allowed
    if allowed:
        move_roster(roster=roster, to=to, by=people.manager1)
        assert roster.status == to
    else:
        with pytest.raises(RosterError, match="排班表不能从"):
            move_roster(roster=roster, to=to, by=people.manager1)


def test_locked_roster_cannot_be_edited(roster, people, cadre1):
    from xiachen.rosters.models import Roster
    from xiachen.rosters.services import set_cell

    Roster.objects.filter(pk=roster.pk).update(status=RosterStatus.LOCKED)
    roster.refresh_from_db()
    with pytest.raises(RosterError, match="已锁定"):
        set_cell(by=people.manager1, roster=roster, cadre=cadre1, day=date(2026, 12, 9), code="morning")


def test_roster_needs_a_published_round(tree, people, crew):
    from xiachen.deployments.models import Demand, PostType
    from xiachen.rosters.services import create_roster

    post = Demand.objects.create(unit=tree.community1, post_type=PostType.objects.get(code="gate_duty"), headcount=1,
                                 start=date(2026, 12, 1), end=date(2026, 12, 31), created_by=people.manager1)
    with pytest.raises(RosterError, match="没有已发布的派驻轮次"):
        create_roster(by=people.manager1, post=post, start=date(2026, 12, 7), end=date(2026, 12, 13))


def test_contradictions_are_explained_in_english_for_an_english_user(roster, post, people):
    from django.utils import translation

    from xiachen.rosters.planning import explain, frame_of

    frame = frame_of(roster)
    message = "Day 0, shift night: at least 5 people needed but only 2 are available and allowed to work it."
    with translation.override("en"):
        text = explain(frame, message)
    assert text == f"{roster.start:%m-%d} 夜班: at least 5 people needed but only 2 can be rostered"
