"""Errand fixtures: who is on duty where, built from a published deployment round."""

import uuid
from dataclasses import dataclass
from datetime import date

import pytest

from xiachen.accounts.enums import Role
from xiachen.deployments.models import Demand, Match, PostType, Round
from xiachen.errands import services
from xiachen.errands.models import Errand

from ..factories import CadreFactory, user_with_role


def deploy(round_, cadre, unit, by, status="confirmed") -> Match:
    demand = Demand.objects.create(
        unit=unit, post_type=PostType.objects.get(code="supply_delivery"), headcount=1,
        start=date(2026, 1, 1), end=date(2026, 12, 31), created_by=by,
    )
    round_.demands.add(demand)
    return Match.objects.create(round=round_, demand=demand, cadre=cadre, agency_path=cadre.agency_path, status=status)


@dataclass
class Duty:
    cadre1: object  # cadre1's user: deployed (confirmed) to community1
    cadre2: object  # deployed (arrived) to compound1
    elsewhere: object  # deployed to community2
    proposed: object  # only proposed to community1: not on duty
    worker1: object  # community worker of community1: on duty


@pytest.fixture
def duty(tree, people, cadre1) -> Duty:
    by = people.org_department
    round_ = Round.objects.create(name="社区值守", start=date(2026, 1, 1), end=date(2026, 12, 31),
                                  status="published", created_by=by)

    def cadre_user(name, agency):
        user = user_with_role(Role.CADRE, tree.city, username=name)
        CadreFactory(agency=agency, user=user)
        return user

    deploy(round_, cadre1, tree.community1, by)
    cadre2 = cadre_user("cadre2", tree.agency2)
    deploy(round_, cadre2.cadre, tree.compound1, by, status="arrived")
    elsewhere = cadre_user("cadre3", tree.agency1)
    deploy(round_, elsewhere.cadre, tree.community2, by)
    proposed = cadre_user("cadre4", tree.agency2)
    deploy(round_, proposed.cadre, tree.community1, by, status="proposed")
    return Duty(people.cadre_user1, cadre2, elsewhere, proposed, people.worker1)


def ask(resident, kind="groceries", details="大米一袋、青菜两斤") -> Errand:
    errand, _created = services.request_errand(
        by=resident.user, household=resident.household, kind=kind, details=details, submission_key=uuid.uuid4()
    )
    return errand
