"""Door-to-door field forms (入户摸排, ADR 2021): who may fill them, the household register as cascading
choices (building → entrance → flat), checking and storing one household's answers (calculations and
constraints in the shared expression language, one block per member, GPS, photos without EXIF),
completion per compound with the flats not yet reached, and the export.

Submissions are idempotent by a client-generated UUID (`VisitReceipt`): the same UUID again returns
the stored outcome and changes nothing; an older edit never replaces a newer one (a conflict, reported).
"""

import base64
import binascii
import io
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from xiachen.accounts.permissions import has_permission, scope_paths
from xiachen.audit import services as audit
from xiachen.core.masking import mask_name
from xiachen.errands.duty import duty_paths
from xiachen.households.models import Household, Resident
from xiachen.org.models import Unit, path_within

from . import expressions
from .models import (
    Answer,
    Audience,
    HouseholdVisit,
    MemberAnswer,
    Question,
    QuestionKind,
    Survey,
    SurveyResponse,
    SurveyStatus,
    VisitPhoto,
    VisitReceipt,
)
from .services import SurveyError, _parse, display_value, surveys_visible_to

PHOTO_MAX_SIDE = 1600  # the phone sends at most 1280 px; a little slack for other clients
PHOTO_MAX_BYTES = 600 * 1024
CLOCK_SKEW = timedelta(minutes=5)

# --- who -----------------------------------------------------------------------------------------


def visit_paths(user) -> list[str]:
    """Where `user` may fill field forms: units where a role grants `surveys.visit`, and for those
    holding it, the communities where they are on duty (deployed cadres, community workers)."""
    paths = scope_paths(user, "surveys.visit")
    if not paths:
        return []
    return sorted(set(paths) | set(duty_paths(user)))


def fillable_surveys(user) -> QuerySet[Survey]:
    """Open field forms of the communities where `user` may fill them."""
    paths = visit_paths(user)
    if not paths:
        return Survey.objects.none()
    return Survey.objects.filter(
        path_within(paths, field="community_path"), audience=Audience.HOUSEHOLDS, status=SurveyStatus.OPEN,
    ).filter(Q(closes_at__isnull=True) | Q(closes_at__gt=timezone.now()))


def field_surveys_visible_to(user) -> QuerySet[Survey]:
    """Field forms whose progress `user` may see: their survey scope, or where they fill them."""
    paths = visit_paths(user)
    visible = surveys_visible_to(user).filter(audience=Audience.HOUSEHOLDS)
    if not paths:
        return visible
    return Survey.objects.filter(
        Q(pk__in=visible.values("pk"))
        | (path_within(paths, field="community_path") & ~Q(status=SurveyStatus.DRAFT)),
        audience=Audience.HOUSEHOLDS,
    )


def access_fillable(user, public_id: UUID) -> Survey:
    return get_object_or_404(fillable_surveys(user).select_related("community"), public_id=public_id)


def access_field_survey(user, public_id: UUID) -> Survey:
    return get_object_or_404(field_surveys_visible_to(user).select_related("community"), public_id=public_id)


def access_visit(user, public_id: UUID) -> HouseholdVisit:
    return get_object_or_404(
        HouseholdVisit.objects.filter(survey__in=field_surveys_visible_to(user))
        .select_related("survey", "household", "visited_by", "response"),
        public_id=public_id,
    )


def access_photo(user, public_id: UUID) -> VisitPhoto:
    return get_object_or_404(
        VisitPhoto.objects.filter(visit__survey__in=field_surveys_visible_to(user)), public_id=public_id
    )


# --- the register as cascading choices ----------------------------------------------------------


def _member_label(resident: Resident) -> str:
    return f"{mask_name(resident.name)}（{resident.get_relation_display()}）"


def register(survey: Survey) -> list[dict]:
    """The survey's compounds → buildings → entrances → flats, each flat with its household id and
    members (masked names), and whether it was reached. Two queries; one JSON for the phone."""
    compounds = list(survey.compounds.order_by("path"))
    households = list(
        Household.objects.filter(compound__in=compounds).order_by("building", "entrance", "room", "id")
        .prefetch_related("residents")
    )
    reached = set(HouseholdVisit.objects.filter(survey=survey).values_list("household_id", flat=True))
    out = []
    for compound in compounds:
        buildings: dict[str, dict[str, list]] = {}
        for household in households:
            if household.compound_id != compound.pk:
                continue
            buildings.setdefault(household.building, {}).setdefault(household.entrance, []).append({
                "room": household.room, "household": str(household.public_id),
                "reached": household.pk in reached,
                "members": [{"id": str(r.public_id), "label": _member_label(r)} for r in household.residents.all()],
            })
        out.append({"id": str(compound.public_id), "name": compound.name, "buildings": [
            {"name": building,
             "entrances": [{"name": entrance, "flats": flats} for entrance, flats in entrances.items()]}
            for building, entrances in buildings.items()
        ]})
    return out


# --- completion ----------------------------------------------------------------------------------


@dataclass
class CompoundProgress:
    compound: Unit
    total: int = 0
    reached: int = 0
    unreached: list = field(default_factory=list)

    @property
    def rate(self) -> float:
        return round(100 * self.reached / self.total, 1) if self.total else 0.0


def completion(survey: Survey) -> list[CompoundProgress]:
    """Per compound: households, households reached, and the flats not reached (in address order)."""
    progress = {c.pk: CompoundProgress(compound=c) for c in survey.compounds.order_by("path")}
    reached = set(HouseholdVisit.objects.filter(survey=survey).values_list("household_id", flat=True))
    for household in Household.objects.filter(compound_id__in=progress).order_by(
        "building", "entrance", "room", "id"
    ).only("pk", "compound_id", "building", "entrance", "room"):
        row = progress[household.compound_id]
        row.total += 1
        if household.pk in reached:
            row.reached += 1
        else:
            row.unreached.append(household)
    return list(progress.values())


def completion_summary(survey: Survey) -> dict[str, dict]:
    """{compound public id: {name, reached, total, rate}} (for the phone, after each submission)."""
    totals = dict(
        Household.objects.filter(compound__in=survey.compounds.all()).values("compound_id")
        .annotate(n=Count("pk")).values_list("compound_id", "n")
    )
    reached = dict(
        HouseholdVisit.objects.filter(survey=survey).values("household__compound_id").annotate(n=Count("pk"))
        .values_list("household__compound_id", "n")
    )
    return {
        str(c.public_id): {"name": c.name, "reached": reached.get(c.pk, 0), "total": totals.get(c.pk, 0),
                           "rate": round(100 * reached.get(c.pk, 0) / totals[c.pk], 1) if totals.get(c.pk) else 0.0}
        for c in survey.compounds.order_by("path")
    }


# --- checking one household's answers -----------------------------------------------------------


def _env_value(question: Question, value):
    """An answer as the expression language sees it (ADR 2021)."""
    if value is None:
        return None
    if question.kind in (QuestionKind.NUMBER, QuestionKind.RATING):
        return float(value)
    if question.kind in (QuestionKind.GPS, QuestionKind.PHOTO):
        return True
    return value


def _parse_gps(raw) -> dict | None:
    if raw in (None, "", {}):
        return None
    if not isinstance(raw, dict):
        raise SurveyError(_("定位数据无效，请重新定位"))
    try:
        lat, lng = float(raw["lat"]), float(raw["lng"])
        accuracy = float(raw.get("accuracy") or 0)
    except (KeyError, TypeError, ValueError):
        raise SurveyError(_("定位数据无效，请重新定位")) from None
    if not (-90 <= lat <= 90 and -180 <= lng <= 180 and 0 <= accuracy < 100000):
        raise SurveyError(_("定位数据无效，请重新定位"))
    return {"lat": round(lat, 6), "lng": round(lng, 6), "accuracy": round(accuracy, 1)}


def check_photo(raw) -> tuple[bytes, int, int] | None:
    """The JPEG bytes of a photo answer (a `data:image/jpeg;base64,` URL) with its size, after checking
    that it is a JPEG of bounded size and carries no EXIF (the phone re-encodes through a canvas,
    which drops it; this is the server's own check). None when empty; SurveyError otherwise."""
    if raw in (None, ""):
        return None
    prefix = "data:image/jpeg;base64,"
    if not isinstance(raw, str) or not raw.startswith(prefix):
        raise SurveyError(_("照片格式无效，请在本页拍照或选择照片"))
    if len(raw) > (PHOTO_MAX_BYTES * 4) // 3 + len(prefix) + 4:
        raise SurveyError(_("照片太大（不能超过 600 KB），请在本页重新选择照片"))
    try:
        data = base64.b64decode(raw[len(prefix):], validate=True)
    except (binascii.Error, ValueError):
        raise SurveyError(_("照片格式无效，请在本页拍照或选择照片")) from None
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != "JPEG":
                raise SurveyError(_("照片格式无效，请在本页拍照或选择照片"))
            width, height = image.size
            if max(width, height) > PHOTO_MAX_SIDE:
                raise SurveyError(_("照片尺寸太大（最长边不能超过 %(n)s 像素），请在本页重新选择照片")
                                  % {"n": PHOTO_MAX_SIDE})
            has_exif = bool(image.getexif()) or "exif" in image.info or "xmp" in image.info
            image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise SurveyError(_("照片无法读取，请重新拍照")) from None
    if has_exif:
        raise SurveyError(_("照片带有拍摄信息（EXIF，可能含位置），请在本页重新选择照片"))
    return data, width, height


@dataclass
class Checked:
    household_values: dict = field(default_factory=dict)  # question pk → value
    member_values: dict = field(default_factory=dict)  # resident pk → {question pk → value}
    photos: list = field(default_factory=list)  # (question, resident or None, bytes, width, height)
    errors: list = field(default_factory=list)  # {"question", "member", "message"}


def _raw_list(raw) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, list):
        return [str(item) for item in raw if isinstance(item, (str, int, float)) and not isinstance(item, bool)]
    if isinstance(raw, (str, int, float)) and not isinstance(raw, bool):
        return [str(raw)]
    raise SurveyError(_("答案格式无效"))


def check_household(survey: Survey, household: Household, answers: dict, members: dict) -> Checked:
    """Parse, compute and check one household's submission in question order, the way the phone does:
    skip logic, required answers, calculations (computed here; values sent for them are ignored) and
    constraints with their messages, each per member for per-member questions."""
    questions = list(survey.questions.all())
    residents = list(household.residents.all())
    by_public = {str(r.public_id): r for r in residents}
    unknown = set(members or {}) - set(by_public)
    result = Checked(member_values={r.pk: {} for r in residents})
    if unknown:
        result.errors.append({"question": "", "member": "", "message": _("家庭成员已变化，请刷新页面后重新填写")})
        return result
    env: dict[str, object] = {}
    member_env = {r.pk: {} for r in residents}

    def one(question: Question, raw, scope: dict, values: dict, resident: Resident | None):
        shown = question.show_if_id is None or values.get(question.show_if_id) == question.show_if_value
        if not shown:
            return None
        where = _("（%(who)s）") % {"who": _member_label(resident)} if resident else ""

        def fail(message) -> None:
            result.errors.append({"question": str(question.public_id),
                                  "member": str(resident.public_id) if resident else "",
                                  "message": f"{question.text}{where}：{message}"})

        try:
            if question.kind == QuestionKind.CALCULATED:
                value = expressions.evaluate(expressions.parse(question.calculation), scope)
                if isinstance(value, list):
                    value = None
            elif question.kind == QuestionKind.GPS:
                value = _parse_gps(raw)
            elif question.kind == QuestionKind.PHOTO:
                photo = check_photo(raw)
                value = None
                if photo is not None:
                    result.photos.append((question, resident, *photo))
                    value = {"photo": len(result.photos) - 1}
            else:
                value = _parse(question, _raw_list(raw))
        except SurveyError as problem:
            fail(problem)
            return None
        if value is None or value == []:
            if question.required:
                fail(_("此题必答"))
            return None
        if question.constraint:
            scope_with_self = {**scope, ".": _env_value(question, value)}
            if not expressions.truthy(expressions.evaluate(expressions.parse(question.constraint), scope_with_self)):
                fail(question.constraint_message)
                return None
        return value

    household_values: dict = {}
    for question in questions:
        name = f"q{question.position}"
        key = str(question.public_id)
        if question.per_member:
            column = []
            for resident in residents:
                raw = (members.get(str(resident.public_id)) or {}).get(key)
                scope = {**env, **member_env[resident.pk]}
                values = {**household_values, **result.member_values[resident.pk]}
                value = one(question, raw, scope, values, resident)
                if value is not None:
                    result.member_values[resident.pk][question.pk] = value
                member_env[resident.pk][name] = _env_value(question, value)
                column.append(_env_value(question, value))
            env[name] = column
        else:
            value = one(question, (answers or {}).get(key), env, household_values, None)
            if value is not None:
                household_values[question.pk] = value
            env[name] = _env_value(question, value)
    result.household_values = household_values
    return result


# --- storing -------------------------------------------------------------------------------------


@dataclass
class Outcome:
    status: str  # created | updated | duplicate | conflict | invalid
    visit: HouseholdVisit | None = None
    errors: list = field(default_factory=list)
    message: str = ""


def _filled_at(raw) -> datetime:
    now = timezone.now()
    parsed = parse_datetime(raw) if isinstance(raw, str) else None
    if parsed is None:
        return now
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return min(parsed, now + CLOCK_SKEW)


@transaction.atomic
def submit_visit(*, by, survey: Survey, household_id: str, client_uuid: UUID, answers: dict, members: dict,
                 filled_at: str | None = None) -> Outcome:
    """Store one household's answers to a field form. Idempotent by `client_uuid`: a UUID seen before
    returns its visit as `duplicate` and changes nothing. A second submission for the household
    replaces the answers unless the stored ones were filled later (`conflict`, nothing changed).
    Invalid answers (`invalid`) change nothing and list every problem in Chinese."""
    receipt = VisitReceipt.objects.filter(key=client_uuid).select_related("visit").first()
    if receipt is not None:
        if receipt.visit.survey_id != survey.pk or receipt.visit.visited_by_id != by.pk:
            raise PermissionDenied("submission key of another survey or user")
        return Outcome(status="duplicate", visit=receipt.visit)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.audience != Audience.HOUSEHOLDS or not has_permission(by, "surveys.visit"):
        raise PermissionDenied("surveys.visit")
    if not any(survey.community_path.startswith(path) for path in visit_paths(by)):
        raise PermissionDenied("surveys.visit")
    if not survey.accepts_answers():
        return Outcome(status="invalid", message=_("问卷已截止，不能再提交"))
    try:
        household = Household.objects.get(public_id=UUID(str(household_id)), compound__in=survey.compounds.all())
    except (Household.DoesNotExist, ValueError):
        return Outcome(status="invalid", message=_("请选择本问卷发放小区内的住户（楼栋、单元、房号）"))
    checked = check_household(survey, household, answers or {}, members or {})
    if checked.errors:
        return Outcome(status="invalid", errors=checked.errors,
                       message=_("有 %(n)s 处需要修改") % {"n": len(checked.errors)})
    when = _filled_at(filled_at)
    visit = HouseholdVisit.objects.select_for_update().filter(survey=survey, household=household).first()
    if visit is not None:
        if visit.filled_at > when:
            return Outcome(status="conflict", visit=visit, message=_(
                "该户已有 %(who)s 在 %(when)s 填写的更新记录，本次填写没有覆盖它"
            ) % {"who": str(visit.visited_by), "when": timezone.localtime(visit.filled_at).strftime("%m-%d %H:%M")})
        visit.response.answers.all().delete()
        visit.member_answers.all().delete()
        visit.photos.all().delete()
        visit.visited_by, visit.filled_at = by, when
        visit.save(update_fields=["visited_by", "filled_at", "updated_at"])
        status = "updated"
    else:
        visit = HouseholdVisit.objects.create(
            survey=survey, household=household, compound_path=household.compound_path,
            response=SurveyResponse.objects.create(survey=survey), visited_by=by, filled_at=when,
        )
        status = "created"
    photos = [VisitPhoto.objects.create(visit=visit, question=question, resident=resident, content=data,
                                        width=width, height=height)
              for question, resident, data, width, height in checked.photos]

    def stored(value):
        if isinstance(value, dict) and "photo" in value:
            return {"photo": str(photos[value["photo"]].public_id)}
        return value

    Answer.objects.bulk_create(Answer(response=visit.response, question_id=qid, value=stored(value))
                               for qid, value in checked.household_values.items())
    MemberAnswer.objects.bulk_create(
        MemberAnswer(visit=visit, resident_id=rid, question_id=qid, value=stored(value))
        for rid, values in checked.member_values.items() for qid, value in values.items()
    )
    VisitReceipt.objects.create(key=client_uuid, visit=visit)
    audit.record(actor=by, action="survey.visit_recorded", target=survey,
                 fields={"household": str(household.public_id), "status": status})
    return Outcome(status=status, visit=visit)


# --- reading a visit and the export -------------------------------------------------------------


def visit_rows(visit: HouseholdVisit) -> tuple[list[dict], list[dict]]:
    """The visit's household answers [{question, text, photo}] and member blocks [{label, answers}]."""
    questions = list(visit.survey.questions.all())
    answers = dict(Answer.objects.filter(response=visit.response).values_list("question_id", "value"))
    by_member: dict[int, dict] = {}
    for resident_id, question_id, value in visit.member_answers.values_list("resident_id", "question_id", "value"):
        by_member.setdefault(resident_id, {})[question_id] = value

    def row(question, value):
        photo = value.get("photo") if isinstance(value, dict) else None
        return {"question": question, "text": "" if photo else display_value(value), "photo": photo}

    household = [row(q, answers.get(q.pk)) for q in questions if not q.per_member]
    members = [
        {"label": _member_label(resident),
         "answers": [row(q, by_member.get(resident.pk, {}).get(q.pk)) for q in questions if q.per_member]}
        for resident in Resident.objects.filter(pk__in=by_member).order_by("id")
    ]
    return household, members


def export_sheets(*, by, survey: Survey) -> tuple[list[str], list[list]]:
    """One row per visited household (member answers as “成员：答案” lines per question), then one row
    per flat not reached. Names are masked. Audited."""
    questions = list(survey.questions.all())
    headers = [_("小区"), _("楼栋"), _("单元"), _("房号"), _("状态"), _("填报时间")] + [
        f"{q.position}. {q.text}" for q in questions
    ]
    visits = {v.household_id: v for v in HouseholdVisit.objects.filter(survey=survey)}
    answers: dict[int, dict] = {}
    for response_id, question_id, value in Answer.objects.filter(response__visit__survey=survey).values_list(
        "response_id", "question_id", "value"
    ):
        answers.setdefault(response_id, {})[question_id] = value
    members: dict[int, dict] = {}
    names = {r.pk: mask_name(r.name) for r in Resident.objects.filter(
        household_id__in=list(visits)).only("pk", "name")}
    for visit_id, resident_id, question_id, value in MemberAnswer.objects.filter(visit__survey=survey).values_list(
        "visit_id", "resident_id", "question_id", "value"
    ):
        members.setdefault(visit_id, {}).setdefault(question_id, []).append(
            f"{names.get(resident_id, '')}：{display_value(value)}")
    rows = []
    for progress in completion(survey):
        for household in Household.objects.filter(compound=progress.compound).order_by(
            "building", "entrance", "room", "id"
        ):
            visit = visits.get(household.pk)
            base = [progress.compound.name, household.building, household.entrance, household.room]
            if visit is None:
                rows.append(base + [_("未走访"), ""] + [""] * len(questions))
                continue
            sheet = answers.get(visit.response_id, {})
            rows.append(base + [_("已走访"), timezone.localtime(visit.filled_at).strftime("%Y-%m-%d %H:%M")] + [
                "\n".join(members.get(visit.pk, {}).get(q.pk, [])) if q.per_member else display_value(sheet.get(q.pk))
                for q in questions
            ])
    audit.record(actor=by, action="survey.visits_exported", target=survey, fields={"rows": len(rows)})
    return headers, rows
