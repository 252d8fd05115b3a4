"""Views for the shared import flow; each app wires its importer in its own urls.

One page per import: GET shows the upload form and the user's latest upload of this kind (its
progress while the worker handles it, its preview, its result or why it failed; GET ?errors=<upload>
downloads the error list; GET ?progress=<upload> is the polled progress fragment). POST a file
previews it (nothing stored; the file is kept encrypted as a pending upload) — inside the request
when small, else by the worker; POST action=sheet picks the sheet when several could hold the data;
POST action=confirm commits all-or-nothing (large files by the worker); POST action=retry runs a
failed background step again.
"""

from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiachen.accounts.http import AuthenticatedHttpRequest
from xiachen.accounts.permissions import require_permission
from xiachen.audit import services as audit
from xiachen.ops import leases

from . import import_jobs
from .excel import ExcelRejected, SheetChoiceNeeded
from .exports import xlsx_response
from .imports import (
    Importer,
    ImportPreview,
    ImportRejected,
    NeedsBackground,
    commit_pending,
    stash_upload,
    unstash_upload,
)
from .models import ImportStatus, PendingImport
from .spreadsheets import ACCEPTED


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("表格文件（.xlsx、.xls、.ods 或 .csv）"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ACCEPTED)}),
    )


def import_page(request: AuthenticatedHttpRequest, importer: Importer) -> HttpResponse:
    """GET: upload form and the latest upload's state, error list, or progress fragment. POST: preview,
    choose sheet, commit or retry."""
    require_permission(request.user, importer.permission)
    if request.method == "GET" and "errors" in request.GET:
        return _error_list(request, importer)
    if request.method == "GET" and "progress" in request.GET:
        return _progress(request, importer)
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "confirm" or (request.method == "POST" and "pending" in request.POST and not action):
        return _commit(request, importer)
    if action == "sheet":
        return _choose_sheet(request, importer)
    if action == "retry":
        pending = _pending(request, importer, request.POST.get("pending"))
        if pending.status == ImportStatus.FAILED and pending.content:
            import_jobs.retry(by=request.user, pending=pending)
        return redirect(request.path)
    form = UploadForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"importer": importer, "form": form}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        context.update(_preview(request, importer, form, upload.read(), upload.name))
        if context.get("pending") is not None and context["pending"].is_running:
            return redirect(request.path)
    elif request.method == "GET":
        context.update(_latest(request, importer))
    return render(request, "core/import.html", context)


def _latest(request: AuthenticatedHttpRequest, importer: Importer) -> dict:
    """The user's latest upload of this kind, as the page shows it when they come back."""
    pending = PendingImport.objects.filter(kind=importer.kind, uploaded_by=request.user).order_by("-created_at").first()
    if pending is None:
        return {}
    if pending.is_running:
        leases.reclaim_stale(obj=pending)  # a dead worker is noticed here, not only by the minute job
        pending.refresh_from_db()
    context: dict[str, Any] = {"latest": pending}
    if pending.status == ImportStatus.READY and pending.summary:
        context.update(preview=ImportPreview.from_summary(pending.summary), pending=pending)
    return context


def _progress(request: AuthenticatedHttpRequest, importer: Importer) -> HttpResponse:
    """The progress fragment, polled every second while the worker runs; reloads the page when done."""
    pending = _pending(request, importer, request.GET.get("progress"))
    if pending.is_running:
        leases.reclaim_stale(obj=pending)
        pending.refresh_from_db()
    response = render(request, "core/import_progress.html", {"latest": pending})
    if not pending.is_running:
        response["HX-Refresh"] = "true"
    return response


def _preview(request: AuthenticatedHttpRequest, importer: Importer, form: UploadForm, data: bytes, filename: str,
             *, sheet: str | None = None, pending: PendingImport | None = None) -> dict:
    """Preview `data` (inside the request up to the inline limits, else queued for the worker); keep
    it as a pending upload unless the file is refused as a whole."""
    # A large file is only opened here (type, size, sheet, header): the first data row hands it over.
    inline = 0 if import_jobs.is_large(size=len(data)) else import_jobs.inline_rows()
    try:
        preview = importer.preview(by=request.user, data=data, filename=filename, sheet=sheet, inline_rows=inline)
    except ExcelRejected as rejected:
        form.add_error("file" if pending is None else None, str(rejected))
        if pending is not None:
            pending.delete()
        return {}
    except SheetChoiceNeeded as choice:
        pending = pending or stash_upload(by=request.user, kind=importer.kind, data=data, filename=filename)
        return {"pending": pending, "sheet_names": choice.names}
    except NeedsBackground:
        pending = _kept(request, importer, data, filename, sheet, pending)
        return {"pending": import_jobs.start(by=request.user, pending=pending, phase="preview")}
    pending = _kept(request, importer, data, filename, sheet, pending)
    pending.status, pending.summary, pending.total_rows = ImportStatus.READY, preview.summary(), preview.total_rows
    pending.progress, pending.progress_note = 100, ""
    pending.save(update_fields=["status", "summary", "total_rows", "progress", "progress_note", "updated_at"])
    return {"preview": preview, "pending": pending}


def _kept(request, importer: Importer, data: bytes, filename: str, sheet: str | None,
          pending: PendingImport | None) -> PendingImport:
    if pending is None:
        return stash_upload(by=request.user, kind=importer.kind, data=data, filename=filename, sheet=sheet or "")
    if sheet is not None:
        pending.sheet = sheet[:100]
        pending.save(update_fields=["sheet", "updated_at"])
    return pending


def _pending(request: AuthenticatedHttpRequest, importer: Importer, public_id: str | None) -> PendingImport:
    try:
        pending_id = UUID(public_id)
    except (ValueError, TypeError):
        raise Http404 from None
    return get_object_or_404(PendingImport, public_id=pending_id, uploaded_by=request.user, kind=importer.kind)


def _choose_sheet(request: AuthenticatedHttpRequest, importer: Importer) -> HttpResponse:
    pending = _pending(request, importer, request.POST.get("pending"))
    form = UploadForm()
    context: dict[str, Any] = {"importer": importer, "form": form}
    context.update(_preview(request, importer, form, unstash_upload(pending), pending.filename,
                            sheet=request.POST.get("sheet", ""), pending=pending))
    if context.get("pending") is not None and context["pending"].is_running:
        return redirect(request.path)
    return render(request, "core/import.html", context)


def _commit(request: AuthenticatedHttpRequest, importer: Importer) -> HttpResponse:
    pending = _pending(request, importer, request.POST.get("pending"))
    form = UploadForm()
    if pending.is_running or pending.status != ImportStatus.READY:
        return redirect(request.path)  # a second click, or the page of an upload already handled
    if import_jobs.is_large(size=len(pending.content) * 3 // 4, rows=pending.total_rows):
        import_jobs.start(by=request.user, pending=pending, phase="commit")
        return redirect(request.path)
    try:
        count = commit_pending(by=request.user, importer=importer, pending=pending)
    except ImportRejected as rejected:
        context = {"importer": importer, "form": form, "preview": rejected.preview, "pending": pending}
        return render(request, "core/import.html", context)
    except (ExcelRejected, SheetChoiceNeeded) as rejected:
        form.add_error(None, str(rejected) if isinstance(rejected, ExcelRejected) else _("请重新上传文件"))
        return render(request, "core/import.html", {"importer": importer, "form": form})
    messages.success(request, _("导入成功：共 %(count)d 行") % {"count": count})
    return redirect(request.path)


def _error_list(request: AuthenticatedHttpRequest, importer: Importer) -> HttpResponse:
    """The uploader's own rows with errors, unmasked (they fix and upload it again); audited."""
    pending = _pending(request, importer, request.GET.get("errors"))
    try:
        content = importer.error_workbook(by=request.user, data=unstash_upload(pending), filename=pending.filename,
                                          sheet=pending.sheet or None)
    except (ExcelRejected, SheetChoiceNeeded):
        raise Http404 from None
    audit.record(actor=request.user, action="import.errors_downloaded", fields={"kind": importer.kind})
    return xlsx_response(content, f"{importer.kind}-errors.xlsx", reveals_personal_data=True)


def template_download(request: AuthenticatedHttpRequest, importer: Importer) -> HttpResponse:
    require_permission(request.user, importer.permission)
    response = HttpResponse(
        importer.template(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{importer.kind}-template.xlsx"'
    return response
