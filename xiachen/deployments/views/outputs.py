"""Downloads of a published round: the plan as Excel per agency and per receiving unit, and a
cadre's 派驻通知 as PDF. Objects come through the scoped `access_*` helpers (404 when missing, not
yours, or the round is not published)."""

import re
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from xiachen.core.exports import xlsx_response

from .. import outputs


@require_GET
def plan_agency_xlsx(request: HttpRequest, round_id: UUID, agency_id: UUID) -> HttpResponse:
    round_ = outputs.access_output_round(request.user, round_id)
    agency = outputs.access_agency(request.user, agency_id)
    content = outputs.plan_workbook_for_agency(by=request.user, round_=round_, agency=agency)
    return xlsx_response(content, f"plan-{_ascii(agency.code)}-{round_.public_id}.xlsx")


@require_GET
def plan_unit_xlsx(request: HttpRequest, round_id: UUID, unit_id: UUID) -> HttpResponse:
    round_ = outputs.access_output_round(request.user, round_id)
    unit = outputs.access_receiving_unit(request.user, unit_id)
    content = outputs.plan_workbook_for_unit(by=request.user, round_=round_, unit=unit)
    return xlsx_response(content, f"plan-{_ascii(unit.code)}-{round_.public_id}.xlsx")


@require_GET
def notice_pdf(request: HttpRequest, match_id: UUID) -> HttpResponse:
    match = outputs.access_notice_match(request.user, match_id)
    response = HttpResponse(outputs.assignment_notice_pdf(by=request.user, match=match), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="notice-{match.public_id}.pdf"'
    return response


def _ascii(code: str) -> str:
    """Unit codes go into a download name only as far as they are plain ASCII."""
    return re.sub(r"[^A-Za-z0-9_-]", "", code) or "unit"
