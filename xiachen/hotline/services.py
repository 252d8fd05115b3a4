"""Writes of tickets: intake, routing (首接负责), transfers and district rulings (兜底), closure,
call-back and reopening. Keyword-only, atomic, permission-checked, audited; ticket status moves only
through `move_ticket` and its table of allowed transitions. A refused request raises TicketError
with a Chinese message before anything is written."""

import re
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiachen.accounts.permissions import has_permission
from xiachen.audit import services as audit
from xiachen.core import calendar
from xiachen.interop.webhooks import emit
from xiachen.org.models import Unit

from . import deadlines, notifications
from .enums import (
    OPEN_STATUSES,
    ComplaintReview,
    EventKind,
    RequestKind,
    RequestStatus,
    Satisfaction,
    Source,
    TicketStatus,
    Urgency,
)
from .models import Category, ComplaintSubject, Ticket, TicketEvent, TicketRequest, WorkingCalendar
from .selectors import (
    can_decide_requests,
    can_own,
    can_supervise,
    complaint_cadre_choices,
    district_of,
    returned_by,
    routable_units,
    route_for,
)


class TicketError(ValueError):
    """A request the ticket's state or the rules do not allow; the message is for the user."""


ALLOWED = {
    TicketStatus.NEW: {TicketStatus.DISPATCHED, TicketStatus.MERGED},
    TicketStatus.DISPATCHED: {TicketStatus.IN_PROGRESS, TicketStatus.DISPUTED, TicketStatus.MERGED,
                              TicketStatus.RETURNED},
    TicketStatus.IN_PROGRESS: {TicketStatus.RESOLVED, TicketStatus.DISPUTED, TicketStatus.RETURNED},
    TicketStatus.DISPUTED: {TicketStatus.IN_PROGRESS},
    # 退单: approved → back to the dispatcher (待派单); rejected → back to the unit as it was (ADR 1604)
    TicketStatus.RETURNED: {TicketStatus.NEW, TicketStatus.DISPATCHED, TicketStatus.IN_PROGRESS},
    TicketStatus.RESOLVED: {TicketStatus.CLOSED},
    TicketStatus.CLOSED: {TicketStatus.IN_PROGRESS},  # reopened once, when the caller was unsatisfied
}
PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
REVEALABLE_FIELDS = {"caller_name", "caller_phone"}


def _label(status: str) -> str:
    return str(TicketStatus(status).label)


def add_event(*, ticket: Ticket, kind: str, by=None, unit: Unit | None = None, note: str = "",
              from_status: str = "", to_status: str = "") -> TicketEvent:
    return TicketEvent.objects.create(ticket=ticket, kind=kind, actor=by, unit=unit, note=note,
                                      from_status=from_status, to_status=to_status)


def move_ticket(*, ticket: Ticket, to: TicketStatus, by, kind: str, unit: Unit | None = None, note: str = "",
                fields: tuple[str, ...] = ()) -> Ticket:
    """The one place a ticket changes status; also saves `fields` changed by the caller.
    Raises TicketError for a move the table does not allow."""
    current = TicketStatus(ticket.status)
    if to not in ALLOWED.get(current, set()):
        raise TicketError(_("工单不能从“%(current)s”变为“%(target)s”")
                          % {"current": current.label, "target": TicketStatus(to).label})
    ticket.status = to
    ticket.save(update_fields=["status", "updated_at", "owner_path", "transfer_path", *fields])
    add_event(ticket=ticket, kind=kind, by=by, unit=unit, note=note, from_status=current, to_status=to)
    audit.record(actor=by, action=f"ticket.{kind}", target=ticket, fields={"from": str(current), "to": str(to)})
    if to == TicketStatus.CLOSED:
        emit("ticket.closed", path=ticket.place_path, data=lambda: webhook_data(ticket))
    return ticket


def webhook_data(ticket: Ticket) -> dict:
    """What a webhook says about a ticket: ids, codes, statuses and times; never the caller or the text."""
    return {
        "ticket": str(ticket.public_id), "number": ticket.number, "status": ticket.status, "source": ticket.source,
        "category": ticket.category.code, "urgency": ticket.urgency, "place": str(ticket.place.public_id),
        "owner": str(ticket.owner.public_id) if ticket.owner_id else None,
        "received_at": ticket.received_at.isoformat(), "due_at": ticket.due_at.isoformat(),
        "satisfaction": ticket.satisfaction or None,
    }


def _lock(ticket: Ticket) -> Ticket:
    """Lock the row and reload, so a stale page cannot drive a decision."""
    Ticket.objects.select_for_update().filter(pk=ticket.pk).first()
    ticket.refresh_from_db()
    return ticket


# ---- deadlines -------------------------------------------------------------------------------


def current_calendar() -> deadlines.Calendar:
    """The working hours set for the hotline on the platform's one holiday calendar (known years only)."""
    settings, _created = WorkingCalendar.objects.get_or_create(pk=1)
    days_off, makeup_days = calendar.holiday_days()
    return deadlines.Calendar(
        day_start=settings.day_start, day_end=settings.day_end,
        workdays=frozenset(int(day) for day in settings.workdays if day.isdigit()),
        holidays=days_off, extra_workdays=makeup_days, known_years=calendar.known_years(),
    )


def _local(moment: datetime) -> datetime:
    return timezone.localtime(moment).replace(tzinfo=None)


def _aware(moment: datetime) -> datetime:
    return timezone.make_aware(moment)


def set_deadlines(ticket: Ticket, received: datetime) -> None:
    """Response, feedback and reminder times for a ticket received (or reopened, or re-dispatched
    after a 退单) at `received`; clears the reminder, escalation and any extension."""
    _compute_deadlines(ticket, received, current_calendar())
    ticket.reminded_at = ticket.escalated_at = ticket.escalated_to = None
    ticket.original_due_at = None


def _response_clock(ticket: Ticket) -> str:
    """Urgent tickets are always signed for round the clock; others by their category's clock (ADR 1604)."""
    if ticket.urgency == Urgency.URGENT:
        return deadlines.CALENDAR_CLOCK
    return ticket.category.response_clock


def _compute_deadlines(ticket: Ticket, received: datetime, working: deadlines.Calendar, *,
                       keep_due: bool = False) -> None:
    """Set response_due, due_at and remind_at from `received`. A deadline reaching a year the holiday
    calendar does not know is computed by the weekday rule and marked provisional (shown as such,
    alerted, and made final when that year's notice is loaded — ADR 1601). `keep_due`: an approved
    extension fixed due_at and remind_at; only the response window is recomputed."""
    settings, _created = WorkingCalendar.objects.get_or_create(pk=1)
    category = ticket.category
    amount, unit = category.deadline_amount, category.deadline_unit
    if ticket.urgency == Urgency.URGENT and category.urgent_deadline_hours:
        amount, unit = category.urgent_deadline_hours, deadlines.HOURS
    local, clock, provisional = _local(received), _response_clock(ticket), False
    try:
        response = deadlines.response_deadline(local, settings.response_minutes, clock, working)
    except deadlines.CalendarMissing:
        response = deadlines.response_deadline(local, settings.response_minutes, clock, working.by_weekday_rule())
        provisional = True
    ticket.response_due = _aware(response)
    if not keep_due:
        try:
            due = deadlines.deadline(local, amount, unit, working)
        except deadlines.CalendarMissing:
            due, provisional = deadlines.deadline(local, amount, unit, working.by_weekday_rule()), True
        remind = deadlines.reminder_time(local, due, percent=settings.reminder_percent,
                                         cap=timedelta(minutes=settings.reminder_minutes))
        ticket.due_at, ticket.remind_at = _aware(due), _aware(remind)
    ticket.deadline_from, ticket.deadline_provisional = received, provisional


def finalize_provisional_deadlines(year: int) -> int:
    """After `year`'s holidays are loaded: recompute the open tickets' provisional deadlines; return how many."""
    working = current_calendar()
    tickets = list(Ticket.objects.filter(deadline_provisional=True, status__in=OPEN_STATUSES)
                   .select_related("category"))
    for ticket in tickets:
        _compute_deadlines(ticket, ticket.deadline_from or ticket.received_at, working,
                           keep_due=ticket.original_due_at is not None)
    Ticket.objects.bulk_update(tickets, ["response_due", "due_at", "remind_at", "deadline_from",
                                         "deadline_provisional"])
    return len(tickets)


# ---- intake ----------------------------------------------------------------------------------


def _check_intake(*, caller_name: str, caller_phone: str, description: str, phone_required: bool) -> None:
    if not caller_name.strip():
        raise TicketError(_("请填写来电人姓名"))
    if (caller_phone or phone_required) and not PHONE.match(caller_phone):
        raise TicketError(_("联系电话格式不正确：请填写11位手机号或带区号的固定电话"))
    if not description.strip():
        raise TicketError(_("请填写诉求内容"))


def _open_ticket(*, by, source: str, caller_name: str, caller_phone: str, place: Unit, address: str,
                 category: Category, urgency: str, description: str, resident=None, now=None) -> Ticket:
    received = now or timezone.now()
    ticket = Ticket(source=source, caller_name=caller_name.strip(), caller_phone=caller_phone.strip(),
                    place=place, address=address.strip(), category=category, urgency=urgency,
                    description=description.strip(), resident=resident, district=district_of(place),
                    received_at=received, created_by=by)
    set_deadlines(ticket, received)
    ticket.save()
    ticket.number = f"HL{timezone.localtime(received):%y%m%d}-{ticket.pk:05d}"
    ticket.save(update_fields=["number"])
    add_event(ticket=ticket, kind=EventKind.CREATED, by=by, unit=place, to_status=TicketStatus.NEW,
              note=str(Source(source).label))
    audit.record(actor=by, action="ticket.created", target=ticket, fields={"category": category.code})
    emit("ticket.created", path=ticket.place_path, data=lambda: webhook_data(ticket))
    unit = route_for(category=category, place=place)
    if unit is not None and can_own(unit):
        _dispatch(ticket=ticket, unit=unit, by=by, note=_("按派单规则自动派单"))
    return ticket


@transaction.atomic
def create_ticket(*, by, caller_name: str, caller_phone: str, place: Unit, category: Category,
                  urgency: str = Urgency.NORMAL, description: str, address: str = "", now=None,
                  source: str = Source.CALL) -> Ticket:
    """An operator logs a call; the ticket is dispatched at once when a routing rule or the address
    names a responsible unit. Raises PermissionDenied outside the operator's area, TicketError on bad input."""
    if not has_permission(by, "hotline.operate", place):
        raise PermissionDenied("hotline.operate")
    _check_intake(caller_name=caller_name, caller_phone=caller_phone, description=description, phone_required=True)
    return _open_ticket(by=by, source=source, caller_name=caller_name, caller_phone=caller_phone, place=place,
                        address=address, category=category, urgency=urgency, description=description, now=now)


COMPLAINT_CATEGORY = "staff_complaint"


@transaction.atomic
def file_ticket_from_resident(*, resident, category: Category, description: str, urgency: str = Urgency.NORMAL,
                              cadre=None, now=None) -> Ticket:
    """A resident files a request on the resident site: name, phone and address come from the register.
    A complaint about staff may name a cadre who served there (`complaint_cadre_choices`); the
    community's manager then checks it before it counts (ADR 1604)."""
    household = resident.household
    _check_intake(caller_name=resident.name, caller_phone=resident.phone or "", description=description,
                  phone_required=False)
    if cadre is not None:
        if category.code != COMPLAINT_CATEGORY:
            raise TicketError(_("只有“工作人员投诉”可以指明被投诉干部"))
        if not complaint_cadre_choices(resident).filter(pk=cadre.pk).exists():
            raise TicketError(_("所选干部未在您所在社区服务，请重新选择"))
    ticket = _open_ticket(by=resident.user, source=Source.RESIDENT_SITE, caller_name=resident.name,
                          caller_phone=resident.phone or "", place=household.compound,
                          address=household.address_label, category=category, urgency=urgency,
                          description=description, resident=resident, now=now)
    if cadre is not None:
        ComplaintSubject.objects.create(ticket=ticket, cadre=cadre)
        audit.record(actor=resident.user, action="ticket.complaint_named", target=ticket,
                     fields={"cadre": str(cadre.public_id)})
        notifications.complaint_filed(ticket)
    return ticket


@transaction.atomic
def review_complaint(*, by, ticket: Ticket, confirmed: bool, note: str) -> ComplaintSubject:
    """The manager of the place checks a complaint naming a cadre: 属实 (counts in the cadre's
    被投诉次数) or 不属实. Decided once; audited."""
    _lock(ticket)
    if not has_permission(by, "hotline.moderate_complaints", ticket.place):
        raise PermissionDenied("hotline.moderate_complaints")
    subject = ComplaintSubject.objects.select_for_update().filter(ticket=ticket).first()
    if subject is None:
        raise TicketError(_("该工单没有指明被投诉干部"))
    if subject.status != ComplaintReview.PENDING:
        raise TicketError(_("该投诉已核实（%(status)s）") % {"status": subject.get_status_display()})
    note = _require_reason(note, _("请填写核实说明"))
    subject.status = ComplaintReview.CONFIRMED if confirmed else ComplaintReview.REJECTED
    subject.reviewed_by, subject.reviewed_at, subject.review_note = by, timezone.now(), note
    subject.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note", "updated_at"])
    add_event(ticket=ticket, kind=EventKind.COMPLAINT_REVIEWED, by=by, note=str(subject.get_status_display()))
    audit.record(actor=by, action="ticket.complaint_reviewed", target=ticket,
                 fields={"cadre": str(subject.cadre.public_id), "status": subject.status})
    return subject


# ---- routing, 首接负责, 兜底 -------------------------------------------------------------------


def _require_ownable(unit: Unit) -> None:
    if not can_own(unit):
        raise TicketError(_("“%(unit)s”是%(kind)s，不能承办工单：请派给社区、街道、区或职能部门")
                          % {"unit": unit.name, "kind": unit.kind.name_zh})


def _dispatch(*, ticket: Ticket, unit: Unit, by, note: str = "") -> None:
    ticket.owner, ticket.dispatched_at = unit, timezone.now()
    if ticket.status == TicketStatus.NEW:
        move_ticket(ticket=ticket, to=TicketStatus.DISPATCHED, by=by, kind=EventKind.ROUTED, unit=unit, note=note,
                    fields=("owner", "dispatched_at"))
    else:
        ticket.save(update_fields=["owner", "owner_path", "dispatched_at", "updated_at"])
        add_event(ticket=ticket, kind=EventKind.ROUTED, by=by, unit=unit, note=note)
        audit.record(actor=by, action="ticket.routed", target=ticket, fields={"unit": unit.code})
    notifications.dispatched(ticket)


@transaction.atomic
def route_ticket(*, by, ticket: Ticket, unit: Unit) -> Ticket:
    """Dispatch (or re-dispatch, before anyone signed) to `unit`. Once a unit has signed, only a
    transfer it accepts or a district ruling changes the owner (首接负责)."""
    if not has_permission(by, "hotline.operate", ticket.place):
        raise PermissionDenied("hotline.operate")
    _lock(ticket)
    _require_ownable(unit)
    if not routable_units(by).filter(pk=unit.pk).exists():
        raise TicketError(_("“%(unit)s”不在您的派单范围内") % {"unit": unit.name})
    if ticket.status not in (TicketStatus.NEW, TicketStatus.DISPATCHED):
        raise TicketError(_("工单已由“%(owner)s”签收，按首接负责只能由其申请转办")
                          % {"owner": ticket.owner.name if ticket.owner_id else "—"})
    if ticket.owner_id == unit.pk:
        raise TicketError(_("工单已派给“%(unit)s”") % {"unit": unit.name})
    if unit.pk in returned_by(ticket):
        raise TicketError(_("“%(unit)s”的退单已审核通过，请派给其他单位") % {"unit": unit.name})
    _dispatch(ticket=ticket, unit=unit, by=by)
    return ticket


def _require_handler(by, unit: Unit | None) -> None:
    if unit is None or not has_permission(by, "hotline.handle", unit):
        raise PermissionDenied("hotline.handle")


@transaction.atomic
def accept_ticket(*, by, ticket: Ticket) -> Ticket:
    """The owning unit signs for the ticket (签收): the response the response rate counts."""
    _lock(ticket)
    _require_handler(by, ticket.owner)
    if ticket.status != TicketStatus.DISPATCHED:
        raise TicketError(_("只有待签收的工单可以签收"))
    ticket.accepted_at = ticket.accepted_at or timezone.now()
    return move_ticket(ticket=ticket, to=TicketStatus.IN_PROGRESS, by=by, kind=EventKind.ACCEPTED,
                       unit=ticket.owner, fields=("accepted_at",))


@transaction.atomic
def request_transfer(*, by, ticket: Ticket, unit: Unit, reason: str) -> Ticket:
    """The owner asks `unit` to take the ticket over; it stays the owner until `unit` accepts."""
    _lock(ticket)
    _require_handler(by, ticket.owner)
    _require_ownable(unit)
    if ticket.status not in (TicketStatus.DISPATCHED, TicketStatus.IN_PROGRESS):
        raise TicketError(_("当前状态（%(status)s）不能申请转办") % {"status": _label(ticket.status)})
    if unit.pk == ticket.owner_id:
        raise TicketError(_("不能转给本单位"))
    if not reason.strip():
        raise TicketError(_("请填写转办理由"))
    ticket.transfer_to = unit
    ticket.save(update_fields=["transfer_to", "transfer_path", "updated_at"])
    add_event(ticket=ticket, kind=EventKind.TRANSFER_REQUESTED, by=by, unit=unit, note=reason.strip())
    audit.record(actor=by, action="ticket.transfer_requested", target=ticket, fields={"unit": unit.code})
    notifications.transfer_requested(ticket)
    return ticket


@transaction.atomic
def accept_transfer(*, by, ticket: Ticket) -> Ticket:
    """The asked unit takes the ticket over and becomes its owner (signing it at the same time)."""
    _lock(ticket)
    _require_handler(by, ticket.transfer_to)
    unit = ticket.transfer_to
    ticket.owner, ticket.transfer_to = unit, None
    ticket.accepted_at = ticket.accepted_at or timezone.now()
    fields = ("owner", "transfer_to", "accepted_at")
    if ticket.status == TicketStatus.IN_PROGRESS:
        ticket.save(update_fields=[*fields, "owner_path", "transfer_path", "updated_at"])
        add_event(ticket=ticket, kind=EventKind.TRANSFER_ACCEPTED, by=by, unit=unit)
        audit.record(actor=by, action="ticket.transfer_accepted", target=ticket, fields={"unit": unit.code})
        return ticket
    return move_ticket(ticket=ticket, to=TicketStatus.IN_PROGRESS, by=by, kind=EventKind.TRANSFER_ACCEPTED,
                       unit=unit, fields=fields)


@transaction.atomic
def decline_transfer(*, by, ticket: Ticket, reason: str) -> Ticket:
    """The asked unit refuses: the dispute goes up to the district, the owner keeps handling meanwhile."""
    _lock(ticket)
    _require_handler(by, ticket.transfer_to)
    if not reason.strip():
        raise TicketError(_("请填写拒绝理由"))
    if ticket.district is None:
        raise TicketError(_("工单所在地没有区级单位，无法提交裁定"))
    move_ticket(ticket=ticket, to=TicketStatus.DISPUTED, by=by, kind=EventKind.TRANSFER_DECLINED,
                unit=ticket.transfer_to, note=reason.strip())
    notifications.dispute_raised(ticket)
    return ticket


@transaction.atomic
def arbitrate(*, by, ticket: Ticket, unit: Unit, note: str = "") -> Ticket:
    """The district rules who owns a disputed ticket, possibly itself (兜底); the ruling is binding."""
    _lock(ticket)
    if ticket.district is None or not has_permission(by, "hotline.arbitrate", ticket.district):
        raise PermissionDenied("hotline.arbitrate")
    _require_ownable(unit)
    if ticket.status != TicketStatus.DISPUTED:
        raise TicketError(_("只有存在承办争议的工单需要裁定"))
    ticket.owner, ticket.transfer_to = unit, None
    ticket.accepted_at = ticket.accepted_at or timezone.now()
    move_ticket(ticket=ticket, to=TicketStatus.IN_PROGRESS, by=by, kind=EventKind.ARBITRATED, unit=unit,
                note=note.strip(), fields=("owner", "transfer_to", "accepted_at"))
    notifications.dispatched(ticket)
    return ticket


# ---- closure, call-back, reopening --------------------------------------------------------------


@transaction.atomic
def resolve_ticket(*, by, ticket: Ticket, outcome: str) -> Ticket:
    """The owner records what was done (办结); the call-back follows."""
    _lock(ticket)
    _require_handler(by, ticket.owner)
    if not outcome.strip():
        raise TicketError(_("请填写办理结果后再办结"))
    if ticket.status != TicketStatus.IN_PROGRESS:
        raise TicketError(_("当前状态（%(status)s）不能办结") % {"status": _label(ticket.status)})
    ticket.outcome, ticket.resolved_at = outcome.strip(), timezone.now()
    return move_ticket(ticket=ticket, to=TicketStatus.RESOLVED, by=by, kind=EventKind.RESOLVED, unit=ticket.owner,
                       note=ticket.outcome, fields=("outcome", "resolved_at"))


def _require_operator(by, ticket: Ticket) -> None:
    if not has_permission(by, "hotline.operate", ticket.place):
        raise PermissionDenied("hotline.operate")


@transaction.atomic
def record_callback(*, by, ticket: Ticket, resolved: bool, satisfaction: str, reason: str = "") -> Ticket:
    """The operator calls the caller back: was it resolved, and how satisfied are they."""
    _lock(ticket)
    _require_operator(by, ticket)
    if satisfaction not in Satisfaction.values:
        raise TicketError(_("请选择满意度"))
    if satisfaction == Satisfaction.UNSATISFIED and not reason.strip():
        raise TicketError(_("选择“不满意”时请填写原因"))
    if ticket.status != TicketStatus.RESOLVED:
        raise TicketError(_("只有已办结的工单可以回访"))
    ticket.called_back_at, ticket.caller_says_resolved = timezone.now(), resolved
    ticket.satisfaction, ticket.satisfaction_reason = satisfaction, reason.strip()
    note = f"{Satisfaction(satisfaction).label}；{_('已解决') if resolved else _('未解决')}"
    return move_ticket(ticket=ticket, to=TicketStatus.CLOSED, by=by, kind=EventKind.CALLED_BACK,
                       note=f"{note}。{ticket.satisfaction_reason}".rstrip("。"),
                       fields=("called_back_at", "caller_says_resolved", "satisfaction", "satisfaction_reason"))


@transaction.atomic
def reopen_ticket(*, by, ticket: Ticket, note: str = "") -> Ticket:
    """An unsatisfied caller's ticket goes back to its owner once, with fresh deadlines."""
    _lock(ticket)
    _require_operator(by, ticket)
    if ticket.reopen_count >= 1:
        raise TicketError(_("该工单已重办过一次，不能再次重办"))
    if ticket.status != TicketStatus.CLOSED or not ticket.is_unsatisfied:
        raise TicketError(_("只有回访“不满意”的工单可以重办"))
    set_deadlines(ticket, timezone.now())
    ticket.reopen_count += 1
    ticket.called_back_at = ticket.caller_says_resolved = None
    ticket.satisfaction = ticket.satisfaction_reason = ""
    fields = ("reopen_count", "called_back_at", "caller_says_resolved", "satisfaction", "satisfaction_reason",
              "response_due", "due_at", "remind_at", "reminded_at", "escalated_at", "escalated_to")
    move_ticket(ticket=ticket, to=TicketStatus.IN_PROGRESS, by=by, kind=EventKind.REOPENED, unit=ticket.owner,
                note=note.strip(), fields=fields)
    notifications.dispatched(ticket)
    return ticket


@transaction.atomic
def link_duplicate(*, by, ticket: Ticket, original: Ticket) -> Ticket:
    """Merge a repeated call into the earlier ticket: it leaves the deadline jobs and the rates."""
    _lock(ticket)
    _require_operator(by, ticket)
    if original.pk == ticket.pk or original.status == TicketStatus.MERGED:
        raise TicketError(_("不能合并到该工单"))
    ticket.duplicate_of = original
    move_ticket(ticket=ticket, to=TicketStatus.MERGED, by=by, kind=EventKind.LINKED,
                note=_("合并至 %(number)s") % {"number": original.number}, fields=("duplicate_of",))
    add_event(ticket=original, kind=EventKind.LINKED, by=by, note=_("重复来电 %(number)s 已合并至本工单")
              % {"number": ticket.number})
    return ticket


@transaction.atomic
def reveal_caller_field(*, by, ticket: Ticket, field: str) -> str:
    """The caller's full name or phone for a permitted user (to call back), leaving an audit row."""
    if field not in REVEALABLE_FIELDS:
        raise ValueError(field)
    units = [unit for unit in (ticket.place, ticket.owner) if unit is not None]
    if not any(has_permission(by, "hotline.show_personal", unit) for unit in units):
        raise PermissionDenied("hotline.show_personal")
    audit.record(actor=by, action="ticket.personal_revealed", target=ticket, fields={"field": field})
    return getattr(ticket, field)


# ---- 退单, 延期, 督办 (ADR 1604) -------------------------------------------------------------------

REQUEST_ALLOWED = {RequestStatus.PENDING: {RequestStatus.APPROVED, RequestStatus.REJECTED}}
REQUEST_EVENTS = {
    (RequestKind.RETURN, RequestStatus.APPROVED): EventKind.RETURN_APPROVED,
    (RequestKind.RETURN, RequestStatus.REJECTED): EventKind.RETURN_REJECTED,
    (RequestKind.EXTENSION, RequestStatus.APPROVED): EventKind.EXTENSION_APPROVED,
    (RequestKind.EXTENSION, RequestStatus.REJECTED): EventKind.EXTENSION_REJECTED,
}


def move_request(*, request: TicketRequest, to: RequestStatus, by, note: str) -> TicketRequest:
    """The one place a 退单 or 延期 request is decided; audited (`ticket.<event kind>`) with the decision.
    Raises TicketError for a request already decided."""
    if to not in REQUEST_ALLOWED.get(RequestStatus(request.status), set()):
        raise TicketError(_("该申请已审核（%(status)s）") % {"status": request.get_status_display()})
    current = request.status
    request.status, request.decided_by, request.decided_at = to, by, timezone.now()
    request.decision_note = note.strip()
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "updated_at"])
    kind = REQUEST_EVENTS[(request.kind, to)]
    audit.record(actor=by, action=f"ticket.{kind}", target=request.ticket,
                 fields={"request": str(request.public_id), "from": current, "to": str(to)})
    return request


def _require_reason(text: str, message: str) -> str:
    """A reason in words: at least two characters that are not punctuation or spaces."""
    if len(re.sub(r"[\W_]", "", text)) < 2:
        raise TicketError(message)
    return text.strip()


def _pending(ticket: Ticket, kind: RequestKind) -> TicketRequest | None:
    return ticket.requests.filter(kind=kind, status=RequestStatus.PENDING).first()


def _new_request(*, ticket: Ticket, kind: RequestKind, by, reason: str, requested_due=None) -> TicketRequest:
    request = TicketRequest.objects.create(ticket=ticket, kind=kind, unit=ticket.owner, requested_by=by,
                                           reason=reason, requested_due=requested_due)
    kind = EventKind.RETURN_REQUESTED if kind == RequestKind.RETURN else EventKind.EXTENSION_REQUESTED
    audit.record(actor=by, action=f"ticket.{kind}", target=ticket,
                 fields={"request": str(request.public_id), "unit": ticket.owner.code})
    return request


@transaction.atomic
def request_return(*, by, ticket: Ticket, reason: str) -> TicketRequest:
    """退单: the owning unit says the ticket is not its business and sends it back to the dispatcher,
    who approves (the ticket is dispatched anew and does not count against this unit) or rejects it
    (the unit handles it, and the rejected 退单 is counted against it)."""
    _lock(ticket)
    _require_handler(by, ticket.owner)
    reason = _require_reason(reason, _("请填写退单理由（说明为何不属于本单位职责）"))
    if ticket.status not in (TicketStatus.DISPATCHED, TicketStatus.IN_PROGRESS):
        raise TicketError(_("当前状态（%(status)s）不能退单") % {"status": _label(ticket.status)})
    if ticket.transfer_to_id:
        raise TicketError(_("已申请转办，不能同时退单"))
    request = _new_request(ticket=ticket, kind=RequestKind.RETURN, by=by, reason=reason)
    move_ticket(ticket=ticket, to=TicketStatus.RETURNED, by=by, kind=EventKind.RETURN_REQUESTED,
                unit=ticket.owner, note=reason)
    notifications.return_requested(ticket)
    return request


@transaction.atomic
def decide_return(*, by, ticket: Ticket, approve: bool, note: str) -> Ticket:
    """The dispatcher decides a 退单. Approved: the owner is cleared, the ticket waits for dispatch
    with fresh deadlines (the next unit gets its full time). Rejected: back to the unit as it was."""
    _lock(ticket)
    if not has_permission(by, "hotline.operate", ticket.place):
        raise PermissionDenied("hotline.operate")
    request = _pending(ticket, RequestKind.RETURN)
    if request is None or ticket.status != TicketStatus.RETURNED:
        raise TicketError(_("该工单没有待审核的退单"))
    note = _require_reason(note, _("请填写审核意见") if approve else _("请填写驳回理由"))
    unit = ticket.owner
    move_request(request=request, to=RequestStatus.APPROVED if approve else RequestStatus.REJECTED, by=by, note=note)
    if not approve:
        back = TicketStatus.IN_PROGRESS if ticket.accepted_at else TicketStatus.DISPATCHED
        move_ticket(ticket=ticket, to=back, by=by, kind=EventKind.RETURN_REJECTED, unit=unit, note=note)
        notifications.return_rejected(ticket)
        return ticket
    set_deadlines(ticket, timezone.now())
    ticket.owner = ticket.accepted_at = ticket.dispatched_at = None
    move_ticket(ticket=ticket, to=TicketStatus.NEW, by=by, kind=EventKind.RETURN_APPROVED, unit=unit, note=note,
                fields=("owner", "accepted_at", "dispatched_at", "response_due", "due_at", "remind_at",
                        "reminded_at", "escalated_at", "escalated_to", "original_due_at", "deadline_from",
                        "deadline_provisional"))
    return ticket


@transaction.atomic
def request_extension(*, by, ticket: Ticket, until: datetime, reason: str) -> TicketRequest:
    """延期: the owning unit asks for a later deadline, once per deadline, before the work is done."""
    _lock(ticket)
    _require_handler(by, ticket.owner)
    reason = _require_reason(reason, _("请填写延期理由"))
    if ticket.status != TicketStatus.IN_PROGRESS:
        raise TicketError(_("只有办理中的工单可以申请延期"))
    if ticket.original_due_at is not None:
        raise TicketError(_("该工单的办理时限已延期过一次，不能再次申请"))
    if _pending(ticket, RequestKind.EXTENSION):
        raise TicketError(_("已有待审核的延期申请"))
    if until <= ticket.due_at or until <= timezone.now():
        raise TicketError(_("“申请延期至”必须晚于当前办理时限（%(due)s）")
                          % {"due": f"{timezone.localtime(ticket.due_at):%Y-%m-%d %H:%M}"})
    request = _new_request(ticket=ticket, kind=RequestKind.EXTENSION, by=by, reason=reason, requested_due=until)
    add_event(ticket=ticket, kind=EventKind.EXTENSION_REQUESTED, by=by, unit=ticket.owner,
              note=_("申请延期至 %(until)s：%(reason)s") % {"until": f"{timezone.localtime(until):%Y-%m-%d %H:%M}",
                                                          "reason": reason})
    notifications.extension_requested(ticket)
    return request


@transaction.atomic
def decide_extension(*, by, ticket: Ticket, approve: bool, note: str) -> Ticket:
    """The dispatcher or a supervisor decides a 延期. Approved: `due_at` moves to the date asked for —
    the deadline the 按时办结率 uses — keeping the original in `original_due_at`; the reminder and
    the escalation start over for the new deadline."""
    _lock(ticket)
    if not can_decide_requests(by, ticket):
        raise PermissionDenied("hotline.supervise")
    request = _pending(ticket, RequestKind.EXTENSION)
    if request is None:
        raise TicketError(_("该工单没有待审核的延期申请"))
    note = _require_reason(note, _("请填写审核意见") if approve else _("请填写驳回理由"))
    move_request(request=request, to=RequestStatus.APPROVED if approve else RequestStatus.REJECTED, by=by, note=note)
    if not approve:
        add_event(ticket=ticket, kind=EventKind.EXTENSION_REJECTED, by=by, unit=ticket.owner, note=note)
        notifications.extension_decided(ticket, approved=False)
        return ticket
    settings, _created = WorkingCalendar.objects.get_or_create(pk=1)
    now = timezone.now()
    ticket.original_due_at, ticket.due_at = ticket.due_at, request.requested_due
    remind = deadlines.reminder_time(_local(now), _local(ticket.due_at), percent=settings.reminder_percent,
                                     cap=timedelta(minutes=settings.reminder_minutes))
    ticket.remind_at, ticket.deadline_provisional = max(_aware(remind), now), False
    ticket.reminded_at = ticket.escalated_at = ticket.escalated_to = None
    ticket.save(update_fields=["original_due_at", "due_at", "remind_at", "deadline_provisional", "reminded_at",
                               "escalated_at", "escalated_to", "updated_at"])
    add_event(ticket=ticket, kind=EventKind.EXTENSION_APPROVED, by=by, unit=ticket.owner,
              note=_("办理时限延至 %(until)s：%(note)s") % {
                  "until": f"{timezone.localtime(ticket.due_at):%Y-%m-%d %H:%M}", "note": note})
    notifications.extension_decided(ticket, approved=True)
    return ticket


@transaction.atomic
def supervise_ticket(*, by, ticket: Ticket, reason: str) -> Ticket:
    """督办: a supervisor (the dispatcher, or a manager of a unit above the owner) presses the owning
    unit on an open ticket. Counted against the unit supervised in the rankings (ADR 1604)."""
    _lock(ticket)
    if not can_supervise(by, ticket):
        raise PermissionDenied("hotline.supervise")
    reason = _require_reason(reason, _("请填写督办意见"))
    if ticket.status not in OPEN_STATUSES or ticket.owner_id is None:
        raise TicketError(_("只有已派单、尚未办结的工单可以督办"))
    add_event(ticket=ticket, kind=EventKind.SUPERVISED, by=by, unit=ticket.owner, note=reason)
    audit.record(actor=by, action="ticket.supervised", target=ticket, fields={"unit": ticket.owner.code})
    notifications.supervised(ticket)
    return ticket
