"""Writes to the unit tree: atomic, permission-checked, audited."""

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Length, Substr
from django.utils.translation import gettext as _

from xiachen.accounts.permissions import require_permission
from xiachen.audit import services as audit

from .models import Unit, UnitKind


class UnitError(ValueError):
    pass


@transaction.atomic
def create_unit(
    *,
    by,
    code: str,
    name: str,
    kind: UnitKind,
    parent: Unit | None,
    address: str = "",
    latitude=None,
    longitude=None,
    agency_kind=None,
) -> Unit:
    """Create a unit under `parent` (which `by` must be allowed to edit). Raises UnitError on a taken code."""
    if parent is None:
        require_permission(by, "units.edit")
    else:
        require_permission(by, "units.edit", parent)
    if Unit.objects.filter(code=code).exists():
        raise UnitError(_("单位代码 %(code)s 已被使用") % {"code": code})
    unit = Unit(
        code=code,
        name=name,
        kind=kind,
        parent=parent,
        address=address,
        latitude=latitude,
        longitude=longitude,
        agency_kind=agency_kind,
    )
    unit.build_path()
    unit.save()
    audit.record(actor=by, action="unit.created", target=unit, fields={"code": code})
    return unit


@transaction.atomic
def move_unit(*, by, unit: Unit, new_parent: Unit) -> Unit:
    """Re-parent a unit; rewrites the paths of its whole subtree in one UPDATE.

    Raises UnitError when the new parent lies inside the unit's own subtree.
    """
    require_permission(by, "units.edit", unit)
    require_permission(by, "units.edit", new_parent)
    if new_parent.path.startswith(unit.path):
        raise UnitError(_("不能把单位移到它自己的下级单位之下"))
    old_path = unit.path
    new_path = f"{new_parent.path}{unit.code}/"
    depth_change = new_path.count("/") - old_path.count("/")
    Unit.objects.filter(path__startswith=old_path).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1, Length("path"))),
        depth=F("depth") + depth_change,
    )
    Unit.objects.filter(pk=unit.pk).update(parent=new_parent)
    _rewrite_denormalized_paths(old_path, new_path)
    audit.record(actor=by, action="unit.moved", target=unit, fields={"parent": str(new_parent.public_id)})
    unit.refresh_from_db()
    return unit


def _rewrite_denormalized_paths(old_path: str, new_path: str) -> None:
    from xiachen.cadres.models import Cadre
    from xiachen.households.models import Household, Resident

    for model, field in ((Cadre, "agency_path"), (Household, "compound_path"), (Resident, "compound_path")):
        model.objects.filter(**{f"{field}__startswith": old_path}).update(
            **{field: Concat(Value(new_path), Substr(field, len(old_path) + 1, Length(field)))}
        )
