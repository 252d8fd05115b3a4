"""Surveys on the resident site: open surveys of the resident's compound and the answer page (one
answer per resident, editable until the survey closes; anonymous answers are final)."""

import uuid
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from xiachen.surveys import services
from xiachen.surveys.models import QuestionKind

from .access import resident_page


@resident_page
@require_GET
def surveys(request: HttpRequest) -> HttpResponse:
    return render(request, "resident/survey_list.html", {
        "surveys": services.resident_surveys(request.resident)[:50],
    })


def _rows(survey, values: dict, errors: dict) -> list[dict]:
    rows = []
    for question in survey.questions.select_related("show_if"):
        value = values.get(question.pk)
        rows.append({
            "q": question, "name": services.field_name(question), "error": errors.get(question.pk, ""),
            "value": value, "selected": value if isinstance(value, list) else ([value] if value is not None else []),
            "rating_range": [str(n) for n in range(1, question.rating_max + 1)],
            "show_if": services.field_name(question.show_if) if question.show_if_id else "",
        })
    return rows


def _raw_values(survey, data) -> dict:
    """What the resident typed, by question id, to show the form again after an error."""
    values = {}
    for question in survey.questions.all():
        raw = [item for item in data.getlist(services.field_name(question)) if item]
        if raw:
            values[question.pk] = raw if question.kind == QuestionKind.MULTIPLE else raw[0]
    return values


@resident_page
@require_http_methods(["GET", "POST"])
def survey_answer(request: HttpRequest, public_id: UUID) -> HttpResponse:
    resident = request.resident
    survey = services.access_resident_survey(resident, public_id)
    participation, values = services.existing_answers(survey, resident)
    errors: dict = {}
    if request.method == "POST":
        try:
            key = UUID(request.POST.get("submission_key", ""))
        except ValueError:
            key = None
        values, errors = services.clean_answers(survey, request.POST)
        if key is None:
            messages.error(request, _("页面已过期，请刷新后重新填写"))
        elif not errors:
            try:
                _participation, created = services.submit_answers(
                    resident=resident, survey=survey, values=values, submission_key=key
                )
            except PermissionDenied:
                raise
            except services.SurveyError as refusal:
                messages.error(request, str(refusal))
                return redirect("resident:survey_answer", public_id=survey.public_id)
            messages.success(request, _("感谢参与，答卷已提交") if created else _("答卷已修改"))
            return redirect("resident:surveys")
        else:
            values = _raw_values(survey, request.POST)
    editable = survey.accepts_answers() and not (participation and survey.anonymous)
    return render(request, "resident/survey_answer.html", {
        "survey": survey, "rows": _rows(survey, values, errors), "errors": errors,
        "participation": participation, "editable": editable, "submission_key": uuid.uuid4(),
        "closed": not survey.accepts_answers(), "batch": services.anonymity_batch(),
    })
