"""Writes of demands (岗位需求) and of the agency kind × post type affinity matrix.

Every service is keyword-only, atomic, permission-checked and audited. Skills, hazard and the
medical requirement left empty fall back to the post type's defaults (the planner reads the
post type's skills itself; hazard and medical requirement are copied when the demand is stored).
"""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from xiachen.accounts.permissions import require_permission
from xiachen.audit import services as audit
from xiachen.org.models import AgencyKind, Unit

from .enums import DemandStatus
from .models import AffinityWeight, Demand, PostType
from .planning import DEFAULT_AFFINITY
from .selectors import RECEIVING_UNIT_KINDS

EDITABLE_FIELDS = frozenset(
    {
        "unit", "post_type", "headcount", "start", "end", "daily_hours", "latitude", "longitude", "hazard",
        "needs_medical", "notes", "must_have_any", "nice_to_have", "preferred_agency_kinds",
    }
)
RELATIONS = ("must_have_any", "nice_to_have", "preferred_agency_kinds")


class DemandError(ValueError):
    """A demand or affinity change the rules do not allow; the message is for the user."""


@transaction.atomic
def create_demand(
    *,
    by,
    unit: Unit,
    post_type: PostType,
    headcount: int,
    start: date,
    end: date,
    daily_hours: Decimal | int = 8,
    must_have_any: Iterable = (),
    nice_to_have: Iterable = (),
    preferred_agency_kinds: Iterable = (),
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    hazard: str | None = None,
    needs_medical: bool | None = None,
    notes: str = "",
) -> Demand:
    """An open demand of a receiving unit under `by`'s `deployments.manage_demands` scope.

    `hazard` and `needs_medical` left None take the post type's; coordinates left None mean the
    unit's. Raises PermissionDenied outside the scope, DemandError for an invalid demand.
    """
    require_permission(by, "deployments.manage_demands", unit)
    demand = Demand(unit=unit, post_type=post_type, created_by=by)
    values = {
        "headcount": headcount, "start": start, "end": end, "daily_hours": daily_hours, "latitude": latitude,
        "longitude": longitude, "hazard": hazard, "needs_medical": needs_medical, "notes": notes,
    }
    _apply(demand, values)
    demand.save()
    _set_relations(demand, must_have_any=must_have_any, nice_to_have=nice_to_have,
                   preferred_agency_kinds=preferred_agency_kinds)
    audit.record(actor=by, action="demand.created", target=demand, fields={"headcount": demand.headcount})
    return demand


@transaction.atomic
def update_demand(*, by, demand: Demand, **changes) -> Demand:
    """Change an open demand; `changes` are keyword fields of create_demand.

    The stored demand is re-read and locked, so a form that already touched `demand` cannot move it
    out of scope. Raises PermissionDenied (old or new unit outside scope), DemandError (not open,
    unknown field, invalid values).
    """
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise DemandError(_("不能修改的字段：%(fields)s") % {"fields": "、".join(sorted(unknown))})
    stored = Demand.objects.select_for_update().select_related("unit", "post_type").get(pk=demand.pk)
    require_permission(by, "deployments.manage_demands", stored.unit)
    if stored.status != DemandStatus.OPEN:
        raise DemandError(_("只有待匹配的需求可以修改"))
    stored.unit = changes.pop("unit", stored.unit)
    stored.post_type = changes.pop("post_type", stored.post_type)
    require_permission(by, "deployments.manage_demands", stored.unit)
    relations = {name: changes.pop(name) for name in RELATIONS if name in changes}
    _apply(stored, {field: getattr(stored, field) for field in ("hazard", "needs_medical")} | changes)
    stored.save()
    _set_relations(stored, **relations)
    audit.record(actor=by, action="demand.updated", target=stored, fields={"fields": sorted(changes | relations)})
    return stored


@transaction.atomic
def close_demand(*, by, demand: Demand) -> Demand:
    """Close an open demand (no longer needed). Raises DemandError when it is not open."""
    stored = Demand.objects.select_for_update().select_related("unit").get(pk=demand.pk)
    require_permission(by, "deployments.manage_demands", stored.unit)
    if stored.status != DemandStatus.OPEN:
        raise DemandError(_("只有待匹配的需求可以关闭"))
    stored.status = DemandStatus.CLOSED
    stored.save(update_fields=["status", "updated_at"])
    audit.record(actor=by, action="demand.closed", target=stored)
    return stored


@transaction.atomic
def set_affinity(*, by, agency_kind: AgencyKind, post_type: PostType, weight: int) -> AffinityWeight:
    """Set how well cadres of `agency_kind` fit `post_type` (0–100); audited with the old and new weight.

    Raises PermissionDenied without `deployments.edit_affinity`, DemandError for a weight out of range.
    """
    require_permission(by, "deployments.edit_affinity")
    if isinstance(weight, bool) or not isinstance(weight, int) or not 0 <= weight <= 100:
        raise DemandError(_("匹配度应为 0 到 100 之间的整数"))
    existing = AffinityWeight.objects.select_for_update().filter(agency_kind=agency_kind, post_type=post_type)
    old = existing.values_list("weight", flat=True).first()
    affinity, _created = AffinityWeight.objects.update_or_create(
        agency_kind=agency_kind, post_type=post_type, defaults={"weight": weight}
    )
    audit.record(
        actor=by,
        action="affinity.set",
        target=affinity,
        fields={
            "agency_kind": agency_kind.code,
            "post_type": post_type.code,
            "old_weight": DEFAULT_AFFINITY if old is None else old,
            "old_was_default": old is None,
            "new_weight": weight,
        },
    )
    return affinity


def _apply(demand: Demand, values: dict) -> None:
    """Validate and set scalar fields; empty hazard / medical requirement take the post type's."""
    for field, value in values.items():
        setattr(demand, field, value)
    if demand.unit.kind.code not in RECEIVING_UNIT_KINDS:
        raise DemandError(_("该单位不是接收单位，不能发布岗位需求"))
    if demand.end < demand.start:
        raise DemandError(_("结束日期不能早于开始日期"))
    if demand.headcount < 1:
        raise DemandError(_("人数至少为 1"))
    if not 1 <= Decimal(demand.daily_hours) <= 24:
        raise DemandError(_("每日工作时长应在 1 到 24 小时之间"))
    if not demand.hazard:
        demand.hazard = demand.post_type.hazard
    if demand.needs_medical is None:
        demand.needs_medical = demand.post_type.needs_medical
    demand.notes = (demand.notes or "").strip()


def _set_relations(demand: Demand, **relations: Iterable) -> None:
    for name, values in relations.items():
        getattr(demand, name).set(list(values or ()))
