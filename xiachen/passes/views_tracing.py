"""流调追踪: who passed the same gates as a person (by pass or checkpoint registration), and the export."""

from datetime import datetime, time, timedelta
from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from xiachen.accounts.permissions import require_permission, scope_paths
from xiachen.core.excel import build_workbook
from xiachen.core.exports import xlsx_response
from xiachen.org.models import path_within

from . import tracing
from .checkpoint import entries_visible_to
from .models import Pass


def _uuid(value: str) -> UUID | None:
    try:
        return UUID(value.strip()) if value.strip() else None
    except ValueError:
        return None


def _day(value: str, default):
    try:
        return datetime.strptime(value, "%Y-%m-%d").date() if value else default
    except ValueError:
        return default


def _params(data) -> dict:
    today = timezone.localdate()
    first = _day(data.get("from", ""), today - timedelta(days=13))
    last = _day(data.get("to", ""), today)
    try:
        interval = int(data.get("interval") or tracing.DEFAULT_INTERVAL_MINUTES)
    except ValueError:
        interval = 0
    return {"pass": data.get("pass", "").strip(), "entry": data.get("entry", "").strip(),
            "from": first, "to": last, "interval": interval}


def _subject(user, params):
    """The traced pass or entry, within the tracer's scope (404 for missing and not yours)."""
    if params["entry"]:
        entry_id = _uuid(params["entry"])
        if entry_id is None:
            raise Http404
        return get_object_or_404(entries_visible_to(user), public_id=entry_id, purged_at__isnull=True)
    pass_id = _uuid(params["pass"])
    if pass_id is None:
        return None
    passes = Pass.objects.filter(path_within(scope_paths(user, tracing.PERMISSION), field="community_path"))
    return get_object_or_404(passes.select_related("household"), public_id=pass_id)


def _trace(user, params, subject) -> tracing.Trace:
    zone = timezone.get_current_timezone()
    start = datetime.combine(params["from"], time.min, tzinfo=zone)
    end = datetime.combine(params["to"] + timedelta(days=1), time.min, tzinfo=zone)
    arguments = {"by": user, "start": start, "end": end, "interval_minutes": params["interval"]}
    if isinstance(subject, Pass):
        return tracing.trace_pass(pass_obj=subject, **arguments)
    return tracing.trace_entry(entry=subject, **arguments)


@require_GET
def tracing_page(request: HttpRequest) -> HttpResponse:
    require_permission(request.user, tracing.PERMISSION)
    params = _params(request.GET)
    subject = _subject(request.user, params) if (params["pass"] or params["entry"]) else None
    trace, error = None, ""
    if params["pass"] and subject is None:
        error = _("通行证编号格式不正确")
    elif subject is not None:
        try:
            trace = _trace(request.user, params, subject)
        except tracing.TracingError as problem:
            error = str(problem)
    return render(request, "passes/tracing.html", {
        "params": params, "trace": trace, "error": error,
        "may_export_full": trace is not None and tracing.may_export_full(request.user, trace),
        "max_interval": tracing.MAX_INTERVAL_MINUTES,
    })


@require_POST
def tracing_export(request: HttpRequest) -> HttpResponse:
    """The contact list as Excel: masked unless the tracer may export the households in full (audited)."""
    require_permission(request.user, tracing.PERMISSION)
    params = _params(request.POST)
    subject = _subject(request.user, params)
    if subject is None:
        raise Http404
    full = request.POST.get("full") == "1"
    try:
        trace = _trace(request.user, params, subject)
        tracing.record_export(by=request.user, trace=trace, full=full, target=subject)
    except tracing.TracingError as problem:
        return HttpResponse(str(problem), status=400, content_type="text/plain; charset=utf-8")
    headers, rows = tracing.export_rows(trace, full=full)
    content = build_workbook(headers, rows, title=_("密接名单"))
    name = f"tracing-{params['from']}-{params['to']}{'-full' if full else ''}.xlsx"
    return xlsx_response(content, name, reveals_personal_data=full)
