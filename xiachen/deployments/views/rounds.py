"""Pages of deployment rounds: list, create, scope, run with progress, review, publish, close."""

from urllib.parse import urlencode
from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiachen.accounts.permissions import has_permission, require_permission
from xiachen.cadres.models import Cadre
from xiachen.core.pagination import keyset_page
from xiachen.ops import jobs, leases
from xiachen.org.models import Unit

from .. import jobs as round_jobs
from .. import services
from ..enums import RoundStatus
from ..models import Demand, PostType
from ..round_forms import HandEditForm, RoundForm
from ..round_selectors import (
    PLAN_ORDER,
    SCOPE_ORDER,
    access_match,
    access_round,
    plan_of,
    plan_units,
    round_list,
    scope_candidates,
)

AGENCY_QUOTA_PREFIX = "quota-"
UNFILLED_SHOWN = 200  # more than this: the page asks to filter by receiving unit


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


def _reclaim_if_stale(round_) -> None:
    """A round shown as matching whose task died is handed back now, not at the next reclaim job."""
    if round_.status == RoundStatus.MATCHING and leases.reclaim_stale(obj=round_):
        round_.refresh_from_db()


@require_GET
def round_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    round_ = access_round(request.user, public_id)
    _reclaim_if_stale(round_)
    filters = {key: request.GET.get(key, "") for key in ("agency", "unit", "post_type")}
    # Keyset pages (issue #14 item 6): a city round's plan is 23,000 matches; the demo's was 1,091
    # rows in one 400 KB page.
    plan = keyset_page(request, plan_of(request.user, round_, **filters), ordering=PLAN_ORDER)
    unfilled = round_.unfilled.select_related("demand__unit", "demand__post_type").order_by("demand__unit_path", "id")
    if filters["unit"]:
        unfilled = unfilled.filter(demand__unit__code=filters["unit"])
    context = {
        "round": round_, "filters": filters, "statuses": RoundStatus, "plan": plan,
        "plan_units": plan_units(round_),
        "unfilled": unfilled[:UNFILLED_SHOWN], "unfilled_total": unfilled.count(), "unfilled_shown": UNFILLED_SHOWN,
        "can_run": has_permission(request.user, "deployments.run_rounds"),
        "post_types": PostType.objects.all(),
        "round_agencies": round_.agencies.select_related("agency"),
        "round_demands": round_.demands.select_related("unit", "post_type"),
    }
    if round_.status == RoundStatus.DRAFT and context["can_run"]:
        context |= _scope_choices(request, round_)
    if round_.status == RoundStatus.REVIEW and context["can_run"]:
        context["assign_form"] = HandEditForm(user=request.user, round_=round_)
    template = "deployments/round_detail.html#plan" if request.htmx else "deployments/round_detail.html"
    return render(request, template, context)


SCOPE_FILTERS = ("scope_query", "scope_post_type", "scope_district")


def _scope_filters(data) -> dict:
    """The scope picker's filter from a GET or POST, as keyword arguments of scope_candidates."""
    return {key.removeprefix("scope_"): data.get(key, "").strip()[:50] for key in SCOPE_FILTERS}


def _scope_choices(request: HttpRequest, round_) -> dict:
    """One page of candidate demands (checked when in the round), the filter, and the agencies."""
    chosen = set(round_.demands.values_list("pk", flat=True))
    quotas = dict(round_.agencies.values_list("agency_id", "quota"))
    filters = _scope_filters(request.GET)
    candidates = scope_candidates(**filters)
    page = keyset_page(request, candidates, ordering=SCOPE_ORDER, prefix="scope_")
    agencies = Unit.objects.filter(kind__code="agency", depth=1).order_by("code")
    elsewhere = _other_rounds(round_, [d.pk for d in page])
    return {
        "scope_page": page,
        "open_demands": [
            (d, d.pk in chosen, elsewhere.get(d.pk, []), bool(services.period_problems(round_, [d]))) for d in page
        ],
        "scope_filters": filters,
        "scope_matching": candidates.count(),
        "scope_chosen": len(chosen),
        "districts": Unit.objects.filter(kind__code="district").order_by("path"),
        "agency_choices": [(a, quotas.get(a.pk, "")) for a in agencies],
    }


def _other_rounds(round_, demand_ids: list[int]) -> dict[int, list[str]]:
    """Names of the other unpublished rounds each demand is in (the picker shows them)."""
    live = [RoundStatus.DRAFT, RoundStatus.MATCHING, RoundStatus.REVIEW]
    rows = Demand.rounds.through.objects.filter(demand_id__in=demand_ids, round__status__in=live).exclude(
        round=round_).values_list("demand_id", "round__name").order_by("round__name")
    names: dict[int, list[str]] = {}
    for demand_id, name in rows:
        names.setdefault(demand_id, []).append(name)
    return names


def _chosen_demands(request: HttpRequest, round_) -> list[Demand]:
    """The round's demands after the picker's POST.

    "select=all" adds every demand matching the posted filter (on every page) whose period overlaps
    the round's, "select=none" removes them; otherwise the boxes of the page shown (`shown`) replace
    those demands' choice and the rest
    of the round's demands stay. A POST without `shown` is the whole choice (the old form).
    """
    chosen = set(round_.demands.values_list("pk", flat=True))
    action = request.POST.get("select", "")
    if action in ("all", "none"):
        matching = scope_candidates(**_scope_filters(request.POST))
        if action == "all":
            matching = matching.filter(start__lte=round_.end, end__gte=round_.start)
        matching = set(matching.values_list("pk", flat=True))
        chosen = chosen | matching if action == "all" else chosen - matching
    else:
        checked = set(_demand_ids(request.POST.getlist("demands")))
        shown = request.POST.getlist("shown")
        chosen = (chosen - set(_demand_ids(shown))) | checked if shown else checked
    return list(Demand.objects.filter(pk__in=chosen).select_related("unit", "post_type"))


def _demand_ids(public_ids: list[str]) -> list[int]:
    valid = [value for value in public_ids if _is_uuid(value)]
    return list(Demand.objects.filter(public_id__in=valid).values_list("pk", flat=True))


def _is_uuid(value: str) -> bool:
    try:
        UUID(value)
    except ValueError:
        return False
    return True


@require_POST
def round_scope(request: HttpRequest, public_id: UUID) -> HttpResponse:
    round_ = access_round(request.user, public_id)
    demands = _chosen_demands(request, round_)
    quotas = {}
    for key, value in request.POST.items():
        if key.startswith(AGENCY_QUOTA_PREFIX) and value.strip().isdigit() and int(value) > 0:
            agency = Unit.objects.filter(public_id=key.removeprefix(AGENCY_QUOTA_PREFIX), kind__code="agency").first()
            if agency is not None:
                quotas[agency] = int(value)
    response = _attempt(request, round_, lambda: services.set_round_scope(
        by=request.user, round_=round_, demands=demands, quotas=quotas), _("已保存需求和参与单位"))
    kept = {key: request.POST[key] for key in SCOPE_FILTERS if request.POST.get(key)}
    if kept:  # back to the same filtered picker
        response["Location"] += "?" + urlencode(kept)
    return response


@require_POST
def round_run(request: HttpRequest, public_id: UUID) -> HttpResponse:
    round_ = access_round(request.user, public_id)
    incremental = request.POST.get("incremental") == "1"
    return _attempt(request, round_, lambda: services.start_matching(
        by=request.user, round_=round_, incremental=incremental), _("已开始匹配"))


@require_GET
def round_progress(request: HttpRequest, public_id: UUID) -> HttpResponse:
    round_ = access_round(request.user, public_id)
    _reclaim_if_stale(round_)
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
    """Queue the publication (a background job: thousands of deployments and notifications); the
    round page shows its progress. Submitting twice returns the same job."""
    round_ = access_round(request.user, public_id)
    return _attempt(request, round_, lambda: jobs.start(by=request.user, kind=round_jobs.PUBLISH, subject=round_),
                    _("已开始发布，完成后本页自动刷新"))


@require_POST
def round_close(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Queue the close (a background job: one service record per arrived cadre)."""
    round_ = access_round(request.user, public_id)
    return _attempt(request, round_, lambda: jobs.start(by=request.user, kind=round_jobs.CLOSE, subject=round_),
                    _("已开始结束轮次，完成后本页自动刷新"))


def _attempt(request: HttpRequest, round_, action, success: str) -> HttpResponse:
    """Run a service; a rule it refuses becomes a Chinese message on the round page, never a 500."""
    try:
        action()
    except services.RoundError as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, success)
    return redirect("deployments:round_detail", public_id=round_.public_id)


