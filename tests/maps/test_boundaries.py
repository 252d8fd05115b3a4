"""GeoJSON boundary upload: a good file is stored per unit (and replaces), every kind of bad feature
is named in Chinese and nothing is saved; the dashboards' map JSON reads the rollups."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.dashboards.builders import add_scans, at
from tests.maps.geo import collection, feature, tree_features
from xiachen.audit.models import AuditEvent
from xiachen.dashboards import rollups
from xiachen.maps.models import Boundary
from xiachen.maps.services import BoundaryError, upload_boundaries


def test_upload_stores_each_unit_once_and_replaces(people, tree):
    assert upload_boundaries(by=people.sysadmin, data=collection(tree_features(tree))) == 8
    assert Boundary.objects.get(unit=tree.compound1).geometry == {"type": "Point", "coordinates": [114.25, 30.5]}
    moved = feature(tree.compound1.code, {"type": "Point", "coordinates": [114.3, 30.6]})
    assert upload_boundaries(by=people.sysadmin, data=collection([moved])) == 1
    assert Boundary.objects.count() == 8
    assert Boundary.objects.get(unit=tree.compound1).geometry["coordinates"] == [114.3, 30.6]
    assert AuditEvent.objects.filter(action="maps.boundaries_uploaded").count() == 2


def test_upload_by_name_with_another_property(people, tree):
    named = {"type": "Feature", "properties": {"名称": "江岸区"}, "geometry": tree_features(tree)[1]["geometry"]}
    assert upload_boundaries(by=people.sysadmin, data=collection([named]), key="名称", by_name=True) == 1
    assert Boundary.objects.get().unit == tree.district1


def _open_ring(tree):
    geometry = tree_features(tree)[1]["geometry"]
    geometry["coordinates"][0][-1] = [114.1, 30.0]
    return feature(tree.district1.code, geometry)


BAD = [
    (lambda tree: b"{not json", "文件不是有效的 JSON：第 1 行"),
    (lambda tree: json.dumps({"type": "Polygon"}).encode(), "顶层必须是 FeatureCollection"),
    (lambda tree: collection([feature("999999", {"type": "Point", "coordinates": [114, 30]})]),
     "第 1 个要素（code=999999）：找不到代码为“999999”的单位"),
    (lambda tree: collection([_open_ring(tree)]), "第 1 个要素（code=420102）：多边形的环没有闭合"),
    (lambda tree: collection([feature(tree.district1.code, {"type": "Point", "coordinates": [114, 30]})]),
     "江岸区是区域单位，须上传多边形边界"),
    (lambda tree: collection([tree_features(tree)[1] | {"properties": {"code": tree.compound1.code}}]),
     "车站路小区是小区或卡口，须上传点位"),
    (lambda tree: collection([feature(tree.compound1.code, {"type": "Point", "coordinates": [214, 30]})]),
     "坐标超出范围"),
    (lambda tree: collection([feature(tree.agency1.code, {"type": "Point", "coordinates": [114, 30]})]),
     "武汉市审计局的单位类型不能在地图上显示"),
    (lambda tree: collection([{"type": "Feature", "properties": {}, "geometry": None}]), "缺少属性“code”"),
    (lambda tree: collection([feature(tree.district1.code, {"type": "LineString", "coordinates": []})]),
     "不支持的几何类型“LineString”"),
    (lambda tree: collection([*tree_features(tree)[:2], tree_features(tree)[1]]),
     "第 3 个要素（code=420102）：与第 2 个要素对应同一个单位"),
]


def test_every_bad_feature_is_named_and_nothing_is_saved(people, tree):
    for build, message in BAD:
        with pytest.raises(BoundaryError) as raised:
            upload_boundaries(by=people.sysadmin, data=build(tree))
        assert any(message in error for error in raised.value.errors), (message, raised.value.errors)
    assert Boundary.objects.count() == 0


def test_upload_page_shows_errors_and_saves_a_good_file(client, people, tree):
    client.force_login(people.sysadmin)
    url = reverse("maps:boundaries")
    bad = [*tree_features(tree), feature("999999", {"type": "Point", "coordinates": [114, 30]})]
    page = client.post(url, {"file": SimpleUploadedFile("b.geojson", collection(bad)), "match": "code"})
    assert "第 9 个要素（code=999999）" in page.content.decode()
    assert Boundary.objects.count() == 0
    response = client.post(url, {"file": SimpleUploadedFile("b.geojson", collection(tree_features(tree))),
                                 "match": "code"}, follow=True)
    assert "已保存 8 个单位的地图边界" in response.content.decode()
    assert "社区" in response.content.decode()  # counts by the kind's label


def test_map_json_has_regions_measures_and_drill_links(client, people, tree):
    upload_boundaries(by=people.sysadmin, data=collection(tree_features(tree)))
    add_scans(tree.compound1, [at(2026, 3, 1, 8), at(2026, 3, 1, 9)], by=people.worker1, fever_at={1})
    rollups.rebuild_all()
    client.force_login(people.org_department)
    data = client.get(reverse("dashboards:map", args=[tree.city.public_id]), {"from": "2026-03-01",
                                                                             "to": "2026-03-02"}).json()
    assert [f["properties"]["name"] for f in data["geojson"]["features"]] == ["江岸区", "江汉区"]
    fever = next(m for m in data["measures"] if m["id"] == "fever")
    assert fever["values"] == {"江岸区": 1, "江汉区": 0}
    assert data["regions"]["江岸区"]["map"] == reverse("dashboards:map", args=[tree.district1.public_id])
    street = client.get(data["regions"]["江岸区"]["map"]).json()
    assert street["up"] == reverse("dashboards:map", args=[tree.city.public_id])
    community = client.get(street["regions"]["大智街道"]["map"]).json()
    assert community["regions"]["车站路社区"] == {
        "map": "", "dashboard": reverse("dashboards:community", args=[tree.community1.public_id])}
    assert community["points"] == [{"name": "车站路小区", "value": [114.25, 30.5]}]
    client.force_login(people.manager1)
    assert client.get(reverse("dashboards:map", args=[tree.district1.public_id])).status_code == 404
