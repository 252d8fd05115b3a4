"""Two organizers publishing two rounds at the same moment cannot place one cadre twice: the
partial unique index on active deployments decides, whichever transaction commits first."""

import threading
from datetime import date

import pytest
from django.db import OperationalError, connection

from xiachen.deployments.enums import MatchStatus
from xiachen.deployments.models import Deployment, Match, Round
from xiachen.deployments.services import RoundError, create_round, publish_round, set_round_scope

from .conftest import make_demand


@pytest.mark.django_db(transaction=True)
def test_simultaneous_publications_deploy_a_cadre_once(tree, people, cadre1):
    by = people.org_department
    rounds = []
    for name in ("甲轮次", "乙轮次"):
        demand = make_demand(tree.community1, "gate_duty", by)
        round_ = create_round(by=by, name=name, kind="emergency", start=date(2026, 12, 1), end=date(2026, 12, 31))
        set_round_scope(by=by, round_=round_, demands=[demand], quotas={tree.agency1: 1})
        Round.objects.filter(pk=round_.pk).update(status="review")
        Match.objects.create(round=round_, demand=demand, cadre=cadre1, agency_path=cadre1.agency_path,
                             status=MatchStatus.CONFIRMED)
        rounds.append(Round.objects.get(pk=round_.pk))

    barrier, outcomes = threading.Barrier(2), []

    def publish(round_):
        try:
            barrier.wait(timeout=10)
            publish_round(by=by, round_=round_)
            outcomes.append("published")
        except RoundError as refusal:
            outcomes.append(str(refusal))
        except OperationalError as locked:  # SQLite's shared in-memory test database locks whole tables
            outcomes.append(f"locked: {locked}")
        finally:
            connection.close()

    threads = [threading.Thread(target=publish, args=(round_,)) for round_ in rounds]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    refused = "有干部已在其他轮次派驻，请重新匹配后再发布"
    if connection.vendor == "postgresql":
        assert sorted(outcomes) == ["published", refused]
    else:
        other = [outcome for outcome in outcomes if outcome != "published"]
        assert len(outcomes) == 2 and len(other) == 1
        assert other[0] == refused or other[0].startswith("locked: ")
    assert Deployment.objects.filter(cadre=cadre1, is_active=True).count() == 1
    assert Round.objects.filter(status="published").count() == 1
