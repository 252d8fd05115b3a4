"""Pages of the policy feedback loop: documents and versions, filing and answering feedback, the ledger."""

from uuid import UUID

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiachen.accounts.permissions import has_permission, require_permission
from xiachen.core.models import Holiday
from xiachen.core.uploads import attachment_response, image_response
from xiachen.core.views import paginate, query_without_page

from . import selectors, services
from .forms import AnswerForm, DocumentForm, FeedbackForm, HolidayForm, VersionForm
from .models import is_overdue
from .pickers import pass_policy_label


@require_GET
def documents(request: HttpRequest) -> HttpResponse:
    return render(request, "policies/document_list.html", {
        "page": paginate(request, selectors.document_list(request.user)),
        "querystring": query_without_page(request),
        "can_manage": has_permission(request.user, "policies.manage_documents"),
    })


@require_http_methods(["GET", "POST"])
def document_new(request: HttpRequest) -> HttpResponse:
    require_permission(request.user, "policies.manage_documents")
    form = DocumentForm(request.POST or None, agencies=selectors.agencies_for(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            document = services.create_document(by=request.user, **form.cleaned_data)
        except services.PolicyError as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("已登记政策文件，请添加第一版正文"))
            return redirect("policies:version_new", public_id=document.public_id)
    return render(request, "policies/document_form.html", {"form": form})


@require_GET
def document_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    document = selectors.access_document(request.user, public_id)
    return render(request, "policies/document_detail.html", {
        "document": document,
        "versions": document.versions.prefetch_related("answers").order_by("-number"),
        "can_manage": has_permission(request.user, "policies.manage_documents", document.issuing_agency),
    })


@require_http_methods(["GET", "POST"])
def version_new(request: HttpRequest, public_id: UUID) -> HttpResponse:
    document = selectors.access_document(request.user, public_id)
    require_permission(request.user, "policies.manage_documents", document.issuing_agency)
    form = VersionForm(request.POST or None, request.FILES or None, citable=selectors.citable_feedback(document),
                       user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        attachments = [(data["attachment_title"] or data["attachment"].name, data["attachment"])] if data[
            "attachment"] else []
        try:
            version = services.add_version(
                by=request.user, document=document, effective_from=data["effective_from"], text=data["text"],
                change_note=data["change_note"], answers=list(data["answers"]), attachments=attachments,
                pass_policy_version_id=str(data["pass_policy"].public_id) if data["pass_policy"] else "",
                pass_policy_version_label=pass_policy_label(data["pass_policy"]) if data["pass_policy"] else "",
            )
        except services.PolicyError as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("已发布新版本"))
            return redirect("policies:version_detail", public_id=version.public_id)
    return render(request, "policies/version_form.html", {"form": form, "document": document})


@require_GET
def version_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    version = selectors.access_version(request.user, public_id)
    return render(request, "policies/version_detail.html", {
        "version": version,
        "document": version.document,
        "attachments": version.attachments.all(),
        "answers": version.answers.select_related("version"),
        "page": paginate(request, version.feedback.order_by("-created_at", "-id")),
        "querystring": query_without_page(request),
        "can_file": has_permission(request.user, "policies.file_feedback"),
        "today": timezone.localdate(),
    })


@require_GET
def attachment(request: HttpRequest, public_id: UUID) -> FileResponse:
    item = selectors.access_attachment(request.user, public_id)
    return attachment_response(item.file)


@require_http_methods(["GET", "POST"])
def feedback_new(request: HttpRequest, public_id: UUID) -> HttpResponse:
    version = selectors.access_version(request.user, public_id)
    require_permission(request.user, "policies.file_feedback")
    form = FeedbackForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.file_feedback(by=request.user, version=version, **form.cleaned_data)
        except services.PolicyError as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("反馈已提交，发文单位须在 %(due)s 前答复") % {"due": item.due_date.isoformat()})
            return redirect("policies:feedback_detail", public_id=item.public_id)
    return render(request, "policies/feedback_form.html", {"form": form, "version": version})


@require_GET
def feedback_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    item = selectors.access_feedback(request.user, public_id)
    can_see_author = selectors.sees_author(request.user, item)
    return render(request, "policies/feedback_detail.html", {
        "item": item,
        "can_see_author": can_see_author,
        "photos": item.photos.all() if can_see_author else [],
        "can_answer": has_permission(request.user, "policies.answer_feedback"),
        "overdue": is_overdue(item, timezone.localdate()),
        "answer_form": AnswerForm(),
        "versions_citing": item.answered_by_versions.select_related("document"),
    })


@require_POST
def feedback_answer(request: HttpRequest, public_id: UUID) -> HttpResponse:
    item = selectors.access_feedback(request.user, public_id)
    require_permission(request.user, "policies.answer_feedback")
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择答复结果"))
        return redirect("policies:feedback_detail", public_id=item.public_id)
    try:
        services.answer_feedback(by=request.user, item=item, **form.cleaned_data)
    except services.PolicyError as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("已答复"))
    return redirect("policies:feedback_detail", public_id=item.public_id)


@require_GET
def feedback_photo(request: HttpRequest, public_id: UUID) -> FileResponse:
    photo = selectors.access_photo(request.user, public_id)
    return image_response(photo.image)


@require_GET
def my_feedback(request: HttpRequest) -> HttpResponse:
    require_permission(request.user, "policies.file_feedback")
    return render(request, "policies/my_feedback.html", {
        "page": paginate(request, selectors.my_feedback(request.user)),
        "querystring": query_without_page(request),
        "today": timezone.localdate(),
    })


@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    return render(request, "policies/inbox.html", {
        "page": paginate(request, selectors.feedback_to_answer(request.user)),
        "querystring": query_without_page(request),
        "today": timezone.localdate(),
    })


@require_GET
def ledger(request: HttpRequest) -> HttpResponse:
    filters = {key: request.GET.get(key, "") for key in ("agency", "state")}
    return render(request, "policies/ledger.html", {
        "counts": selectors.ledger_counts(request.user),
        "page": paginate(request, selectors.ledger_items(request.user, **filters)),
        "querystring": query_without_page(request),
        "filters": filters,
        "today": timezone.localdate(),
    })


@require_http_methods(["GET", "POST"])
def holidays(request: HttpRequest) -> HttpResponse:
    require_permission(request.user, "policies.oversee")
    form = HolidayForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            services.save_holiday(by=request.user, day=data["day"], name=data["name"], is_workday=data["is_workday"])
            messages.success(request, _("已保存"))
            return redirect("policies:holidays")
        return render(request, "policies/holidays.html", {"form": form, "holidays": Holiday.objects.all()},
                      status=400)
    return render(request, "policies/holidays.html", {"form": form, "holidays": Holiday.objects.all()})


@require_POST
def holiday_delete(request: HttpRequest, day: str) -> HttpResponse:
    require_permission(request.user, "policies.oversee")
    holiday = get_object_or_404(Holiday, date=day)
    services.delete_holiday(by=request.user, holiday=holiday)
    messages.success(request, _("已删除"))
    return redirect("policies:holidays")
