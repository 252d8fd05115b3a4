"""Field-app fixtures: errands and a visit of worker1's round, and a post with a site where cadre1 has a
shift running now (built relative to the current time, so the tests pass at any hour)."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from xiachen.errands import quarantine
from xiachen.errands import services as errands
from xiachen.errands.models import VisitTask
from xiachen.rosters.enums import RosterStatus
from xiachen.rosters.geofence import set_site
from xiachen.rosters.models import Assignment, Roster, ShiftTemplate
from xiachen.rosters.services import create_roster

from ..factories import HouseholdFactory, ResidentFactory
from ..rosters.conftest import make_post

POST_LAT, POST_LNG = Decimal("30.593100"), Decimal("114.305400")  # a gate in 江岸区


def change(kind: str, data: dict, base=None, at=None) -> dict:
    return {"client_uuid": str(uuid.uuid4()), "kind": kind, "data": data, "base": base,
            "at": at if at is not None else int(timezone.now().timestamp())}


def errand_of(people, resident, details="大米一袋"):
    errand, _new = errands.request_errand(by=resident.user, household=resident.household, kind="groceries",
                                          details=details, submission_key=uuid.uuid4())
    return errands.assign_by_hand(by=people.manager1, errand=errand, assignee=people.worker1)


@pytest.fixture
def visit(people, tree):
    today = timezone.localdate()
    resident = ResidentFactory(household=HouseholdFactory(compound=tree.compound1, building="3"), name="孙小红")
    episode = quarantine.open_episode(by=people.manager1, resident=resident, kind="home_quarantine", start=today,
                                      planned_end=today + timedelta(days=13))
    return VisitTask.objects.create(episode=episode, day=today, assignee=people.worker1)


@pytest.fixture
def clock_post(people, tree, cadre1):
    """A post of community1 at POST_LAT/POST_LNG (radius 200 m) with cadre1 on a shift that started an hour ago."""
    now = timezone.localtime()
    start = (now - timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
    post = make_post(tree, people.org_department, [cadre1], start=start.date() - timedelta(days=1),
                     end=start.date() + timedelta(days=1))
    template = ShiftTemplate.objects.create(post=post, code="now", name="当班", start=start.time(), length_minutes=480)
    roster = create_roster(by=people.manager1, post=post, start=start.date(), end=start.date())
    Roster.objects.filter(pk=roster.pk).update(status=RosterStatus.PUBLISHED)
    Assignment.objects.create(roster=roster, cadre=cadre1, day=start.date(), shift=template)
    set_site(by=people.manager1, post=post, latitude=POST_LAT, longitude=POST_LNG, radius_m=200)
    return post
