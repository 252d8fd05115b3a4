"""Reads of deployment data, scoped by role.

Demands: a unit manager sees the demands of units under their `deployments.manage_demands` scope,
the organization department (`deployments.run_rounds`) sees every demand, anyone else none.
"""

from dataclasses import dataclass
from uuid import UUID

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from xiachen.accounts.permissions import has_permission, scope_paths
from xiachen.org.models import AgencyKind, Unit, path_within

from .models import AffinityWeight, Demand, PostType
from .planning import DEFAULT_AFFINITY

# Unit kinds that receive cadres (docs/vocabulary.md): where a demand may be posted.
RECEIVING_UNIT_KINDS = ("community", "compound", "station", "township_office", "health_centre", "street")


def can_read_demands(user) -> bool:
    return has_permission(user, "deployments.manage_demands") or has_permission(user, "deployments.run_rounds")


def demands_visible_to(user) -> QuerySet[Demand]:
    if has_permission(user, "deployments.run_rounds"):
        return Demand.objects.all()
    return Demand.objects.filter(path_within(scope_paths(user, "deployments.manage_demands"), field="unit_path"))


def access_demand(user, public_id: UUID) -> Demand:
    """One demand the user may see; "missing" and "not yours" give the same 404."""
    demands = demands_visible_to(user).select_related("unit", "post_type", "created_by")
    return get_object_or_404(demands, public_id=public_id)


def search_demands(user, *, query: str = "", post_type: str = "", status: str = "") -> QuerySet[Demand]:
    """Filtered list with its relations loaded up front, so the page's query count does not grow with rows."""
    demands = demands_visible_to(user)
    if query:
        demands = demands.filter(
            Q(unit__name__icontains=query) | Q(post_type__name_zh__icontains=query) | Q(notes__icontains=query)
        )
    if post_type:
        demands = demands.filter(post_type__code=post_type)
    if status:
        demands = demands.filter(status=status)
    return (
        demands.select_related("unit", "post_type")
        .prefetch_related("must_have_any", "nice_to_have")
        .order_by("unit_path", "start", "id")
    )


def receiving_units_for(user) -> QuerySet[Unit]:
    """Receiving units (community, compound, station, …) under the user's `deployments.manage_demands` scope."""
    units = Unit.objects.within_any(scope_paths(user, "deployments.manage_demands"))
    return units.filter(kind__code__in=RECEIVING_UNIT_KINDS).select_related("kind").order_by("path")


@dataclass(frozen=True)
class AffinityCell:
    agency_kind: AgencyKind
    post_type: PostType
    weight: int
    is_default: bool


@dataclass(frozen=True)
class AffinityMatrix:
    post_types: list[PostType]
    rows: list[tuple[AgencyKind, list[AffinityCell]]]


def affinity_matrix() -> AffinityMatrix:
    """Agency kinds × post types with the stored weight, or DEFAULT_AFFINITY where none is stored."""
    post_types = list(PostType.objects.all())
    stored = {(w.agency_kind_id, w.post_type_id): w.weight for w in AffinityWeight.objects.all()}
    rows = [
        (kind, [_cell(kind, post_type, stored.get((kind.pk, post_type.pk))) for post_type in post_types])
        for kind in AgencyKind.objects.all()
    ]
    return AffinityMatrix(post_types=post_types, rows=rows)


def affinity_cell(agency_kind: AgencyKind, post_type: PostType) -> AffinityCell:
    weight = AffinityWeight.objects.filter(agency_kind=agency_kind, post_type=post_type).values_list(
        "weight", flat=True
    )
    return _cell(agency_kind, post_type, weight.first())


def _cell(agency_kind: AgencyKind, post_type: PostType, weight: int | None) -> AffinityCell:
    return AffinityCell(
        agency_kind=agency_kind,
        post_type=post_type,
        weight=DEFAULT_AFFINITY if weight is None else weight,
        is_default=weight is None,
    )
