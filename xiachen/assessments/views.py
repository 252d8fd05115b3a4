"""Pages of assessments: rounds to assess, evaluations, schemes, scores and appeals, commendations, outputs."""

from decimal import Decimal, InvalidOperation
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiachen.accounts.permissions import ROLE_PERMISSIONS, active_memberships, has_permission, require_permission
from xiachen.audit import services as audit
from xiachen.core.exports import xlsx_response
from xiachen.core.views import paginate, query_without_page
from xiachen.ops import jobs
from xiachen.org.models import Unit

from . import jobs as assessment_jobs
from . import outputs, reports, selectors, services
from .enums import APPEAL_DAYS, FINAL_PERIOD, QuotaScope, ReportStatus
from .models import CommendationList, Dimension, Grade, Grading, Scheme, ScoreJob

PDF = "application/pdf"


def _attempt(request, action, success: str) -> bool:
    try:
        action()
    except services.AssessmentError as refusal:
        messages.error(request, str(refusal))
        return False
    messages.success(request, success)
    return True


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    require_permission(request.user, "assessments.view")
    return render(request, "assessments/index.html", {
        "page": paginate(request, selectors.assessment_rounds(request.user)),
        "querystring": query_without_page(request),
        "can_manage": has_permission(request.user, "assessments.manage"),
        "annual_agencies": _annual_agencies(request.user),
        "year": timezone.localdate().year,
    })


@require_GET
def round_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    require_permission(request.user, "assessments.view")
    round_ = selectors.access_assessment_round(request.user, public_id)
    can_manage = has_permission(request.user, "assessments.manage")
    return render(request, "assessments/round_detail.html", {
        "round": round_,
        "page": paginate(request, selectors.round_scores(request.user, round_)),
        "querystring": query_without_page(request),
        "score_job": ScoreJob.objects.filter(round=round_).first() if can_manage else None,
        "to_evaluate": selectors.to_evaluate(request.user, round_),
        "can_manage": can_manage,
        "grades": Grade.objects.order_by("-min_score"),
        "report_agencies": selectors.report_agencies(request.user, round_),
        "report_units": _report_units(request.user),
        "grading": Grading.objects.filter(round=round_).first() if can_manage else None,
        "quota_scopes": QuotaScope.choices, "appeal_days": APPEAL_DAYS,
        "open_appeals": services.open_appeals(round_) if can_manage else 0,
        "commendation_lists": CommendationList.objects.filter(round=round_) if can_manage else [],
        "annual_agencies": _annual_agencies(request.user),
        "year": round_.end.year,
    })


def _annual_agencies(user) -> list:
    """A liaison's own agencies, for the annual summary download (agency_export)."""
    return [m.unit for m in active_memberships(user)
            if "assessments.view_agency" in ROLE_PERMISSIONS[m.role] and m.unit.kind.code == "agency"]


def _report_units(user):
    """The receiving units a manager reports on (agencies are linked per taking-part agency instead)."""
    if has_permission(user, "assessments.manage"):
        return []
    from xiachen.accounts.permissions import scope_paths

    paths = scope_paths(user, "assessments.view_agency") + scope_paths(user, "assessments.evaluate")
    return Unit.objects.filter(path__in=paths).exclude(kind__code="agency")


@require_http_methods(["GET", "POST"])
def evaluate(request: HttpRequest, public_id: UUID, cadre_id: UUID) -> HttpResponse:
    require_permission(request.user, "assessments.evaluate")
    round_ = selectors.access_assessment_round(request.user, public_id)
    cadre = selectors.access_evaluable_cadre(request.user, round_, cadre_id)
    dimensions = list(Dimension.objects.all())
    if request.method == "POST":
        scores = {d.code: request.POST.get(f"dim-{d.code}", "") for d in dimensions}
        if not all(value.strip().isdigit() for value in scores.values()):
            messages.error(request, _("各维度得分必须是 0–100 的整数"))
        elif _attempt(request, lambda: services.evaluate(
            by=request.user, round_=round_, cadre=cadre, period=request.POST.get("period", FINAL_PERIOD),
            scores={k: int(v) for k, v in scores.items()}, comments=request.POST.get("comments", ""),
        ), _("已保存评价")):
            return redirect("assessments:round_detail", public_id=round_.public_id)
    served = services.served_matches(round_=round_, cadre=cadre)
    return render(request, "assessments/evaluate.html", {
        "round": round_, "cadre": cadre, "dimensions": dimensions, "served": bool(served),
    })


@require_POST
def compute(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Queue the computation (> 30 s for a city round); the round page shows its progress."""
    round_ = selectors.access_assessment_round(request.user, public_id)
    require_permission(request.user, "assessments.manage")
    _attempt(request, lambda: services.start_score_job(by=request.user, round_=round_), _("已开始计算得分和排名"))
    return redirect("assessments:round_detail", public_id=round_.public_id)


@require_GET
def score_progress(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The progress partial, polled every second (htmx) while the scores are computed; asks the
    page to reload when they are ready."""
    require_permission(request.user, "assessments.manage")
    job = get_object_or_404(ScoreJob.objects.select_related("round"), public_id=public_id,
                            round__in=selectors.assessment_rounds(request.user))
    response = render(request, "assessments/score_progress.html", {"job": job})
    if request.htmx and not job.is_running:
        response["HX-Refresh"] = "true"
    return response


@require_POST
def grade(request: HttpRequest, public_id: UUID) -> HttpResponse:
    round_ = selectors.access_assessment_round(request.user, public_id)
    require_permission(request.user, "assessments.manage")
    quotas = {}
    for item in Grade.objects.all():
        least, most = request.POST.get(f"min-{item.code}", ""), request.POST.get(f"max-{item.code}", "")
        if least.strip() or most.strip():
            try:
                quotas[item.code] = (int(least or 0), int(most) if most.strip() else None)
            except ValueError:
                messages.error(request, _("“%(grade)s”的名额比例必须是整数") % {"grade": item.label})
                return redirect("assessments:round_detail", public_id=round_.public_id)
    scope = request.POST.get("scope", QuotaScope.AGENCY)
    days = request.POST.get("appeal_days", "").strip()
    if days and not days.isdigit():
        messages.error(request, _("申诉期限（天）必须是整数"))
        return redirect("assessments:round_detail", public_id=round_.public_id)
    params = assessment_jobs.grading_params(quotas=quotas, scope=scope, appeal_days=int(days or APPEAL_DAYS))
    _attempt(request, lambda: jobs.start(by=request.user, kind=assessment_jobs.GRADE, subject=round_, params=params),
             _("已开始评定等次，完成后本页自动刷新"))
    return redirect("assessments:round_detail", public_id=round_.public_id)


@require_GET
def schemes(request: HttpRequest) -> HttpResponse:
    require_permission(request.user, "assessments.manage")
    return render(request, "assessments/schemes.html", {
        "schemes": Scheme.objects.prefetch_related("weights"), "labels": dict(services.components()),
    })


@require_http_methods(["GET", "POST"])
def scheme_new(request: HttpRequest) -> HttpResponse:
    require_permission(request.user, "assessments.manage")
    active = Scheme.objects.filter(is_active=True).prefetch_related("weights").first()
    current = {w.component: w for w in active.weights.all()} if active else {}
    rows = [(code, label, current.get(code)) for code, label in services.components()]
    if request.method == "POST":
        try:
            weights = {code: Decimal(request.POST.get(f"w-{code}") or 0) for code, _label, _w in rows}
            targets = {code: Decimal(request.POST[f"t-{code}"]) for code, _l, _w in rows
                       if request.POST.get(f"t-{code}", "").strip()}
        except InvalidOperation:
            messages.error(request, _("权重和满分标准必须是数字"))
        else:
            if _attempt(request, lambda: services.create_scheme(
                by=request.user, name=request.POST.get("name", ""), weights=weights, targets=targets,
                note=request.POST.get("note", "")), _("已启用新的计分方案")):
                return redirect("assessments:schemes")
    return render(request, "assessments/scheme_form.html", {"rows": rows, "active": active})


@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """A cadre's own scores; only users with a cadre profile have any (others 403)."""
    if getattr(request.user, "cadre", None) is None:
        raise PermissionDenied("assessments.mine")
    return render(request, "assessments/mine.html", {"scores": selectors.my_scores(request.user)})


@require_GET
def score_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    score = selectors.access_score(request.user, public_id)
    deadline = services.appeal_deadline(score)
    return render(request, "assessments/score_detail.html", {
        "score": score, "appeals": score.appeals.all(), "is_own": score.cadre.user_id == request.user.pk,
        "appeal_until": deadline, "appeal_closed": deadline is None or timezone.localdate() > deadline,
    })


@require_POST
def appeal_new(request: HttpRequest, public_id: UUID) -> HttpResponse:
    score = selectors.access_score(request.user, public_id)
    if score.cadre.user_id != request.user.pk:
        raise PermissionDenied("assessments.appeal")
    _attempt(request, lambda: services.file_appeal(by=request.user, score=score, reason=request.POST.get("reason", "")),
             _("申诉已提交，组织部将答复"))
    return redirect("assessments:score_detail", public_id=score.public_id)


@require_GET
def appeals(request: HttpRequest) -> HttpResponse:
    require_permission(request.user, "assessments.manage")
    return render(request, "assessments/appeals.html", {
        "page": paginate(request, selectors.appeals_answerable(request.user)),
        "querystring": query_without_page(request),
    })


@require_POST
def appeal_answer(request: HttpRequest, public_id: UUID) -> HttpResponse:
    require_permission(request.user, "assessments.manage")
    appeal = selectors.access_appeal(request.user, public_id)
    _attempt(request, lambda: services.answer_appeal(
        by=request.user, appeal=appeal, upheld=request.POST.get("decision") == "upheld",
        answer=request.POST.get("answer", "")), _("已答复申诉"))
    return redirect("assessments:appeals")


@require_POST
def commendation_propose(request: HttpRequest, public_id: UUID) -> HttpResponse:
    round_ = selectors.access_assessment_round(request.user, public_id)
    require_permission(request.user, "assessments.manage")
    _attempt(request, lambda: jobs.start(by=request.user, kind=assessment_jobs.COMMEND, subject=round_),
             _("已开始生成表彰名单，完成后本页显示链接"))
    return redirect("assessments:round_detail", public_id=round_.public_id)


@require_GET
def commendation_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    require_permission(request.user, "assessments.manage")
    commendation_list = selectors.access_commendation_list(request.user, public_id)
    return render(request, "assessments/commendation_detail.html", {
        "list": commendation_list,
        "entries": commendation_list.entries.select_related("cadre__agency", "score__grade"),
    })


@require_POST
def commendation_approve(request: HttpRequest, public_id: UUID) -> HttpResponse:
    require_permission(request.user, "assessments.manage")
    commendation_list = selectors.access_commendation_list(request.user, public_id)
    _attempt(request, lambda: services.approve_commendations(by=request.user, commendation_list=commendation_list),
             _("表彰名单已批准"))
    return redirect("assessments:commendation_detail", public_id=commendation_list.public_id)


@require_GET
def certificate(request: HttpRequest, public_id: UUID) -> HttpResponse:
    entry = selectors.access_certificate(request.user, public_id)
    response = HttpResponse(outputs.certificate_pdf(by=request.user, entry=entry), content_type=PDF)
    response["Content-Disposition"] = 'attachment; filename="certificate.pdf"'
    return response


@require_GET
def agency_export(request: HttpRequest, public_id: UUID) -> HttpResponse:
    agency = selectors.access_report_unit(request.user, public_id)
    if agency.kind.code != "agency" or not (
        has_permission(request.user, "assessments.manage", agency)
        or has_permission(request.user, "assessments.view_agency", agency)
    ):
        raise Http404
    year = request.GET.get("year", "")
    year = int(year) if year.isdigit() else timezone.localdate().year
    content = outputs.agency_annual_xlsx(by=request.user, agency=agency, year=year)
    return xlsx_response(content, f"assessment-{year}.xlsx")


@require_POST
def round_report(request: HttpRequest, public_id: UUID, fmt: str) -> HttpResponse:
    """Queue the city-wide report of the round; the job page shows its progress."""
    require_permission(request.user, "assessments.manage")
    round_ = selectors.access_assessment_round(request.user, public_id)
    return _queue_report(request, round_, None, fmt)


@require_POST
def unit_report(request: HttpRequest, public_id: UUID, unit_id: UUID, fmt: str) -> HttpResponse:
    """Queue the report of one agency or receiving unit the user is responsible for."""
    require_permission(request.user, "assessments.view")
    round_ = selectors.access_assessment_round(request.user, public_id)
    unit = selectors.access_report_unit(request.user, unit_id)
    return _queue_report(request, round_, unit, fmt)


@require_POST
def agency_report(request: HttpRequest, public_id: UUID, agency_id: UUID, fmt: str) -> HttpResponse:
    """Queue the report of one sending agency's cadres in the round (any agency for the organization
    department, their own for a liaison; a receiving unit or another agency 404)."""
    require_permission(request.user, "assessments.view")
    round_ = selectors.access_assessment_round(request.user, public_id)
    agency = selectors.access_report_agency(request.user, agency_id)
    return _queue_report(request, round_, agency, fmt)


def _queue_report(request, round_, unit, fmt: str) -> HttpResponse:
    try:
        job = reports.request_report(by=request.user, round_=round_, unit=unit, fmt=fmt)
    except services.AssessmentError as refusal:
        messages.error(request, str(refusal))
        return redirect("assessments:round_detail", public_id=round_.public_id)
    return redirect("assessments:report_job", public_id=job.public_id)


@require_GET
def report_job(request: HttpRequest, public_id: UUID) -> HttpResponse:
    job = selectors.access_report_job(request.user, public_id)
    return render(request, "assessments/report_job.html", {"job": job})


@require_GET
def report_progress(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The progress partial, polled every second (htmx) while the report is being generated."""
    job = selectors.access_report_job(request.user, public_id)
    return render(request, "assessments/report_progress.html", {"job": job})


@require_GET
def report_download(request: HttpRequest, public_id: UUID) -> HttpResponse:
    job = selectors.access_report_job(request.user, public_id, with_content=True)
    if job.status != ReportStatus.DONE or job.content is None:
        raise Http404
    response = HttpResponse(bytes(job.content), content_type=reports.CONTENT_TYPES[job.format])
    response["Content-Disposition"] = f'attachment; filename="{job.filename}"'
    audit.record(actor=request.user, action="assessment.report_downloaded", target=job)
    return response
