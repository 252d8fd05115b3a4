"""Staff pages of surveys: list with response rates, the builder, distribution link and QR code,
live result charts (ECharts, data from a json_script tag and a JSON endpoint) and Excel export."""

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiachen.accounts.permissions import require_permission
from xiachen.core.excel import build_workbook
from xiachen.core.views import paginate

from . import services
from .forms import QuestionForm, SurveyForm
from .models import Question

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@require_GET
def survey_list(request: HttpRequest) -> HttpResponse:
    require_permission(request.user, "surveys.view")
    page = paginate(request, services.survey_list(request.user).prefetch_related("compounds"))
    rates = services.response_rates(page.object_list)
    for survey in page.object_list:
        survey.rate = rates[survey.pk]
    return render(request, "surveys/survey_list.html", {
        "page": page, "querystring": "", "can_create": services.manageable_compounds(request.user).exists(),
    })


@require_http_methods(["GET", "POST"])
def survey_new(request: HttpRequest) -> HttpResponse:
    require_permission(request.user, "surveys.manage")
    form = SurveyForm(request.POST or None, compounds=services.manageable_compounds(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            survey = services.create_survey(
                by=request.user, title=data["title"], description=data["description"],
                compounds=data["compounds"], anonymous=data["anonymous"], closes_at=data["closes_at"],
                audience=data["audience"],
            )
        except services.SurveyError as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("问卷已创建，请添加题目"))
            return redirect("surveys:detail", public_id=survey.public_id)
    return render(request, "surveys/survey_form.html", {"form": form})


def _answer_link(request, survey) -> str:
    """The address residents open (typed, or from the QR code `{% qr_image %}` draws of it)."""
    return request.build_absolute_uri(reverse("resident:survey_answer", args=[survey.public_id]))


@require_GET
def survey_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    survey = services.access_survey(request.user, public_id)
    link = _answer_link(request, survey)
    return render(request, "surveys/survey_detail.html", {
        "survey": survey,
        "questions": survey.questions.select_related("show_if"),
        "compounds": survey.compounds.all(),
        "can_manage": services.can_manage(request.user, survey),
        "question_form": QuestionForm(survey=survey),
        "link": link,
        "rate": services.response_rates([survey])[survey.pk],
    })


def _attempt(request, survey, action, success: str) -> HttpResponse:
    try:
        action()
    except services.SurveyError as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, success)
    return redirect("surveys:detail", public_id=survey.public_id)


def _managed(request, public_id):
    survey = services.access_survey(request.user, public_id)
    if not services.can_manage(request.user, survey):
        raise PermissionDenied("surveys.manage")
    return survey


@require_POST
def question_add(request: HttpRequest, public_id: UUID) -> HttpResponse:
    survey = _managed(request, public_id)
    form = QuestionForm(request.POST, survey=survey)
    if not form.is_valid():
        messages.error(request, _("题目填写有误：") + "；".join(
            str(error) for errors in form.errors.values() for error in errors
        ))
        return redirect("surveys:detail", public_id=survey.public_id)
    data = form.cleaned_data
    return _attempt(request, survey, lambda: services.add_question(
        by=request.user, survey=survey, kind=data["kind"], text=data["text"], required=data["required"],
        choices=data["choices"], rating_max=data["rating_max"], show_if=data["show_if"],
        show_if_value=data["show_if_value"], per_member=data["per_member"], calculation=data["calculation"],
        constraint=data["constraint"], constraint_message=data["constraint_message"],
    ), _("已添加题目"))


@require_POST
def question_delete(request: HttpRequest, public_id: UUID) -> HttpResponse:
    question = get_object_or_404(
        Question.objects.filter(survey__in=services.surveys_visible_to(request.user)).select_related("survey"),
        public_id=public_id,
    )
    if not services.can_manage(request.user, question.survey):
        raise PermissionDenied("surveys.manage")
    return _attempt(request, question.survey, lambda: services.delete_question(by=request.user, question=question),
                    _("已删除题目"))


@require_POST
def survey_open(request: HttpRequest, public_id: UUID) -> HttpResponse:
    survey = _managed(request, public_id)
    return _attempt(request, survey, lambda: services.open_survey(by=request.user, survey=survey),
                    _("问卷已发布，居民可以作答"))


@require_POST
def survey_close(request: HttpRequest, public_id: UUID) -> HttpResponse:
    survey = _managed(request, public_id)
    return _attempt(request, survey, lambda: services.close_survey(by=request.user, survey=survey),
                    _("问卷已截止"))


@require_GET
def results(request: HttpRequest, public_id: UUID) -> HttpResponse:
    survey = services.access_survey(request.user, public_id)
    return render(request, "surveys/results.html", {
        "survey": survey, "results": services.results(survey),
        "rate": services.response_rates([survey])[survey.pk],
        "pending": services.pending_count(survey), "batch": services.anonymity_batch(),
    })


@require_GET
def results_data(request: HttpRequest, public_id: UUID) -> JsonResponse:
    survey = services.access_survey(request.user, public_id)
    return JsonResponse({
        "results": services.results(survey), "rate": services.response_rates([survey])[survey.pk],
        "pending": services.pending_count(survey),
    })


@require_GET
def export(request: HttpRequest, public_id: UUID) -> HttpResponse:
    survey = services.access_survey(request.user, public_id)
    headers, rows = services.export_rows(survey)
    response = HttpResponse(build_workbook(headers, rows, title=_("答卷")), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="survey-{survey.public_id}.xlsx"'
    return response
