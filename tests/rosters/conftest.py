"""A published round that deploys four cadres (cadre1 and three more, agency1) to a gate-duty post of
community1, with a morning shift (08:00–17:00) and a night shift crossing midnight (17:00–01:00)."""

from datetime import date, time

import pytest

from xiachen.deployments.models import Demand, Deployment, Match, PostType, Round
from xiachen.deployments.services import create_round
from xiachen.rosters.models import ShiftTemplate
from xiachen.rosters.services import create_roster

from ..factories import CadreFactory

MONDAY = date(2026, 12, 7)


def make_post(tree, by, cadres, unit=None, start=date(2026, 12, 1), end=date(2026, 12, 31)) -> Demand:
    """A published post of `unit` (community1) with the cadres deployed to it for [start, end]."""
    post = Demand.objects.create(
        unit=unit or tree.community1, post_type=PostType.objects.get(code="gate_duty"), headcount=len(cadres),
        start=start, end=end, created_by=by,
    )
    round_ = create_round(by=by, name="排班轮次", kind="normalized", start=start, end=end)
    round_.demands.add(post)
    Round.objects.filter(pk=round_.pk).update(status="published")
    for cadre in cadres:
        match = Match.objects.create(round=round_, demand=post, cadre=cadre, agency_path=cadre.agency_path,
                                     status="confirmed")
        Deployment.objects.create(match=match, cadre=cadre)
    ShiftTemplate.objects.create(post=post, code="morning", name="白班", start=time(8), length_minutes=540)
    ShiftTemplate.objects.create(post=post, code="night", name="夜班", start=time(17), length_minutes=480)
    return post


@pytest.fixture
def crew(tree, cadre1):
    others = [CadreFactory(agency=tree.agency1, name=name) for name in ("张伟", "李娜", "王芳")]
    return [cadre1, *others]


@pytest.fixture
def post(tree, people, crew):
    return make_post(tree, people.org_department, crew)


@pytest.fixture
def roster(post, people):
    """A draft roster for one week, Monday 2026-12-07 to Sunday 2026-12-13, without assignments."""
    return create_roster(by=people.manager1, post=post, start=MONDAY, end=date(2026, 12, 13))


def shift(post, code: str) -> ShiftTemplate:
    return post.shift_templates.get(code=code)
