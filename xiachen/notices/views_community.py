"""Staff pages of community notices: the list with read counts, publishing, a notice with its read
receipts (who has not read yet), attachment download. Opening a notice records its reading."""

from uuid import UUID

from django.contrib import messages
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from xiachen.accounts.http import AuthenticatedHttpRequest
from xiachen.accounts.permissions import require_permission
from xiachen.core.uploads import attachment_response
from xiachen.core.views import paginate
from xiachen.ops import jobs
from xiachen.policies.models import PolicyVersion
from xiachen.policies.selectors import documents_visible_to

from . import community
from . import jobs as notice_jobs
from .forms import NoticeForm


@require_GET
def notice_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    notices = community.staff_notice_list(request.user)
    return render(request, "notices/community_list.html", {
        "page": paginate(request, notices), "querystring": "",
        "can_publish": bool(community.publishable_compounds(request.user).exists()),
    })


@require_http_methods(["GET", "POST"])
def notice_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_permission(request.user, "notices.publish")
    versions = PolicyVersion.objects.filter(document__in=documents_visible_to(request.user)).select_related(
        "document"
    ).order_by("document__title", "-number")
    form = NoticeForm(request.POST or None, request.FILES or None,
                      compounds=community.publishable_compounds(request.user), versions=versions)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        attachments = [(data["attachment_title"], data["attachment"])] if data["attachment"] else []
        try:
            notice = community.publish_notice(
                by=request.user, title=data["title"], body=data["body"], compounds=data["compounds"],
                buildings=data["buildings"], to_staff=data["to_staff"], policy_version=data["policy_version"],
                attachments=attachments, deliver=False,
            )
        except community.NoticeError as refusal:
            form.add_error(None, str(refusal))
        else:  # receipts and notifications in the background: thousands of residents in a city community
            jobs.start(by=request.user, kind=notice_jobs.DELIVER, subject=notice)
            messages.success(request, _("通知已发布，正在发送给居民和工作人员"))
            return redirect("notices:community_detail", public_id=notice.public_id)
    return render(request, "notices/community_form.html", {"form": form})


@require_GET
def notice_detail(request: AuthenticatedHttpRequest, public_id: UUID) -> HttpResponse:
    notice = community.access_notice(request.user, public_id)
    community.mark_notice_read(notice, user=request.user)
    show_receipts = community.can_see_receipts(request.user, notice)
    return render(request, "notices/community_detail.html", {
        "notice": notice,
        "targets": notice.targets.select_related("compound"),
        "attachments": notice.attachments.all(),
        "receipts": community.receipt_summary(notice) if show_receipts else None,
    })


@require_GET
def attachment(request: AuthenticatedHttpRequest, public_id: UUID) -> FileResponse:
    item = community.access_attachment(request.user, public_id)
    return attachment_response(item.file)
