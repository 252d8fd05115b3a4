"""Writes of errands. Status moves only through `move_errand` and its table of allowed moves;
every service is keyword-only, atomic, permission-checked and audited."""

from datetime import timedelta
from decimal import Decimal
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from xiachen.accounts.permissions import has_permission
from xiachen.audit import services as audit
from xiachen.interop.webhooks import emit

from . import notifications
from .duty import on_duty_users
from .enums import OPEN_ERRAND_STATUSES, ErrandKind, ErrandStatus
from .models import Errand, ErrandEvent


class ErrandError(ValueError):
    """A request the errand's state or rules do not allow; the message is for the user."""


ALLOWED = {
    ErrandStatus.REQUESTED: {ErrandStatus.ACCEPTED, ErrandStatus.CANCELLED},
    ErrandStatus.ACCEPTED: {ErrandStatus.IN_PROGRESS, ErrandStatus.CANCELLED},
    ErrandStatus.IN_PROGRESS: {ErrandStatus.DELIVERED},
    ErrandStatus.DELIVERED: {ErrandStatus.CONFIRMED, ErrandStatus.CLOSED},
}
DEFAULT_AUTO_CLOSE = timedelta(hours=48)


def _lock(errand: Errand) -> Errand:
    """Lock the row and reload the caller's instance, so a stale object cannot drive a decision."""
    Errand.objects.select_for_update().filter(pk=errand.pk).first()
    errand.refresh_from_db()
    return errand


def move_errand(*, errand: Errand, to: ErrandStatus, by, note: str = "") -> Errand:
    """The one place an errand changes status. Raises ErrandError for a move the table does not allow."""
    current = ErrandStatus(errand.status)
    if to not in ALLOWED.get(current, set()):
        raise ErrandError(
            _("代办不能从“%(current)s”变为“%(target)s”") % {"current": current.label, "target": ErrandStatus(to).label}
        )
    errand.status = to
    now = timezone.now()
    if to == ErrandStatus.DELIVERED:
        errand.delivered_at = now
    if to in (ErrandStatus.CONFIRMED, ErrandStatus.CLOSED, ErrandStatus.CANCELLED):
        errand.finished_at = now
    errand.save(update_fields=["status", "delivered_at", "finished_at", "updated_at"])
    ErrandEvent.objects.create(errand=errand, by=by, from_status=current, to_status=to, note=note[:200])
    audit.record(actor=by, action="errand.status_changed", target=errand, fields={"from": current, "to": str(to)})
    emit("errand.status_changed", path=errand.household.compound_path, data={
        "errand": str(errand.public_id), "household": str(errand.household.public_id), "kind": errand.kind,
        "from": str(current), "status": str(to), "at": now.isoformat(),
    })
    return errand


def _is_household_member(user, errand: Errand) -> bool:
    resident = getattr(user, "resident", None) if user is not None and user.is_authenticated else None
    return resident is not None and resident.household_id == errand.household_id


def _can_work(user, errand: Errand) -> bool:
    return errand.assignee_id == user.pk or has_permission(user, "errands.dispatch", errand.household.compound)


@transaction.atomic
def request_errand(
    *, by, household, kind: str, details: str, submission_key: UUID, prescription_note: str = ""
) -> tuple[Errand, bool]:
    """A resident (for their own household) or a cadre/worker on duty there asks for an errand.

    Returns (errand, created). Submitting the same form twice returns the first errand unchanged.
    Dispatches automatically after commit-safe creation when someone is on duty.
    """
    resident = getattr(by, "resident", None)
    on_behalf = has_permission(by, "errands.view", household.compound) or on_duty_users(
        household.compound_path
    ).filter(pk=by.pk).exists()
    if not (resident is not None and resident.household_id == household.pk) and not on_behalf:
        raise PermissionDenied("errands.request")
    if kind not in ErrandKind.values:
        raise ErrandError(_("请选择代办类型"))
    if not details.strip():
        raise ErrandError(_("请填写需求说明"))
    existing = Errand.objects.filter(requested_by=by, submission_key=submission_key).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            errand = Errand.objects.create(
                household=household, resident=resident if resident and resident.household_id == household.pk else None,
                kind=kind, details=details.strip()[:500], prescription_note=prescription_note.strip()[:300],
                requested_by=by, submission_key=submission_key,
            )
    except IntegrityError:  # the same form submitted twice at once
        return Errand.objects.get(requested_by=by, submission_key=submission_key), False
    ErrandEvent.objects.create(errand=errand, by=by, to_status=ErrandStatus.REQUESTED)
    audit.record(actor=by, action="errand.requested", target=errand, fields={"kind": kind})
    auto_dispatch(errand=errand)
    return errand, True


def auto_dispatch(*, errand: Errand):
    """Assign the errand to the on-duty cadre or worker of its compound with the fewest open errands
    (ties: the longest-registered account). Returns the assignee, or None when nobody is on duty."""
    candidates = on_duty_users(errand.compound_path).annotate(
        load=Count("errands", filter=Q(errands__status__in=OPEN_ERRAND_STATUSES))
    ).order_by("load", "pk")
    assignee = candidates.first()
    if assignee is None:
        notifications.nobody_on_duty(errand)
        return None
    _assign(errand, assignee, by=None, note="auto")
    return assignee


def _assign(errand: Errand, assignee, *, by, note: str) -> None:
    errand.assignee = assignee
    errand.save(update_fields=["assignee", "updated_at"])
    ErrandEvent.objects.create(errand=errand, by=by, from_status=errand.status, to_status=errand.status, note=note)
    audit.record(actor=by, action="errand.assigned", target=errand, fields={"assignee": assignee.pk, "how": note})
    notifications.errand_assigned(errand)


@transaction.atomic
def assign_by_hand(*, by, errand: Errand, assignee) -> Errand:
    """The manager gives an open errand to someone on duty in its compound."""
    if not has_permission(by, "errands.dispatch", errand.household.compound):
        raise PermissionDenied("errands.dispatch")
    _lock(errand)
    if errand.status not in (ErrandStatus.REQUESTED, ErrandStatus.ACCEPTED):
        raise ErrandError(_("只能为待接单或已接单的代办指派办理人"))
    if not on_duty_users(errand.compound_path).filter(pk=assignee.pk).exists():
        raise ErrandError(_("只能指派给在该小区值守的干部或社区工作者"))
    if errand.status == ErrandStatus.ACCEPTED:
        errand.status = ErrandStatus.REQUESTED  # the new assignee accepts it again
        errand.save(update_fields=["status", "updated_at"])
    _assign(errand, assignee, by=by, note="manual")
    return errand


@transaction.atomic
def accept_errand(*, by, errand: Errand) -> Errand:
    """The assignee (or anyone on duty there, taking over an unassigned errand) accepts it."""
    _lock(errand)
    if errand.assignee_id is None and on_duty_users(errand.compound_path).filter(pk=by.pk).exists():
        errand.assignee = by
        errand.save(update_fields=["assignee", "updated_at"])
    if errand.assignee_id != by.pk:
        raise PermissionDenied("errands.accept")
    move_errand(errand=errand, to=ErrandStatus.ACCEPTED, by=by)
    notifications.errand_progress(errand)
    return errand


@transaction.atomic
def start_errand(*, by, errand: Errand) -> Errand:
    _lock(errand)
    if not _can_work(by, errand):
        raise PermissionDenied("errands.work")
    return move_errand(errand=errand, to=ErrandStatus.IN_PROGRESS, by=by)


@transaction.atomic
def deliver_errand(*, by, errand: Errand, cost: Decimal | None = None, payment_note: str = "") -> Errand:
    """Delivered: record the cost and how it was paid (no payment is processed here)."""
    _lock(errand)
    if not _can_work(by, errand):
        raise PermissionDenied("errands.work")
    if cost is not None and cost < 0:
        raise ErrandError(_("费用不能为负数"))
    errand.cost, errand.payment_note = cost, payment_note.strip()[:200]
    errand.save(update_fields=["cost", "payment_note", "updated_at"])
    move_errand(errand=errand, to=ErrandStatus.DELIVERED, by=by)
    notifications.errand_progress(errand)
    return errand


@transaction.atomic
def confirm_errand(*, by, errand: Errand, rating: int | None = None, comment: str = "") -> Errand:
    """The resident confirms receipt, optionally with a 1–5 rating and a comment."""
    if not _is_household_member(by, errand):
        raise PermissionDenied("errands.confirm")
    _lock(errand)
    if rating is not None and not 1 <= rating <= 5:
        raise ErrandError(_("评分应为 1 到 5 分"))
    move_errand(errand=errand, to=ErrandStatus.CONFIRMED, by=by)
    errand.rating, errand.comment = rating, comment.strip()[:300]
    errand.save(update_fields=["rating", "comment", "updated_at"])
    return errand


@transaction.atomic
def rate_errand(*, by, errand: Errand, rating: int, comment: str = "") -> Errand:
    """Rate a finished errand once (after confirmation or automatic close)."""
    if not _is_household_member(by, errand):
        raise PermissionDenied("errands.rate")
    _lock(errand)
    if errand.status not in (ErrandStatus.CONFIRMED, ErrandStatus.CLOSED):
        raise ErrandError(_("代办完成后才能评价"))
    if errand.rating is not None:
        raise ErrandError(_("该代办已经评价过了"))
    if not 1 <= rating <= 5:
        raise ErrandError(_("评分应为 1 到 5 分"))
    errand.rating, errand.comment = rating, comment.strip()[:300]
    errand.save(update_fields=["rating", "comment", "updated_at"])
    audit.record(actor=by, action="errand.rated", target=errand, fields={"rating": rating})
    return errand


@transaction.atomic
def cancel_errand(*, by, errand: Errand, reason: str = "") -> Errand:
    """The requesting household or the manager cancels before the errand is under way."""
    allowed = _is_household_member(by, errand) or errand.requested_by_id == by.pk
    if not allowed and not has_permission(by, "errands.dispatch", errand.household.compound):
        raise PermissionDenied("errands.cancel")
    _lock(errand)
    move_errand(errand=errand, to=ErrandStatus.CANCELLED, by=by, note=reason)
    return errand


def close_stale_errands(*, now, after: timedelta = DEFAULT_AUTO_CLOSE) -> int:
    """Close errands delivered more than `after` ago that nobody confirmed. Idempotent: a closed
    errand is no longer delivered, so a second run closes nothing."""
    count = 0
    for pk in Errand.objects.filter(status=ErrandStatus.DELIVERED, delivered_at__lte=now - after).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            errand = _lock(Errand(pk=pk))
            if errand.status != ErrandStatus.DELIVERED:
                continue
            move_errand(errand=errand, to=ErrandStatus.CLOSED, by=None, note="auto-close")
            count += 1
    return count
