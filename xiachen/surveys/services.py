"""Survey rules: the status table, the builder (draft only), answering (one answer per resident,
editable until the survey closes; anonymous answers unlinked and final), results and export rows.

Anonymous sheets reach the results in shuffled batches, never in the transaction that records the
participation (ADR 1505): `submit_answers` puts them in the pending pool, `flush_pending` moves them.
"""

import secrets
from collections import Counter
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import partial
from uuid import UUID

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from xiachen.accounts.permissions import has_permission, scope_paths
from xiachen.audit import services as audit
from xiachen.errands.duty import community_path_of
from xiachen.households.models import Household, Resident
from xiachen.org.models import Unit, path_within

from . import expressions
from .models import (
    CHOICE_KINDS,
    FIELD_ONLY_KINDS,
    Answer,
    Audience,
    HouseholdVisit,
    MemberAnswer,
    Participation,
    PendingAnswerSheet,
    Question,
    QuestionKind,
    Survey,
    SurveyResponse,
    SurveyStatus,
)

ALLOWED: dict[str, frozenset[str]] = {
    SurveyStatus.DRAFT: frozenset({SurveyStatus.OPEN}),
    SurveyStatus.OPEN: frozenset({SurveyStatus.CLOSED}),
    SurveyStatus.CLOSED: frozenset(),
}
MAX_CHOICES = 20
MAX_TEXT = 1000
_random = secrets.SystemRandom()


def anonymity_batch() -> int:
    """The fewest anonymous sheets moved into the results at once while a survey is open (ADR 1505)."""
    return max(2, int(getattr(settings, "XIACHEN_SURVEY_ANONYMITY_BATCH", 5)))


def _shuffle(items: list) -> None:
    """The order sheets are written in: uniformly random from the OS generator, never submission order."""
    _random.shuffle(items)


class SurveyError(ValueError):
    """A request the survey's state or rules refuse; the message is Chinese, for the user."""


# --- reads ---------------------------------------------------------------------------------------


def surveys_visible_to(user) -> QuerySet[Survey]:
    return Survey.objects.filter(path_within(scope_paths(user, "surveys.view"), field="community_path"))


def survey_list(user) -> QuerySet[Survey]:
    return (
        surveys_visible_to(user)
        .select_related("community")
        .annotate(participant_count=Count("participations", distinct=True))
        .order_by("-created_at", "-id")
    )


def access_survey(user, public_id: UUID) -> Survey:
    return get_object_or_404(surveys_visible_to(user).select_related("community", "created_by"), public_id=public_id)


def can_manage(user, survey: Survey) -> bool:
    return any(survey.community_path.startswith(path) for path in scope_paths(user, "surveys.manage"))


def manageable_compounds(user) -> QuerySet[Unit]:
    return Unit.objects.within_any(scope_paths(user, "surveys.manage")).filter(kind__code="compound").order_by("path")


def resident_surveys(resident) -> QuerySet[Survey]:
    """Open surveys distributed to the resident's compound, with whether the resident answered."""
    now = timezone.now()
    answered = Participation.objects.filter(survey=OuterRef("pk"), resident=resident)
    return (
        Survey.objects.filter(status=SurveyStatus.OPEN, compounds=resident.household.compound_id,
                              audience=Audience.RESIDENTS)
        .filter(Q(closes_at__isnull=True) | Q(closes_at__gt=now))
        .annotate(answered=Exists(answered))
        .order_by("closes_at", "-created_at", "-id")
    )


def access_resident_survey(resident, public_id: UUID) -> Survey:
    """A survey distributed to the resident's compound, in any state (a closed one shows why)."""
    return get_object_or_404(
        Survey.objects.filter(compounds=resident.household.compound_id, audience=Audience.RESIDENTS)
        .exclude(status=SurveyStatus.DRAFT),
        public_id=public_id,
    )


def open_survey_count(resident) -> int:
    return resident_surveys(resident).filter(answered=False).count()


def existing_answers(survey: Survey, resident) -> tuple[Participation | None, dict[int, object]]:
    participation = Participation.objects.filter(survey=survey, resident=resident).first()
    if participation is None or participation.response_id is None:
        return participation, {}
    answers = Answer.objects.filter(response_id=participation.response_id)
    return participation, {answer.question_id: answer.value for answer in answers}


# --- builder -------------------------------------------------------------------------------------


def _require_manage(by, survey: Survey) -> None:
    if not can_manage(by, survey):
        raise PermissionDenied("surveys.manage")


@transaction.atomic
def create_survey(*, by, title: str, compounds, description: str = "", anonymous: bool = False,
                  closes_at=None, audience: str = Audience.RESIDENTS) -> Survey:
    compounds = list(compounds)
    if not compounds:
        raise SurveyError(_("请至少选择一个发放小区"))
    for compound in compounds:
        if not has_permission(by, "surveys.manage", compound):
            raise PermissionDenied("surveys.manage")
    communities = {community_path_of(compound.path) for compound in compounds}
    if len(communities) != 1:
        raise SurveyError(_("一份问卷只能发放到同一个社区的小区"))
    if closes_at is not None and closes_at <= timezone.now():
        raise SurveyError(_("截止时间必须晚于现在"))
    if audience not in Audience.values:
        raise SurveyError(_("未知的填写方式"))
    if audience == Audience.HOUSEHOLDS and anonymous:
        raise SurveyError(_("入户摸排由工作人员逐户填报，不能设为匿名问卷"))
    survey = Survey.objects.create(
        title=title.strip()[:120], description=description.strip(), anonymous=anonymous, closes_at=closes_at,
        audience=audience,
        community=Unit.objects.get(path=communities.pop()), created_by=by,
    )
    survey.compounds.set(compounds)
    audit.record(actor=by, action="survey.created", target=survey,
                 fields={"anonymous": anonymous, "audience": audience})
    return survey


def _clean_choices(raw) -> list[str]:
    if isinstance(raw, str):
        raw = raw.splitlines()
    choices = []
    for item in raw:
        item = item.strip()[:100]
        if item and item not in choices:
            choices.append(item)
    return choices


@transaction.atomic
def add_question(*, by, survey: Survey, kind: str, text: str, required: bool = True, choices=(),
                 rating_max: int = 5, show_if: Question | None = None, show_if_value: str = "",
                 calculation: str = "", constraint: str = "", constraint_message: str = "",
                 per_member: bool = False) -> Question:
    _require_manage(by, survey)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.status != SurveyStatus.DRAFT:
        raise SurveyError(_("问卷发布后不能再修改题目"))
    if kind not in QuestionKind.values:
        raise SurveyError(_("未知题型"))
    if not text.strip():
        raise SurveyError(_("请填写题目"))
    choices = _clean_choices(choices) if kind in CHOICE_KINDS else []
    if kind in CHOICE_KINDS and not 2 <= len(choices) <= MAX_CHOICES:
        raise SurveyError(_("选择题需要 2 到 20 个不重复的选项"))
    if kind == QuestionKind.RATING and not 2 <= rating_max <= 10:
        raise SurveyError(_("最高分应在 2 到 10 之间"))
    if show_if is not None:
        if show_if.survey_id != survey.pk or show_if.kind != QuestionKind.SINGLE:
            raise SurveyError(_("显示条件只能引用本问卷前面的单选题"))
        if show_if_value not in show_if.choices:
            raise SurveyError(_("显示条件的答案必须是该单选题的一个选项"))
    else:
        show_if_value = ""
    last = survey.questions.order_by("-position").values_list("position", flat=True).first() or 0
    calculation, constraint, constraint_message = (
        (calculation or "").strip(), (constraint or "").strip(), (constraint_message or "").strip()[:100]
    )
    if not survey.is_field_form:
        if kind in FIELD_ONLY_KINDS or calculation or constraint or per_member:
            raise SurveyError(_("计算、约束、定位、照片和家庭成员分组只用于入户摸排问卷"))
    else:
        _check_expressions(survey, position=last + 1, kind=kind, calculation=calculation, constraint=constraint,
                           constraint_message=constraint_message, show_if=show_if, per_member=per_member)
    if kind == QuestionKind.CALCULATED:
        required = False
    question = Question.objects.create(
        survey=survey, position=last + 1, kind=kind, text=text.strip()[:300], required=required, choices=choices,
        rating_max=rating_max, show_if=show_if, show_if_value=show_if_value, calculation=calculation,
        constraint=constraint, constraint_message=constraint_message, per_member=per_member,
    )
    return question


def _check_expressions(survey: Survey, *, position: int, kind: str, calculation: str, constraint: str,
                       constraint_message: str, show_if, per_member: bool) -> None:
    """Field-form expressions parse and read only earlier questions (so there are no cycles, and the
    phone and the server compute in one pass, in question order)."""
    if kind == QuestionKind.CALCULATED and not calculation:
        raise SurveyError(_("计算题需要填写计算公式"))
    if kind != QuestionKind.CALCULATED and calculation:
        raise SurveyError(_("只有计算题可以填写计算公式"))
    if constraint and not constraint_message:
        raise SurveyError(_("请填写不满足约束时给填报人的提示"))
    if show_if is not None and show_if.per_member and not per_member:
        raise SurveyError(_("全户题目的显示条件不能引用家庭成员题"))
    earlier = set(survey.questions.filter(position__lt=position).values_list("position", flat=True))
    for label, text, current_allowed in ((_("计算公式"), calculation, False), (_("约束条件"), constraint, True)):
        if not text:
            continue
        try:
            names = expressions.references(expressions.parse(text))
        except expressions.ExpressionError as problem:
            raise SurveyError(_("%(label)s有误：%(problem)s") % {"label": label, "problem": problem}) from None
        if "." in names and not current_allowed:
            raise SurveyError(_("计算公式不能引用本题（.）"))
        for name in sorted(names - {"."}):
            if int(name[1:]) not in earlier:
                raise SurveyError(_("%(label)s引用的 %(name)s 不是本题之前的题目") % {"label": label, "name": name})


@transaction.atomic
def delete_question(*, by, question: Question) -> None:
    survey = Survey.objects.select_for_update().get(pk=question.survey_id)
    _require_manage(by, survey)
    if survey.status != SurveyStatus.DRAFT:
        raise SurveyError(_("问卷发布后不能再修改题目"))
    Question.objects.filter(show_if=question).update(show_if=None, show_if_value="")
    question.delete()


@transaction.atomic
def move_survey(*, by, survey: Survey, to: str) -> Survey:
    """The only writer of `Survey.status`: draft → open → closed, nothing else."""
    _require_manage(by, survey)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    current = survey.status
    if to not in ALLOWED[current]:
        raise SurveyError(_("问卷当前为“%(current)s”，不能改为“%(to)s”") % {
            "current": SurveyStatus(current).label, "to": SurveyStatus(to).label if to in SurveyStatus.values else to,
        })
    if to == SurveyStatus.OPEN and not survey.questions.exists():
        raise SurveyError(_("问卷还没有题目，不能发布"))
    now = timezone.now()
    survey.status = to
    if to == SurveyStatus.OPEN:
        survey.opened_at = now
    else:
        survey.closed_at = now
    survey.save(update_fields=["status", "opened_at", "closed_at", "updated_at"])
    audit.record(actor=by, action="survey.status_changed", target=survey, fields={"from": current, "to": to})
    if to == SurveyStatus.CLOSED and survey.anonymous:
        transaction.on_commit(partial(flush_pending, survey_id=survey.pk, final=True), robust=True)
    return survey


def open_survey(*, by, survey: Survey) -> Survey:
    return move_survey(by=by, survey=survey, to=SurveyStatus.OPEN)


def close_survey(*, by, survey: Survey) -> Survey:
    return move_survey(by=by, survey=survey, to=SurveyStatus.CLOSED)


# --- answering -----------------------------------------------------------------------------------


def field_name(question: Question) -> str:
    return f"q-{question.public_id}"


def _shown(question: Question, values: dict[int, object]) -> bool:
    return question.show_if_id is None or values.get(question.show_if_id) == question.show_if_value


def _parse(question: Question, raw: list[str]):
    """The typed value of one question's raw form values, None when empty; SurveyError if invalid."""
    raw = [item.strip() for item in raw if item and item.strip()]
    if not raw:
        return None
    kind = question.kind
    if kind == QuestionKind.SINGLE:
        if len(raw) != 1 or raw[0] not in question.choices:
            raise SurveyError(_("请从选项中选择一项"))
        return raw[0]
    if kind == QuestionKind.MULTIPLE:
        if any(item not in question.choices for item in raw):
            raise SurveyError(_("请从选项中选择"))
        return [choice for choice in question.choices if choice in raw]
    value = raw[0]
    if kind == QuestionKind.RATING:
        if not value.isdigit() or not 1 <= int(value) <= question.rating_max:
            raise SurveyError(_("评分应为 1 到 %(max)s 分") % {"max": question.rating_max})
        return int(value)
    if kind == QuestionKind.NUMBER:
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise SurveyError(_("请填写数字")) from None
        if not number.is_finite() or abs(number) >= Decimal("1e12"):
            raise SurveyError(_("请填写数字"))
        return str(number.normalize()) if number != number.to_integral() else str(int(number))
    if kind == QuestionKind.DATE:
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            raise SurveyError(_("请填写日期（年-月-日）")) from None
    if len(value) > MAX_TEXT:
        raise SurveyError(_("回答不能超过 1000 字"))
    return value


def clean_answers(survey: Survey, data) -> tuple[dict[int, object], dict[int, str]]:
    """Typed answers of the shown questions by question id, and errors by question id. `data` is a
    QueryDict (or a dict of lists). Questions hidden by skip logic are dropped, never required."""
    values, errors = {}, {}
    for question in survey.questions.all():
        raw = data.getlist(field_name(question)) if hasattr(data, "getlist") else data.get(field_name(question), [])
        if isinstance(raw, str):
            raw = [raw]
        if not _shown(question, values):
            continue
        try:
            value = _parse(question, raw)
        except SurveyError as problem:
            errors[question.pk] = str(problem)
            continue
        if value is None or value == []:
            if question.required:
                errors[question.pk] = _("此题必答")
            continue
        values[question.pk] = value
    return values, errors


@transaction.atomic
def submit_answers(*, resident: Resident, survey: Survey, values: dict[int, object], submission_key: UUID):
    """Store the resident's answers: first time a new response; again (named surveys, still open) the
    same response replaced. Returns (participation, created). Refusals change nothing.

    Anonymous: only the participation and a pending sheet are written here; the sheet reaches the
    results later, in another transaction, shuffled into a batch (`flush_pending`, tried right after
    this commits)."""
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.status == SurveyStatus.DRAFT or not survey.compounds.filter(pk=resident.household.compound_id).exists():
        raise PermissionDenied("survey not distributed here")
    if not survey.accepts_answers():
        raise SurveyError(_("问卷已截止，不能再提交或修改答案"))
    participation = Participation.objects.select_for_update().filter(survey=survey, resident=resident).first()
    if participation is not None:
        if participation.submission_key == submission_key:
            raise SurveyError(_("这份答卷已经提交过了，请勿重复提交"))
        if survey.anonymous:
            raise SurveyError(_("您已提交过这份匿名问卷。匿名答卷不与您关联，提交后不能修改"))
        response = participation.response
        response.answers.all().delete()
        participation.submission_key = submission_key
        participation.save(update_fields=["submission_key", "updated_at"])
        created = False
    else:
        response = None if survey.anonymous else SurveyResponse.objects.create(survey=survey)
        participation = Participation.objects.create(
            survey=survey, resident=resident, compound_path=resident.household.compound_path,
            response=response, submission_key=submission_key,
        )
        created = True
    if survey.anonymous:
        PendingAnswerSheet.objects.create(survey=survey, answers={str(key): value for key, value in values.items()})
        transaction.on_commit(partial(flush_pending, survey_id=survey.pk), robust=True)
        return participation, created
    Answer.objects.bulk_create(
        Answer(response=response, question_id=question_id, value=value) for question_id, value in values.items()
    )
    return participation, created


@transaction.atomic
def flush_pending(*, survey_id: int, final: bool | None = None) -> int:
    """Move an anonymous survey's pending sheets into the results, in a transaction of their own,
    shuffled, with new random keys and today's date. While the survey accepts answers only when at
    least `anonymity_batch()` wait, so each batch hides each sheet among that many participants.
    Once it ended (`final`, by default: no longer accepting answers) all that wait, rewritten together
    with every earlier response of the survey, so the last, maybe small, group hides among all.
    Returns the number of pending sheets moved."""
    survey = Survey.objects.select_for_update().get(pk=survey_id)  # submissions wait for this
    if not survey.anonymous:
        return 0
    if final is None:
        final = not survey.accepts_answers()
    pending = list(PendingAnswerSheet.objects.filter(survey=survey).values_list("pk", "answers"))
    if not pending or (not final and len(pending) < anonymity_batch()):
        return 0
    sheets = [{int(question_id): value for question_id, value in answers.items()} for _pk, answers in pending]
    if final:
        sheets += _take_responses(survey)
    _shuffle(sheets)
    responses = SurveyResponse.objects.bulk_create([SurveyResponse(survey=survey) for _ in sheets])
    Answer.objects.bulk_create(
        Answer(response=response, question_id=question_id, value=value)
        for response, sheet in zip(responses, sheets, strict=True) for question_id, value in sheet.items()
    )
    PendingAnswerSheet.objects.filter(pk__in=[pk for pk, _answers in pending]).delete()
    return len(pending)


def _take_responses(survey: Survey) -> list[dict]:
    """The survey's written sheets, deleted (to be written again in one shuffled batch)."""
    sheets = {pk: {} for pk in SurveyResponse.objects.filter(survey=survey).values_list("pk", flat=True)}
    for response_id, question_id, value in Answer.objects.filter(response__survey=survey).values_list(
        "response_id", "question_id", "value"
    ):
        sheets[response_id][question_id] = value
    SurveyResponse.objects.filter(survey=survey).delete()
    return list(sheets.values())


def flush_all_pending() -> int:
    """The scheduled job: every anonymous survey with waiting sheets, each in its own transaction."""
    surveys = Survey.objects.filter(anonymous=True, pending_sheets__isnull=False).distinct()
    return sum(flush_pending(survey_id=survey_id) for survey_id in surveys.values_list("pk", flat=True))


def pending_count(survey: Survey) -> int:
    return PendingAnswerSheet.objects.filter(survey=survey).count() if survey.anonymous else 0


# --- results -------------------------------------------------------------------------------------


def results(survey: Survey) -> list[dict]:
    """Per question: choice/rating/date counts, number statistics, or the latest text answers."""
    questions = list(survey.questions.all())
    by_question: dict[int, list] = {q.pk: [] for q in questions}
    for question_id, value in Answer.objects.filter(response__survey=survey).values_list("question_id", "value"):
        by_question[question_id].append(value)
    if survey.is_field_form:
        for question_id, value in MemberAnswer.objects.filter(visit__survey=survey).values_list("question_id", "value"):
            by_question[question_id].append(value)
    rows = []
    for question in questions:
        values = by_question[question.pk]
        row = {"id": str(question.public_id), "text": question.text, "kind": question.kind, "answered": len(values)}
        if question.kind in CHOICE_KINDS:
            counts = Counter(v for value in values for v in (value if isinstance(value, list) else [value]))
            row["labels"], row["counts"] = question.choices, [counts.get(c, 0) for c in question.choices]
        elif question.kind == QuestionKind.RATING:
            labels = list(range(1, question.rating_max + 1))
            counts = Counter(values)
            row["labels"], row["counts"] = [str(n) for n in labels], [counts.get(n, 0) for n in labels]
            row["average"] = round(sum(values) / len(values), 2) if values else None
        elif question.kind == QuestionKind.DATE:
            counts = Counter(values)
            row["labels"] = sorted(counts)
            row["counts"] = [counts[label] for label in row["labels"]]
        elif question.kind in (QuestionKind.GPS, QuestionKind.PHOTO):
            pass  # counted only; shown per household on the visit page
        elif question.kind == QuestionKind.CALCULATED:
            row["texts"] = [display_value(v) for v in values[-20:]]
        elif question.kind == QuestionKind.NUMBER:
            numbers = [Decimal(v) for v in values]
            row["stats"] = {
                "min": str(min(numbers)) if numbers else None, "max": str(max(numbers)) if numbers else None,
                "average": str(round(sum(numbers) / len(numbers), 2)) if numbers else None,
            }
        else:
            row["texts"] = values[-20:]
        rows.append(row)
    return rows


def response_rates(surveys) -> dict[int, dict]:
    """For each survey: residents of its compounds, participants, and the rate in percent (for field
    forms: households and households visited). Two queries for any number of surveys, two more when
    field forms are among them."""
    surveys = list(surveys)
    compound_ids = {s.pk: [c.pk for c in s.compounds.all()] for s in surveys}
    all_ids = {pk for ids in compound_ids.values() for pk in ids}
    residents = dict(
        Resident.objects.filter(household__compound_id__in=all_ids).values("household__compound_id")
        .annotate(n=Count("pk")).values_list("household__compound_id", "n")
    )
    participants = dict(
        Participation.objects.filter(survey__in=surveys).values("survey_id").annotate(n=Count("pk"))
        .values_list("survey_id", "n")
    )
    field = [s for s in surveys if s.is_field_form]
    if field:
        field_ids = {pk for s in field for pk in compound_ids[s.pk]}
        households = dict(
            Household.objects.filter(compound_id__in=field_ids).values("compound_id").annotate(n=Count("pk"))
            .values_list("compound_id", "n")
        )
        visits = dict(
            HouseholdVisit.objects.filter(survey__in=field).values("survey_id").annotate(n=Count("pk"))
            .values_list("survey_id", "n")
        )
    rates = {}
    for survey in surveys:
        if survey.is_field_form:
            total = sum(households.get(pk, 0) for pk in compound_ids[survey.pk])
            answered = visits.get(survey.pk, 0)
        else:
            total = sum(residents.get(pk, 0) for pk in compound_ids[survey.pk])
            answered = participants.get(survey.pk, 0)
        rates[survey.pk] = {"residents": total, "answered": answered,
                            "rate": round(100 * answered / total, 1) if total else 0.0}
    return rates


def display_value(value) -> str:
    """An answer as text for pages and sheets: lists joined, numbers without a needless “.0”, yes/no."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, list):
        return "、".join(display_value(item) for item in value)
    if isinstance(value, dict):
        if "photo" in value:
            return _("照片")
        if "lat" in value:
            return f"{value['lat']:.6f}, {value['lng']:.6f}"
    return str(value)


def export_rows(survey: Survey) -> tuple[list[str], list[list]]:
    """One row per response (no resident column, ever; named surveys included, for the same sheet)."""
    questions = list(survey.questions.all())
    headers = [_("序号")] + [f"{q.position}. {q.text}" for q in questions]
    answers: dict = {}
    for response_id, question_id, value in Answer.objects.filter(response__survey=survey).values_list(
        "response_id", "question_id", "value"
    ):
        answers.setdefault(response_id, {})[question_id] = value
    rows = []
    for number, response_id in enumerate(sorted(answers, key=str), start=1):
        sheet = answers[response_id]
        rows.append([number] + [
            "、".join(sheet[q.pk]) if isinstance(sheet.get(q.pk), list) else sheet.get(q.pk, "") for q in questions
        ])
    return headers, rows
