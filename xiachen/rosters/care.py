"""Care at a post: the protective-gear log with stock, and replacement requests raised when a cadre
reports feeling unwell."""

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from xiachen.audit import services as audit

from . import notifications
from .enums import ReplacementStatus
from .models import GearMovement, ReplacementRequest, Roster
from .services import RosterError, require_manager


def gear_stock(post) -> list[tuple[str, int]]:
    """(item, quantity in stock) at the post."""
    return list(post.gear_movements.values("item").annotate(stock=Sum("quantity")).order_by("item")
                .values_list("item", "stock"))


@transaction.atomic
def receive_gear(*, by, post, item: str, quantity: int) -> GearMovement:
    require_manager(by, post)
    if quantity <= 0 or not item.strip():
        raise RosterError(_("请填写物资名称和正数数量"))
    movement = GearMovement.objects.create(post=post, item=item.strip()[:60], quantity=quantity, by=by)
    audit.record(actor=by, action="roster.gear_received", target=movement, fields={"quantity": quantity})
    return movement


@transaction.atomic
def issue_gear(*, by, post, item: str, quantity: int, cadre) -> GearMovement:
    """Hand gear to a cadre; refused when the post's stock of that item is too low."""
    require_manager(by, post)
    type(post).objects.select_for_update().filter(pk=post.pk).first()  # one issue at a time per post
    if quantity <= 0:
        raise RosterError(_("数量应为正数"))
    stock = post.gear_movements.filter(item=item).aggregate(total=Sum("quantity"))["total"] or 0
    if stock < quantity:
        raise RosterError(_("%(item)s 库存只有 %(stock)d，不能发放 %(quantity)d")
                          % {"item": item, "stock": stock, "quantity": quantity})
    movement = GearMovement.objects.create(post=post, item=item, quantity=-quantity, cadre=cadre, by=by)
    audit.record(actor=by, action="roster.gear_issued", target=movement, fields={"quantity": quantity})
    return movement


@transaction.atomic
def report_unwell(*, by, roster: Roster, note: str) -> ReplacementRequest:
    """A cadre on the roster feels unwell: a replacement request goes to the receiving manager."""
    cadre = getattr(by, "cadre", None)
    if cadre is None or not roster.assignments.filter(cadre=cadre).exists():
        raise RosterError(_("您不在这张排班表上"))
    request = ReplacementRequest.objects.create(cadre=cadre, roster=roster, unit_path=roster.unit_path,
                                                note=note.strip()[:300])
    audit.record(actor=by, action="roster.unwell_reported", target=request)
    notifications.replacement_requested(request)
    return request


@transaction.atomic
def resolve_replacement(*, by, request: ReplacementRequest) -> ReplacementRequest:
    require_manager(by, request.roster.post)
    if request.status != ReplacementStatus.OPEN:
        raise RosterError(_("该替班需求已处理"))
    request.status = ReplacementStatus.RESOLVED
    request.save(update_fields=["status", "updated_at"])
    audit.record(actor=by, action="roster.replacement_resolved", target=request)
    return request
