from datetime import date
from decimal import Decimal

import pytest

from xiachen.deployments.models import Demand, PostType
from xiachen.deployments.services import create_round, set_round_scope

from ..factories import CadreFactory

WUHAN = (Decimal("30.580000"), Decimal("114.300000"))


def make_demand(unit, post_type: str, by, headcount: int = 1, **kwargs) -> Demand:
    demand = Demand(
        unit=unit,
        post_type=PostType.objects.get(code=post_type),
        headcount=headcount,
        start=date(2026, 12, 1),
        end=date(2026, 12, 31),
        latitude=WUHAN[0],
        longitude=WUHAN[1],
        created_by=by,
        **kwargs,
    )
    demand.save()
    return demand


@pytest.fixture
def staffed(tree, people):
    """Two audit cadres (agency1) and two health cadres (agency2), all living in the city centre."""
    home = {"home_latitude": WUHAN[0], "home_longitude": WUHAN[1]}
    return {
        "auditors": [
            CadreFactory(agency=tree.agency1, specialties=["audit"], name=f"审计{i}", **home) for i in range(2)
        ],
        "medics": [
            CadreFactory(agency=tree.agency2, specialties=["medicine"], name=f"医生{i}", **home) for i in range(2)
        ],
    }


@pytest.fixture
def draft_round(tree, people, staffed):
    by = people.org_department
    finance = make_demand(tree.community1, "finance_audit_support", by)
    quarantine = make_demand(tree.community2, "quarantine_service", by, needs_medical=True)
    round_ = create_round(
        by=by, name="2026年12月常态化下沉", kind="normalized", start=date(2026, 12, 1), end=date(2026, 12, 31)
    )
    set_round_scope(by=by, round_=round_, demands=[finance, quarantine], quotas={tree.agency1: 2, tree.agency2: 2})
    return round_
