"""The errand status machine: every move the table does not list is refused and changes nothing."""

import itertools
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from xiachen.audit.models import AuditEvent
from xiachen.errands import services
from xiachen.errands.enums import ErrandStatus
from xiachen.errands.models import Errand

from .conftest import ask

PAIRS = list(itertools.product(ErrandStatus, ErrandStatus))


@pytest.mark.parametrize(("current", "target"), PAIRS, ids=[f"{a}->{b}" for a, b in PAIRS])
def test_move_errand_follows_the_table(people, resident1, current, target):
    errand = ask(resident1)
    Errand.objects.filter(pk=errand.pk).update(status=current)
    errand.refresh_from_db()
    allowed = target in services.ALLOWED.get(current, set())
    if allowed:
        services.move_errand(errand=errand, to=target, by=people.manager1)
        errand.refresh_from_db()
        assert errand.status == target
    else:
        with pytest.raises(services.ErrandError) as refusal:
            services.move_errand(errand=errand, to=target, by=people.manager1)
        assert "代办不能从" in str(refusal.value)
        errand.refresh_from_db()
        assert errand.status == current


def test_finished_states_have_no_way_out():
    for status in (ErrandStatus.CONFIRMED, ErrandStatus.CLOSED, ErrandStatus.CANCELLED):
        assert services.ALLOWED.get(status, set()) == set()


def test_full_lifecycle_with_cost_rating_and_audit(people, duty, resident1):
    errand = ask(resident1)
    worker = errand.assignee
    services.accept_errand(by=worker, errand=errand)
    services.start_errand(by=worker, errand=errand)
    services.deliver_errand(by=worker, errand=errand, cost=Decimal("56.50"), payment_note="微信转账")
    services.confirm_errand(by=resident1.user, errand=errand, rating=5, comment="很及时")
    errand.refresh_from_db()
    assert (errand.status, errand.cost, errand.payment_note, errand.rating) == ("confirmed", Decimal("56.50"),
                                                                               "微信转账", 5)
    moves = list(errand.events.values_list("from_status", "to_status"))
    assert moves[-4:] == [("requested", "accepted"), ("accepted", "in_progress"), ("in_progress", "delivered"),
                          ("delivered", "confirmed")]
    assert AuditEvent.objects.filter(action="errand.status_changed", target_id=str(errand.public_id)).count() == 4


def test_only_the_assignee_accepts(people, duty, resident1):
    errand = ask(resident1)
    other = duty.cadre2 if errand.assignee == duty.cadre1 else duty.cadre1
    with pytest.raises(PermissionDenied):
        services.accept_errand(by=other, errand=errand)
    errand.refresh_from_db()
    assert errand.status == "requested"


def test_another_household_cannot_confirm(people, duty, resident1):
    from ..factories import HouseholdFactory, ResidentFactory, user_with_role

    errand = ask(resident1)
    Errand.objects.filter(pk=errand.pk).update(status="delivered")
    neighbour = ResidentFactory(household=HouseholdFactory(compound=resident1.household.compound))
    neighbour.user = user_with_role("resident", resident1.household.compound, username="neighbour")
    neighbour.save()
    with pytest.raises(PermissionDenied):
        services.confirm_errand(by=neighbour.user, errand=errand)
    errand.refresh_from_db()
    assert errand.status == "delivered"


def test_rating_out_of_range_changes_nothing(people, resident1):
    errand = ask(resident1)
    Errand.objects.filter(pk=errand.pk).update(status="delivered")
    with pytest.raises(services.ErrandError):
        services.confirm_errand(by=resident1.user, errand=errand, rating=9)
    errand.refresh_from_db()
    assert (errand.status, errand.rating) == ("delivered", None)


def test_rate_once_only(people, resident1):
    errand = ask(resident1)
    Errand.objects.filter(pk=errand.pk).update(status="confirmed")
    services.rate_errand(by=resident1.user, errand=errand, rating=4)
    with pytest.raises(services.ErrandError, match="已经评价过"):
        services.rate_errand(by=resident1.user, errand=errand, rating=1)
    errand.refresh_from_db()
    assert errand.rating == 4


def test_close_stale_errands_is_idempotent(people, resident1):
    old, fresh = ask(resident1), ask(resident1)
    now = timezone.now()
    Errand.objects.filter(pk=old.pk).update(status="delivered", delivered_at=now - timedelta(hours=49))
    Errand.objects.filter(pk=fresh.pk).update(status="delivered", delivered_at=now - timedelta(hours=1))
    assert services.close_stale_errands(now=now, after=timedelta(hours=48)) == 1
    assert services.close_stale_errands(now=now, after=timedelta(hours=48)) == 0
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert (old.status, fresh.status) == ("closed", "delivered")


def test_errand_jobs_command_closes_stale_errands(people, resident1):
    from django.core.management import call_command

    errand = ask(resident1)
    Errand.objects.filter(pk=errand.pk).update(status="delivered", delivered_at=timezone.now() - timedelta(days=3))
    call_command("errand_jobs", "--close-after-hours", "48")
    errand.refresh_from_db()
    assert errand.status == "closed"
