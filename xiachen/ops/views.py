"""The working calendar page: which years are known, the yearly import, and what is provisional (ADR 1601);
the progress and retry of background jobs (ADR 1411)."""

from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiachen.accounts.http import AuthenticatedHttpRequest
from xiachen.accounts.permissions import require_permission
from xiachen.core.calendar import CalendarImportError, parse_holiday_file, replace_year, template
from xiachen.core.exports import xlsx_response
from xiachen.core.models import CalendarYear, Holiday

from . import jobs, leases
from .calendar_alerts import calendar_problems
from .forms import HolidayImportForm
from .models import Job

MAX_UPLOAD_BYTES = 1024 * 1024


@require_http_methods(["GET", "POST"])
def calendar(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_permission(request.user, "calendar.manage")
    form = HolidayImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        year = form.cleaned_data["year"]
        try:
            if upload.size > MAX_UPLOAD_BYTES:
                raise CalendarImportError([_("文件过大：节假日文件不应超过 1 MB")])
            rows = parse_holiday_file(upload.read(), filename=upload.name, year=year)
            recomputed = replace_year(by=request.user, year=year, rows=rows, source=form.cleaned_data["source"])
        except CalendarImportError as error:
            errors = error.errors
        else:
            messages.success(request, _("已导入 %(year)s 年节假日安排；重新计算了 %(count)d 项暂定期限")
                             % {"year": year, "count": recomputed})
            return redirect(f"{request.path}?year={year}")
    return render(request, "ops/calendar.html", _context(request, form, errors), status=400 if errors else 200)


def _context(request: AuthenticatedHttpRequest, form: HolidayImportForm, errors: list[str]) -> dict:
    today = timezone.localdate()
    years = list(CalendarYear.objects.select_related("loaded_by"))
    shown = _shown_year(request, today.year)
    return {
        "form": form, "errors": errors, "years": years, "shown_year": shown,
        "holidays": Holiday.objects.filter(date__year=shown), "problems": calendar_problems(today),
    }


def _shown_year(request: AuthenticatedHttpRequest, default: int) -> int:
    requested = request.GET.get("year", "")
    return int(requested) if requested.isdigit() and len(requested) == 4 else default


@require_GET
def calendar_template(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_permission(request.user, "calendar.manage")
    return xlsx_response(template(), "节假日安排模板.xlsx")


# --- background jobs (xiachen.ops.jobs) -----------------------------------------------------------


def _access_job(request: AuthenticatedHttpRequest, public_id: UUID) -> Job:
    """The job if the user may watch it (its requester, or holding its kind's permission); else 404."""
    job = get_object_or_404(Job.objects.select_related("requested_by"), public_id=public_id)
    if not jobs.can_watch(request.user, job):
        raise Http404
    return job


@require_GET
def job_progress(request: AuthenticatedHttpRequest, public_id: UUID) -> HttpResponse:
    """The job component, polled every second while the job runs; asks the page to reload when it
    has ended (the page then shows the action's result). Reclaims the job if its worker died."""
    job = _access_job(request, public_id)
    if job.is_running and leases.reclaim_stale(obj=job):
        job.refresh_from_db()
    response = render(request, "ops/job.html", {"job": job})
    if request.htmx and not job.is_running:
        response["HX-Refresh"] = "true"
    return response


@require_POST
def job_retry(request: AuthenticatedHttpRequest, public_id: UUID) -> HttpResponse:
    """Run a failed job's action again; back to the page the button was on."""
    job = _access_job(request, public_id)
    try:
        jobs.retry(by=request.user, job=job)
    except jobs.get_kind(job.kind).refusals as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("已重新提交：%(kind)s") % {"kind": job.kind_label})
    back = request.headers.get("referer", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        back = reverse("accounts:home")
    return redirect(back)
