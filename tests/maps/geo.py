"""Hand-made GeoJSON over the test tree: the city a 1°×1° box, its two districts its halves, each
street and community its district's whole box, the compounds points (ADR 2012)."""

import json

CITY = (114.0, 30.0, 115.0, 31.0)
WEST, EAST = (114.0, 30.0, 114.5, 31.0), (114.5, 30.0, 115.0, 31.0)


def box(west, south, east, north) -> dict:
    return {"type": "Polygon", "coordinates": [[[west, south], [east, south], [east, north], [west, north],
                                                 [west, south]]]}


def feature(code, geometry, **properties) -> dict:
    return {"type": "Feature", "properties": {"code": code, **properties}, "geometry": geometry}


def tree_features(tree) -> list[dict]:
    return [
        feature(tree.city.code, box(*CITY)),
        feature(tree.district1.code, box(*WEST)), feature(tree.district2.code, box(*EAST)),
        feature(tree.street1.code, box(*WEST)), feature(tree.street2.code, box(*EAST)),
        feature(tree.community1.code, box(*WEST)), feature(tree.community2.code, box(*EAST)),
        feature(tree.compound1.code, {"type": "Point", "coordinates": [114.25, 30.5]}),
    ]


def collection(features) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False).encode()


def centre(extent) -> list[float]:
    return [(extent[0] + extent[2]) / 2, (extent[1] + extent[3]) / 2]
