"""Where a cadre may clock in: within the post's radius (PostSite), by the phone's reported position.

The position arrives with the scan (online) or with the queued change (offline, checked at sync); only
the distance in whole metres is kept on the attendance record, never the coordinates (docs/security.md).
"""

import math
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from xiachen.audit import services as audit

from .models import PostSite
from .services import RosterError, require_manager

EARTH_RADIUS_M = 6_371_008.8
MAX_ACCURACY_M = 500  # a fix vaguer than this (cell towers only) cannot tell a post from the next street


@dataclass(frozen=True)
class Position:
    latitude: float
    longitude: float
    accuracy: float | None = None

    @classmethod
    def of(cls, latitude, longitude, accuracy=None) -> "Position | None":
        try:
            lat, lng = float(latitude), float(longitude)
            acc = float(accuracy) if accuracy not in (None, "") else None
        except (TypeError, ValueError):
            return None
        if not (-90 <= lat <= 90 and -180 <= lng <= 180) or math.isnan(lat) or math.isnan(lng):
            return None
        return cls(lat, lng, acc)


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle (haversine) distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))


def site_of(post) -> PostSite | None:
    return PostSite.objects.filter(post=post).first()


def check_position(post, position: Position | None) -> int | None:
    """The distance (m) from the post when within its radius; None when the post has no site.
    Raises RosterError with a Chinese message naming the distance when outside, or without position."""
    site = site_of(post)
    if site is None:
        return None
    if position is None:
        raise RosterError(_("本岗位签到需要手机定位，请允许定位后重试"))
    if position.accuracy is not None and position.accuracy > MAX_ACCURACY_M:
        raise RosterError(_("定位精度太差（约 %(accuracy)d 米），请到室外或打开卫星定位后重试")
                          % {"accuracy": round(position.accuracy)})
    metres = distance_m(position.latitude, position.longitude, float(site.latitude), float(site.longitude))
    if metres > site.radius_m:
        raise RosterError(_("您距岗位约 %(distance)d 米，超出签到范围（%(radius)d 米），不能签到")
                          % {"distance": round(metres), "radius": site.radius_m})
    return round(metres)


@transaction.atomic
def set_site(*, by, post, latitude: Decimal, longitude: Decimal, radius_m: int) -> PostSite:
    require_manager(by, post)
    site, _created = PostSite.objects.update_or_create(
        post=post, defaults={"latitude": latitude, "longitude": longitude, "radius_m": radius_m})
    audit.record(actor=by, action="roster.site_set", target=post, fields={"radius_m": radius_m})
    return site
