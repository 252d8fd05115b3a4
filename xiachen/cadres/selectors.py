"""Reads of cadre profiles, scoped to the agencies the user may see (and the cadre's own profile)."""

from uuid import UUID

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from xiachen.accounts.permissions import scope_paths
from xiachen.core.text import name_query
from xiachen.org.models import Unit, path_within

from .models import Cadre


def cadres_visible_to(user) -> QuerySet[Cadre]:
    """Cadres of agencies under the user's `cadres.view` scope, plus the user's own cadre profile."""
    condition = path_within(scope_paths(user, "cadres.view"), field="agency_path")
    if getattr(user, "is_authenticated", False):
        condition |= Q(user=user)
    return Cadre.objects.filter(condition).select_related("agency", "department")


def access_cadre(user, public_id: UUID) -> Cadre:
    return get_object_or_404(cadres_visible_to(user), public_id=public_id)


def search_cadres(
    user, *, query: str = "", agency: str = "", specialty: str = "", rank: int | None = None
) -> QuerySet[Cadre]:
    """Filtered list with specialties prefetched, so the page's query count does not grow with rows."""
    cadres = cadres_visible_to(user)
    if query:
        cadres = cadres.filter(Q(name__icontains=name_query(query)) | Q(position__icontains=query))
    if agency:
        cadres = cadres.filter(agency__code=agency)
    if specialty:
        cadres = cadres.filter(specialties__code=specialty)
    if rank is not None:
        cadres = cadres.filter(rank=rank)
    return cadres.prefetch_related("specialties").order_by("agency_path", "name", "id")


def agencies_for_filter(user) -> QuerySet[Unit]:
    """The agencies whose cadres the user may list, for the roster's agency filter."""
    return Unit.objects.filter(path_within(scope_paths(user, "cadres.view")), kind__code="agency").order_by("code")
