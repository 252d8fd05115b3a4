"""The system administrator's directory sync page: a dry-run report, then apply what it showed."""

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from xiachen.accounts.http import AuthenticatedHttpRequest
from xiachen.accounts.permissions import require_permission

from .ldap_directory import DirectoryError, all_people, ldap_enabled
from .ldap_sync import reconcile


@never_cache
@require_http_methods(["GET", "POST"])
def directory_sync(request: AuthenticatedHttpRequest) -> HttpResponse:
    """GET ?preview=1 reads the directory and shows the dry run; POST applies it if nothing changed since."""
    require_permission(request.user, "accounts.manage")
    context: dict[str, Any] = {"enabled": ldap_enabled(), "report": None}
    if context["enabled"] and (request.method == "POST" or request.GET.get("preview")):
        try:
            people = all_people()
        except DirectoryError:
            messages.error(request, _("无法读取目录，请检查LDAP配置和网络。"))
            return render(request, "identity/directory_sync.html", context)
        report = reconcile(people, apply=False)
        if request.method == "POST" and request.POST.get("fingerprint") == report.fingerprint:
            reconcile(people, apply=True, by=request.user)
            messages.success(request, _("已按预览结果完成同步，共 %(count)d 项变更。") % {"count": len(report.changes)})
            return redirect("identity:directory_sync")
        if request.method == "POST":
            messages.warning(request, _("目录在预览后发生了变化，请核对新的预览结果后再确认。"))
        context["report"] = report
    return render(request, "identity/directory_sync.html", context)
