"""A cadre's rules hold across rosters and posts (ADR 1605): neighbouring and overlapping rosters'
shifts are fixed work for edits, publication and generation; one shift a day anywhere is a database
constraint; breaks are shown in Chinese naming the other roster; an understaffed shift accepts an
edit that makes it less understaffed; two managers cannot overwrite each other's cell unseen."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from tests.factories import user_with_role
from xiachen.accounts.enums import Role
from xiachen.rosters.enums import RosterStatus
from xiachen.rosters.models import Assignment, Roster
from xiachen.rosters.planning import frame_of, stored_cells, validate_cells
from xiachen.rosters.services import (
    CellConflict,
    RosterError,
    change_status,
    check_cells,
    create_roster,
    set_cell,
    set_cover,
    start_generation,
    update_rules,
)

from .conftest import MONDAY, shift


def _put(roster, cadre, day, code):
    return Assignment.objects.create(roster=roster, cadre=cadre, day=day, shift=shift(roster.post, code))


@pytest.fixture
def previous(post, people):
    """The week before `roster`: Monday 2026-11-30 to Sunday 2026-12-06."""
    return create_roster(by=people.manager1, post=post, start=date(2026, 11, 30), end=date(2026, 12, 6))


def _label(roster) -> str:
    return f"{roster.post.unit.name}·{roster.post.post_type.label} {roster.start:%m-%d}至{roster.end:%m-%d}"


def test_a_morning_after_the_previous_rosters_closing_night_is_refused_naming_it(roster, previous, cadre1):
    _put(previous, cadre1, date(2026, 12, 6), "night")  # 17:00–01:00
    reasons = check_cells(roster=roster, changes={(cadre1.pk, MONDAY): "morning"})
    expected = f"{cadre1.name} 在 12-06 的夜班与 12-07 的白班之间只休息 7 小时，规定至少 11 小时"
    assert f"{expected}（涉及排班表：{_label(previous)}）" in reasons


def test_days_in_a_row_count_across_two_rosters(roster, previous, post, people, cadre1):
    update_rules(by=people.org_department, round_=post.rounds.get(), max_consecutive_days=6, max_days_per_week=None,
                 max_minutes_per_week=None)
    for day in range(1, 7):  # Tuesday 12-01 to Sunday 12-06
        _put(previous, cadre1, date(2026, 12, day), "morning")
    _put(roster, cadre1, MONDAY, "morning")  # the 7th day: already a break (entered outside the rules)
    reasons = check_cells(roster=roster, changes={(cadre1.pk, date(2026, 12, 8)): "morning"})
    assert reasons == [f"{cadre1.name} 从 12-01 起连续工作 8 天，超过上限（涉及排班表：{_label(previous)}）"]


def test_an_overlapping_roster_of_the_same_post_cannot_book_a_cadre_twice(roster, post, people, cadre1):
    overlap = create_roster(by=people.manager1, post=post, start=date(2026, 12, 10), end=date(2026, 12, 16))
    _put(roster, cadre1, date(2026, 12, 10), "morning")
    with pytest.raises(RosterError, match="12-10 已有另一张排班表的班次，一天只能上一个班"):
        set_cell(by=people.manager1, roster=overlap, cadre=cadre1, day=date(2026, 12, 10), code="night")
    assert not overlap.assignments.exists()


@pytest.mark.django_db(transaction=True)
def test_the_database_refuses_two_shifts_of_one_cadre_on_one_day(roster, post, people, cadre1):
    overlap = create_roster(by=people.manager1, post=post, start=date(2026, 12, 10), end=date(2026, 12, 16))
    _put(roster, cadre1, date(2026, 12, 10), "morning")
    with pytest.raises(IntegrityError), transaction.atomic():
        _put(overlap, cadre1, date(2026, 12, 10), "night")


def test_publication_is_refused_while_a_rule_breaks_across_rosters(roster, previous, post, people, cadre1):
    _put(previous, cadre1, date(2026, 12, 6), "night")
    _put(roster, cadre1, MONDAY, "morning")  # entered outside the rules
    with pytest.raises(RosterError, match=f"只休息 7 小时.*涉及排班表：{_label(previous)}"):
        change_status(by=people.manager1, roster=roster, to=RosterStatus.PUBLISHED)


def test_generation_keeps_the_rules_at_the_edge_with_the_previous_roster(
    roster, previous, crew, people, django_capture_on_commit_callbacks
):
    for cadre in crew[:2]:
        _put(previous, cadre, date(2026, 12, 6), "night")
    with django_capture_on_commit_callbacks(execute=True):
        start_generation(by=people.manager1, roster=roster, time_limit=1.5)
    roster.refresh_from_db()
    assert roster.result["status"] in ("OPTIMAL", "FEASIBLE"), roster.result
    morning_monday = set(roster.assignments.filter(day=MONDAY, shift__code="morning").values_list("cadre", flat=True))
    assert morning_monday.isdisjoint({crew[0].pk, crew[1].pk})
    assert validate_cells(frame_of(roster), stored_cells(roster)).is_valid


def test_generation_passes_the_users_limit_as_a_wall_clock_limit(roster, people, monkeypatch):
    from xiachen.rosters import services
    from xiachen.solver import rostering

    seen = []

    def fake_solve(problem, options):
        seen.append(options)
        return rostering.RosterResult(rostering.UNKNOWN, (), None, None, 0.0)

    monkeypatch.setattr(rostering, "solve", fake_solve)
    Roster.objects.filter(pk=roster.pk).update(status=RosterStatus.GENERATING)
    services.run_generation(roster_id=roster.pk, user_id=people.manager1.pk, time_limit=20)
    (options,) = seen
    assert (options.time_limit_seconds, options.wall_limit_seconds, options.workers) == (20, 20, 1)


def test_an_edit_that_reduces_an_understaffed_shift_is_accepted(roster, post, people, crew):
    set_cover(by=people.manager1, roster=roster, day=MONDAY, shift=shift(post, "morning"), minimum=2, preferred=2)
    set_cell(by=people.manager1, roster=roster, cadre=crew[0], day=MONDAY, code="morning")  # 0 → 1 of 2
    assert roster.assignments.filter(day=MONDAY).count() == 1
    reasons = check_cells(roster=roster, changes={(crew[0].pk, MONDAY): None})  # 1 → 0 of 2: worse
    assert reasons == ["12-07 白班只有 0 人，至少需要 2 人"]
    set_cell(by=people.manager1, roster=roster, cadre=crew[1], day=MONDAY, code="morning")
    assert roster.assignments.filter(day=MONDAY).count() == 2


def test_the_second_of_two_managers_editing_one_cell_is_told_what_it_holds(roster, people, cadre1, tree):
    second = user_with_role(Role.UNIT_MANAGER, tree.community1, username="manager1b")  # same unit
    for code in ("morning", "night"):  # nobody is needed that day: only the conflict matters here
        set_cover(by=people.manager1, roster=roster, day=MONDAY, shift=shift(roster.post, code), minimum=0,
                  preferred=1)
    # Both opened the empty cell; the first saves a morning, then the second a night.
    set_cell(by=people.manager1, roster=roster, cadre=cadre1, day=MONDAY, code="morning", seen=None)
    with pytest.raises(CellConflict, match=f"{cadre1.name} 12-07 这一格刚被其他人改为“白班”") as clash:
        set_cell(by=second, roster=roster, cadre=cadre1, day=MONDAY, code="night", seen=None)
    assert clash.value.current == "morning"
    assert roster.assignments.get(cadre=cadre1, day=MONDAY).shift.code == "morning"
    set_cell(by=second, roster=roster, cadre=cadre1, day=MONDAY, code="night", seen="morning")  # now seen
    assert roster.assignments.get(cadre=cadre1, day=MONDAY).shift.code == "night"


def test_the_cell_editor_shows_the_conflict_and_the_current_value(client, roster, people, cadre1):
    client.force_login(people.manager1)
    url = reverse("rosters:cell", args=[roster.public_id])
    opened = client.get(url, {"cadre": cadre1.public_id, "day": "2026-12-07"}, HTTP_HX_REQUEST="true")
    assert 'name="seen" value=""' in opened.content.decode()
    _put(roster, cadre1, MONDAY, "night")  # another manager, meanwhile
    response = client.post(url, {"cadre": cadre1.public_id, "day": "2026-12-07", "shift": "morning", "seen": ""},
                           HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert "这一格刚被其他人改为“夜班”，您的修改没有保存" in page
    assert 'name="seen" value="night"' in page
    assert roster.assignments.get(cadre=cadre1, day=MONDAY).shift.code == "night"


def test_the_roster_page_lists_breaks_in_chinese_naming_the_neighbouring_roster(
    client, roster, previous, people, cadre1
):
    _put(previous, cadre1, date(2026, 12, 6), "night")
    _put(roster, cadre1, MONDAY, "morning")
    client.force_login(people.manager1)
    page = client.get(reverse("rosters:roster", args=[roster.public_id])).content.decode()
    assert 'id="breaches"' in page
    assert f"{cadre1.name} 在 12-06 的夜班与 12-07 的白班之间只休息 7 小时" in page
    assert f"涉及排班表：{_label(previous)}" in page
    assert 'class="cell breach' in page or " breach\"" in page
