"""Reads of 双报到 and volunteer service, scoped: `*_visible_to(user)` and `access_*` helpers
(missing and not-yours give the same 404)."""

from uuid import UUID

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from xiachen.accounts.permissions import scope_paths
from xiachen.org.models import path_within

from .models import (
    Activity,
    AgencyMemberListEntry,
    Member,
    Pairing,
    PairingProject,
    PointsCatalogItem,
    ServicePost,
    ServiceRecord,
    SignUp,
)


def _paths(user, permission: str) -> list[str]:
    return scope_paths(user, permission)


def pairings_visible_to(user) -> QuerySet[Pairing]:
    """Pairings whose agency or community lies in the user's scope (the liaison's agency, the
    manager's community, the organization department's city)."""
    paths = _paths(user, "volunteers.view_pairings")
    condition = path_within(paths, field="agency__path") | path_within(paths, field="community__path")
    return Pairing.objects.filter(condition).select_related("agency", "community")


def access_pairing(user, public_id: UUID) -> Pairing:
    return get_object_or_404(pairings_visible_to(user), public_id=public_id)


def access_project(user, public_id: UUID) -> PairingProject:
    return get_object_or_404(
        PairingProject.objects.filter(pairing__in=pairings_visible_to(user)).select_related(
            "pairing__agency", "pairing__community"),
        public_id=public_id,
    )


def member_list_visible_to(user) -> QuerySet[AgencyMemberListEntry]:
    paths = _paths(user, "volunteers.import_members")
    return AgencyMemberListEntry.objects.filter(path_within(paths, field="agency__path")).select_related("agency")


def members_visible_to(user) -> QuerySet[Member]:
    """Members reported to a community of the user's scope, or sent by an agency of it."""
    paths = _paths(user, "volunteers.view_members")
    condition = path_within(paths, field="community_path") | path_within(paths, field="agency__path")
    return Member.objects.filter(condition).select_related("community", "agency", "resident")


def members_reviewable_by(user) -> QuerySet[Member]:
    return Member.objects.filter(path_within(_paths(user, "volunteers.review_members"), field="community_path"))


def access_member(user, public_id: UUID) -> Member:
    return get_object_or_404(members_visible_to(user), public_id=public_id)


def managed_community_paths(user) -> list[str]:
    return _paths(user, "volunteers.manage_service")


def posts_managed_by(user) -> QuerySet[ServicePost]:
    paths = managed_community_paths(user)
    return ServicePost.objects.filter(path_within(paths, field="community__path")).select_related("community", "area")


def access_managed_post(user, public_id: UUID) -> ServicePost:
    return get_object_or_404(posts_managed_by(user), public_id=public_id)


def activities_managed_by(user) -> QuerySet[Activity]:
    paths = managed_community_paths(user)
    return Activity.objects.filter(path_within(paths, field="community__path")).select_related("community")


def access_managed_activity(user, public_id: UUID) -> Activity:
    return get_object_or_404(activities_managed_by(user), public_id=public_id)


def records_managed_by(user) -> QuerySet[ServiceRecord]:
    return ServiceRecord.objects.filter(
        path_within(managed_community_paths(user), field="community_path")
    ).select_related("member", "activity", "post", "community")


def access_managed_record(user, public_id: UUID) -> ServiceRecord:
    return get_object_or_404(records_managed_by(user), public_id=public_id)


def catalog_managed_by(user) -> QuerySet[PointsCatalogItem]:
    return PointsCatalogItem.objects.filter(
        path_within(managed_community_paths(user), field="community__path")
    ).select_related("community")


def access_managed_item(user, public_id: UUID) -> PointsCatalogItem:
    return get_object_or_404(catalog_managed_by(user), public_id=public_id)


# The member's own side (resident site): everything keyed by the member's community.

def member_of(resident) -> Member | None:
    return Member.objects.filter(resident=resident).select_related("community", "agency").first()


def open_posts_for(member: Member) -> QuerySet[ServicePost]:
    return ServicePost.objects.filter(community=member.community, status="open").select_related("area")


def activities_for(member: Member) -> QuerySet[Activity]:
    return Activity.objects.filter(community=member.community).exclude(status="cancelled")


def access_member_activity(member: Member, public_id: UUID) -> Activity:
    return get_object_or_404(activities_for(member), public_id=public_id)


def signups_of(member: Member) -> QuerySet[SignUp]:
    return SignUp.objects.filter(member=member).select_related("activity")


def records_of(member: Member) -> QuerySet[ServiceRecord]:
    return ServiceRecord.objects.filter(member=member).select_related("activity", "post")


def catalog_for(member: Member) -> QuerySet[PointsCatalogItem]:
    return PointsCatalogItem.objects.filter(community=member.community, is_active=True)




# 应急动员 (call-outs), the quarterly feedback and the statistics: see callouts_*, feedback.py, stats.py

def callouts_visible_to(user) -> QuerySet:
    from .models import CallOut

    return CallOut.objects.filter(
        path_within(_paths(user, "volunteers.call_out"), field="area_path")).select_related("area", "community")


def access_callout(user, public_id: UUID):
    return get_object_or_404(callouts_visible_to(user), public_id=public_id)


def callout_areas_for(user) -> QuerySet:
    """Units a user may call out: their scope's units down to streets, and communities' compounds
    for a community-level caller."""
    from xiachen.org.models import Unit

    paths = _paths(user, "volunteers.call_out")
    units = Unit.objects.within_any(paths)
    if all(path.count("/") > 4 for path in paths):  # a community manager: the community and its compounds
        return units.filter(kind__code__in=["community", "compound"]).order_by("path")
    return units.filter(kind__code__in=["city", "district", "street", "community"]).order_by("path")
