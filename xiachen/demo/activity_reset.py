"""Deleting the simulated month: leaves first, with plain DELETE statements for the big tables
(the ORM's collector would load millions of rows to cascade them)."""

from collections.abc import Callable

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from xiachen.accounts.models import User
from xiachen.assessments.models import DimensionScore, Evaluation
from xiachen.deployments.models import Demand, Deployment, Match, Round, RoundAgency, Unfilled
from xiachen.errands.models import Errand, ErrandEvent
from xiachen.hotline.models import Ticket, TicketEvent
from xiachen.org.models import Unit
from xiachen.passes.models import (
    CorrectionRequest,
    Disagreement,
    FeverAlert,
    Pass,
    PolicyVersion,
    Scan,
    SigningKey,
)
from xiachen.rosters.models import Assignment, Attendance, CareAlert, Roster, ShiftTemplate
from xiachen.surveys.models import Survey

from .activity import ROUND_PREFIX
from .places import CITY_CODE

CADRE_USERNAME_PREFIX = "demo-cadre-"


def _raw_delete(queryset: QuerySet) -> int:
    return queryset._raw_delete(connection.alias)


@transaction.atomic
def delete_demo_activity(*, progress: Callable[[str], None] = lambda message: None) -> None:
    """Delete everything `simulate_month` wrote in the demo city (and other activity there)."""
    city = Unit.objects.filter(code=CITY_CODE).first()
    if city is None:
        return
    path = city.path
    progress(_("删除模拟月数据"))
    rounds = Round.objects.filter(name__startswith=ROUND_PREFIX)
    _raw_delete(DimensionScore.objects.filter(evaluation__match__round__in=rounds))
    _raw_delete(Evaluation.objects.filter(match__round__in=rounds))
    Survey.objects.filter(community_path__startswith=path).delete()
    _raw_delete(TicketEvent.objects.filter(ticket__place_path__startswith=path))
    _raw_delete(Ticket.objects.filter(place_path__startswith=path))
    _raw_delete(ErrandEvent.objects.filter(errand__compound_path__startswith=path))
    _raw_delete(Errand.objects.filter(compound_path__startswith=path))
    for model in (FeverAlert, Disagreement):
        _raw_delete(model.objects.filter(gate_path__startswith=path))
    _raw_delete(CorrectionRequest.objects.filter(community_path__startswith=path))
    _raw_delete(Scan.objects.filter(gate_path__startswith=path))
    _raw_delete(Pass.objects.filter(community_path__startswith=path))
    SigningKey.objects.filter(community_path__startswith=path).delete()
    PolicyVersion.objects.filter(community_path__startswith=path).delete()
    _delete_volunteers(path)
    _delete_rounds(rounds)
    User.objects.filter(username__startswith=CADRE_USERNAME_PREFIX).delete()


def _delete_volunteers(path: str) -> None:
    from xiachen.volunteers import models as v

    from .activity_volunteers import MEMBER_USERNAME_PREFIX

    members = v.Member.objects.filter(community_path__startswith=path)
    v.PointsLedgerEntry.objects.filter(member__in=members).delete()
    v.CallOut.objects.filter(area_path__startswith=path).delete()
    v.ServiceRecord.objects.filter(community_path__startswith=path).delete()
    v.Activity.objects.filter(community__path__startswith=path).delete()
    v.ServicePost.objects.filter(community__path__startswith=path).delete()
    members.delete()
    v.AgencyMemberListEntry.objects.filter(agency__path__startswith=path).delete()
    v.Pairing.objects.filter(community__path__startswith=path).delete()
    User.objects.filter(username__startswith=MEMBER_USERNAME_PREFIX).delete()


def _delete_rounds(rounds: QuerySet[Round]) -> None:
    _raw_delete(Attendance.objects.filter(assignment__roster__round__in=rounds))
    _raw_delete(CareAlert.objects.filter(roster__round__in=rounds))
    _raw_delete(Assignment.objects.filter(roster__round__in=rounds))
    demands = Demand.objects.filter(rounds__in=rounds)
    Roster.objects.filter(round__in=rounds).delete()
    ShiftTemplate.objects.filter(post__in=demands).delete()
    _raw_delete(Deployment.objects.filter(match__round__in=rounds))
    for model in (Unfilled, RoundAgency, Match):
        _raw_delete(model.objects.filter(round__in=rounds))
    demand_ids = list(demands.values_list("pk", flat=True))
    rounds.delete()
    Demand.objects.filter(pk__in=demand_ids).delete()
