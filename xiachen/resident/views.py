"""The resident site: light sign-in, the home page of one's own work, the household's errands, return
reports, daily health reports, and the 长辈模式 (elder mode) switch."""

import uuid
from uuid import UUID

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiachen.core.client_ip import client_ip
from xiachen.core.redirects import safe_next
from xiachen.core.views import paginate
from xiachen.errands import quarantine
from xiachen.errands import services as errand_services
from xiachen.errands.selectors import access_household_errand, household_errands
from xiachen.households.models import Household

from . import services
from .access import ELDER_COOKIE, ELDER_MAX_AGE, items_per_list, resident_page
from .forms import CodeForm, ErrandForm, HealthReportForm, PhoneForm, RatingForm, ReturnForm
from .selectors import resident_home

PHONE_INDEX = "resident_login_phone_index"


@login_not_required
@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    form = PhoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            phone_index = services.phone_index_of(form.cleaned_data["phone"])
            services.request_code(phone_index=phone_index, client_ip=client_ip(request))
        except services.LoginError as refusal:
            form.add_error("phone", str(refusal))
        else:
            request.session[PHONE_INDEX] = phone_index
            messages.info(request, _("如果该手机号已在社区登记，验证码已发送，5 分钟内有效。"))
            return redirect("resident:verify")
    return render(request, "resident/login.html", {"form": form})


@login_not_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    phone_index = request.session.get(PHONE_INDEX)
    if not phone_index:
        return redirect("resident:login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            resident = services.verify_code(phone_index=phone_index, code=form.cleaned_data["code"])
            services.sign_in(request=request, resident=resident)
        except services.LoginError as refusal:
            form.add_error("code", str(refusal))
        else:
            return redirect("resident:home")
    return render(request, "resident/verify.html", {"form": form})


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("resident:login")


sign_out.login_url = "resident:login"


@resident_page
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    resident = request.resident
    return render(request, "resident/home.html", {
        "resident": resident,
        "work": resident_home(resident, limit=items_per_list(request)),
        "episode": quarantine.active_episode_of(resident),
    })


@resident_page
@require_GET
def errands(request: HttpRequest) -> HttpResponse:
    return render(request, "resident/errand_list.html", {
        "page": paginate(request, household_errands(request.resident), per_page=items_per_list(request) * 4),
    })


@login_not_required
@require_POST
def elder_mode(request: HttpRequest) -> HttpResponse:
    """Switch the 长辈模式 on (`on=1`) or off and go back to the page the switch was pressed on."""
    response = redirect(safe_next(request, default="resident:home"))
    if request.POST.get("on") == "1":
        response.set_cookie(ELDER_COOKIE, "1", max_age=ELDER_MAX_AGE, samesite="Lax", secure=request.is_secure())
    else:
        response.delete_cookie(ELDER_COOKIE, samesite="Lax")
    return response


@resident_page
@require_http_methods(["GET", "POST"])
def errand_new(request: HttpRequest) -> HttpResponse:
    resident = request.resident
    initial = {"household": resident.household.public_id, "submission_key": uuid.uuid4()}
    form = ErrandForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        household = Household.objects.filter(public_id=data["household"]).select_related("compound").first()
        try:
            if household is None or household.pk != resident.household_id:
                raise PermissionDenied("another household")
            errand, created = errand_services.request_errand(
                by=request.user, household=household, kind=data["kind"], details=data["details"],
                prescription_note=data["prescription_note"], submission_key=data["submission_key"],
            )
        except PermissionDenied:
            messages.error(request, _("只能为本户申请代办服务"))
            return redirect("resident:home")
        except errand_services.ErrandError as refusal:
            form.add_error(None, str(refusal))
        else:
            if created:
                messages.success(request, _("已提交，社区会尽快安排人员办理"))
            else:
                messages.info(request, _("该申请已经提交过，请勿重复提交"))
            return redirect("resident:errand_detail", public_id=errand.public_id)
    return render(request, "resident/errand_form.html", {"form": form})


@resident_page
@require_GET
def errand_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    errand = access_household_errand(request.resident, public_id)
    return render(request, "resident/errand_detail.html", {"errand": errand, "rating_form": RatingForm()})


def _errand_action(request, public_id, action, success: str) -> HttpResponse:
    errand = access_household_errand(request.resident, public_id)
    try:
        action(errand)
    except errand_services.ErrandError as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, success)
    return redirect("resident:errand_detail", public_id=errand.public_id)


def _rating(request) -> tuple[int | None, str]:
    form = RatingForm(request.POST)
    if not form.is_valid():
        raise errand_services.ErrandError(_("评分应为 1 到 5 分"))
    return form.cleaned_data["rating"], form.cleaned_data["comment"]


@resident_page
@require_POST
def errand_confirm(request: HttpRequest, public_id: UUID) -> HttpResponse:
    def confirm(errand):
        rating, comment = _rating(request)
        errand_services.confirm_errand(by=request.user, errand=errand, rating=rating, comment=comment)

    return _errand_action(request, public_id, confirm, _("已确认收到，谢谢您的评价"))


@resident_page
@require_POST
def errand_rate(request: HttpRequest, public_id: UUID) -> HttpResponse:
    def rate(errand):
        rating, comment = _rating(request)
        if rating is None:
            raise errand_services.ErrandError(_("请选择评分"))
        errand_services.rate_errand(by=request.user, errand=errand, rating=rating, comment=comment)

    return _errand_action(request, public_id, rate, _("谢谢您的评价"))


@resident_page
@require_POST
def errand_cancel(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _errand_action(
        request, public_id, lambda errand: errand_services.cancel_errand(by=request.user, errand=errand),
        _("已取消"),
    )


@resident_page
@require_http_methods(["GET", "POST"])
def return_new(request: HttpRequest) -> HttpResponse:
    form = ReturnForm(request.POST or None, initial={"submission_key": uuid.uuid4()})
    if request.method == "POST" and form.is_valid():
        try:
            _report, created = quarantine.report_return(by=request.user, resident=request.resident, **form.cleaned_data)
        except quarantine.QuarantineError as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("返回报备已提交") if created else _("该报备已经提交过，请勿重复提交"))
            return redirect("resident:home")
    return render(request, "resident/return_form.html", {"form": form})


@resident_page
@require_http_methods(["GET", "POST"])
def health_report(request: HttpRequest) -> HttpResponse:
    episode = quarantine.active_episode_of(request.resident)
    if episode is None:
        messages.info(request, _("您目前没有需要每日上报的隔离或健康监测"))
        return redirect("resident:home")
    form = HealthReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            quarantine.report_health(by=request.user, episode=episode, by_resident=True, **form.cleaned_data)
        except quarantine.QuarantineError as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("今日健康情况已上报"))
            return redirect("resident:home")
    return render(request, "resident/health_form.html", {"form": form, "episode": episode})
