from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from xiachen.core.exports import xlsx_response
from xiachen.core.pagination import keyset_page

from . import selectors, services
from .registry import get_kind


@require_GET
def download_list(request: HttpRequest) -> HttpResponse:
    page = keyset_page(request, selectors.downloads_of(request.user), ordering=("-created_at", "-id"))
    return render(request, "downloads/download_list.html", {"page": page})


@require_POST
def download_new(request: HttpRequest, kind: str) -> HttpResponse:
    """Start an export of the filters posted by a list page's confirmation (see `large_export_page`)."""
    params = {key: value for key, value in request.POST.items() if key not in ("csrfmiddlewaretoken", "full")}
    try:
        job = services.request_download(by=request.user, kind=kind, params=params, full=request.POST.get("full") == "1")
    except services.DownloadError as refusal:
        messages.error(request, str(refusal))
        return redirect("downloads:list")
    return redirect("downloads:detail", public_id=job.public_id)


@require_GET
def download_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    job = selectors.access_download(request.user, public_id)
    return render(request, "downloads/download_detail.html", {"job": job})


@require_GET
def download_progress(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The progress partial, polled every second (htmx) while the file is being built."""
    job = selectors.access_download(request.user, public_id)
    return render(request, "downloads/download_progress.html", {"job": job})


@require_GET
def download_file(request: HttpRequest, public_id: UUID) -> HttpResponse:
    job = selectors.access_download(request.user, public_id, with_content=True)
    try:
        content = services.fetch_download(by=request.user, job=job)
    except services.DownloadError as refusal:
        messages.error(request, str(refusal))
        return redirect("downloads:detail", public_id=job.public_id)
    return xlsx_response(content, job.filename, reveals_personal_data=job.full)


def large_export_page(request: HttpRequest, *, kind: str, params: dict, rows: int, full: bool) -> HttpResponse:
    """What a list's export link shows when the export is too large to build in the request: the row
    count and one button that starts the background export with the same filters."""
    declared = get_kind(kind)
    return render(request, "downloads/confirm.html", {
        "kind": declared, "params": params, "rows": rows, "full": full,
    })
