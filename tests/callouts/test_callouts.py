"""应急动员 (call-outs), the quarterly agency feedback, the assessment metric and the statistics."""

import json
import subprocess
import time
from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import openpyxl
import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from tests.factories import HouseholdFactory, ResidentFactory, make_unit, user_with_role
from tests.volunteers.world import make_member
from xiachen.accounts.enums import Role
from xiachen.assessments.metrics import PROVIDERS, Service
from xiachen.cadres.models import Specialty
from xiachen.interop import signing
from xiachen.notices.models import Notification, OutboxMessage
from xiachen.volunteers import feedback, inbound, ranking
from xiachen.volunteers.enums import CallOutStatus, InviteReply, RecordSource, RecordStatus, ReplyChannel
from xiachen.volunteers.models import CallOut, CallOutInvite, PostClaim, ServicePost, ServiceRecord
from xiachen.volunteers.services import VolunteerError
from xiachen.volunteers.services import callouts as services
from xiachen.volunteers.tokens import invite_token

pytestmark = pytest.mark.django_db

SECRET = "inbound-test-secret"


def _member(tree, compound, name, *, agency=None, skills=(), evenings=True):
    user = user_with_role(Role.RESIDENT, compound, username=f"m-{name}")
    resident = ResidentFactory(household=HouseholdFactory(compound=compound), user=user, name=name)
    member = make_member(resident, tree.community1 if compound.path.startswith(tree.community1.path)
                         else tree.community2, agency=agency)
    member.available_evenings = evenings
    member.save()
    member.skills.set(skills)
    return member


@pytest.fixture
def crew(tree, people):
    """Five members in community1 (two compounds) and one in community2."""
    compound_b = make_unit("420102001001002", "车站路二小区", "compound", tree.community1)
    medic = Specialty.objects.get_or_create(code="medical", defaults={"name_zh": "医疗", "name_en": "Medical"})[0]
    return {
        "near": _member(tree, tree.compound1, "近邻", agency=tree.agency1),
        "medic": _member(tree, compound_b, "医生", skills=[medic]),
        "busy": _member(tree, tree.compound1, "忙人"),
        "away": _member(tree, tree.compound1, "没空", evenings=False),
        "other": _member(tree, compound_b, "二号"),
        "far": _member(tree, tree.compound2, "远方"),
        "medic_skill": medic,
        "compound_b": compound_b,
    }


def _call_out(by, area, *, headcount=2, factor=2, skills=(), hours=3):
    start = timezone.localtime() + timedelta(days=1)
    start = start.replace(hour=19, minute=0, second=0, microsecond=0)
    return services.create_call_out(
        by=by, area=area, title="防汛值守", need="今晚沿江巡查", place="车站路小区门口", headcount=headcount,
        starts_at=start, reply_deadline=timezone.now() + timedelta(hours=hours), invite_factor=factor,
        skills=skills)


def test_transition_tables():
    assert {
        CallOutStatus.DRAFT: {CallOutStatus.OPEN, CallOutStatus.CANCELLED},
        CallOutStatus.OPEN: {CallOutStatus.FILLED, CallOutStatus.CLOSED, CallOutStatus.CANCELLED},
        CallOutStatus.FILLED: {CallOutStatus.CLOSED, CallOutStatus.CANCELLED},
    } == services.CALL_OUT_TRANSITIONS
    assert {
        InviteReply.PENDING: {InviteReply.YES, InviteReply.NO, InviteReply.TIMED_OUT, InviteReply.WITHDRAWN},
        InviteReply.YES: {InviteReply.WITHDRAWN},
    } == services.INVITE_TRANSITIONS


def test_ranking_small_known_case():
    need = ranking.Need(place_path="/1/2/3/4/", skills=frozenset({7}), slots=3)
    candidates = [
        ranking.Candidate(1, "/1/2/3/4/5/"),                          # inside the place: distance 0
        ranking.Candidate(2, "/1/2/3/9/5/", skills=frozenset({7})),   # another community, has the skill
        ranking.Candidate(3, "/1/2/3/4/6/", available=False),         # inside, not free then
        ranking.Candidate(4, "/1/2/3/4/5/", recent_load=5),           # inside, busy lately
        ranking.Candidate(5, "/1/8/3/9/5/"),                          # another district
    ]
    chosen = ranking.rank(candidates, need)
    # 2: 1060+100-50 = 1110; 1: 1060; 3: 1000; 4: 1060-75 = 985; 5: 1060-100 = 960
    assert [r.member_id for r in chosen] == [2, 1, 3]
    assert [r.score for r in chosen] == [1110, 1060, 1000]
    assert ranking.distance("/1/2/3/9/5/", "/1/2/3/4/") == 2


def test_call_out_ranks_invites_messages_and_fills(tree, people, crew, django_capture_on_commit_callbacks):
    call_out = _call_out(people.manager1, tree.community1, headcount=2, factor=2, skills=[crew["medic_skill"]])
    ServiceRecord.objects.create(member=crew["busy"], community=tree.community1, source=RecordSource.POST,
                                 served_on=timezone.localdate(), minutes=60)
    with django_capture_on_commit_callbacks(execute=True):
        invited = services.send_call_out(by=people.manager1, call_out=call_out)
    assert invited == 4
    invites = list(call_out.invites.order_by("rank").select_related("member"))
    # the medic first (skill); the busy member and the one not free in the evening rank last, far is outside
    assert invites[0].member == crew["medic"]
    assert crew["far"].pk not in {i.member_id for i in invites}
    assert {i.member.name for i in invites} >= {"近邻", "二号"}
    notes = Notification.objects.filter(kind="volunteers.call_out")
    assert notes.count() == 4 and "回复1" in notes.first().body and "/volunteers/callouts/reply/" in notes.first().body
    assert OutboxMessage.objects.filter(notification__in=notes, urgent=True).count() == 4
    call_out.refresh_from_db()
    assert call_out.status == CallOutStatus.OPEN and call_out.sent_at
    with pytest.raises(VolunteerError):
        services.send_call_out(by=people.manager1, call_out=call_out)  # 已发出 → 已发出 is not a transition
    services.reply(invite=invites[0], answer=InviteReply.NO, channel=ReplyChannel.LINK)
    with pytest.raises(VolunteerError, match="您已回复"):
        services.reply(invite=invites[0], answer=InviteReply.YES, channel=ReplyChannel.LINK)
    services.reply(invite=invites[1], answer=InviteReply.YES, channel=ReplyChannel.LINK)
    with django_capture_on_commit_callbacks(execute=True):
        services.reply(invite=invites[2], answer=InviteReply.YES, channel=ReplyChannel.SMS)
    call_out.refresh_from_db()
    assert call_out.status == CallOutStatus.FILLED and call_out.filled_at
    assert CallOutInvite.objects.get(pk=invites[3].pk).reply == InviteReply.WITHDRAWN
    with pytest.raises(VolunteerError, match="满员"):
        services.reply(invite=invites[3], answer=InviteReply.YES, channel=ReplyChannel.LINK)
    assert services.progress(call_out) | {} == {
        "invited": 4, "accepted": 2, "declined": 1, "pending": 0, "timed_out": 0, "withdrawn": 1,
        "headcount": 2, "percent": 100}
    services.close_call_out(by=people.manager1, call_out=call_out)
    with pytest.raises(VolunteerError):
        services.cancel_call_out(by=people.manager1, call_out=call_out)  # 已结束 is final


def test_time_out_cancel_and_scope(tree, people, crew):
    call_out = _call_out(people.manager1, tree.community1, headcount=5, factor=1)
    services.send_call_out(by=people.manager1, call_out=call_out)
    invite = call_out.invites.first()
    later = call_out.reply_deadline + timedelta(minutes=1)
    with pytest.raises(VolunteerError, match="截止"):
        services.reply(invite=invite, answer=InviteReply.YES, channel=ReplyChannel.LINK, now=later)
    assert CallOutInvite.objects.get(pk=invite.pk).reply == InviteReply.PENDING  # refused, nothing saved
    assert services.time_out_due(now=later) == call_out.invites.count()
    assert CallOutInvite.objects.get(pk=invite.pk).reply == InviteReply.TIMED_OUT
    services.cancel_call_out(by=people.manager1, call_out=call_out)
    assert not call_out.invites.filter(reply=InviteReply.PENDING).exists()
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        _call_out(people.manager2, tree.community1)
    with pytest.raises(VolunteerError, match="截止时间不能晚于"):
        services.create_call_out(by=people.manager1, area=tree.community1, title="x", need="y", headcount=1,
                                 starts_at=timezone.now(), reply_deadline=timezone.now() + timedelta(hours=1))


def test_signed_reply_link_valid_expired_tampered_reused(client, tree, people, crew):
    call_out = _call_out(people.manager1, tree.community1, headcount=3, factor=1)
    services.send_call_out(by=people.manager1, call_out=call_out)
    invite = call_out.invites.order_by("rank").first()
    token = invite_token(invite)
    url = reverse("volunteers:callout_reply", args=[token])
    page = client.get(url)
    assert page.status_code == 200 and "可以" in page.text and call_out.need in page.text
    assert client.post(url, {"answer": "yes"}).status_code == 302
    assert CallOutInvite.objects.get(pk=invite.pk).reply == InviteReply.YES
    reused = client.post(url, {"answer": "no"})
    assert reused.status_code == 400 and "您已回复" in reused.text
    assert CallOutInvite.objects.get(pk=invite.pk).reply == InviteReply.YES
    tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    assert client.get(reverse("volunteers:callout_reply", args=[tampered])).status_code == 404
    second = call_out.invites.order_by("rank")[1]
    CallOut.objects.filter(pk=call_out.pk).update(reply_deadline=timezone.now() - timedelta(minutes=1))
    second.call_out.refresh_from_db()
    expired = reverse("volunteers:callout_reply", args=[invite_token(second)])
    answer = client.post(expired, {"answer": "yes"})
    assert answer.status_code == 400 and "回复已截止" in answer.text
    assert CallOutInvite.objects.get(pk=second.pk).reply == InviteReply.PENDING


@pytest.mark.parametrize("text, reply", [
    ("1", "yes"), ("１", "yes"), (" 可以！", "yes"), ("好的", "yes"), ("Y", "yes"), ("1 马上到", "yes"),
    ("2", "no"), ("不行，在外地", "no"), ("不能", "no"), ("no", "no"), ("？", None), ("", None), ("3", None),
])
def test_parse_reply(text, reply):
    assert inbound.parse_reply(text) == reply


def _signed(body: bytes, secret: str = SECRET) -> dict:
    return {"HTTP_XIACHEN_SIGNATURE": signing.sign(secret, body, int(time.time())),
            "content_type": "application/json"}


@override_settings(XIACHEN_SMS_INBOUND_SECRET=SECRET)
def test_inbound_sms_reply(client, tree, people, crew):
    call_out = _call_out(people.manager1, tree.community1, headcount=5, factor=1)
    services.send_call_out(by=people.manager1, call_out=call_out)
    member = crew["near"]
    url = reverse("volunteers:callout_inbound_sms")
    body = json.dumps({"from": member.resident.phone, "text": "1 可以"}).encode()
    assert client.post(url, body, **_signed(body, "wrong")).status_code == 401
    assert client.post(url, body, content_type="application/json").status_code == 401
    unclear = json.dumps({"from": member.resident.phone, "text": "在吗"}).encode()
    assert "未能识别" in client.post(url, unclear, **_signed(unclear)).json()["reply"]
    answer = client.post(url, body, **_signed(body))
    assert answer.status_code == 200 and answer.json()["reply"] == "已收到您的回复：可以"
    invite = CallOutInvite.objects.get(call_out=call_out, member=member)
    assert invite.reply == InviteReply.YES and invite.reply_channel == ReplyChannel.SMS
    assert "没有待回复" in client.post(url, body, **_signed(body)).json()["reply"]
    assert client.post(url, b"not json", **_signed(b"not json")).status_code == 400


def test_quarterly_feedback_numbers_excel_pdf_and_metric(tree, people, crew, cadre1, tmp_path):
    member = crew["near"]
    member.cadre = cadre1
    member.save()
    today = timezone.localdate()
    quarter = feedback.quarter_of(today)
    post = ServicePost.objects.create(community=tree.community1, kind="building_leader", title="1栋楼栋长")
    PostClaim.objects.create(post=post, member=member)
    for minutes, rating, comment in ((90, 5, "认真负责"), (60, 4, "")):
        ServiceRecord.objects.create(member=member, community=tree.community1, source=RecordSource.POST,
                                     post=post, served_on=quarter.start, minutes=minutes, status=RecordStatus.APPROVED,
                                     rating=rating, comment=comment, points=10)
    ServiceRecord.objects.create(member=member, community=tree.community1, source=RecordSource.POST,
                                 served_on=quarter.start, minutes=600)  # pending: not counted
    rows = feedback.rows_for(tree.agency1, quarter)
    assert [(r.name, r.community, r.posts, r.services, r.hours, r.rating, r.comments) for r in rows] == [
        ("近邻", "车站路社区", ["1栋楼栋长"], 2, 2.5, 4.5, ["认真负责"])]
    content = feedback.workbook(by=people.liaison1, agency=tree.agency1, quarter=quarter)
    path = tmp_path / "feedback.xlsx"
    path.write_bytes(content)
    subprocess.run(["soffice", "--headless", "--convert-to", "xlsx", "--outdir", str(tmp_path / "out"), str(path)],
                   check=True, capture_output=True, timeout=120)
    sheet = openpyxl.load_workbook(tmp_path / "out" / "feedback.xlsx").active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][:3] == ["姓名", "报到社区", "报到状态"]
    assert values[1][0] == "近邻" and values[1][5] == 2.5 and values[1][8] == "认真负责"
    pdf = feedback.pdf(by=people.liaison1, agency=tree.agency1, quarter=quarter)
    (tmp_path / "f.pdf").write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(tmp_path / "f.pdf"), "-"], check=True, capture_output=True,
                          text=True).stdout
    assert "近邻" in text and "认真负责" in text and "在职党员社区服务反馈" in text
    provider = PROVIDERS["volunteer_hours"]
    value = provider.value(Service(cadre_id=cadre1.pk, round_id=0, match_ids=(), start=quarter.start,
                                   end=quarter.end))
    assert value.raw == Decimal("2.5") and value.points == Decimal("12.5")  # 2.5 of the 20-hour target
    assert provider.raw(Service(cadre_id=cadre1.pk + 999, round_id=0, match_ids=(), start=quarter.start,
                                end=quarter.end)) is None


def test_feedback_download_and_stats_pages(client, tree, people, crew):
    client.force_login(people.liaison1)
    quarter = feedback.quarter_of(timezone.localdate())
    page = client.get(reverse("volunteers:feedback"))
    assert page.status_code == 200 and "近邻" in page.text and "医生" not in page.text  # only agency1's members
    xlsx = client.get(reverse("volunteers:feedback_xlsx", args=[tree.agency1.public_id, quarter.code]))
    assert openpyxl.load_workbook(BytesIO(xlsx.content)).active["A2"].value == "近邻"
    assert client.get(reverse("volunteers:feedback_xlsx", args=[tree.agency2.public_id, quarter.code])
                      ).status_code == 404
    client.force_login(people.manager1)
    call_out = _call_out(people.manager1, tree.community1, headcount=1, factor=2)
    services.send_call_out(by=people.manager1, call_out=call_out)
    services.reply(invite=call_out.invites.first(), answer=InviteReply.YES, channel=ReplyChannel.LINK)
    stats = client.get(reverse("volunteers:stats"))
    assert stats.status_code == 200 and "动员满员用时中位数" in stats.text
    data = {kpi["id"]: kpi["value"] for kpi in stats.context["data"]["kpis"]}
    assert data["reported"] == 5 and data["active"] == 1 and data["fill"] == 0
    progress = client.get(reverse("volunteers:callout_progress", args=[call_out.public_id]))
    assert "可以 1 / 需要 1" in progress.text


def test_filled_call_out_becomes_a_roster(tree, people, crew, cadre1):
    from xiachen.deployments.models import Demand, Deployment, Match, PostType, Round
    from xiachen.rosters import services as rosters
    from xiachen.rosters.models import Assignment

    today = timezone.localdate()
    by = people.org_department
    demand = Demand.objects.create(unit=tree.community1, post_type=PostType.objects.get(code="gate_duty"), headcount=2,
                                   start=today - timedelta(days=1), end=today + timedelta(days=30), created_by=by)
    round_ = Round.objects.create(name="防汛轮次", start=demand.start, end=demand.end, status="published",
                                  created_by=by)
    round_.demands.add(demand)
    match = Match.objects.create(round=round_, demand=demand, cadre=cadre1, agency_path=cadre1.agency_path,
                                 status="confirmed")
    Deployment.objects.create(match=match, cadre=cadre1)
    shift = rosters.add_shift_template(by=people.manager1, post=demand, code="night", name="夜班",
                                       start=timezone.datetime(2026, 1, 1, 19).time(), length_minutes=240, minimum=1,
                                       preferred=2)
    crew["near"].cadre = cadre1
    crew["near"].save()
    call_out = _call_out(people.manager1, tree.community1, headcount=2, factor=3)
    services.send_call_out(by=people.manager1, call_out=call_out)
    for member in (crew["near"], crew["other"]):
        services.reply(invite=call_out.invites.get(member=member), answer=InviteReply.YES, channel=ReplyChannel.LINK)
    roster, left_out = services.to_roster(by=people.manager1, call_out=call_out, post=demand, shift=shift)
    day = timezone.localtime(call_out.starts_at).date()
    assert Assignment.objects.filter(roster=roster, cadre=cadre1, day=day, shift=shift).exists()
    assert left_out == ["二号：没有干部档案"]
    with pytest.raises(VolunteerError, match="已转为排班"):
        services.to_roster(by=people.manager1, call_out=call_out, post=demand, shift=shift)
