"""Staff pages of quarantine episodes, daily visits and the needy-resident support list."""

from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiachen.accounts.permissions import has_permission, require_permission
from xiachen.core.views import paginate
from xiachen.households.models import Vulnerability

from .. import quarantine, support
from ..forms import EpisodeForm, EpisodeLengthForm, ExtendForm, ScheduleForm, StaffHealthForm
from ..models import SupportContact


@require_http_methods(["GET", "POST"])
def episodes(request: HttpRequest) -> HttpResponse:
    require_permission(request.user, "errands.quarantine")
    form = EpisodeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            episode = quarantine.open_episode(by=request.user, **form.cleaned_data)
        except quarantine.QuarantineError as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("已登记"))
            return redirect("errands:episode_detail", public_id=episode.public_id)
    active = quarantine.episodes_visible_to(request.user).filter(status="active")
    return render(request, "errands/episode_list.html", {
        "page": paginate(request, active.order_by("compound_path", "household__building", "household__room", "id")),
        "form": form, "querystring": "",
        "overdue": quarantine.overdue_visits(request.user)[:100],
        "due_count": quarantine.episodes_due(request.user).count(),
        "can_dispatch": has_permission(request.user, "errands.dispatch"),
    })


@require_http_methods(["GET", "POST"])
def episodes_due(request: HttpRequest) -> HttpResponse:
    """Episodes past their planned end: the manager confirms the end of the ones ticked (ADR 1602)."""
    require_permission(request.user, "errands.dispatch")
    if request.method == "POST":
        chosen = request.POST.getlist("episode")
        if not chosen:
            messages.error(request, _("请勾选要结束的隔离或监测"))
        else:
            ended = quarantine.confirm_ends(by=request.user, public_ids=chosen)
            messages.success(request, _("已结束 %(count)d 项") % {"count": ended})
        return redirect("errands:episodes_due")
    return render(request, "errands/episodes_due.html", {
        "episodes": quarantine.episodes_due(request.user)[:200],
        "grace_days": quarantine.AUTO_END_GRACE_DAYS,
    })


@require_http_methods(["GET", "POST"])
def episode_lengths(request: HttpRequest) -> HttpResponse:
    """The default length of each episode kind, per community the manager runs."""
    require_permission(request.user, "errands.dispatch")
    from xiachen.passes.selectors import communities_for

    communities = list(communities_for(request.user, "errands.dispatch")[:50])
    chosen = request.POST.get("community") or request.GET.get("community") or (
        str(communities[0].public_id) if communities else "")
    community = next((c for c in communities if str(c.public_id) == chosen), None)
    if community is None:
        return render(request, "errands/episode_lengths.html", {"communities": communities, "form": None})
    form = EpisodeLengthForm(request.POST or None, initial=quarantine.default_lengths(community))
    if request.method == "POST" and form.is_valid():
        try:
            for kind, days in form.cleaned_data.items():
                quarantine.set_default_length(by=request.user, community=community, kind=kind, days=days)
        except quarantine.QuarantineError as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("已保存默认天数"))
            return redirect(f"{request.path}?community={community.public_id}")
    return render(request, "errands/episode_lengths.html", {
        "communities": communities, "community": community, "form": form,
        "grace_days": quarantine.AUTO_END_GRACE_DAYS,
    })


@require_GET
def episode_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    episode = quarantine.access_episode(request.user, public_id)
    return render(request, "errands/episode_detail.html", {
        "episode": episode,
        "extensions": episode.extensions.select_related("by"),
        "reports": episode.reports.all()[:60],
        "visits": episode.visits.select_related("assignee").order_by("-day")[:60],
        "extend_form": ExtendForm(), "health_form": StaffHealthForm(),
    })


def _back(request, episode, action, success) -> HttpResponse:
    try:
        action()
    except quarantine.QuarantineError as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, success)
    return redirect("errands:episode_detail", public_id=episode.public_id)


@require_POST
def episode_extend(request: HttpRequest, public_id: UUID) -> HttpResponse:
    episode = quarantine.access_episode(request.user, public_id)
    form = ExtendForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写新的结束日期和原因"))
        return redirect("errands:episode_detail", public_id=episode.public_id)
    return _back(request, episode, lambda: quarantine.change_end(by=request.user, episode=episode,
                                                                 **form.cleaned_data), _("已调整结束日期"))


@require_POST
def episode_end(request: HttpRequest, public_id: UUID) -> HttpResponse:
    episode = quarantine.access_episode(request.user, public_id)
    return _back(request, episode, lambda: quarantine.end_episode(by=request.user, episode=episode), _("已结束"))


@require_POST
def episode_report(request: HttpRequest, public_id: UUID) -> HttpResponse:
    episode = quarantine.access_episode(request.user, public_id)
    form = StaffHealthForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("体温应在 34 到 43 ℃ 之间"))
        return redirect("errands:episode_detail", public_id=episode.public_id)
    return _back(request, episode, lambda: quarantine.report_health(
        by=request.user, episode=episode, by_resident=False, **form.cleaned_data), _("已记录体温"))


@require_GET
def visits(request: HttpRequest) -> HttpResponse:
    require_permission(request.user, "errands.work")
    return render(request, "errands/visit_list.html", {"visits": quarantine.visits_for(request.user)[:200],
                                                        "today": timezone.localdate()})


@require_POST
def visit_done(request: HttpRequest, public_id: UUID) -> HttpResponse:
    task = quarantine.access_visit(request.user, public_id)
    try:
        quarantine.complete_visit(by=request.user, task=task, note=request.POST.get("note", ""))
    except quarantine.QuarantineError as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("已记录走访"))
    return redirect("errands:visits")


@require_GET
def support_list(request: HttpRequest) -> HttpResponse:
    require_permission(request.user, "errands.view")
    vulnerability = request.GET.get("vulnerability", "")
    return render(request, "errands/support_list.html", {
        "page": paginate(request, support.support_list(request.user, vulnerability=vulnerability)),
        "vulnerability": vulnerability, "vulnerabilities": Vulnerability.objects.all(),
        "querystring": f"vulnerability={vulnerability}" if vulnerability else "",
    })


@require_http_methods(["GET", "POST"])
def support_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    resident = support.access_supported(request.user, public_id)
    form = ScheduleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            support.schedule_contact(by=request.user, resident=resident, **form.cleaned_data)
        except support.SupportError as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("已安排"))
            return redirect("errands:support_detail", public_id=resident.public_id)
    return render(request, "errands/support_detail.html", {
        "resident": resident, "contacts": support.contacts_of(resident), "form": form,
        "can_dispatch": has_permission(request.user, "errands.dispatch", resident.household.compound),
    })


@require_POST
def support_record(request: HttpRequest, public_id: UUID) -> HttpResponse:
    contact = get_object_or_404(SupportContact.objects.select_related("resident"), public_id=public_id)
    resident = support.access_supported(request.user, contact.resident.public_id)
    try:
        support.record_contact(by=request.user, contact=contact, note=request.POST.get("note", ""))
    except support.SupportError as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("已记录"))
    return redirect("errands:support_detail", public_id=resident.public_id)
