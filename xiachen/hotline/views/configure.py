"""Settings of the organization department: category deadlines, routing rules, working calendar, holidays."""

from datetime import date
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from xiachen.accounts.permissions import require_permission
from xiachen.core.models import Holiday
from xiachen.org.models import Unit

from ..enums import ResponseClock
from ..forms import CalendarForm, CategoryForm, HolidayForm, RuleForm
from ..models import Category, RoutingRule, WorkingCalendar
from ..selectors import can_own
from ..settings_services import add_rule, delete_rule, save_setting


def _page(request: HttpRequest, **forms) -> HttpResponse:
    calendar, _created = WorkingCalendar.objects.get_or_create(pk=1)
    context = {
        "categories": Category.objects.all(),
        "response_clocks": ResponseClock.choices,
        "rules": RoutingRule.objects.select_related("category", "area", "unit"),
        "holidays": Holiday.objects.filter(date__year__gte=timezone.localdate().year - 1),
        "calendar_form": forms.get("calendar_form") or CalendarForm(instance=calendar),
        "holiday_form": forms.get("holiday_form") or HolidayForm(),
        "rule_form": RuleForm(user=request.user),  # searchable pickers: a city has 1,600 ownable units
    }
    return render(request, "hotline/settings.html", context, status=400 if forms else 200)


@require_GET
def settings_page(request: HttpRequest) -> HttpResponse:
    require_permission(request.user, "hotline.configure")
    return _page(request)


@require_POST
def category_save(request: HttpRequest, code: str) -> HttpResponse:
    require_permission(request.user, "hotline.configure")
    category = get_object_or_404(Category, code=code)
    form = CategoryForm(request.POST, instance=category)
    if not form.is_valid():
        messages.error(request, _("分类“%(name)s”未保存：%(errors)s") % {"name": category.name_zh,
                                                                         "errors": _errors(form)})
    else:
        save_setting(by=request.user, form=form, action="hotline.category_changed")
        messages.success(request, _("已保存分类“%(name)s”的时限") % {"name": category.name_zh})
    return redirect("hotline:settings")


@require_POST
def calendar_save(request: HttpRequest) -> HttpResponse:
    require_permission(request.user, "hotline.configure")
    calendar, _created = WorkingCalendar.objects.get_or_create(pk=1)
    form = CalendarForm(request.POST, instance=calendar)
    if not form.is_valid():
        return _page(request, calendar_form=form)
    save_setting(by=request.user, form=form, action="hotline.calendar_changed")
    messages.success(request, _("已保存工作时间设置"))
    return redirect("hotline:settings")


@require_POST
def holiday_add(request: HttpRequest) -> HttpResponse:
    require_permission(request.user, "hotline.configure")
    form = HolidayForm(request.POST)
    if not form.is_valid():
        return _page(request, holiday_form=form)
    save_setting(by=request.user, form=form, action="hotline.holiday_added")
    messages.success(request, _("已添加节假日"))
    return redirect("hotline:settings")


@require_POST
def holiday_delete(request: HttpRequest, day: str) -> HttpResponse:
    require_permission(request.user, "hotline.configure")
    try:
        holiday = get_object_or_404(Holiday, date=date.fromisoformat(day))
    except ValueError as error:
        raise Http404 from error
    save_setting(by=request.user, instance=holiday, action="hotline.holiday_deleted")
    messages.success(request, _("已删除节假日"))
    return redirect("hotline:settings")


@require_POST
def rule_add(request: HttpRequest) -> HttpResponse:
    require_permission(request.user, "hotline.configure")
    category = Category.objects.filter(code=request.POST.get("category", "")).first()
    unit = Unit.objects.filter(public_id=_uuid(request.POST.get("unit"))).select_related("kind").first()
    area = Unit.objects.filter(public_id=_uuid(request.POST.get("area"))).first()
    if category is None or unit is None:
        messages.error(request, _("请选择诉求分类和承办单位"))
    elif not can_own(unit):
        messages.error(request, _("“%(unit)s”是%(kind)s，不能承办工单")
                       % {"unit": unit.name, "kind": unit.kind.name_zh})
    else:
        add_rule(by=request.user, category=category, area=area, unit=unit)
        messages.success(request, _("已保存派单规则"))
    return redirect("hotline:settings")


@require_POST
def rule_delete(request: HttpRequest, public_id: UUID) -> HttpResponse:
    require_permission(request.user, "hotline.configure")
    delete_rule(by=request.user, rule=get_object_or_404(RoutingRule, public_id=public_id))
    messages.success(request, _("已删除派单规则"))
    return redirect("hotline:settings")


def _uuid(value: str | None) -> UUID | None:
    try:
        return UUID(value or "")
    except ValueError:
        return None


def _errors(form) -> str:
    return "；".join(f"{form.fields[name].label if name in form.fields else ''}{' '.join(errors)}"
                     for name, errors in form.errors.items())
