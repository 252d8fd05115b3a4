"""Community notices on the resident site: the household's notices, reading one (which records
the read receipt), downloading its attachments."""

from uuid import UUID

from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from xiachen.core.uploads import attachment_response
from xiachen.core.views import paginate
from xiachen.notices import community

from .access import resident_page


@resident_page
@require_GET
def notices(request: HttpRequest) -> HttpResponse:
    return render(request, "resident/notice_list.html", {
        "page": paginate(request, community.resident_notices(request.resident), per_page=20),
    })


@resident_page
@require_GET
def notice_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    notice = community.access_resident_notice(request.resident, public_id)
    community.mark_notice_read(notice, resident=request.resident)
    return render(request, "resident/notice_detail.html", {
        "notice": notice, "attachments": notice.attachments.all(),
    })


@resident_page
@require_GET
def notice_attachment(request: HttpRequest, public_id: UUID) -> FileResponse:
    item = community.access_resident_attachment(request.resident, public_id)
    return attachment_response(item.file)
