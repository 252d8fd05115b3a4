"""Service records (hours approved by the organizer, with a rating and comment) and the points
ledger (积分): each movement locks the member row and refuses to take the balance below zero; the
database refuses it too (CHECK constraints on the balance and on each entry's running balance)."""

from datetime import date

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from xiachen.accounts.permissions import require_permission
from xiachen.audit import services as audit

from ..enums import LedgerKind, RecordSource, RecordStatus
from ..models import Member, PointsCatalogItem, PointsLedgerEntry, ServiceRecord
from .errors import VolunteerError, check_transition

RECORD_TRANSITIONS = {RecordStatus.PENDING: {RecordStatus.APPROVED, RecordStatus.REJECTED}}
# Which way each kind of ledger entry may move the balance.
LEDGER_SIGNS = {LedgerKind.EARNED: {1}, LedgerKind.REDEEMED: {-1}, LedgerKind.ADJUSTED: {1, -1}}
DEFAULT_POINTS_PER_HOUR = 10
MAX_MINUTES = 24 * 60


@transaction.atomic
def record_service(*, by, member: Member, source: str, served_on: date, minutes: int, post=None,
                   call_out=None) -> ServiceRecord:
    """File service time outside an activity (a post's duty, a call-out) for approval."""
    require_permission(by, "volunteers.manage_service", member.community)
    if not 0 < minutes <= MAX_MINUTES:
        raise VolunteerError(_("服务时长应在1分钟到24小时之间"))
    record = ServiceRecord.objects.create(member=member, community=member.community, source=source,
                                          served_on=served_on, minutes=minutes, post=post, call_out=call_out)
    audit.record(actor=by, action="volunteers.service_recorded", target=record)
    return record


def _points_for(record: ServiceRecord) -> int:
    per_hour = record.activity.points_per_hour if record.activity_id else DEFAULT_POINTS_PER_HOUR
    return round(record.minutes * per_hour / 60)


@transaction.atomic
def review_record(*, by, record: ServiceRecord, approve: bool, minutes: int | None = None,
                  rating: int | None = None, comment: str = "") -> ServiceRecord:
    """The organizer approves the hours (optionally corrected) with a rating and comment, which
    credits the points; or does not recognize them."""
    require_permission(by, "volunteers.manage_service", record.community)
    locked = ServiceRecord.objects.select_for_update(of=("self",)).select_related("activity", "member")
    record = locked.get(pk=record.pk)
    to = RecordStatus.APPROVED if approve else RecordStatus.REJECTED
    check_transition(RECORD_TRANSITIONS, record.status, to, _("该服务记录已审核"))
    if rating is not None and not 1 <= rating <= 5:
        raise VolunteerError(_("评分应为1到5分"))
    if minutes is not None:
        if not 0 < minutes <= MAX_MINUTES:
            raise VolunteerError(_("服务时长应在1分钟到24小时之间"))
        record.minutes = minutes
    record.status, record.rating, record.comment = to, rating, comment[:300]
    record.reviewed_by, record.reviewed_at = by, timezone.now()
    record.points = _points_for(record) if approve else 0
    record.save()
    if approve and record.points:
        move_points(member=record.member, kind=LedgerKind.EARNED, points=record.points, record=record, by=by,
                    note=str(RecordSource(record.source).label))
    audit.record(actor=by, action="volunteers.record_reviewed", target=record, fields={"status": to})
    return record


def move_points(*, member: Member, kind: str, points: int, by=None, record=None, item=None,
                note: str = "") -> PointsLedgerEntry:
    """The one place points move: lock the member, check the sign of the kind and the balance."""
    if points == 0 or (1 if points > 0 else -1) not in LEDGER_SIGNS[kind]:
        raise VolunteerError(_("积分变动方向不正确"))
    locked = Member.objects.select_for_update().get(pk=member.pk)
    balance = locked.points_balance + points
    if balance < 0:
        raise VolunteerError(_("积分不足：当前余额%(balance)d分") % {"balance": locked.points_balance})
    Member.objects.filter(pk=member.pk).update(points_balance=balance)
    member.points_balance = balance
    return PointsLedgerEntry.objects.create(member=locked, kind=kind, points=points, balance_after=balance,
                                            record=record, item=item, note=note[:200], by=by)


@transaction.atomic
def redeem_item(*, by, member: Member, item: PointsCatalogItem) -> PointsLedgerEntry:
    """积分兑换 at the community desk: the item's points leave the member's balance, one off the stock."""
    require_permission(by, "volunteers.manage_service", item.community)
    item = PointsCatalogItem.objects.select_for_update().get(pk=item.pk)
    if not item.is_active or item.community_id != member.community_id:
        raise VolunteerError(_("该物品不可兑换"))
    if item.stock is not None:
        if item.stock < 1:
            raise VolunteerError(_("该物品已兑完"))
        item.stock -= 1
        item.save(update_fields=["stock", "updated_at"])
    entry = move_points(member=member, kind=LedgerKind.REDEEMED, points=-item.points, item=item, by=by,
                        note=item.name)
    audit.record(actor=by, action="volunteers.points_redeemed", target=entry)
    return entry


@transaction.atomic
def adjust_points(*, by, member: Member, points: int, note: str) -> PointsLedgerEntry:
    require_permission(by, "volunteers.manage_service", member.community)
    if not note.strip():
        raise VolunteerError(_("调整积分时请填写原因"))
    entry = move_points(member=member, kind=LedgerKind.ADJUSTED, points=points, by=by, note=note)
    audit.record(actor=by, action="volunteers.points_adjusted", target=entry)
    return entry


@transaction.atomic
def save_catalog_item(*, by, community, name: str, points: int, stock: int | None = None, description: str = "",
                      item: PointsCatalogItem | None = None, is_active: bool = True) -> PointsCatalogItem:
    require_permission(by, "volunteers.manage_service", community)
    if points < 1:
        raise VolunteerError(_("所需积分至少为1"))
    item = item or PointsCatalogItem(community=community)
    item.name, item.points, item.stock, item.description, item.is_active = name, points, stock, description, is_active
    item.save()
    audit.record(actor=by, action="volunteers.catalog_saved", target=item)
    return item


def hours_by_year(member: Member) -> list[dict]:
    """Approved hours and points per year, newest first: [{"year", "minutes", "points", "hours"}]."""
    rows = (ServiceRecord.objects.filter(member=member, status=RecordStatus.APPROVED)
            .values_list("served_on", "minutes", "points"))
    years: dict[int, dict] = {}
    for served_on, minutes, points in rows:
        year = years.setdefault(served_on.year, {"year": served_on.year, "minutes": 0, "points": 0})
        year["minutes"] += minutes
        year["points"] += points
    for year in years.values():
        year["hours"] = round(year["minutes"] / 60, 1)
    return sorted(years.values(), key=lambda year: -year["year"])


def approved_minutes(member: Member, year: int) -> int:
    return ServiceRecord.objects.filter(member=member, status=RecordStatus.APPROVED,
                                        served_on__year=year).aggregate(total=Sum("minutes"))["total"] or 0
