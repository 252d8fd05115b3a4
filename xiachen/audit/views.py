"""The security auditor's pages: the filtered trail (keyset pages), its Excel export, chain checks."""

from uuid import UUID

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from xiachen.accounts.admin_selectors import full_names, unit_by_public_id
from xiachen.accounts.http import AuthenticatedHttpRequest
from xiachen.accounts.permissions import has_permission, require_permission

from .exports import export_events
from .forms import AuditFilterForm
from .models import ChainCheck
from .selectors import AuditFilters, audit_events_for, chain_checks_for, keyset_page, readable, target_type_choices
from .services import start_chain_check


def _filters(request: AuthenticatedHttpRequest) -> tuple[AuditFilterForm, AuditFilters]:
    require_permission(request.user, "audit.view")
    form = AuditFilterForm(request.GET or None, target_types=target_type_choices(request.user))
    if not form.is_bound or not form.is_valid():
        return form, AuditFilters()
    data = form.cleaned_data
    unit = unit_by_public_id(request.user, data["unit"]) if data.get("unit") else None
    filters = AuditFilters(date_from=data["date_from"], date_to=data["date_to"], unit=unit,
                           target_type=data["target_type"], actor=data["actor"].strip(), action=data["action"])
    return form, filters


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        raise Http404 from None


@require_GET
def event_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    form, filters = _filters(request)
    page = keyset_page(audit_events_for(request.user, filters),
                       before=_int(request.GET.get("before")), after=_int(request.GET.get("after")))
    params = request.GET.copy()
    params.pop("before", None)
    params.pop("after", None)
    return render(request, "audit/event_list.html", {
        "form": form,
        "rows": readable(page.events),
        "page": page,
        "querystring": params.urlencode(),
        "selected_unit": (filters.unit, full_names([filters.unit])[0]) if filters.unit else None,
        "can_export": has_permission(request.user, "audit.export"),
        "can_verify": has_permission(request.user, "audit.verify"),
        "last_check": ChainCheck.objects.first() if has_permission(request.user, "audit.verify") else None,
    })


@require_GET
def event_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    _form, filters = _filters(request)
    data, _count = export_events(by=request.user, filters=filters)
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.xlsx"'
    return response


@require_POST
def chain_verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    check = start_chain_check(by=request.user)
    return redirect("audit:check", check.public_id)


@require_GET
def chain_check(request: AuthenticatedHttpRequest, public_id: UUID) -> HttpResponse:
    """The check's result, or its progress bar while it runs (polled by htmx every second)."""
    check = get_object_or_404(chain_checks_for(request.user), public_id=public_id)
    if request.htmx:
        response = render(request, "audit/check_progress.html", {"check": check})
        if check.status != ChainCheck.Status.RUNNING:
            response["HX-Refresh"] = "true"  # finished: reload to show the result
        return response
    return render(request, "audit/check.html", {"check": check, "checks": chain_checks_for(request.user)[:10]})
