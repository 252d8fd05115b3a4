"""Reads of the uploaded boundaries: GeoJSON features for a list of units."""

from xiachen.org.models import Unit

from .models import Boundary


def region_names(units: list[Unit]) -> dict[int, str]:
    """A name per unit unique on one map (ECharts joins data to regions by name): the unit's name,
    with its code added when two units share it."""
    counts: dict[str, int] = {}
    for unit in units:
        counts[unit.name] = counts.get(unit.name, 0) + 1
    return {unit.pk: unit.name if counts[unit.name] == 1 else f"{unit.name}（{unit.code}）" for unit in units}


def feature_collection(units: list[Unit], names: dict[int, str]) -> dict:
    """The polygons of `units` that have one, as a GeoJSON FeatureCollection named for ECharts."""
    geometries = dict(Boundary.objects.filter(unit__in=units).values_list("unit_id", "geometry"))
    features = [
        {"type": "Feature", "properties": {"name": names[unit.pk], "id": str(unit.public_id)},
         "geometry": geometries[unit.pk]}
        for unit in units if unit.pk in geometries and geometries[unit.pk].get("type") != "Point"
    ]
    return {"type": "FeatureCollection", "features": features}


def points_under(unit: Unit, kinds) -> list[dict]:
    """Compounds (and other point units) under `unit` with an uploaded point: name and [lon, lat]."""
    rows = Boundary.objects.filter(unit__path__startswith=unit.path, unit__kind__code__in=kinds,
                                   geometry__type="Point").values_list("unit__name", "geometry")
    return [{"name": name, "value": geometry["coordinates"][:2]} for name, geometry in rows]


def boundary_counts(units) -> list[tuple[str, int]]:
    """Uploaded geometries per unit kind, by the kind's label (for the upload page)."""
    from django.db.models import Count

    from xiachen.org.models import UnitKind

    rows = Boundary.objects.filter(unit__in=units).values("unit__kind").annotate(n=Count("id")).order_by()
    kinds = {kind.pk: kind for kind in UnitKind.objects.all()}
    return sorted((kinds[row["unit__kind"]].label, row["n"]) for row in rows)
