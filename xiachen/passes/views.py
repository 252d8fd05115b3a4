"""Pages of passes: policy versions with diff and read receipts, passes, cards, revocation, keys, scan log."""

from datetime import timedelta
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiachen.accounts.permissions import has_permission, require_permission
from xiachen.core.pagination import keyset_page
from xiachen.core.views import paginate, query_without_page, revealed_value_response

from . import checkpoint, selectors, services
from .cards import card_context, pass_card_pdf
from .enums import AlertStatus, Decision
from .forms import IssueForm, KeyCommunityForm, PolicyForm, PolicyTargetForm, RevokeForm, ScanFilterForm
from .rules import RULE_LABELS, RulesError, combine, complete, diff_rules


def _can_publish(user) -> bool:
    return has_permission(user, "passes.manage_policy") or has_permission(user, "passes.manage_area_policy")


def _publish_targets(user) -> list:
    """Units the user may publish a version for: areas (city, district, street) first, then communities."""
    return [*selectors.areas_for(user).select_related("kind"),
            *selectors.communities_for(user, "passes.manage_policy").select_related("kind")]


@require_GET
def policies(request: HttpRequest) -> HttpResponse:
    require_permission(request.user, "passes.view_policy")
    versions = selectors.policies_visible_to(request.user).order_by("community_path", "-number")
    return render(
        request,
        "passes/policy_list.html",
        {
            "page": paginate(request, versions),
            "querystring": query_without_page(request),
            "can_publish": _can_publish(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def policy_new(request: HttpRequest) -> HttpResponse:
    if not _can_publish(request.user):
        raise PermissionDenied("passes.manage_policy")
    units = _publish_targets(request.user)
    form = PolicyForm(request.POST or None)
    chosen = request.POST.get("community") or request.GET.get("unit", "")
    if request.method == "POST" and form.is_valid():
        unit = next((u for u in units if str(u.public_id) == chosen), None)
        if unit is None:
            raise Http404
        try:
            version = services.publish_policy(
                by=request.user,
                community=unit,
                rules=form.rules(),
                effective_at=form.cleaned_data["effective_at"],
                change_note=form.cleaned_data["change_note"],
            )
        except RulesError as error:
            form.add_error(None, str(error))
        else:
            return redirect("passes:policy_detail", public_id=version.public_id)
    target = PolicyTargetForm(initial={"community": chosen or None}, user=request.user)
    return render(request, "passes/policy_form.html", {"form": form, "target": target})


@require_GET
def policy_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    version = selectors.access_policy(request.user, public_id)
    previous = version.community.pass_policies.filter(number__lt=version.number).order_by("-number").first()
    compare = request.GET.get("compare")
    if compare:
        previous = (
            selectors.policies_visible_to(request.user)
            .filter(community=version.community, number=compare if compare.isdigit() else -1)
            .first()
            or previous
        )
    is_area = version.community.kind.code != "community"
    now = timezone.now()
    # a community's version: the area versions above it now, and the rules its gates apply
    areas = [] if is_area or not version.community.parent_id else selectors.policy_chain(version.community.parent, now)
    effective = combine([v.rules for v in [*areas, version]]) if areas else None
    return render(
        request,
        "passes/policy_detail.html",
        {
            "version": version,
            "rules": complete(version.rules),
            "is_area": is_area,
            "areas": areas,
            "effective": effective,
            "previous": previous,
            "diff": [(RULE_LABELS[rule], old, new) for rule, old, new in diff_rules(previous.rules, version.rules)]
            if previous else [],
            "pending_staff": selectors.unacknowledged_staff(version),
            "acknowledged": version.acknowledgements.select_related("user").order_by("created_at"),
            "can_acknowledge": services.may_acknowledge(request.user, version),
        },
    )


@require_POST
def policy_acknowledge(request: HttpRequest, public_id: UUID) -> HttpResponse:
    version = selectors.access_policy(request.user, public_id)
    services.acknowledge_policy(by=request.user, version=version)
    messages.success(request, _("已确认阅读"))
    return redirect("passes:policy_detail", public_id=version.public_id)


@require_GET
def pass_list(request: HttpRequest) -> HttpResponse:
    require_permission(request.user, "passes.view")
    passes = selectors.passes_visible_to(request.user).order_by("-created_at", "-id")
    return render(
        request,
        "passes/pass_list.html",
        {
            "page": paginate(request, passes),
            "querystring": query_without_page(request),
            "now": timezone.now(),
            "can_issue": has_permission(request.user, "passes.issue"),
            "can_revoke": has_permission(request.user, "passes.revoke"),
        },
    )


@require_http_methods(["GET", "POST"])
def pass_issue(request: HttpRequest) -> HttpResponse:
    require_permission(request.user, "passes.issue")
    now = timezone.now()
    form = IssueForm(request.POST or None, user=request.user,
                     initial={"valid_from": now, "valid_until": now + timedelta(days=30)})
    if request.method == "POST" and form.is_valid():
        resident = form.cleaned_data["resident"]
        try:
            issued = services.issue_pass(
                by=request.user,
                resident=resident,
                valid_from=form.cleaned_data["valid_from"],
                valid_until=form.cleaned_data["valid_until"],
                group=form.cleaned_data["group"] or "",
            )
        except services.PassError as error:
            form.add_error(None, str(error))
        else:
            return redirect("passes:detail", public_id=issued.public_id)
    return render(request, "passes/pass_form.html", {"form": form})


@require_GET
def pass_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    issued = selectors.access_pass(request.user, public_id)
    may_trace = has_permission(request.user, "passes.trace_contacts", issued.community)
    return render(request, "passes/pass_detail.html", card_context(issued) | {"may_trace": may_trace})


@require_GET
def pass_card(request: HttpRequest, public_id: UUID) -> HttpResponse:
    issued = selectors.access_pass(request.user, public_id)
    response = HttpResponse(pass_card_pdf(issued), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="pass-{issued.public_id}.pdf"'
    return response


@require_GET
def my_passes(request: HttpRequest) -> HttpResponse:
    """The resident's phone shows the pass: QR and masked name, nothing else."""
    resident = getattr(request.user, "resident", None)
    if resident is None:
        raise Http404
    now = timezone.now()
    current = resident.passes.filter(revoked_at__isnull=True, valid_until__gt=now).select_related("resident")
    return render(request, "passes/my_passes.html", {"cards": [card_context(p) for p in current]})


@require_http_methods(["GET", "POST"])
def pass_revoke(request: HttpRequest) -> HttpResponse:
    require_permission(request.user, "passes.revoke")
    form = RevokeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        ids = [value for value in form.pass_ids() if _is_uuid(value)]
        passes = list(selectors.passes_visible_to(request.user).filter(public_id__in=ids))
        try:
            outcome = services.revoke_passes(by=request.user, passes=passes, reason=form.cleaned_data["reason"])
        except services.PassError as error:
            form.add_error(None, str(error))
        else:
            if isinstance(outcome, int):
                messages.success(request, _("已吊销 %(n)s 张通行证") % {"n": outcome})
            else:
                messages.info(request, _("超过 10 张，已提交第二审批人审批"))
            return redirect("passes:revocations")
    return render(request, "passes/revoke_form.html", {"form": form})


@require_GET
def revocations(request: HttpRequest) -> HttpResponse:
    require_permission(request.user, "passes.revoke")
    requests = selectors.revocation_requests_visible_to(request.user)
    return render(request, "passes/revocation_list.html", {"page": paginate(request, requests), "querystring": ""})


@require_POST
def revocation_decide(request: HttpRequest, public_id: UUID) -> HttpResponse:
    revocation = get_object_or_404(selectors.revocation_requests_visible_to(request.user), public_id=public_id)
    try:
        services.decide_revocation(by=request.user, request=revocation, approve=request.POST.get("approve") == "1")
    except services.PassError as error:
        messages.error(request, str(error))
    return redirect("passes:revocations")


@require_GET
def keys(request: HttpRequest) -> HttpResponse:
    require_permission(request.user, "passes.manage_keys")
    return render(
        request,
        "passes/key_list.html",
        {
            "keys": selectors.keys_visible_to(request.user)[:200],
            "community_form": KeyCommunityForm(user=request.user),
        },
    )


@require_POST
def key_rotate(request: HttpRequest) -> HttpResponse:
    require_permission(request.user, "passes.manage_keys")
    community = get_object_or_404(
        selectors.communities_for(request.user, "passes.manage_keys"), public_id=request.POST.get("community")
    )
    services.rotate_key(by=request.user, community=community)
    messages.success(request, _("已启用新密钥，旧密钥在过渡期内仍受信任"))
    return redirect("passes:keys")


@require_POST
def key_revoke(request: HttpRequest, key_id: str) -> HttpResponse:
    key = get_object_or_404(selectors.keys_visible_to(request.user), key_id=key_id)
    try:
        services.revoke_key(by=request.user, key=key, reason=request.POST.get("reason", ""))
    except services.PassError as error:
        messages.error(request, str(error))
    return redirect("passes:keys")


@require_GET
def scans(request: HttpRequest) -> HttpResponse:
    require_permission(request.user, "passes.review_scans")
    filters = {key: request.GET.get(key, "") for key in ("gate", "household")}
    filters = {key: value if _is_uuid(value) else "" for key, value in filters.items()}
    filter_form = ScanFilterForm({"gate": filters["gate"]}, user=request.user)
    if filters["gate"] and not filter_form.is_valid():
        filters["gate"] = ""  # a gate outside the user's scope filters nothing (the scope still applies)
    found = selectors.search_scans(request.user, **filters)
    return render(
        request,
        "passes/scan_list.html",
        {
            # Keyset, no count: a district's month is millions of scans (issue #14 item 6).
            "page": keyset_page(request, found, ordering=selectors.SCAN_ORDER),
            "filters": filters,
            "filter_form": filter_form,
            "flows": selectors.hourly_flows(request.user, since=timezone.now() - timedelta(hours=24)),
        },
    )


@require_GET
def disagreements(request: HttpRequest) -> HttpResponse:
    require_permission(request.user, "passes.review_scans")
    rows = selectors.disagreements_visible_to(request.user).order_by("-created_at")
    only_open = request.GET.get("open") == "1"  # the home page's count links here
    if only_open:
        rows = rows.filter(resolved_at__isnull=True)
    return render(
        request,
        "passes/disagreement_list.html",
        {"page": paginate(request, rows), "querystring": "open=1" if only_open else "", "only_open": only_open,
         "decisions": Decision.choices},
    )


@require_GET
def fever_alerts(request: HttpRequest) -> HttpResponse:
    require_permission(request.user, "passes.review_scans")
    rows = selectors.fever_alerts_visible_to(request.user)
    only_open = request.GET.get("open") == "1"  # the home page's count links here
    if only_open:
        rows = rows.filter(status=AlertStatus.OPEN)
    return render(request, "passes/fever_list.html", {
        "page": paginate(request, rows), "querystring": "open=1" if only_open else "", "only_open": only_open})


def _is_uuid(value: str) -> bool:
    try:
        UUID(value)
    except ValueError:
        return False
    return True


@require_POST
def disagreement_resolve(request: HttpRequest, public_id: UUID) -> HttpResponse:
    disagreement = get_object_or_404(selectors.disagreements_visible_to(request.user), public_id=public_id)
    try:
        services.resolve_disagreement(
            by=request.user,
            disagreement=disagreement,
            decision=request.POST.get("decision", ""),
            note=request.POST.get("note", ""),
        )
    except services.PassError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("已记录处理结论"))
    return redirect("passes:disagreements")


@require_POST
def fever_close(request: HttpRequest, public_id: UUID) -> HttpResponse:
    alert = get_object_or_404(selectors.fever_alerts_visible_to(request.user), public_id=public_id)
    try:
        services.close_fever_alert(by=request.user, alert=alert, note=request.POST.get("note", ""))
    except services.PassError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("预警已关闭"))
    return redirect("passes:fever")


@require_GET
def corrections(request: HttpRequest) -> HttpResponse:
    require_permission(request.user, "passes.revoke")
    rows = selectors.corrections_visible_to(request.user).order_by("status", "-created_at", "-id")
    return render(request, "passes/correction_list.html", {"page": paginate(request, rows), "querystring": ""})


@require_POST
def correction_answer(request: HttpRequest, public_id: UUID) -> HttpResponse:
    correction = get_object_or_404(selectors.corrections_visible_to(request.user), public_id=public_id)
    try:
        services.answer_correction(by=request.user, correction=correction, answer=request.POST.get("answer", ""))
    except services.PassError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("已答复"))
    return redirect("passes:corrections")


@require_http_methods(["GET", "POST"])
def checkpoint_search(request: HttpRequest) -> HttpResponse:
    """Contact tracing over checkpoint registrations: exact phone / ID number / name, audited.

    The criteria are POSTed (never in a URL or a log line) and only masked values are shown."""
    require_permission(request.user, "passes.trace_contacts")
    found = None
    if request.method == "POST":
        found = checkpoint.search_entries(
            by=request.user,
            phone=request.POST.get("phone", ""),
            id_number=request.POST.get("id_number", ""),
            name=request.POST.get("name", ""),
        )
    return render(
        request,
        "passes/checkpoint_search.html",
        {
            "found": found,
            "daily": checkpoint.daily_counts(request.user, since=timezone.now() - timedelta(days=28)),
        },
    )


@require_POST
def checkpoint_reveal(request: HttpRequest, public_id: UUID, field: str) -> HttpResponse:
    if field not in checkpoint.REVEALABLE:
        raise Http404
    entry = get_object_or_404(checkpoint.entries_visible_to(request.user), public_id=public_id, purged_at__isnull=True)
    return revealed_value_response(request, checkpoint.reveal_entry_field(by=request.user, entry=entry, field=field))


@require_POST
def outing_member(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Set or clear the household's designated member (from the household's page)."""
    from xiachen.households.selectors import access_household

    household = access_household(request.user, public_id)
    chosen = request.POST.get("resident", "")
    resident = household.residents.filter(public_id=chosen).first() if chosen else None
    if chosen and resident is None:
        raise Http404
    try:
        services.designate_outing_member(by=request.user, household=household, resident=resident)
    except services.PassError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("已指定外出人员") if resident else _("已取消指定外出人员"))
    return redirect("households:detail", public_id=household.public_id)
