"""Generated map boundaries for the demo city (ADR 2012): not real geography, a nested grid of
rectangles — the city's box split among its districts, each district's among its streets, each
street's among its communities — and a point per compound inside its community, so the dashboards'
maps have something to draw. Real deployments upload their own GeoJSON (maps:boundaries)."""

import math

from xiachen.maps.models import Boundary
from xiachen.org.models import Unit

CITY_BOX = (113.70, 29.97, 115.08, 31.36)  # (west, south, east, north): Wuhan's extent, roughly
AREA_KINDS = ("city", "district", "street", "township", "community", "village")


def split(box: tuple, count: int) -> list[tuple]:
    """`count` rectangles tiling `box` row by row (the last row may hold fewer, wider cells)."""
    west, south, east, north = box
    columns = max(1, math.ceil(math.sqrt(count)))
    rows = max(1, math.ceil(count / columns))
    cells = []
    for row in range(rows):
        in_row = min(columns, count - row * columns)
        height = (north - south) / rows
        top = north - row * height
        for column in range(in_row):
            width = (east - west) / in_row
            cells.append((west + column * width, top - height, west + (column + 1) * width, top))
    return cells


def polygon(box: tuple) -> dict:
    west, south, east, north = (round(value, 6) for value in box)
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def _centre(box: tuple) -> list[float]:
    return [round((box[0] + box[2]) / 2, 6), round((box[1] + box[3]) / 2, 6)]


def build_boundaries(city: Unit) -> list[Boundary]:
    """Unsaved boundaries for the city's area units (rectangles) and compounds (points)."""
    units = list(Unit.objects.subtree_of(city).filter(kind__code__in=(*AREA_KINDS, "compound"))
                 .select_related("kind").order_by("path"))
    children: dict[int | None, list[Unit]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)
    boxes = {city.pk: CITY_BOX}
    result = [Boundary(unit=city, geometry=polygon(CITY_BOX))]
    for unit in units:  # ordered by path: a parent's box is known before its children's
        below = children.get(unit.pk, [])
        if unit.pk not in boxes or not below:
            continue
        for child, box in zip(below, split(boxes[unit.pk], len(below)), strict=True):
            boxes[child.pk] = box
            if child.kind.code == "compound":
                result.append(Boundary(unit=child, geometry={"type": "Point", "coordinates": _centre(box)}))
            else:
                result.append(Boundary(unit=child, geometry=polygon(box)))
    return result


def save_boundaries(city: Unit) -> int:
    boundaries = build_boundaries(city)
    Boundary.objects.bulk_create(boundaries, batch_size=2000)
    return len(boundaries)
