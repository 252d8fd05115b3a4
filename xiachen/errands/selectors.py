"""Reads of errands, scoped: managers and workers see their communities' errands, cadres and
workers the errands given to them, residents their own household's."""

from datetime import timedelta
from uuid import UUID

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from xiachen.accounts.permissions import scope_paths
from xiachen.households.models import Household
from xiachen.org.models import path_within

from .enums import FINISHED_ERRAND_STATUSES, OPEN_ERRAND_STATUSES, ErrandStatus
from .models import Errand

RELATED = ("household", "household__compound", "assignee")


def errands_visible_to(user) -> QuerySet[Errand]:
    condition = path_within(scope_paths(user, "errands.view"), field="compound_path")
    if user.is_authenticated:
        condition |= Q(assignee=user)
    return Errand.objects.filter(condition).select_related(*RELATED)


def access_errand(user, public_id: UUID) -> Errand:
    return get_object_or_404(errands_visible_to(user), public_id=public_id)


# An errand still open this long after it was asked for is overdue (the home page's 待办 and the list filter).
ERRAND_OVERDUE_AFTER = timedelta(hours=24)


def errand_list(user, *, status: str = "", unassigned: bool = False, overdue: bool = False) -> QuerySet[Errand]:
    """The errands the user may see, newest first; `unassigned`: waiting for dispatch (no one given it);
    `overdue`: still open ERRAND_OVERDUE_AFTER after it was asked for."""
    errands = errands_visible_to(user)
    if status in ErrandStatus.values:
        errands = errands.filter(status=status)
    if unassigned:
        errands = errands.filter(status=ErrandStatus.REQUESTED, assignee__isnull=True)
    if overdue:
        errands = errands.filter(status__in=OPEN_ERRAND_STATUSES, created_at__lt=timezone.now() - ERRAND_OVERDUE_AFTER)
    return errands.order_by("-created_at", "-id")


def my_round(user) -> QuerySet[Errand]:
    """The assignee's open and delivered errands, ordered for walking the compound building by building."""
    return (
        Errand.objects.filter(assignee=user)
        .exclude(status__in=FINISHED_ERRAND_STATUSES)
        .select_related(*RELATED)
        .order_by("household__compound_path", "household__building", "household__entrance", "household__room", "id")
    )


def household_errands(resident) -> QuerySet[Errand]:
    return Errand.objects.filter(household_id=resident.household_id).select_related(*RELATED).order_by(
        "-created_at", "-id"
    )


def access_household_errand(resident, public_id: UUID) -> Errand:
    return get_object_or_404(household_errands(resident), public_id=public_id)


def households_for_errands(user) -> QuerySet[Household]:
    """Households a staff member may file an errand for: their communities' and those where they
    are on duty today."""
    from .duty import duty_paths

    paths = scope_paths(user, "errands.view") + duty_paths(user)
    return Household.objects.filter(path_within(paths, field="compound_path")).select_related("compound").order_by(
        "compound_path", "building", "entrance", "room"
    )


def held_episodes(path: str, *, since, until) -> QuerySet:
    """Episodes under `path` (a community's or compound's) that hold someone at home at some time in
    [since, until]: begun by `until`'s day, and still active or ended after `since`. Purged episodes
    name nobody and are left out."""
    from .models import QuarantineEpisode

    return QuarantineEpisode.objects.filter(
        compound_path__startswith=path, start__lte=timezone.localdate(until), resident__isnull=False
    ).filter(Q(status="active") | Q(ended_at__gt=since))


def held_at_home(path: str, at) -> tuple[QuerySet, QuerySet]:
    """(household ids, resident ids) held at home at `at` under `path`: a household with a home
    quarantine (居家隔离) of any member, and each person under health monitoring (健康监测)."""
    from .enums import EpisodeKind

    episodes = held_episodes(path, since=at, until=at)
    return (
        episodes.filter(kind=EpisodeKind.HOME_QUARANTINE).values("household_id"),
        episodes.filter(kind=EpisodeKind.HEALTH_MONITORING).values("resident_id"),
    )
