"""Field forms (入户摸排, ADR 2021): the builder checks expressions, the register as cascading choices,
constraints with their messages per member, calculations computed on the server, repeat groups stored
per member, idempotent submissions and conflicts, photos without EXIF, completion per compound with the
flats not reached, the export, and who may fill."""

import base64
import io
import uuid
from datetime import timedelta

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from xiachen.surveys import fieldwork, services
from xiachen.surveys.models import Answer, HouseholdVisit, MemberAnswer, VisitPhoto, VisitReceipt

from .field import build_field_form, jpeg, payload

pytestmark = pytest.mark.django_db


def data_url(content: bytes) -> str:
    return "data:image/jpeg;base64," + base64.b64encode(content).decode()


def test_builder_checks_expressions_and_field_only_kinds(people, tree):
    form = build_field_form(people, tree, open_=False)
    by, survey = people.manager1, form.survey
    refusals = {
        "q1 +": dict(kind="calculated", text="x", calculation="q1 +"),
        "later": dict(kind="calculated", text="x", calculation="q99 * 2"),
        "self": dict(kind="calculated", text="x", calculation=". + 1"),
        "no message": dict(kind="number", text="x", constraint=". > 0"),
        "no formula": dict(kind="calculated", text="x"),
        "eval": dict(kind="number", text="x", constraint="__import__('os')", constraint_message="m"),
    }
    messages = {}
    for name, kwargs in refusals.items():
        with pytest.raises(services.SurveyError) as refused:
            services.add_question(by=by, survey=survey, **kwargs)
        messages[name] = str(refused.value)
    assert messages["q1 +"] == "计算公式有误：表达式不完整"
    assert messages["later"] == "计算公式引用的 q99 不是本题之前的题目"
    assert messages["self"] == "计算公式不能引用本题（.）"
    assert messages["no message"] == "请填写不满足约束时给填报人的提示"
    assert messages["eval"] == "约束条件有误：不支持的函数“__import__”"
    resident_survey = services.create_survey(by=by, title="居民问卷", compounds=[tree.compound1])
    with pytest.raises(services.SurveyError, match="只用于入户摸排"):
        services.add_question(by=by, survey=resident_survey, kind="photo", text="照片")
    with pytest.raises(services.SurveyError, match="不能设为匿名"):
        services.create_survey(by=by, title="x", compounds=[tree.compound1], audience="households", anonymous=True)
    assert survey.questions.count() == 7


def test_register_is_building_entrance_flat_with_masked_members(people, tree):
    form = build_field_form(people, tree)
    (compound,) = fieldwork.register(form.survey)
    assert compound["name"] == tree.compound1.name
    building = next(b for b in compound["buildings"] if b["name"] == "3")
    assert [e["name"] for e in building["entrances"]] == ["1", "2"]
    flat = next(f for e in building["entrances"] if e["name"] == "2" for f in e["flats"])
    assert flat["room"] == "501" and flat["household"] == str(form.home.public_id) and flat["reached"] is False
    assert [m["label"] for m in flat["members"]] == ["张*（户主）", "李*（配偶）"]
    assert "张三" not in str(compound)


def test_constraint_messages_name_the_question_and_member_and_nothing_is_saved(people, tree):
    form = build_field_form(people, tree)
    outcome = fieldwork.submit_visit(by=people.worker1, survey=form.survey,
                                     **payload(form, people="0", temps=("36.5", "45")))
    assert outcome.status == "invalid"
    assert [e["message"] for e in outcome.errors] == [
        "常住人数：常住人数应在 1 到 20 之间",
        "体温（李*（配偶））：体温应在 35 到 42 ℃ 之间",
    ]
    assert outcome.errors[1]["member"] == str(form.members[1].public_id)
    missing = fieldwork.submit_visit(by=people.worker1, survey=form.survey, **payload(form, vaccinated=("是", "")))
    assert [e["message"] for e in missing.errors] == ["是否已接种疫苗（李*（配偶））：此题必答"]
    assert not HouseholdVisit.objects.exists() and not VisitReceipt.objects.exists()


def test_calculations_on_the_server_and_repeat_groups_stored_per_member(people, tree):
    form = build_field_form(people, tree)
    outcome = fieldwork.submit_visit(by=people.cadre_user1, survey=form.survey,
                                     **payload(form, people="4", gps={"lat": 30.58, "lng": 114.29, "accuracy": 12}))
    assert outcome.status == "created"
    visit = outcome.visit
    answers = {a.question.position: a.value for a in Answer.objects.filter(response=visit.response)
               .select_related("question")}
    assert answers == {1: "4", 4: 36.9, 5: "大户", 6: {"lat": 30.58, "lng": 114.29, "accuracy": 12.0}}
    per_member = {(m.resident_id, m.question.position): m.value
                  for m in MemberAnswer.objects.filter(visit=visit).select_related("question")}
    zhang, li = form.members
    assert per_member == {(zhang.pk, 2): "36.6", (zhang.pk, 3): "是", (li.pk, 2): "37.1", (li.pk, 3): "否"}
    household, members = fieldwork.visit_rows(visit)
    assert [m["label"] for m in members] == ["张*（户主）", "李*（配偶）"]
    assert [r["text"] for r in household] == ["4", "36.9", "大户", "30.580000, 114.290000", ""]
    results = {r["text"]: r for r in services.results(form.survey)}
    assert results["体温"]["stats"] == {"min": "36.6", "max": "37.1", "average": "36.85"}
    assert results["是否已接种疫苗"]["counts"] == [1, 1]


def test_same_client_uuid_is_stored_once_and_older_edits_never_overwrite(people, tree):
    form = build_field_form(people, tree)
    first = payload(form, people="3")
    assert fieldwork.submit_visit(by=people.worker1, survey=form.survey, **first).status == "created"
    again = fieldwork.submit_visit(by=people.worker1, survey=form.survey, **first)
    assert again.status == "duplicate"
    assert (HouseholdVisit.objects.count(), Answer.objects.count(), MemberAnswer.objects.count()) == (1, 3, 4)
    with pytest.raises(PermissionDenied):  # another user replaying someone's key learns nothing
        fieldwork.submit_visit(by=people.cadre_user1, survey=form.survey, **first)
    older = (timezone.now() - timedelta(hours=2)).isoformat()
    stale = fieldwork.submit_visit(by=people.cadre_user1, survey=form.survey,
                                   **payload(form, people="9", filled_at=older))
    assert stale.status == "conflict" and "没有覆盖" in stale.message
    newer = fieldwork.submit_visit(by=people.cadre_user1, survey=form.survey, **payload(form, people="5"))
    assert newer.status == "updated"
    visit = HouseholdVisit.objects.get()
    assert visit.visited_by == people.cadre_user1
    assert Answer.objects.get(response=visit.response, question=form.q[1]).value == "5"
    assert (VisitReceipt.objects.count(), MemberAnswer.objects.count()) == (2, 4)


def test_photos_must_be_small_jpegs_without_exif(people, tree):
    form = build_field_form(people, tree)
    with_exif = jpeg(exif=True)
    assert Image.open(io.BytesIO(with_exif)).getexif()  # the fixture really carries EXIF (with GPS)
    refused = fieldwork.submit_visit(by=people.worker1, survey=form.survey, **payload(form, photo=data_url(with_exif)))
    assert [e["message"] for e in refused.errors] == [
        "门牌照片：照片带有拍摄信息（EXIF，可能含位置），请在本页重新选择照片"]
    for bad, message in [
        (data_url(jpeg(exif=False, size=(2000, 100))), "照片尺寸太大"),
        ("data:image/png;base64,iVBORw0KGgo=", "照片格式无效"),
        ("data:image/jpeg;base64,bm90IGEganBlZw==", "照片无法读取"),
    ]:
        with pytest.raises(services.SurveyError, match=message):
            fieldwork.check_photo(bad)
    clean = jpeg(exif=False)
    outcome = fieldwork.submit_visit(by=people.worker1, survey=form.survey, **payload(form, photo=data_url(clean)))
    assert outcome.status == "created"
    photo = VisitPhoto.objects.get()
    stored = Image.open(io.BytesIO(bytes(photo.content)))
    assert (stored.format, stored.size, dict(stored.getexif()), "exif" in stored.info) == ("JPEG", (64, 48), {}, False)
    value = Answer.objects.get(question=form.q[7]).value
    assert value == {"photo": str(photo.public_id)}


def test_completion_per_compound_lists_the_flats_not_reached(people, tree, client):
    form = build_field_form(people, tree)
    (before,) = fieldwork.completion(form.survey)
    assert (before.total, before.reached) == (len(form.others) + 1, 0)
    fieldwork.submit_visit(by=people.worker1, survey=form.survey, **payload(form))
    (after,) = fieldwork.completion(form.survey)
    assert (after.reached, after.rate) == (1, round(100 / after.total, 1))
    assert form.home not in after.unreached and set(after.unreached) == set(form.others)
    assert fieldwork.completion_summary(form.survey)[str(tree.compound1.public_id)]["reached"] == 1
    client.force_login(people.manager1)
    page = client.get(reverse("surveys:coverage", args=[form.survey.public_id])).content.decode()
    unreached = page.split("未走访的住户")[1].split("已走访的住户")[0]
    assert "3栋1单元101室" in unreached and "3栋2单元501室" not in unreached
    workbook = openpyxl.load_workbook(io.BytesIO(
        client.get(reverse("surveys:visits_export", args=[form.survey.public_id])).content))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][:6] == ("小区", "楼栋", "单元", "房号", "状态", "填报时间")
    reached = next(row for row in rows if row[3] == "501")
    assert (reached[4], reached[6]) == ("已走访", "3")
    assert reached[7] == "张*：36.6\n李*：37.1"
    assert sorted(row[4] for row in rows[1:]) == ["已走访"] + ["未走访"] * len(form.others)


def test_who_may_fill_and_residents_never_see_field_forms(people, tree):
    form = build_field_form(people, tree)
    assert list(fieldwork.fillable_surveys(people.worker1)) == [form.survey]
    assert list(fieldwork.fillable_surveys(people.cadre_user1)) == [form.survey]
    for outsider in (people.manager2, people.manager1, people.resident_user1, people.hotline):
        assert not fieldwork.fillable_surveys(outsider).exists()
        with pytest.raises(PermissionDenied):
            fieldwork.submit_visit(by=outsider, survey=form.survey, **payload(form))
    resident = people.resident_user1.resident
    assert not services.resident_surveys(resident).filter(pk=form.survey.pk).exists()
    stranger = payload(form)
    stranger["household_id"] = str(uuid.uuid4())
    outcome = fieldwork.submit_visit(by=people.worker1, survey=form.survey, **stranger)
    assert outcome.status == "invalid" and "楼栋、单元、房号" in outcome.message


def test_offline_changes_go_through_the_same_service_once(people, tree):
    """The shared offline engine's batch (kind survey.visit): applied once, a replay answered from the
    record, a UUID that already reached the server directly not stored again, an older offline edit
    reported as a conflict, invalid answers refused with their messages."""
    from xiachen.field.handlers import HANDLERS
    from xiachen.field.sync import apply_changes

    form = build_field_form(people, tree)

    def change(sent: dict, at=None) -> dict:
        return {"client_uuid": str(sent["client_uuid"]), "kind": "survey.visit",
                "at": int((at or timezone.now()).timestamp()),
                "data": {"survey": str(form.survey.public_id), "household": sent["household_id"],
                         "answers": sent["answers"], "members": sent["members"]}}

    def sync(*changes):
        return apply_changes(by=people.worker1, device_id="phone-1", changes=list(changes), handlers=HANDLERS)

    first = change(payload(form))
    (applied,) = sync(first)
    assert (applied["status"], applied["data"]["status"]) == ("applied", "created")
    assert applied["data"]["progress"][str(tree.compound1.public_id)]["reached"] == 1
    (replayed,) = sync(first)
    assert (replayed["status"], replayed.get("duplicate")) == ("applied", True)
    direct = payload(form, people="5")
    assert fieldwork.submit_visit(by=people.worker1, survey=form.survey, **direct).status == "updated"
    (late,) = sync(change(direct))  # the POST got through but its answer was lost; the queue sends it too
    assert (late["status"], late["data"]["status"]) == ("applied", "duplicate")
    (stale,) = sync(change(payload(form, people="9"), at=timezone.now() - timedelta(hours=3)))
    assert stale["status"] == "conflict" and "没有覆盖" in stale["message"]
    (refused,) = sync(change(payload(form, people="0")))
    assert refused["status"] == "rejected" and "常住人数应在 1 到 20 之间" in refused["message"]
    visit = HouseholdVisit.objects.get()
    assert Answer.objects.get(response=visit.response, question=form.q[1]).value == "5"
