"""Community notices: the community publishes to chosen compounds or buildings and to the cadres
and workers on duty there; every addressee gets a read receipt, and every outbound message goes
through the outbox (`services.notify`) and its pluggable transport."""

from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xiachen.accounts.models import User
from xiachen.accounts.permissions import has_permission, scope_paths
from xiachen.audit import services as audit
from xiachen.errands.duty import community_path_of, on_duty_users
from xiachen.households.models import Resident
from xiachen.org.models import Unit, path_within

from .models import CommunityNotice, NoticeAttachment, NoticeReceipt, NoticeTarget, Notification, ReceiptAudience
from .services import notify

KIND = "community_notice"
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


class NoticeError(ValueError):
    """A notice the rules refuse; the message is for the user."""


# --- reads ---------------------------------------------------------------------------------------


def publishable_compounds(user) -> QuerySet[Unit]:
    return Unit.objects.within_any(scope_paths(user, "notices.publish")).filter(kind__code="compound").order_by("path")


def _with_counts(notices: QuerySet[CommunityNotice]) -> QuerySet[CommunityNotice]:
    return notices.annotate(
        receipt_count=Count("receipts"),
        read_count=Count("receipts", filter=Q(receipts__read_at__isnull=False)),
    )


def notices_visible_to(user) -> QuerySet[CommunityNotice]:
    """Publishers see their communities' notices; cadres and workers the notices addressed to them."""
    condition = path_within(scope_paths(user, "notices.publish"), field="community_path")
    if user.is_authenticated:
        condition |= Q(pk__in=NoticeReceipt.objects.filter(user=user).values("notice_id"))
    return CommunityNotice.objects.filter(condition).select_related("community", "published_by")


def staff_notice_list(user) -> QuerySet[CommunityNotice]:
    my_read = NoticeReceipt.objects.filter(notice=OuterRef("pk"), user=user).values("read_at")[:1]
    return _with_counts(notices_visible_to(user)).annotate(my_read_at=Subquery(my_read)).order_by("-created_at", "-id")


def access_notice(user, public_id: UUID) -> CommunityNotice:
    return get_object_or_404(
        notices_visible_to(user).select_related("policy_version", "policy_version__document"), public_id=public_id
    )


def can_see_receipts(user, notice: CommunityNotice) -> bool:
    return any(notice.community_path.startswith(path) for path in scope_paths(user, "notices.publish"))


def receipt_summary(notice: CommunityNotice) -> dict:
    """Counts per audience and who has not read yet (names and addresses, never contact data)."""
    receipts = notice.receipts.select_related("resident", "resident__household", "user")
    counts = {audience: {"total": 0, "read": 0} for audience in ReceiptAudience.values}
    unread = []
    for receipt in receipts:
        counts[receipt.audience]["total"] += 1
        if receipt.read_at:
            counts[receipt.audience]["read"] += 1
        else:
            unread.append(receipt)
    return {"counts": counts, "unread": unread}


def resident_notices(resident) -> QuerySet[CommunityNotice]:
    read_at = NoticeReceipt.objects.filter(notice=OuterRef("pk"), resident=resident).values("read_at")[:1]
    return (
        CommunityNotice.objects.filter(receipts__resident=resident)
        .annotate(my_read_at=Subquery(read_at))
        .select_related("community")
        .order_by("-created_at", "-id")
    )


def access_resident_notice(resident, public_id: UUID) -> CommunityNotice:
    return get_object_or_404(
        resident_notices(resident).select_related("policy_version", "policy_version__document"), public_id=public_id
    )


def unread_count(resident) -> int:
    return NoticeReceipt.objects.filter(resident=resident, read_at__isnull=True).count()


def access_attachment(user, public_id: UUID) -> NoticeAttachment:
    return get_object_or_404(NoticeAttachment, public_id=public_id, notice__in=notices_visible_to(user))


def access_resident_attachment(resident, public_id: UUID) -> NoticeAttachment:
    return get_object_or_404(NoticeAttachment, public_id=public_id, notice__receipts__resident=resident)


# --- writes --------------------------------------------------------------------------------------


def _buildings(raw) -> list[str]:
    if isinstance(raw, str):
        raw = raw.replace("，", ",").replace("、", ",").split(",")
    return sorted({item.strip()[:20] for item in raw if item and item.strip()})


@transaction.atomic
def publish_notice(
    *, by, title: str, body: str, compounds, buildings=(), to_staff: bool = True, policy_version=None,
    attachments=(), deliver: bool = True,
) -> CommunityNotice:
    """Publish to every resident of the chosen compounds (or of the named buildings in them) and,
    with `to_staff`, to the cadres and workers on duty there. `attachments` are (title, file) pairs.

    With `deliver=False` only the notice, its targets and attachments are stored; `deliver_notice`
    (a background job from the publish page: a Wuhan community has ~7,000 residents) writes the
    receipts and notifications."""
    compounds = list(compounds)
    if not compounds:
        raise NoticeError(_("请至少选择一个小区"))
    for compound in compounds:
        if not has_permission(by, "notices.publish", compound):
            raise PermissionDenied("notices.publish")
    communities = {community_path_of(compound.path) for compound in compounds}
    if len(communities) != 1:
        raise NoticeError(_("一条通知只能发给同一个社区的小区"))
    if not title.strip() or not body.strip():
        raise NoticeError(_("标题和正文不能为空"))
    for _title, file in attachments:
        if file.size > MAX_ATTACHMENT_BYTES:
            raise NoticeError(_("附件不能超过 10 MB"))
    community = Unit.objects.get(path=communities.pop())
    buildings = _buildings(buildings)
    notice = CommunityNotice.objects.create(
        community=community, title=title.strip()[:120], body=body.strip(), policy_version=policy_version,
        to_staff=to_staff, published_by=by,
    )
    NoticeTarget.objects.bulk_create(
        NoticeTarget(notice=notice, compound=compound, building=building)
        for compound in compounds for building in (buildings or [""])
    )
    for title_, file in attachments:
        NoticeAttachment.objects.create(notice=notice, title=(title_ or file.name)[:120], file=file)
    if deliver:
        deliver_notice(by=by, notice=notice)
    return notice


def check_undelivered(*, notice: CommunityNotice) -> None:
    """Raise NoticeError when the notice was already delivered (delivering twice would double it)."""
    if notice.receipts.exists():
        raise NoticeError(_("该通知已经发送"))


@transaction.atomic
def deliver_notice(*, by, notice: CommunityNotice) -> CommunityNotice:
    """Write the receipts and in-app notifications of a stored notice, once (audited as published)."""
    CommunityNotice.objects.select_for_update().filter(pk=notice.pk).first()
    check_undelivered(notice=notice)
    targets = list(notice.targets.select_related("compound"))
    compounds = list({target.compound_id: target.compound for target in targets}.values())
    buildings = sorted({target.building for target in targets if target.building})
    wanted = Resident.objects.filter(household__compound__in=compounds)
    if buildings:
        wanted = wanted.filter(household__building__in=buildings)
    residents = list(wanted.only("pk", "user_id").order_by("pk"))
    NoticeReceipt.objects.bulk_create(
        NoticeReceipt(notice=notice, audience=ReceiptAudience.RESIDENT, resident=r) for r in residents
    )
    staff: dict[int, User] = {}
    if notice.to_staff:
        for compound in compounds:
            staff |= {user.pk: user for user in on_duty_users(compound.path)}
        NoticeReceipt.objects.bulk_create(
            NoticeReceipt(notice=notice, audience=ReceiptAudience.STAFF, user=user) for user in staff.values()
        )
    resident_users = [r.user for r in Resident.objects.filter(pk__in=[r.pk for r in residents], user__isnull=False)
                      .select_related("user")]
    notify(recipients=resident_users, kind=KIND, title=notice.title,
           link=reverse("resident:notice_detail", args=[notice.public_id]))
    notify(recipients=staff.values(), kind=KIND, title=notice.title,
           link=reverse("notices:community_detail", args=[notice.public_id]))
    audit.record(actor=by, action="notice.published", target=notice, fields={
        "compounds": len(compounds), "buildings": len(buildings), "residents": len(residents),
        "staff": len(staff), "attachments": notice.attachments.count(),
        "policy_version": bool(notice.policy_version_id),
    })
    return notice


def mark_notice_read(notice: CommunityNotice, *, user=None, resident=None) -> bool:
    """Record the first reading by `resident` (resident site) or `user` (staff site). Idempotent:
    True only when this call recorded it. The matching in-app notification is marked read too."""
    if resident is not None:
        receipts = NoticeReceipt.objects.filter(notice=notice, resident=resident)
        reader = resident.user
        link = reverse("resident:notice_detail", args=[notice.public_id])
    else:
        receipts = NoticeReceipt.objects.filter(notice=notice, user=user)
        reader = user
        link = reverse("notices:community_detail", args=[notice.public_id])
    now = timezone.now()
    changed = receipts.filter(read_at__isnull=True).update(read_at=now, updated_at=now)
    if changed and reader is not None:
        Notification.objects.filter(recipient=reader, kind=KIND, link=link, read_at__isnull=True).update(
            read_at=now, updated_at=now
        )
    return bool(changed)
