"""Views for the shared Excel import flow; each app wires its importer in its own urls."""

from uuid import UUID

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiachen.accounts.permissions import require_permission

from .excel import ExcelRejected
from .imports import Importer, ImportRejected, commit_pending, stash_upload
from .models import PendingImport


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Excel 文件（.xlsx）"))


def import_page(request: HttpRequest, importer: Importer) -> HttpResponse:
    """GET: upload form. POST file: preview (nothing stored). POST pending: commit all-or-nothing."""
    require_permission(request.user, importer.permission)
    if request.method == "POST" and "pending" in request.POST:
        return _commit(request, importer)
    form = UploadForm(request.POST or None, request.FILES or None)
    context = {"importer": importer, "form": form}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        try:
            context["preview"] = importer.preview(by=request.user, data=data, filename=upload.name)
        except ExcelRejected as rejected:
            form.add_error("file", str(rejected))
        else:
            if context["preview"].ok:
                context["pending"] = stash_upload(by=request.user, kind=importer.kind, data=data, filename=upload.name)
    return render(request, "core/import.html", context)


def _commit(request: HttpRequest, importer: Importer) -> HttpResponse:
    try:
        pending_id = UUID(request.POST["pending"])
    except ValueError:
        raise Http404 from None
    pending = get_object_or_404(PendingImport, public_id=pending_id, uploaded_by=request.user, kind=importer.kind)
    form = UploadForm()
    try:
        count = commit_pending(by=request.user, importer=importer, pending=pending)
    except ImportRejected as rejected:
        return render(request, "core/import.html", {"importer": importer, "form": form, "preview": rejected.preview})
    except ExcelRejected as rejected:
        form.add_error(None, str(rejected))
        return render(request, "core/import.html", {"importer": importer, "form": form})
    messages.success(request, _("导入成功：共 %(count)d 行") % {"count": count})
    return redirect(request.path)


def template_download(request: HttpRequest, importer: Importer) -> HttpResponse:
    require_permission(request.user, importer.permission)
    response = HttpResponse(
        importer.template(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{importer.kind}-template.xlsx"'
    return response
