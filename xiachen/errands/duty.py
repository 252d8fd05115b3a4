"""Who is on duty in a compound. Until rosters land: cadres deployed to the compound's community
(confirmed or arrived matches of a published round whose demand unit is the community or one of
its compounds) and the community's workers. Replace `on_duty_users` when rosters can answer."""

from django.db.models import Q, QuerySet

from xiachen.accounts.enums import Role
from xiachen.accounts.models import User
from xiachen.accounts.selectors import ancestor_paths
from xiachen.deployments.enums import MatchStatus, RoundStatus
from xiachen.deployments.models import Match
from xiachen.org.models import Unit

COMMUNITY_KINDS = ("community", "village")


def community_path_of(compound_path: str) -> str:
    """The path of the nearest community (or village) above a compound; the compound's parent otherwise."""
    paths = ancestor_paths(compound_path)
    communities = dict(
        Unit.objects.filter(path__in=paths, kind__code__in=COMMUNITY_KINDS).values_list("path", "depth")
    )
    if communities:
        return max(communities, key=lambda path: communities[path])
    return paths[-2] if len(paths) > 1 else paths[-1]


def on_duty_users(compound_path: str) -> QuerySet[User]:
    community = community_path_of(compound_path)
    deployed = Match.objects.filter(
        round__status=RoundStatus.PUBLISHED,
        status__in=[MatchStatus.CONFIRMED, MatchStatus.ARRIVED],
        demand__unit_path__startswith=community,
        cadre__user__isnull=False,
    ).values("cadre__user_id")
    workers = User.objects.filter(
        memberships__role=Role.COMMUNITY_WORKER,
        memberships__is_active=True,
        memberships__unit__path__in=ancestor_paths(community),
    ).values("pk")
    return User.objects.filter(Q(pk__in=deployed) | Q(pk__in=workers), is_active=True).order_by("pk")


def duty_paths(user) -> list[str]:
    """Community paths where `user` is on duty (deployed cadre or community worker)."""
    if not user.is_authenticated:
        return []
    demand_paths = Match.objects.filter(
        round__status=RoundStatus.PUBLISHED,
        status__in=[MatchStatus.CONFIRMED, MatchStatus.ARRIVED],
        cadre__user=user,
    ).values_list("demand__unit_path", flat=True)
    worker_paths = user.memberships.filter(role=Role.COMMUNITY_WORKER, is_active=True).values_list(
        "unit__path", flat=True
    )
    return sorted({community_path_of(path) for path in demand_paths} | set(worker_paths))
