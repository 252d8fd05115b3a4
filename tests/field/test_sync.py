"""The server half of the offline engine: one idempotent batch endpoint (every change stored once, by
client UUID, through the apps' own services), the conflict rule (an older offline edit never overwrites a
newer server edit; a chain of one person's own offline edits is no conflict), and the location-checked
clock-in (inside the post's radius, refused outside naming the distance, offline scans checked at sync)."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from xiachen.errands import services as errands
from xiachen.errands.models import Errand, ErrandEvent, HealthReport
from xiachen.field.handlers import HANDLERS
from xiachen.field.models import OfflineChange
from xiachen.field.sync import apply_changes, version_of
from xiachen.rosters.models import Attendance
from xiachen.rosters.tokens import post_token

from .conftest import change, errand_of

pytestmark = pytest.mark.django_db


def sync(user, changes):
    return apply_changes(by=user, device_id="phone-1", changes=changes, handlers=HANDLERS)


def test_a_batch_applies_once_through_the_services_and_a_resend_changes_nothing(client, people, resident1, visit):
    errand = errand_of(people, resident1)
    base = version_of(errand.updated_at)
    batch = [
        change("errand.move", {"errand": str(errand.public_id), "to": "accepted"}, base),
        change("errand.move", {"errand": str(errand.public_id), "to": "in_progress"}, base),  # chained offline
        change("visit.report", {"visit": str(visit.public_id), "temperature": "37.6", "symptoms": "咳嗽"},
               version_of(visit.updated_at)),
        {"client_uuid": "not-a-uuid", "kind": "errand.move"},
    ]
    client.force_login(people.worker1)
    url = reverse("field:sync")
    first = client.post(url, json.dumps({"device_id": "phone-1", "changes": batch}), content_type="application/json")
    assert [r["status"] for r in first.json()["results"]] == ["applied", "applied", "applied", "rejected"]
    errand.refresh_from_db()
    visit.refresh_from_db()
    assert (errand.status, visit.status) == ("in_progress", "done")
    report = HealthReport.objects.get()
    assert (str(report.temperature), report.symptoms, report.reported_by) == ("37.6", "咳嗽", people.worker1)
    events = ErrandEvent.objects.filter(errand=errand, by=people.worker1).count()
    again = client.post(url, json.dumps({"device_id": "phone-1", "changes": batch}), content_type="application/json")
    assert [r.get("duplicate") for r in again.json()["results"][:3]] == [True, True, True]
    assert [r["status"] for r in again.json()["results"][:3]] == ["applied"] * 3
    assert ErrandEvent.objects.filter(errand=errand, by=people.worker1).count() == events == 2
    assert (HealthReport.objects.count(), OfflineChange.objects.count()) == (1, 3)
    too_many = client.post(url, json.dumps({"changes": [batch[0]] * 501}), content_type="application/json")
    assert too_many.status_code == 400


def test_an_older_offline_edit_never_overwrites_a_newer_server_edit(people, resident1):
    errand = errand_of(people, resident1)
    errands.accept_errand(by=people.worker1, errand=errand)
    seen = version_of(errand.updated_at)  # what the phone showed before it went offline
    errands.cancel_errand(by=people.manager1, errand=errand, reason="居民已自行解决")
    start = change("errand.move", {"errand": str(errand.public_id), "to": "in_progress"}, seen)
    [result] = sync(people.worker1, [start])
    assert result["status"] == "conflict"
    assert "已取消" in result["message"] and result["current"]["status"] == "cancelled"
    assert Errand.objects.get(pk=errand.pk).status == "cancelled"
    [resent] = sync(people.worker1, [start])
    assert (resent["status"], resent["duplicate"]) == ("conflict", True)
    # a chain of someone else's edits is no licence: the worker's chain must reach back to the phone's base
    other = errand_of(people, resident1, details="药品")
    old = version_of(other.updated_at)
    errands.accept_errand(by=people.worker1, errand=other)  # online, not through the offline engine
    [late] = sync(people.worker1, [change("errand.move", {"errand": str(other.public_id), "to": "accepted"}, old)])
    assert late["status"] == "conflict"


def _clock(people, post, lat, lng, at=None):
    data = {"token": post_token(post), "latitude": lat, "longitude": lng, "accuracy": 15}
    return sync(people.cadre_user1, [change("attendance.scan", data, at=at)])[0]


def test_clock_in_needs_the_posts_qr_and_a_position_within_its_radius(people, clock_post):
    far = _clock(people, clock_post, 30.6031, 114.3054)  # about 1.1 km north
    assert far["status"] == "rejected"
    assert "您距岗位约 1112 米，超出签到范围（200 米）" in far["message"]
    assert _clock(people, clock_post, None, None)["message"] == "本岗位签到需要手机定位，请允许定位后重试"
    forged = sync(people.cadre_user1, [change("attendance.scan", {"token": "x", "latitude": 30.5931,
                                                                  "longitude": 114.3054})])[0]
    assert forged["message"] == "岗位二维码无效"
    assert not Attendance.objects.exists()
    scanned_at = timezone.now() - timedelta(minutes=20)  # scanned in a basement, synced 20 minutes later
    near = _clock(people, clock_post, 30.5935, 114.3054, at=int(scanned_at.timestamp()))  # about 44 m
    assert near["status"] == "applied"
    record = Attendance.objects.get()
    assert (record.distance_m, record.checked_offline) == (44, True)
    assert abs((record.checked_in_at - scanned_at).total_seconds()) < 1
    stale = _clock(people, clock_post, 30.5935, 114.3054, at=int((timezone.now() - timedelta(days=2)).timestamp()))
    assert stale["status"] == "rejected" and "离线超过一天" in stale["message"]


def test_the_manager_sets_the_site_and_the_old_scan_page_checks_it_too(client, people, clock_post):
    client.force_login(people.manager1)
    response = client.post(reverse("rosters:site", args=[clock_post.public_id]),
                           {"latitude": "91", "longitude": "114.3", "radius_m": "10"}, follow=True)
    assert "纬度" in response.content.decode() and clock_post.site.radius_m == 200  # nothing saved
    client.post(reverse("rosters:site", args=[clock_post.public_id]),
                {"latitude": "30.593100", "longitude": "114.305400", "radius_m": "100"})
    clock_post.site.refresh_from_db()
    assert clock_post.site.radius_m == 100
    client.force_login(people.cadre_user1)
    url = reverse("rosters:scan", args=[post_token(clock_post)])
    refused = client.post(url, {"latitude": "30.5950", "longitude": "114.3054", "accuracy": "10"}, follow=True)
    assert "您距岗位约 211 米，超出签到范围（100 米）" in refused.content.decode()
    client.post(url, {"latitude": "30.5932", "longitude": "114.3054", "accuracy": "10"})
    assert Attendance.objects.get().distance_m == 11
