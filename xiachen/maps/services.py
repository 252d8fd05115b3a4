"""Uploading GeoJSON boundaries (ADR 2012): validate the whole file, then store one geometry per unit.

Every feature must be a valid GeoJSON Polygon/MultiPolygon (areas: city, district, street, township,
community, village) or Point (compounds and gates), carry the matching property (the unit code by
default, or the unit name) naming exactly one unit under the uploader, and appear once. Any error
names the feature and stores nothing.
"""

import json
import math

from django.db import transaction
from django.utils.translation import gettext as _

from xiachen.accounts.permissions import require_permission, scope_paths
from xiachen.audit import services as audit
from xiachen.org.models import Unit, path_within

from .models import Boundary

PERMISSION = "maps.manage"
AREA_KINDS = ("city", "district", "street", "township", "community", "village")
POINT_KINDS = ("compound", "station", "township_office")
MAX_BYTES = 20 * 1024 * 1024
MAX_ERRORS = 20


class BoundaryError(ValueError):
    def __init__(self, errors: list[str]):
        super().__init__("；".join(errors))
        self.errors = errors


def _position_error(position) -> str:
    if not isinstance(position, list) or len(position) < 2 or not all(
        isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in position[:2]
    ):
        return _("坐标必须是 [经度, 纬度] 两个数")
    longitude, latitude = position[:2]
    if not (-180 <= longitude <= 180 and -90 <= latitude <= 90):
        return _("坐标超出范围（经度 -180～180，纬度 -90～90）")
    return ""


def _ring_error(ring) -> str:
    if not isinstance(ring, list) or len(ring) < 4:
        return _("多边形的每个环至少要有 4 个坐标点")
    for position in ring:
        if problem := _position_error(position):
            return problem
    if ring[0][:2] != ring[-1][:2]:
        return _("多边形的环没有闭合（首尾坐标必须相同）")
    return ""


def _polygon_error(rings) -> str:
    if not isinstance(rings, list) or not rings:
        return _("多边形坐标必须是由环组成的列表")
    return next((problem for ring in rings if (problem := _ring_error(ring))), "")


def geometry_error(geometry) -> str:
    """Why `geometry` is not a usable GeoJSON Polygon, MultiPolygon or Point ("" when it is)."""
    if not isinstance(geometry, dict):
        return _("缺少几何图形（geometry）")
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    if kind == "Point":
        return _position_error(coordinates)
    if kind == "Polygon":
        return _polygon_error(coordinates)
    if kind == "MultiPolygon":
        if not isinstance(coordinates, list) or not coordinates:
            return _("多多边形坐标必须是由多边形组成的列表")
        return next((problem for polygon in coordinates if (problem := _polygon_error(polygon))), "")
    return _("不支持的几何类型“%(kind)s”（只接受 Polygon、MultiPolygon、Point）") % {"kind": kind}


def _features(data: bytes) -> list:
    if len(data) > MAX_BYTES:
        raise BoundaryError([_("文件超过 20 MB")])
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise BoundaryError([_("文件不是 UTF-8 编码的文本")]) from None
    except json.JSONDecodeError as error:
        raise BoundaryError([_("文件不是有效的 JSON：第 %(line)s 行第 %(column)s 列附近有错误") % {
            "line": error.lineno, "column": error.colno}]) from None
    if isinstance(document, dict) and document.get("type") == "Feature":
        return [document]
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise BoundaryError([_("GeoJSON 的顶层必须是 FeatureCollection 或 Feature")])
    features = document.get("features")
    if not isinstance(features, list) or not features:
        raise BoundaryError([_("FeatureCollection 中没有要素（features）")])
    return features


def _label(number: int, key: str, value) -> str:
    return _("第 %(n)s 个要素（%(key)s=%(value)s）") % {"n": number, "key": key, "value": value or "—"}


def _match(feature, number: int, *, key: str, by_name: bool, units) -> tuple[str, Unit | None, str]:
    """(label, unit, error) for one feature."""
    properties = feature.get("properties") if isinstance(feature, dict) else None
    value = str(properties.get(key, "")).strip() if isinstance(properties, dict) else ""
    label = _label(number, key, value)
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        return label, None, _("不是 GeoJSON 要素（type 须为 Feature）")
    if not value:
        return label, None, _("缺少属性“%(key)s”，无法对应到单位") % {"key": key}
    found = [u for u in units.get(value, [])]
    if not found:
        return label, None, _("找不到%(how)s为“%(value)s”的单位（或不在您的管理范围内）") % {
            "how": _("名称") if by_name else _("代码"), "value": value}
    if len(found) > 1:
        return label, None, _("名称“%(value)s”对应多个单位，请改用单位代码匹配") % {"value": value}
    unit = found[0]
    problem = geometry_error(feature.get("geometry"))
    kind = (feature.get("geometry") or {}).get("type") if isinstance(feature.get("geometry"), dict) else None
    if not problem and unit.kind.code in AREA_KINDS and kind == "Point":
        problem = _("%(unit)s是区域单位，须上传多边形边界，不能是点") % {"unit": unit.name}
    if not problem and unit.kind.code in POINT_KINDS and kind != "Point":
        problem = _("%(unit)s是小区或卡口，须上传点位（Point）") % {"unit": unit.name}
    if not problem and unit.kind.code not in AREA_KINDS + POINT_KINDS:
        problem = _("%(unit)s的单位类型不能在地图上显示") % {"unit": unit.name}
    return label, unit, problem


def _units_by(by, *, by_name: bool) -> dict[str, list[Unit]]:
    units: dict[str, list[Unit]] = {}
    visible = Unit.objects.filter(path_within(scope_paths(by, PERMISSION))).select_related("kind")
    for unit in visible:
        units.setdefault(unit.name if by_name else unit.code, []).append(unit)
    return units


@transaction.atomic
def upload_boundaries(*, by, data: bytes, key: str = "code", by_name: bool = False) -> int:
    """Validate every feature of the GeoJSON file, then store each unit's geometry (replacing an
    earlier one). All or nothing: raises BoundaryError with one Chinese message per bad feature."""
    require_permission(by, PERMISSION)
    key = key.strip() or ("name" if by_name else "code")
    features = _features(data)
    units = _units_by(by, by_name=by_name)
    errors: list[str] = []
    matched: list[tuple[Unit, dict]] = []
    seen: dict[int, int] = {}
    for number, feature in enumerate(features, start=1):
        label, unit, problem = _match(feature, number, key=key, by_name=by_name, units=units)
        if unit is not None and not problem and unit.pk in seen:
            problem = _("与第 %(n)s 个要素对应同一个单位") % {"n": seen[unit.pk]}
        if problem or unit is None:
            errors.append(f"{label}：{problem}")
        else:
            seen[unit.pk] = number
            matched.append((unit, feature["geometry"]))
    if errors:
        extra = len(errors) - MAX_ERRORS
        raise BoundaryError(errors[:MAX_ERRORS] + ([_("另有 %(n)s 处错误") % {"n": extra}] if extra > 0 else []))
    for unit, geometry in matched:
        Boundary.objects.update_or_create(unit=unit, defaults={"geometry": geometry, "uploaded_by": by})
    audit.record(actor=by, action="maps.boundaries_uploaded", fields={"count": len(matched)})
    return len(matched)
