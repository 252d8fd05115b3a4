"""Reads of the unit tree, always scoped to what the user may see."""

from uuid import UUID

from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404

from xiachen.accounts.permissions import scope_paths

from .models import Unit, path_within


def units_visible_to(user) -> QuerySet[Unit]:
    """Units in the subtrees where the user holds `units.view`; nothing for other users."""
    return Unit.objects.filter(path_within(scope_paths(user, "units.view"))).select_related("kind", "parent")


def access_unit(user, public_id: UUID) -> Unit:
    """The unit if the user may see it; 404 alike for missing and not visible."""
    return get_object_or_404(units_visible_to(user), public_id=public_id)


def search_units(user, *, query: str = "", kind: str = "") -> QuerySet[Unit]:
    units = units_visible_to(user)
    if query:
        units = units.filter(name__icontains=query) | units.filter(code__startswith=query)
    if kind:
        units = units.filter(kind__code=kind)
    return units.order_by("path")


def subtree(unit: Unit) -> QuerySet[Unit]:
    """The unit and all its descendants, in one indexed prefix query."""
    return Unit.objects.subtree_of(unit)


def children_with_counts(unit: Unit) -> QuerySet[Unit]:
    return unit.children.select_related("kind").annotate(child_count=Count("children")).order_by("code")
