"""The dashboards' maps (ADR 2012): a unit's child regions drawn from uploaded boundaries, coloured by
a rollup measure (ADR 0901) — deployed cadres, demand coverage, fever alerts, hotline tickets — with
a click on a region drilling down (city → district → street → its communities)."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _

from xiachen.accounts.permissions import has_permission
from xiachen.maps.selectors import feature_collection, points_under, region_names
from xiachen.org.models import Unit

from . import selectors
from .charts import _snapshot_sum

# the kinds of a map unit's regions; a region whose kind is a key here can be drilled into
CHILD_KINDS = {
    "city": ("district",),
    "district": ("street", "township"),
    "street": ("community", "village"),
    "township": ("community", "village"),
}
POINT_KINDS = ("compound",)


def access_map_unit(user, public_id) -> Unit:
    """A unit with a map (city, district, street, township) the user may see on a dashboard: 404
    for missing and not yours (403 without any dashboard permission)."""
    if not (has_permission(user, selectors.CITY) or has_permission(user, selectors.AREA)):
        selectors.city_for(user)  # raises 403
    unit = get_object_or_404(Unit.objects.select_related("kind"), public_id=public_id,
                             kind__code__in=list(CHILD_KINDS))
    permission = selectors.CITY if unit.kind.code == "city" else selectors.AREA
    if not has_permission(user, permission, unit):
        raise Http404
    return unit


def _coverage(snapshot: dict) -> float | None:
    headcount = _snapshot_sum(snapshot, "headcount")
    return round(100 * (_snapshot_sum(snapshot, "covered") or 0) / headcount, 1) if headcount else None


def _dashboard_link(unit: Unit) -> str:
    if unit.kind.code in selectors.DISTRICT_KINDS:
        return reverse("dashboards:district", args=[unit.public_id])
    if unit.kind.code in selectors.COMMUNITY_KINDS:
        return reverse("dashboards:community", args=[unit.public_id])
    return ""


def _up(unit: Unit, user) -> str:
    parent = Unit.objects.filter(pk=unit.parent_id, kind__code__in=list(CHILD_KINDS)).select_related("kind").first()
    if parent is None:
        return ""
    permission = selectors.CITY if parent.kind.code == "city" else selectors.AREA
    return reverse("dashboards:map", args=[parent.public_id]) if has_permission(user, permission, parent) else ""


def region_map(user, unit: Unit, period: selectors.Period) -> dict:
    """Everything the map needs in one JSON: the regions' GeoJSON, four measures per region name,
    each region's drill-down and dashboard links, compound points, and the way back up."""
    children = selectors.children_of(unit, CHILD_KINDS[unit.kind.code])
    names = region_names(children)
    snaps, totals = selectors.snapshots(children), selectors.totals(children, period)
    measures = {
        "deployed": (_("在岗下沉干部"), lambda c: _snapshot_sum(snaps.get(c.pk, {}), "deployed") or 0),
        "coverage": (_("岗位需求满足率（%）"), lambda c: _coverage(snaps.get(c.pk, {}))),
        "fever": (_("发热预警"), lambda c: totals.get(c.pk, {}).get("fever_alerts", 0)),
        "tickets": (_("热线工单"), lambda c: totals.get(c.pk, {}).get("tickets", 0)),
    }
    return {
        "id": str(unit.public_id),
        "name": unit.name,
        "up": _up(unit, user),
        "geojson": feature_collection(children, names),
        "measures": [{"id": key, "label": label, "values": {names[c.pk]: value(c) for c in children}}
                     for key, (label, value) in measures.items()],
        "regions": {names[c.pk]: {
            "map": reverse("dashboards:map", args=[c.public_id]) if c.kind.code in CHILD_KINDS else "",
            "dashboard": _dashboard_link(c)} for c in children},
        "points": points_under(unit, POINT_KINDS) if unit.kind.code not in ("city", "district") else [],
    }
