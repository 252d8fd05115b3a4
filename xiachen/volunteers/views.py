"""Staff pages of 双报到: pairings and their projects, the agency member list, registrations,
posts, activities (with the sign-in QR code), hours approval and the points catalogue."""

from urllib.parse import urlencode
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiachen.accounts.permissions import has_permission, require_permission, scope_paths
from xiachen.core.import_views import import_page, template_download
from xiachen.org.models import Unit, path_within

from . import forms, selectors
from .enums import ActivityStatus, PairingStatus, RecordStatus, RegistrationStatus
from .importers import MEMBER_LIST_IMPORTER
from .services import VolunteerError, activities, records, registration
from .services import pairings as pairing_services
from .tokens import activity_scan_url


def attempt(request: HttpRequest, action, success: str) -> bool:
    """Run a service; a rule it refuses becomes a Chinese message, never a 500."""
    try:
        action()
    except VolunteerError as refusal:
        messages.error(request, str(refusal))
        return False
    messages.success(request, success)
    return True


def _page(request, queryset, size: int = 50):
    return Paginator(queryset, size).get_page(request.GET.get("page"))


def _managed_communities(user):
    return Unit.objects.filter(path_within(selectors.managed_community_paths(user)), kind__code="community")


def _community_from(request):
    """The community a manager works in: the one posted, else their first."""
    communities = _managed_communities(request.user)
    chosen = request.POST.get("community") or request.GET.get("community")
    if chosen:
        return get_object_or_404(communities, public_id=chosen)
    community = communities.first()
    if community is None:
        raise PermissionDenied("volunteers.manage_service")
    return community


# 单位报到 and 共建项目

def _pairing_form(request, data=None):
    paths = scope_paths(request.user, "volunteers.pair")
    return forms.PairingForm(
        data, agencies=Unit.objects.within_any(paths).filter(kind__code__in=["agency", "department"]),
        communities=Unit.objects.within_any(paths).filter(kind__code="community"))


@require_GET
def pairings(request: HttpRequest) -> HttpResponse:
    require_permission(request.user, "volunteers.view_pairings")
    page = _page(request, selectors.pairings_visible_to(request.user).order_by("-started_on", "-id"))
    can_pair = has_permission(request.user, "volunteers.pair")
    return render(request, "volunteers/pairing_list.html", {
        "page": page, "form": _pairing_form(request) if can_pair else None})


@require_POST
def pairing_new(request: HttpRequest) -> HttpResponse:
    require_permission(request.user, "volunteers.pair")
    form = _pairing_form(request, request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择报到单位、报到社区和报到日期"))
        return redirect("volunteers:pairings")
    data = form.cleaned_data
    attempt(request, lambda: pairing_services.create_pairing(
        by=request.user, agency=data["agency"], community=data["community"], started_on=data["started_on"],
        note=data["note"]), _("已登记单位报到"))
    return redirect("volunteers:pairings")


@require_GET
def pairing_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    pairing = selectors.access_pairing(request.user, public_id)
    can_edit = pairing_services.can_edit_projects(request.user, pairing)
    return render(request, "volunteers/pairing_detail.html", {
        "pairing": pairing, "projects": pairing.projects.all(), "can_edit": can_edit,
        "can_pair": has_permission(request.user, "volunteers.pair", pairing.community),
        "project_form": forms.ProjectForm() if can_edit else None, "statuses": PairingStatus,
        "moves": sorted(pairing_services.PAIRING_TRANSITIONS.get(pairing.status, ())),
        "project_moves": pairing_services.PROJECT_TRANSITIONS,
    })


@require_POST
def pairing_move(request: HttpRequest, public_id: UUID) -> HttpResponse:
    pairing = selectors.access_pairing(request.user, public_id)
    require_permission(request.user, "volunteers.pair", pairing.community)
    to = request.POST.get("status", "")
    attempt(request, lambda: pairing_services.move_pairing(by=request.user, pairing=pairing, to=to), _("已更新"))
    return redirect("volunteers:pairing", pairing.public_id)


@require_POST
def project_add(request: HttpRequest, public_id: UUID) -> HttpResponse:
    pairing = selectors.access_pairing(request.user, public_id)
    if not pairing_services.can_edit_projects(request.user, pairing):
        raise PermissionDenied("volunteers.edit_projects")
    form = forms.ProjectForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写项目名称、负责人和开始日期"))
    else:
        attempt(request, lambda: pairing_services.add_project(by=request.user, pairing=pairing, **form.cleaned_data),
                _("已添加共建项目"))
    return redirect("volunteers:pairing", pairing.public_id)


@require_POST
def project_move(request: HttpRequest, public_id: UUID) -> HttpResponse:
    project = selectors.access_project(request.user, public_id)
    if not pairing_services.can_edit_projects(request.user, project.pairing):
        raise PermissionDenied("volunteers.edit_projects")
    form = forms.ProjectMoveForm(request.POST)
    if form.is_valid():
        attempt(request, lambda: pairing_services.move_project(by=request.user, project=project,
                                                                 to=form.cleaned_data["status"],
                                                                 progress_note=form.cleaned_data["progress_note"]),
                _("已更新共建项目"))
    return redirect("volunteers:pairing", project.pairing.public_id)


# The agency member list (liaison)

@require_GET
def member_list(request: HttpRequest) -> HttpResponse:
    require_permission(request.user, "volunteers.import_members")
    entries = selectors.member_list_visible_to(request.user).order_by("agency__path", "name", "id")
    return render(request, "volunteers/member_list.html", {"page": _page(request, entries)})


@require_http_methods(["GET", "POST"])
def member_list_import(request: HttpRequest) -> HttpResponse:
    return import_page(request, MEMBER_LIST_IMPORTER)


@require_GET
def member_list_template(request: HttpRequest) -> HttpResponse:
    return template_download(request, MEMBER_LIST_IMPORTER)


# Registrations (community) and members (both sides)

@require_GET
def members(request: HttpRequest) -> HttpResponse:
    require_permission(request.user, "volunteers.view_members")
    status = request.GET.get("status", "")
    queryset = selectors.members_visible_to(request.user).order_by("status", "community_path", "name", "id")
    if status in RegistrationStatus.values:
        queryset = queryset.filter(status=status)
    return render(request, "volunteers/members.html", {
        "page": _page(request, queryset), "status": status, "statuses": RegistrationStatus.choices,
        "querystring": urlencode({"status": status}) if status else "",
    })


@require_GET
def member_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    member = selectors.access_member(request.user, public_id)
    can_review = has_permission(request.user, "volunteers.review_members", member.community)
    can_manage = has_permission(request.user, "volunteers.manage_service", member.community)
    return render(request, "volunteers/member_detail.html", {
        "member": member, "can_review": can_review, "can_manage": can_manage,
        "years": records.hours_by_year(member), "skills": member.skills.all(),
        "claims": member.claims.select_related("post").order_by("-created_at")[:20],
        "ledger": member.ledger.select_related("item")[:20],
        "items": selectors.catalog_managed_by(request.user).filter(community=member.community, is_active=True)
        if can_manage else [],
    })


@require_POST
def member_review(request: HttpRequest, public_id: UUID) -> HttpResponse:
    member = selectors.access_member(request.user, public_id)
    require_permission(request.user, "volunteers.review_members", member.community)
    confirm = request.POST.get("decision") == "confirm"
    attempt(request, lambda: registration.review_member(by=request.user, member=member, confirm=confirm,
                                                        reason=request.POST.get("reason", "")),
            _("已确认报到") if confirm else _("已退回报到"))
    return redirect("volunteers:member", member.public_id)


@require_POST
def member_redeem(request: HttpRequest, public_id: UUID) -> HttpResponse:
    member = selectors.access_member(request.user, public_id)
    require_permission(request.user, "volunteers.manage_service", member.community)
    item = selectors.catalog_managed_by(request.user).filter(public_id=_uuid(request.POST.get("item"))).first()
    if item is None:
        messages.error(request, _("请选择兑换物品"))
    else:
        attempt(request, lambda: records.redeem_item(by=request.user, member=member, item=item), _("已兑换"))
    return redirect("volunteers:member", member.public_id)


def _uuid(value):
    try:
        return UUID(value or "")
    except ValueError:
        return None


# Posts, activities, hours, catalogue (community)

@require_GET
def posts(request: HttpRequest) -> HttpResponse:
    require_permission(request.user, "volunteers.manage_service")
    queryset = selectors.posts_managed_by(request.user).order_by("status", "kind", "id")
    return render(request, "volunteers/posts.html", {
        "page": _page(request, queryset), "form": forms.PostForm(),
        "communities": _managed_communities(request.user)})


@require_POST
def post_new(request: HttpRequest) -> HttpResponse:
    require_permission(request.user, "volunteers.manage_service")
    community = _community_from(request)
    form = forms.PostForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写岗位类型、名称和人数"))
    else:
        attempt(request, lambda: activities.create_post(by=request.user, community=community, **form.cleaned_data),
                _("已发布服务岗位"))
    return redirect("volunteers:posts")


@require_POST
def post_close(request: HttpRequest, public_id: UUID) -> HttpResponse:
    post = selectors.access_managed_post(request.user, public_id)
    attempt(request, lambda: activities.close_post(by=request.user, post=post), _("已关闭岗位"))
    return redirect("volunteers:posts")


@require_GET
def activity_list(request: HttpRequest) -> HttpResponse:
    require_permission(request.user, "volunteers.manage_service")
    queryset = selectors.activities_managed_by(request.user).order_by("-starts_at", "-id")
    return render(request, "volunteers/activities.html", {"page": _page(request, queryset)})


@require_http_methods(["GET", "POST"])
def activity_new(request: HttpRequest) -> HttpResponse:
    require_permission(request.user, "volunteers.manage_service")
    form = forms.ActivityForm(request.POST or None)
    communities = _managed_communities(request.user)
    if request.method == "POST" and form.is_valid():
        community = _community_from(request)
        data = form.cleaned_data
        try:
            activity = activities.publish_activity(by=request.user, community=community, **data)
        except VolunteerError as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("已发布活动"))
            return redirect("volunteers:activity", activity.public_id)
    return render(request, "volunteers/activity_form.html", {"form": form, "communities": communities})


@require_GET
def activity_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    activity = selectors.access_managed_activity(request.user, public_id)
    signups = activity.signups.select_related("member").order_by("status", "queued_at", "id")
    return render(request, "volunteers/activity_detail.html", {
        "activity": activity, "signups": signups, "scan_url": activity_scan_url(request, activity),
        "open": activity.status == ActivityStatus.PUBLISHED,
    })


@require_POST
def activity_cancel(request: HttpRequest, public_id: UUID) -> HttpResponse:
    activity = selectors.access_managed_activity(request.user, public_id)
    attempt(request, lambda: activities.cancel_activity(by=request.user, activity=activity), _("已取消活动"))
    return redirect("volunteers:activity", activity.public_id)


@require_POST
def activity_finish(request: HttpRequest, public_id: UUID) -> HttpResponse:
    activity = selectors.access_managed_activity(request.user, public_id)
    attempt(request, lambda: activities.finish_activity(by=request.user, activity=activity), _("已结束活动登记"))
    return redirect("volunteers:activity", activity.public_id)


@require_GET
def record_list(request: HttpRequest) -> HttpResponse:
    require_permission(request.user, "volunteers.manage_service")
    status = request.GET.get("status") or RecordStatus.PENDING
    queryset = selectors.records_managed_by(request.user).filter(status=status).order_by("-served_on", "-id")
    return render(request, "volunteers/records.html", {
        "page": _page(request, queryset), "status": status, "statuses": RecordStatus.choices,
        "form": forms.ReviewRecordForm(), "querystring": urlencode({"status": status}),
    })


@require_POST
def record_review(request: HttpRequest, public_id: UUID) -> HttpResponse:
    record = selectors.access_managed_record(request.user, public_id)
    form = forms.ReviewRecordForm(request.POST)
    approve = request.POST.get("decision") == "approve"
    if not form.is_valid():
        messages.error(request, _("时长、评分或评语填写有误"))
    else:
        attempt(request, lambda: records.review_record(by=request.user, record=record, approve=approve,
                                                       **form.cleaned_data),
                _("已认定服务时长") if approve else _("已不予认定"))
    return redirect(reverse("volunteers:records"))


@require_GET
def catalog(request: HttpRequest) -> HttpResponse:
    require_permission(request.user, "volunteers.manage_service")
    items = selectors.catalog_managed_by(request.user).order_by("community_id", "points", "id")
    return render(request, "volunteers/catalog.html", {
        "page": _page(request, items), "form": forms.CatalogItemForm(),
        "communities": _managed_communities(request.user)})


@require_POST
def catalog_new(request: HttpRequest) -> HttpResponse:
    require_permission(request.user, "volunteers.manage_service")
    community = _community_from(request)
    form = forms.CatalogItemForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写物品名称和所需积分"))
    else:
        attempt(request, lambda: records.save_catalog_item(by=request.user, community=community,
                                                           **form.cleaned_data), _("已添加兑换物品"))
    return redirect("volunteers:catalog")


@require_POST
def catalog_toggle(request: HttpRequest, public_id: UUID) -> HttpResponse:
    item = selectors.access_managed_item(request.user, public_id)
    attempt(request, lambda: records.save_catalog_item(
        by=request.user, community=item.community, item=item, name=item.name, points=item.points, stock=item.stock,
        description=item.description, is_active=not item.is_active), _("已更新兑换物品"))
    return redirect("volunteers:catalog")
