"""Door-to-door field forms (入户摸排, ADR 2021): the worker's list, the phone form (register as
cascading choices, repeat blocks per member, GPS, photos), the idempotent JSON submission endpoint,
completion per compound with the flats not reached, one household's record, photos and the export."""

import json
from uuid import UUID

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.request import RawPostDataException
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from xiachen.accounts.permissions import require_permission
from xiachen.core.excel import build_workbook
from xiachen.field.worker import worker_response

from . import fieldwork, services
from .models import Audience

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@require_GET
def field_list(request: HttpRequest) -> HttpResponse:
    require_permission(request.user, "surveys.visit")
    surveys = list(fieldwork.fillable_surveys(request.user).select_related("community").order_by("-opened_at", "-id"))
    for survey in surveys:
        survey.progress = fieldwork.completion_summary(survey)
    return render(request, "surveys/field_list.html", {"surveys": surveys})


def _texts() -> dict:
    """The phone form's messages (translated per request)."""
    return {key: str(value) for key, value in {
        "choose": _("请选择"),
        "reached": _("（已走访）"),
        "members": _("家庭成员"),
        "noMembers": _("本户登记的家庭成员为空"),
        "locate": _("获取当前位置"),
        "located": _("已定位"),
        "locFailed": _("无法获取位置，请检查定位权限后重试"),
        "photoReady": _("照片已处理"),
        "photoFailed": _("照片无法读取，请重新选择"),
        "required": _("此题必答"),
        "saving": _("正在提交……"),
        "saved": _("已提交，本户记录已保存"),
        "duplicate": _("这份记录已经提交过了"),
        "failed": _("提交失败，请检查网络后重试"),
        "pickFlat": _("请先选择楼栋、单元和房号"),
        "calculated": _("自动计算"),
        "fix": _("请修改标红的题目"),
        "already": _("该户已走访，再次提交将更新记录"),
        "queued": _("没有网络：本户记录已保存在手机上，联网后自动提交"),
        "waiting": _("%(n)s 户记录等待提交"),
        "syncProblem": _("%(label)s 未能提交：%(message)s"),
    }.items()}


def _question_spec(question) -> dict:
    return {
        "id": str(question.public_id), "position": question.position, "kind": question.kind, "text": question.text,
        "required": question.required, "choices": question.choices, "rating_max": question.rating_max,
        "calculation": question.calculation, "constraint": question.constraint,
        "constraint_message": question.constraint_message, "per_member": question.per_member,
        "show_if": str(question.show_if.public_id) if question.show_if_id else "",
        "show_if_value": question.show_if_value,
    }


@require_GET
def visit_form(request: HttpRequest, public_id: UUID) -> HttpResponse:
    survey = fieldwork.access_fillable(request.user, public_id)
    return render(request, "surveys/visit_form.html", {
        "survey": survey,
        "spec": {
            "questions": [_question_spec(q) for q in survey.questions.select_related("show_if")],
            "register": reverse("surveys:register", args=[survey.public_id]),
            "submit": reverse("surveys:visit_submit", args=[survey.public_id]),
            "texts": _texts(),
            "survey": str(survey.public_id),
            "sync": reverse("field:sync"),
            "worker": reverse("surveys:service_worker", args=[survey.public_id]),
            "scope": reverse("surveys:visit_form", args=[survey.public_id]).rsplit("visit/", 1)[0],
        },
        "progress": fieldwork.completion_summary(survey),
    })


@require_GET
@never_cache
def register(request: HttpRequest, public_id: UUID) -> JsonResponse:
    survey = fieldwork.access_fillable(request.user, public_id)
    return JsonResponse({"compounds": fieldwork.register(survey)})


WORKER_FILES = ["css/xiachen.css", "vendor/htmx-2.0.10/htmx.min.js", "js/xiachen.js", "favicon.svg",
                "surveys/expressions.js", "surveys/visit.js"]


@require_GET
def service_worker(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The shared offline engine's service worker for this form's scope (/surveys/<id>/): the form and
    the register open offline after the first visit (ADR 2001)."""
    survey = fieldwork.access_fillable(request.user, public_id)
    scope = reverse("surveys:visit_form", args=[survey.public_id]).rsplit("visit/", 1)[0]
    return worker_response(name=f"survey-{survey.public_id}", scope=scope, files=WORKER_FILES)


@require_POST
def visit_submit(request: HttpRequest, public_id: UUID) -> JsonResponse:
    """JSON in: {client_uuid, household, filled_at, answers: {question: raw}, members: {resident: {question:
    raw}}}. Out: {ok, status, ...}; the same client_uuid again answers `duplicate` and changes nothing."""
    survey = fieldwork.access_field_survey(request.user, public_id)
    require_permission(request.user, "surveys.visit")
    try:
        body = json.loads(request.body)
        client_uuid = UUID(str(body["client_uuid"]))
        if not isinstance(body.get("answers", {}), dict) or not isinstance(body.get("members", {}), dict):
            raise ValueError
    except RequestDataTooBig:
        return JsonResponse({"ok": False, "status": "invalid", "message": _("提交的内容太大，请减少照片")}, status=413)
    except (ValueError, KeyError, TypeError, RawPostDataException):  # not JSON (e.g. a form post)
        return JsonResponse({"ok": False, "status": "invalid", "message": _("提交的数据格式不对，请刷新页面后重试")},
                            status=400)
    outcome = fieldwork.submit_visit(
        by=request.user, survey=survey, household_id=str(body.get("household") or ""), client_uuid=client_uuid,
        answers=body.get("answers") or {}, members=body.get("members") or {}, filled_at=body.get("filled_at"),
    )
    payload = {"ok": outcome.status in ("created", "updated", "duplicate"), "status": outcome.status,
               "message": outcome.message, "errors": outcome.errors,
               "progress": fieldwork.completion_summary(survey)}
    if outcome.visit is not None:
        payload["visit"] = reverse("surveys:visit_detail", args=[outcome.visit.public_id])
    status = {"invalid": 400, "conflict": 409}.get(outcome.status, 200)
    return JsonResponse(payload, status=status)


@require_GET
def coverage(request: HttpRequest, public_id: UUID) -> HttpResponse:
    survey = fieldwork.access_field_survey(request.user, public_id)
    return render(request, "surveys/coverage.html", {
        "survey": survey, "progress": fieldwork.completion(survey),
        "visits": survey.visits.select_related("household", "visited_by").order_by(
            "household__building", "household__entrance", "household__room", "id"),
        "can_fill": fieldwork.fillable_surveys(request.user).filter(pk=survey.pk).exists(),
        "can_export": services.surveys_visible_to(request.user).filter(pk=survey.pk).exists(),
    })


@require_GET
def visit_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    visit = fieldwork.access_visit(request.user, public_id)
    household, members = fieldwork.visit_rows(visit)
    return render(request, "surveys/visit_detail.html", {
        "visit": visit, "survey": visit.survey, "household_rows": household, "members": members,
    })


@require_GET
def photo(request: HttpRequest, public_id: UUID) -> HttpResponse:
    item = fieldwork.access_photo(request.user, public_id)
    response = HttpResponse(bytes(item.content), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def visits_export(request: HttpRequest, public_id: UUID) -> HttpResponse:
    survey = services.access_survey(request.user, public_id)
    if survey.audience != Audience.HOUSEHOLDS:
        raise Http404
    headers, rows = fieldwork.export_sheets(by=request.user, survey=survey)
    response = HttpResponse(build_workbook(headers, rows, title=_("入户摸排")), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="field-{survey.public_id}.xlsx"'
    return response
