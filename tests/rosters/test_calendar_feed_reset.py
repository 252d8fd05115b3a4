"""The cadre's calendar subscription link can be revoked and expires (issue 15, item 8)."""

from django.core import signing
from django.urls import reverse

from xiachen.audit.models import AuditEvent
from xiachen.rosters.tokens import CALENDAR_SALT, calendar_token


def _feed_link(page: str) -> str:
    import re

    return re.search(r'id="calendar-feed">https?://[^/]+([^<]+)<', page).group(1)


def test_resetting_the_feed_kills_the_old_link_and_the_page_shows_a_new_one(client, people, cadre1):
    cadre1.user = people.cadre_user1
    cadre1.save(update_fields=["user"])
    client.force_login(people.cadre_user1)
    page = client.get(reverse("rosters:mine")).content.decode()
    old = _feed_link(page)
    assert reverse("rosters:ical_reset") in page
    assert client.get(old).status_code == 200
    assert client.post(reverse("rosters:ical_reset")).status_code == 302
    assert client.get(old).status_code == 404
    new = _feed_link(client.get(reverse("rosters:mine")).content.decode())
    assert new != old and client.get(new).status_code == 200
    assert AuditEvent.objects.filter(action="roster.calendar_feed_reset").count() == 1


def test_a_link_older_than_a_year_or_without_a_version_is_refused(client, cadre1, settings, monkeypatch):
    import time

    unversioned = signing.dumps({"cadre": str(cadre1.public_id)}, salt=CALENDAR_SALT, compress=True)
    assert client.get(reverse("rosters:ical", args=[unversioned])).status_code == 404
    token = calendar_token(cadre1)
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 367 * 86400)
    assert client.get(reverse("rosters:ical", args=[token])).status_code == 404
