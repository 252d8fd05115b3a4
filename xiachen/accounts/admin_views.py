"""The system administrator's pages: accounts, roles and their second approver, lockouts, import.

Thin: parse → admin_selectors / administration services → render. Temporary passwords are rendered
once, in the response to the POST that made them, and never put in a URL, message or session.
"""

from uuid import UUID

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiachen.core.import_views import import_page, template_download
from xiachen.core.views import paginate, query_without_page

from . import administration as admin
from .admin_selectors import (
    access_account,
    access_grant,
    access_membership,
    accounts_for_admin,
    can_pick_units,
    grants_of,
    is_locked,
    locked_attempts,
    memberships_of,
    pending_grants,
    pick_units,
    unit_by_public_id,
)
from .enums import Role
from .forms import AccountEditForm, AccountForm, NewPasswordForm, ReasonForm, RoleAssignForm
from .http import AuthenticatedHttpRequest
from .importers import STAFF_IMPORTER
from .permissions import has_permission, require_permission


@require_GET
def users(request: AuthenticatedHttpRequest) -> HttpResponse:
    filters = {key: request.GET.get(key, "") for key in ("q", "role", "status")}
    accounts = accounts_for_admin(request.user, query=filters["q"], role=filters["role"], status=filters["status"])
    return render(request, "accounts/user_list.html", {
        "page": paginate(request, accounts),
        "querystring": query_without_page(request),
        "filters": filters,
        "roles": list(Role),
        "can_manage": has_permission(request.user, "accounts.manage"),
        "locked_count": len(locked_attempts()),
        "pending_count": pending_grants(request.user).count(),
    })


@never_cache
@require_http_methods(["GET", "POST"])
def user_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_permission(request.user, "accounts.manage")
    form = AccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account, password = admin.create_user(by=request.user, **form.cleaned_data)
        except admin.AccountError as error:
            form.add_error("username", str(error))
        else:
            return _show_password(request, account, password, created=True)
    return render(request, "accounts/user_form.html", {"form": form})


def _show_password(request: AuthenticatedHttpRequest, account, password: str, *, created: bool) -> HttpResponse:
    response = render(request, "accounts/temporary_password.html",
                      {"account": account, "password": password, "created": created})
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def user_detail(request: AuthenticatedHttpRequest, public_id: UUID) -> HttpResponse:
    account = access_account(request.user, public_id)
    return render(request, "accounts/user_detail.html", _detail_context(request, account))


def _detail_context(request: AuthenticatedHttpRequest, account, role_form=None) -> dict:
    return {
        "account": account,
        "memberships": memberships_of(account),
        "grants": grants_of(account)[:20],
        "locked": is_locked(account),
        "has_totp": account.totpdevice_set.filter(confirmed=True).exists(),
        "can_manage": has_permission(request.user, "accounts.manage"),
        "role_form": role_form or RoleAssignForm(roles=admin.ASSIGNABLE_ROLES),
        "reason_form": ReasonForm(),
        "is_self": account.pk == request.user.pk,
    }


@require_http_methods(["GET", "POST"])
def user_edit(request: AuthenticatedHttpRequest, public_id: UUID) -> HttpResponse:
    account = access_account(request.user, public_id)
    require_permission(request.user, "accounts.manage")
    initial = {"display_name": account.display_name, "email": account.email}
    form = AccountEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        admin.update_user(by=request.user, user=account, **form.cleaned_data)
        messages.success(request, _("已保存"))
        return redirect("accounts:user_detail", account.public_id)
    return render(request, "accounts/user_form.html", {"form": form, "account": account})


@require_POST
def user_active(request: AuthenticatedHttpRequest, public_id: UUID) -> HttpResponse:
    account = access_account(request.user, public_id)
    require_permission(request.user, "accounts.manage")
    activate = request.POST.get("active") == "1"
    form = ReasonForm(request.POST)
    if not activate and not form.is_valid():
        messages.error(request, _("停用账号须填写原因"))
        return redirect("accounts:user_detail", account.public_id)
    try:
        admin.set_user_active(by=request.user, user=account, active=activate,
                              reason=form.cleaned_data.get("reason", "") if form.is_valid() else "")
    except admin.AccountError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("账号已启用") if activate else _("账号已停用，登录会话已全部结束"))
    return redirect("accounts:user_detail", account.public_id)


@never_cache
@require_POST
def user_password_reset(request: AuthenticatedHttpRequest, public_id: UUID) -> HttpResponse:
    account = access_account(request.user, public_id)
    password = admin.reset_password(by=request.user, user=account)
    return _show_password(request, account, password, created=False)


@require_POST
def user_totp_reset(request: AuthenticatedHttpRequest, public_id: UUID) -> HttpResponse:
    account = access_account(request.user, public_id)
    admin.reset_totp(by=request.user, user=account)
    messages.success(request, _("已重置身份验证器：该用户下次登录时须重新绑定"))
    return redirect("accounts:user_detail", account.public_id)


@require_POST
def user_unlock(request: AuthenticatedHttpRequest, public_id: UUID) -> HttpResponse:
    account = access_account(request.user, public_id)
    admin.unlock_user(by=request.user, username=account.username)
    messages.success(request, _("已解除登录锁定"))
    if request.POST.get("next") == "lockouts":
        return redirect("accounts:lockouts")
    return redirect("accounts:user_detail", account.public_id)


@require_POST
def role_assign(request: AuthenticatedHttpRequest, public_id: UUID) -> HttpResponse:
    account = access_account(request.user, public_id)
    require_permission(request.user, "accounts.manage")
    form = RoleAssignForm(request.POST, roles=admin.ASSIGNABLE_ROLES)
    if form.is_valid():
        unit = unit_by_public_id(request.user, form.cleaned_data["unit"])
        if unit is None:
            form.add_error("unit", _("请搜索并选择单位"))
        else:
            try:
                result = admin.assign_role(by=request.user, user=account, role=form.cleaned_data["role"], unit=unit)
            except admin.AccountError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _grant_message(result))
                return redirect("accounts:user_detail", account.public_id)
    return render(request, "accounts/user_detail.html", _detail_context(request, account, form), status=400)


def _grant_message(result) -> str:
    if isinstance(result, admin.RoleGrant):
        return _("已提交授予申请：%(role)s须由另一名系统管理员批准后生效") % {"role": result.get_role_display()}
    return _("已授予角色：%(role)s · %(unit)s") % {"role": result.get_role_display(), "unit": result.unit.name}


@require_POST
def membership_withdraw(request: AuthenticatedHttpRequest, public_id: UUID) -> HttpResponse:
    membership = access_membership(request.user, public_id)
    try:
        admin.withdraw_role(by=request.user, membership=membership)
    except admin.AccountError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("已撤销角色：%(role)s · %(unit)s")
                         % {"role": membership.get_role_display(), "unit": membership.unit.name})
    return redirect("accounts:user_detail", membership.user.public_id)


@require_GET
def grants(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "accounts/grant_list.html", {
        "grants": pending_grants(request.user),
        "can_manage": has_permission(request.user, "accounts.manage"),
    })


@require_POST
def grant_decide(request: AuthenticatedHttpRequest, public_id: UUID) -> HttpResponse:
    grant = access_grant(request.user, public_id)
    approve = request.POST.get("decision") == "approve"
    try:
        if approve:
            admin.approve_grant(by=request.user, grant=grant)
        else:
            admin.reject_grant(by=request.user, grant=grant)
    except admin.AccountError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("已批准，角色已生效") if approve else _("已驳回该申请"))
    return redirect("accounts:grants")


@require_GET
def lockouts(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_permission(request.user, "accounts.view")
    attempts = locked_attempts()
    known = {account.username: account for account in
             accounts_for_admin(request.user).filter(username__in=[attempt.username for attempt in attempts])}
    rows = [(attempt, known.get(attempt.username)) for attempt in attempts]
    return render(request, "accounts/lockouts.html", {"rows": rows})


@require_GET
def unit_picker(request: AuthenticatedHttpRequest) -> HttpResponse:
    """htmx: the units matching the typed text (`unit_q`), as radio buttons named `unit`."""
    if not can_pick_units(request.user):
        require_permission(request.user, "accounts.manage")
    return render(request, "accounts/unit_options.html", {
        "options": pick_units(request.user, query=request.GET.get("unit_q", "")),
        "query": request.GET.get("unit_q", "").strip(),
    })


@require_http_methods(["GET", "POST"])
def staff_import(request: AuthenticatedHttpRequest) -> HttpResponse:
    return import_page(request, STAFF_IMPORTER)


@require_GET
def staff_import_template(request: AuthenticatedHttpRequest) -> HttpResponse:
    return template_download(request, STAFF_IMPORTER)


@never_cache
@require_http_methods(["GET", "POST"])
def password_change(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every signed-in user may change their password; those with a temporary one are sent here."""
    form = NewPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            admin.change_own_password(user=request.user, new_password=form.cleaned_data["new_password1"])
        except ValidationError as error:
            for message in error.messages:
                form.add_error("new_password1", message)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, _("密码已修改"))
            return redirect("accounts:home")
    return render(request, "accounts/password_change.html", {"form": form})
