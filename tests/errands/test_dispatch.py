"""Auto-dispatch: only cadres on duty in the errand's community (and its workers), least load first."""

import uuid

import pytest
from django.core.exceptions import PermissionDenied

from xiachen.errands import services
from xiachen.errands.duty import on_duty_users
from xiachen.errands.models import Errand
from xiachen.notices.models import Notification

from .conftest import ask


def test_on_duty_users_of_compound1(duty, tree):
    assert set(on_duty_users(tree.compound1.path)) == {duty.cadre1, duty.cadre2, duty.worker1}


def test_on_duty_users_of_compound2_are_only_that_community(duty, tree):
    assert list(on_duty_users(tree.compound2.path)) == [duty.elsewhere]


def test_auto_dispatch_balances_load(duty, resident1):
    errands = [ask(resident1) for _ in range(6)]
    counts = {}
    for errand in errands:
        counts[errand.assignee] = counts.get(errand.assignee, 0) + 1
    assert counts == {duty.cadre1: 2, duty.cadre2: 2, duty.worker1: 2}


def test_auto_dispatch_prefers_the_least_loaded(duty, resident1):
    busy = [ask(resident1) for _ in range(3)]  # one each
    Errand.objects.filter(pk__in=[e.pk for e in busy if e.assignee != duty.cadre2]).update(status="confirmed")
    assert {ask(resident1).assignee, ask(resident1).assignee} == {duty.cadre1, duty.worker1}


def test_auto_dispatch_never_picks_off_duty_or_proposed(duty, resident1):
    assignees = {ask(resident1).assignee for _ in range(9)}
    assert duty.elsewhere not in assignees
    assert duty.proposed not in assignees


def test_nobody_on_duty_tells_the_manager(people, resident1):
    people.worker1.memberships.update(is_active=False)
    errand = ask(resident1)
    assert errand.assignee is None
    assert Notification.objects.filter(recipient=people.manager1, kind="errand.unassigned").count() == 1
    assert not Notification.objects.filter(recipient=people.manager2).exists()


def test_manager_assigns_by_hand_only_to_on_duty(people, duty, resident1):
    errand = ask(resident1)
    services.assign_by_hand(by=people.manager1, errand=errand, assignee=duty.cadre2)
    errand.refresh_from_db()
    assert errand.assignee == duty.cadre2
    with pytest.raises(services.ErrandError, match="在该小区值守"):
        services.assign_by_hand(by=people.manager1, errand=errand, assignee=duty.elsewhere)
    errand.refresh_from_db()
    assert errand.assignee == duty.cadre2


def test_other_community_manager_cannot_assign(people, duty, resident1):
    errand = ask(resident1)
    with pytest.raises(PermissionDenied):
        services.assign_by_hand(by=people.manager2, errand=errand, assignee=duty.cadre1)


def test_cadre_on_duty_asks_on_behalf(duty, resident1):
    errand, created = services.request_errand(
        by=duty.cadre1, household=resident1.household, kind="garbage", details="清运", submission_key=uuid.uuid4()
    )
    assert created and errand.requested_by == duty.cadre1 and errand.resident is None


def test_cadre_elsewhere_cannot_ask_on_behalf(duty, resident1):
    with pytest.raises(PermissionDenied):
        services.request_errand(by=duty.elsewhere, household=resident1.household, kind="garbage", details="清运",
                                submission_key=uuid.uuid4())
    assert Errand.objects.count() == 0


def test_double_submission_creates_one_errand(people, resident1):
    key = uuid.uuid4()
    first, created = services.request_errand(by=resident1.user, household=resident1.household, kind="meal",
                                             details="午餐", submission_key=key)
    second, created_again = services.request_errand(by=resident1.user, household=resident1.household, kind="meal",
                                                    details="午餐", submission_key=key)
    assert (created, created_again, first.pk == second.pk, Errand.objects.count()) == (True, False, True, 1)
