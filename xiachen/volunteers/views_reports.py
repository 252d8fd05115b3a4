"""The agency's quarterly feedback (page, Excel, PDF) and the 双报到 statistics page."""

from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from xiachen.accounts.permissions import require_permission
from xiachen.core.exports import xlsx_response

from . import feedback as fb
from . import stats as statistics


def _choice(request, public_id=None, quarter_code=None):
    agencies = fb.agencies_for(request.user)
    chosen = public_id or request.GET.get("agency")
    agency = get_object_or_404(agencies, public_id=chosen) if chosen else agencies.first()
    quarter = fb.parse_quarter(quarter_code or request.GET.get("quarter")) or fb.recent_quarters(1)[0]
    if quarter_code is not None and fb.parse_quarter(quarter_code) is None:
        raise Http404
    return agencies, agency, quarter


@require_GET
def feedback(request: HttpRequest) -> HttpResponse:
    require_permission(request.user, "volunteers.agency_feedback")
    agencies, agency, quarter = _choice(request)
    rows = fb.rows_for(agency, quarter) if agency else []
    return render(request, "volunteers/feedback.html", {
        "agencies": agencies, "agency": agency, "quarter": quarter, "quarters": fb.recent_quarters(),
        "rows": rows, "summary": fb.summary(rows)})


@require_GET
def feedback_xlsx(request: HttpRequest, public_id: UUID, quarter: str) -> HttpResponse:
    require_permission(request.user, "volunteers.agency_feedback")
    _agencies, agency, chosen = _choice(request, public_id, quarter)
    content = fb.workbook(by=request.user, agency=agency, quarter=chosen)
    return xlsx_response(content, f"feedback-{chosen.code}.xlsx", reveals_personal_data=True)


@require_GET
def feedback_pdf(request: HttpRequest, public_id: UUID, quarter: str) -> HttpResponse:
    require_permission(request.user, "volunteers.agency_feedback")
    _agencies, agency, chosen = _choice(request, public_id, quarter)
    response = HttpResponse(fb.pdf(by=request.user, agency=agency, quarter=chosen), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="feedback-{chosen.code}.pdf"'
    response.reveals_personal_data = True
    return response


@require_GET
def stats(request: HttpRequest) -> HttpResponse:
    require_permission(request.user, "volunteers.view_members")
    data = statistics.figures(request.user)
    return render(request, "volunteers/stats.html", {
        "data": data, "charts_json": [chart.as_json() for chart in data["charts"]]})
