from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from xiachen.deployments.enums import MatchStatus
from xiachen.deployments.models import Deployment
from xiachen.deployments.services import (
    RoundError,
    decide_nomination,
    flag_no_shows,
    publish_round,
    replace_no_show,
    send_start_reminders,
    start_matching,
)
from xiachen.notices.enums import OutboxStatus
from xiachen.notices.models import Notification, OutboxMessage
from xiachen.notices.services import deliver_outbox

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _published(round_, people, capture):
    with capture(execute=True):
        start_matching(by=people.org_department, round_=round_)
    round_.refresh_from_db()
    for match in round_.matches.select_related("cadre__agency"):
        liaison = people.liaison1 if match.cadre.agency.code == "A-AUDIT" else people.liaison2
        decide_nomination(by=liaison, match=match, confirm=True)
    publish_round(by=people.org_department, round_=round_)
    return round_


def test_matching_tells_each_agency_how_many_await_confirmation(
    draft_round, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        start_matching(by=people.org_department, round_=draft_round)
    titles = {n.recipient.username: n.title for n in Notification.objects.filter(kind="round.nominations")}
    assert titles == {
        "liaison1": "2026年12月常态化下沉：1 名干部待确认",
        "liaison2": "2026年12月常态化下沉：1 名干部待确认",
    }
    assert OutboxMessage.objects.filter(status=OutboxStatus.PENDING).count() == 2


def test_a_decline_is_reported_to_the_organization_department(draft_round, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        start_matching(by=people.org_department, round_=draft_round)
    match = draft_round.matches.get(demand__post_type__code="finance_audit_support")
    decide_nomination(by=people.liaison1, match=match, confirm=False, reason="年底审计")
    note = Notification.objects.get(kind="match.declined")
    assert (note.recipient, note.body) == (people.org_department, "年底审计")


def test_publication_notifies_the_cadre_and_the_receiving_manager(
    draft_round, people, django_capture_on_commit_callbacks, cadre1
):
    _published(draft_round, people, django_capture_on_commit_callbacks)
    managers = set(Notification.objects.filter(kind="round.published").values_list("recipient__username", flat=True))
    assert managers == {"manager1", "manager2"}
    if draft_round.matches.filter(cadre=cadre1).exists():
        assert Notification.objects.filter(kind="match.assigned", recipient=people.cadre_user1).count() == 1


def test_outbox_delivery_marks_messages_sent_once(draft_round, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        start_matching(by=people.org_department, round_=draft_round)
    assert deliver_outbox() == 2
    assert deliver_outbox() == 0
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxStatus.SENT}


def test_reminder_goes_once_two_days_before_the_start(draft_round, people, django_capture_on_commit_callbacks):
    _published(draft_round, people, django_capture_on_commit_callbacks)
    too_early = datetime(2026, 11, 27, 9, tzinfo=SHANGHAI)
    assert send_start_reminders(now=too_early) == 0
    on_time = datetime(2026, 11, 29, 9, tzinfo=SHANGHAI)
    assert send_start_reminders(now=on_time) == 2
    assert send_start_reminders(now=on_time + timedelta(hours=1)) == 0


def test_no_show_after_grace_and_replacement_proposed(draft_round, people, staffed, django_capture_on_commit_callbacks):
    round_ = _published(draft_round, people, django_capture_on_commit_callbacks)
    assert flag_no_shows(now=datetime(2026, 12, 1, 20, tzinfo=SHANGHAI)) == 0
    assert flag_no_shows(now=datetime(2026, 12, 2, 20, tzinfo=SHANGHAI)) == 2
    late = round_.matches.get(demand__post_type__code="finance_audit_support")
    assert late.status == MatchStatus.NO_SHOW
    assert Notification.objects.filter(kind="match.no_show").exists()
    replacement = replace_no_show(by=people.org_department, match=late)
    assert replacement is not None
    assert replacement.cadre != late.cadre
    assert replacement.status == MatchStatus.PROPOSED
    assert not Deployment.objects.get(match=late).is_active
    decide_nomination(by=people.liaison1, match=replacement, confirm=True)
    assert Deployment.objects.get(match=replacement).is_active


def test_only_a_no_show_can_be_replaced(draft_round, people, django_capture_on_commit_callbacks):
    round_ = _published(draft_round, people, django_capture_on_commit_callbacks)
    with pytest.raises(RoundError, match="只能替换未报到的干部"):
        replace_no_show(by=people.org_department, match=round_.matches.first())


def test_replace_button_proposes_a_replacement_through_the_page(client, draft_round, people,
                                                                 django_capture_on_commit_callbacks):
    from datetime import datetime as dt

    from django.urls import reverse

    round_ = _published(draft_round, people, django_capture_on_commit_callbacks)
    flag_no_shows(now=dt(2026, 12, 3, 9, tzinfo=SHANGHAI))
    late = round_.matches.get(demand__post_type__code="finance_audit_support")
    client.force_login(people.org_department)
    page = client.get(reverse("deployments:round_detail", args=[round_.public_id])).content.decode()
    assert reverse("deployments:match_replace", args=[late.public_id]) in page
    response = client.post(reverse("deployments:match_replace", args=[late.public_id]), follow=True)
    assert "已为空出的岗位推荐替换人选" in response.content.decode()
    assert round_.matches.filter(demand=late.demand, status=MatchStatus.PROPOSED).count() == 1
