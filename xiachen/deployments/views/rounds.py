"""Pages of deployment rounds: list, create, scope, run with progress, review, publish, close."""

from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiachen.accounts.permissions import has_permission, require_permission
from xiachen.cadres.models import Cadre
from xiachen.org.models import Unit

from .. import services
from ..enums import RoundStatus
from ..models import Demand, PostType
from ..round_forms import HandEditForm, RoundForm
from ..round_selectors import access_match, access_round, plan_of, round_list

AGENCY_QUOTA_PREFIX = "quota-"


@require_GET
def rounds(request: HttpRequest) -> HttpResponse:
    require_permission(request.user, "deployments.view")
    return render(request, "deployments/round_list.html", {
        "rounds": round_list(request.user), "can_run": has_permission(request.user, "deployments.run_rounds"),
    })


@require_http_methods(["GET", "POST"])
def round_new(request: HttpRequest) -> HttpResponse:
    require_permission(request.user, "deployments.run_rounds")
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        round_ = services.create_round(by=request.user, **form.cleaned_data)
        return redirect("deployments:round_detail", public_id=round_.public_id)
    return render(request, "deployments/round_form.html", {"form": form})


@require_GET
def round_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    round_ = access_round(request.user, public_id)
    filters = {key: request.GET.get(key, "") for key in ("agency", "unit", "post_type")}
    context = {
        "round": round_, "filters": filters, "statuses": RoundStatus,
        "plan": plan_of(request.user, round_, **filters),
        "unfilled": round_.unfilled.select_related("demand__unit", "demand__post_type"),
        "can_run": has_permission(request.user, "deployments.run_rounds"),
        "post_types": PostType.objects.all(),
        "round_agencies": round_.agencies.select_related("agency"),
        "round_demands": round_.demands.select_related("unit", "post_type"),
    }
    if round_.status == RoundStatus.DRAFT and context["can_run"]:
        context |= _scope_choices(round_)
    if round_.status == RoundStatus.REVIEW and context["can_run"]:
        context["assign_form"] = HandEditForm(user=request.user, round_=round_)
    template = "deployments/round_detail.html#plan" if request.htmx else "deployments/round_detail.html"
    return render(request, template, context)


def _scope_choices(round_) -> dict:
    chosen = set(round_.demands.values_list("pk", flat=True))
    quotas = dict(round_.agencies.values_list("agency_id", "quota"))
    demands = Demand.objects.filter(status__in=["open", "in_round"]).select_related("unit", "post_type")
    agencies = Unit.objects.filter(kind__code="agency", depth=1).order_by("code")
    return {
        "open_demands": [(d, d.pk in chosen) for d in demands],
        "agency_choices": [(a, quotas.get(a.pk, "")) for a in agencies],
    }


@require_POST
def round_scope(request: HttpRequest, public_id: UUID) -> HttpResponse:
    round_ = access_round(request.user, public_id)
    demands = list(Demand.objects.filter(public_id__in=request.POST.getlist("demands")))
    quotas = {}
    for key, value in request.POST.items():
        if key.startswith(AGENCY_QUOTA_PREFIX) and value.strip().isdigit() and int(value) > 0:
            agency = Unit.objects.filter(public_id=key.removeprefix(AGENCY_QUOTA_PREFIX), kind__code="agency").first()
            if agency is not None:
                quotas[agency] = int(value)
    return _attempt(request, round_, lambda: services.set_round_scope(
        by=request.user, round_=round_, demands=demands, quotas=quotas), _("已保存需求和参与单位"))


@require_POST
def round_run(request: HttpRequest, public_id: UUID) -> HttpResponse:
    round_ = access_round(request.user, public_id)
    incremental = request.POST.get("incremental") == "1"
    return _attempt(request, round_, lambda: services.start_matching(
        by=request.user, round_=round_, incremental=incremental), _("已开始匹配"))


@require_GET
def round_progress(request: HttpRequest, public_id: UUID) -> HttpResponse:
    round_ = access_round(request.user, public_id)
    response = render(request, "deployments/round_progress.html", {"round": round_})
    if round_.status != RoundStatus.MATCHING and request.htmx:
        response["HX-Refresh"] = "true"  # the plan is ready: reload the page to show it
    return response


@require_GET
def round_check(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Live rule check for a hand-made match (htmx): lists every rule the pair would break."""
    round_ = access_round(request.user, public_id)
    require_permission(request.user, "deployments.run_rounds")
    demand = round_.demands.filter(public_id=_uuid(request.GET.get("demand"))).first()
    cadre = Cadre.objects.filter(public_id=_uuid(request.GET.get("cadre"))).first()
    problems = None
    if demand is not None and cadre is not None:
        problems = services.check_manual_assignment(round_=round_, demand=demand, cadre=cadre)
    return render(request, "deployments/round_check.html", {"problems": problems, "cadre": cadre})


def _uuid(value: str | None) -> UUID | None:
    try:
        return UUID(value or "")
    except ValueError:
        return None


@require_POST
def round_assign(request: HttpRequest, public_id: UUID) -> HttpResponse:
    round_ = access_round(request.user, public_id)
    require_permission(request.user, "deployments.run_rounds")
    form = HandEditForm(request.POST, user=request.user, round_=round_)
    if not form.is_valid():
        messages.error(request, _("请选择本轮次的岗位和一名可派驻的干部"))
        return redirect("deployments:round_detail", public_id=round_.public_id)
    demand, cadre = form.cleaned_data["demand"], form.cleaned_data["cadre"]
    return _attempt(request, round_, lambda: services.assign_by_hand(
        by=request.user, round_=round_, demand=demand, cadre=cadre), _("已人工调整"))


@require_POST
def match_remove(request: HttpRequest, public_id: UUID) -> HttpResponse:
    match = access_match(request.user, public_id)
    return _attempt(request, match.round, lambda: services.remove_match(by=request.user, match=match),
                    _("已移除"))


@require_POST
def match_replace(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Release a no-show's place and propose the best eligible replacement to its agency."""
    match = access_match(request.user, public_id)
    return _attempt(request, match.round, lambda: services.replace_no_show(by=request.user, match=match),
                    _("已为空出的岗位推荐替换人选，等待派出单位确认"))


@require_POST
def round_publish(request: HttpRequest, public_id: UUID) -> HttpResponse:
    round_ = access_round(request.user, public_id)
    return _attempt(request, round_, lambda: services.publish_round(by=request.user, round_=round_), _("已发布"))


@require_POST
def round_close(request: HttpRequest, public_id: UUID) -> HttpResponse:
    round_ = access_round(request.user, public_id)
    return _attempt(request, round_, lambda: services.close_round(by=request.user, round_=round_), _("轮次已结束"))


def _attempt(request: HttpRequest, round_, action, success: str) -> HttpResponse:
    """Run a service; a rule it refuses becomes a Chinese message on the round page, never a 500."""
    try:
        action()
    except services.RoundError as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, success)
    return redirect("deployments:round_detail", public_id=round_.public_id)


