"""Reads of rounds and matches, scoped by role: the organization department sees every round, an
agency liaison the rounds and matches of their agency, a receiving-unit manager those touching
their units, a cadre their own matches."""

from uuid import UUID

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from xiachen.accounts.permissions import has_permission, scope_paths
from xiachen.org.models import Unit, path_within

from .enums import ACTIVE_MATCH_STATUSES, DemandStatus, MatchStatus
from .models import Demand, Match, Round


def rounds_visible_to(user) -> QuerySet[Round]:
    if has_permission(user, "deployments.run_rounds"):
        return Round.objects.all()
    # Three subqueries, not joins: joined, a round's demands × its matches were multiplied
    # (5,923 × 23,634 rows for one city round) before the DISTINCT.
    agencies = path_within(scope_paths(user, "deployments.confirm_nominations"), field="agency_path")
    units = path_within(scope_paths(user, "deployments.manage_demands"), field="demand__unit_path")
    condition = Q(pk__in=Match.objects.filter(agencies).values("round_id"))
    condition |= Q(pk__in=Round.demands.through.objects.filter(units).values("round_id"))
    if user.is_authenticated:
        condition |= Q(pk__in=Match.objects.filter(cadre__user=user).values("round_id"))
    return Round.objects.filter(condition)


def access_round(user, public_id: UUID) -> Round:
    return get_object_or_404(rounds_visible_to(user), public_id=public_id)


def _count_per_round(queryset: QuerySet, field: str = "round") -> Coalesce:
    counted = queryset.filter(**{field: OuterRef("pk")}).order_by().values(field).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted), 0)


def round_list(user) -> QuerySet[Round]:
    """Rounds with their demand and match counts, each counted on its own (joining both tables in
    one query would multiply them: demands × matches rows per round)."""
    return rounds_visible_to(user).annotate(
        demand_count=_count_per_round(Round.demands.through.objects.all()),
        match_count=_count_per_round(Match.objects.all()),
    ).order_by("-start", "-id")


def matches_visible_to(user) -> QuerySet[Match]:
    if has_permission(user, "deployments.run_rounds"):
        condition = Q()
    else:
        condition = path_within(scope_paths(user, "deployments.confirm_nominations"), field="agency_path")
        condition |= path_within(scope_paths(user, "deployments.manage_demands"), field="demand__unit_path")
        if user.is_authenticated:
            condition |= Q(cadre__user=user)
    return Match.objects.filter(condition).select_related(
        "cadre", "cadre__agency", "cadre__department", "demand", "demand__unit", "demand__post_type", "round"
    )


def access_match(user, public_id: UUID) -> Match:
    return get_object_or_404(matches_visible_to(user), public_id=public_id)


def plan_of(user, round_: Round, *, agency: str = "", unit: str = "", post_type: str = "") -> QuerySet[Match]:
    """The round's matches the user may see, filtered for the review page."""
    matches = matches_visible_to(user).filter(round=round_)
    if agency:
        matches = matches.filter(cadre__agency__code=agency)
    if unit:
        matches = matches.filter(demand__unit__code=unit)
    if post_type:
        matches = matches.filter(demand__post_type__code=post_type)
    return matches.order_by(*PLAN_ORDER)


SCOPE_ORDER = ["unit_path", "start", "id"]  # the scope picker's keyset order


def scope_candidates(*, query: str = "", post_type: str = "", district: str = "") -> QuerySet[Demand]:
    """Demands a draft round may take (open, or in another round not yet published — never one
    already deployed or closed), narrowed by the picker's filter: `query` in the unit's name or
    code, a post type code, a district's code."""
    demands = Demand.objects.filter(status__in=[DemandStatus.OPEN, DemandStatus.IN_ROUND])
    if query:
        demands = demands.filter(Q(unit__name__icontains=query) | Q(unit__code__startswith=query))
    if post_type:
        demands = demands.filter(post_type__code=post_type)
    if district:
        found = Unit.objects.filter(code=district, kind__code="district").first()
        demands = demands.filter(path_within([found.path], field="unit_path")) if found else demands.none()
    return demands.select_related("unit", "post_type").order_by(*SCOPE_ORDER)


PLAN_ORDER = ["demand__unit_path", "demand_id", "-total", "id"]  # the review page's keyset order


def plan_units(round_: Round):
    """The receiving units of the round's demands, once each, for the plan's filter and downloads."""
    return Unit.objects.filter(pk__in=round_.demands.values("unit_id")).order_by("path")


def nominations_for(user) -> QuerySet[Match]:
    """Matches of the liaison's agencies awaiting a decision, in rounds under review."""
    paths = scope_paths(user, "deployments.confirm_nominations")
    return matches_visible_to(user).filter(
        path_within(paths, field="agency_path"), round__status="review"
    ).order_by("round_id", "status", "cadre__name")


def my_matches(user) -> QuerySet[Match]:
    return matches_visible_to(user).filter(cadre__user=user).exclude(status=MatchStatus.DECLINED)


def hand_edit_candidates(round_: Round) -> QuerySet:
    """Cadres a hand edit may add to `round_`: active cadres of its agencies, not deployed elsewhere,
    not already placed in this round, not declined for the round by their agency, and not unavailable
    during any day of the round's period.
    (Per-post rules — specialty, hazard, commute — are checked live for the chosen post.)"""
    from xiachen.cadres.enums import AvailabilityKind
    from xiachen.cadres.models import AvailabilityPeriod, Cadre

    from .models import Deployment

    deployed = Deployment.objects.filter(is_active=True).exclude(match__round=round_).values("cadre_id")
    placed = round_.matches.filter(status__in=ACTIVE_MATCH_STATUSES).values("cadre_id")
    declined = round_.matches.filter(status=MatchStatus.DECLINED, other_posts_allowed=False).values("cadre_id")
    away = AvailabilityPeriod.objects.filter(
        kind=AvailabilityKind.UNAVAILABLE, start__lte=round_.end, end__gte=round_.start
    ).values("cadre_id")
    return (
        Cadre.objects.filter(agency_id__in=round_.agencies.values("agency_id"), is_active=True)
        .exclude(pk__in=deployed).exclude(pk__in=placed).exclude(pk__in=away).exclude(pk__in=declined)
        .select_related("agency", "department")
        .order_by("agency_path", "name", "id")
    )
