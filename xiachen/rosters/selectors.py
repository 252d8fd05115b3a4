"""Reads of rosters, scoped by role: the organization department sees every post and roster, a
receiving-unit manager those of their units, a cadre the published rosters they are on."""

from uuid import UUID

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from xiachen.accounts.permissions import scope_paths
from xiachen.deployments.enums import RoundStatus
from xiachen.deployments.models import Demand
from xiachen.org.models import path_within

from .enums import RosterStatus
from .models import Assignment, CareAlert, ReplacementRequest, Roster, SwapRequest

LIVE = (RosterStatus.PUBLISHED, RosterStatus.LOCKED)


def _overseen(user, field: str) -> Q:
    return path_within(scope_paths(user, "rosters.oversee"), field=field)


def posts_visible_to(user) -> QuerySet[Demand]:
    """Posts (demands) of published rounds in the user's oversight scope."""
    ids = Demand.objects.filter(_overseen(user, "unit_path"), rounds__status=RoundStatus.PUBLISHED).values("pk")
    return Demand.objects.filter(pk__in=ids).select_related("unit", "post_type").order_by("unit_path", "start", "pk")


def access_post(user, public_id: UUID) -> Demand:
    return get_object_or_404(posts_visible_to(user), public_id=public_id)


def rosters_visible_to(user) -> QuerySet[Roster]:
    condition = _overseen(user, "unit_path")
    if user.is_authenticated:
        # A subquery, not a join: joined, the OR walked every assignment of the city (456,000).
        mine = Assignment.objects.filter(cadre__user=user).values("roster_id")
        condition |= Q(pk__in=mine, status__in=LIVE)
    return Roster.objects.filter(condition).select_related("post__unit", "post__post_type", "round")


def access_roster(user, public_id: UUID) -> Roster:
    return get_object_or_404(rosters_visible_to(user), public_id=public_id)


def roster_list(user) -> QuerySet[Roster]:
    return rosters_visible_to(user).order_by("-start", "-id")


def with_assignment_counts(rosters: list[Roster]) -> list[Roster]:
    """Set `assignment_count` on the rosters of one page, in one grouped query.

    Counting in the list query grouped every roster's assignments before the page was cut (4.5 s
    for a city's 456,000 assignments); the page's 50 rosters are a few thousand rows.
    """
    ids = [roster.pk for roster in rosters]
    grouped = Assignment.objects.filter(roster_id__in=ids).values_list("roster_id").annotate(n=Count("id"))
    counts = dict(grouped.order_by())
    for roster in rosters:
        roster.assignment_count = counts.get(roster.pk, 0)
    return rosters


def swaps_visible_to(user) -> QuerySet[SwapRequest]:
    condition = _overseen(user, "roster__unit_path")
    if user.is_authenticated:
        condition |= Q(requester__user=user) | Q(partner__user=user)
    return SwapRequest.objects.filter(condition).select_related(
        "roster__post__unit", "roster__post__post_type", "requester", "partner")


def access_swap(user, public_id: UUID) -> SwapRequest:
    return get_object_or_404(swaps_visible_to(user), public_id=public_id)


def alerts_visible_to(user) -> QuerySet[CareAlert]:
    return CareAlert.objects.filter(_overseen(user, "unit_path")).select_related("cadre", "roster__post__post_type")


def replacements_visible_to(user) -> QuerySet[ReplacementRequest]:
    return ReplacementRequest.objects.filter(_overseen(user, "unit_path")).select_related(
        "cadre", "roster__post__unit", "roster__post__post_type")


def access_replacement(user, public_id: UUID) -> ReplacementRequest:
    return get_object_or_404(replacements_visible_to(user), public_id=public_id)


def my_assignments(user):
    from .models import Assignment

    if not user.is_authenticated:
        return Assignment.objects.none()
    return Assignment.objects.filter(cadre__user=user, roster__status__in=LIVE).select_related(
        "shift", "roster__post__unit", "roster__post__post_type").order_by("day", "shift__start")
