"""Who hears about a ticket: the owning unit's staff when it is dispatched, a transfer's target,
the district when a dispute needs a ruling, the owner before the deadline, the parent unit after it.
Titles carry the ticket number and category only, never the caller's data."""

from django.urls import reverse
from django.utils.translation import gettext as _

from xiachen.accounts.enums import Role
from xiachen.accounts.models import User
from xiachen.accounts.selectors import users_with_role_over
from xiachen.notices.services import notify

from .models import Ticket

HANDLER_ROLES = (Role.UNIT_MANAGER, Role.COMMUNITY_WORKER)


def staff_of(unit, roles=HANDLER_ROLES):
    """Active users holding one of `roles` on exactly `unit`."""
    if unit is None:
        return User.objects.none()
    return User.objects.filter(
        is_active=True, memberships__is_active=True, memberships__role__in=roles, memberships__unit=unit
    ).distinct()


def _send(ticket: Ticket, recipients, kind: str, title: str) -> None:
    notify(recipients=recipients, kind=kind, title=title,
           link=reverse("hotline:ticket_detail", args=[ticket.public_id]))


def _label(ticket: Ticket) -> dict:
    return {"number": ticket.number, "category": ticket.category.name_zh}


def dispatched(ticket: Ticket) -> None:
    _send(ticket, staff_of(ticket.owner), "hotline.dispatched",
          _("新工单 %(number)s（%(category)s）请签收") % _label(ticket))


def transfer_requested(ticket: Ticket) -> None:
    _send(ticket, staff_of(ticket.transfer_to), "hotline.transfer",
          _("工单 %(number)s（%(category)s）申请转由本单位办理") % _label(ticket))


def dispute_raised(ticket: Ticket) -> None:
    recipients = [*users_with_role_over(Role.HOTLINE_OPERATOR, ticket.district.path), *staff_of(ticket.district)]
    _send(ticket, recipients, "hotline.dispute",
          _("工单 %(number)s（%(category)s）承办争议待区级裁定") % _label(ticket))


def reminder(ticket: Ticket) -> None:
    _send(ticket, staff_of(ticket.owner), "hotline.reminder",
          _("工单 %(number)s（%(category)s）即将到期，请及时办理") % _label(ticket))


def escalated(ticket: Ticket) -> None:
    recipients = [*staff_of(ticket.escalated_to, (Role.UNIT_MANAGER,)),
                  *users_with_role_over(Role.HOTLINE_OPERATOR, ticket.place_path)]
    _send(ticket, recipients, "hotline.escalated",
          _("工单 %(number)s（%(category)s）已超期，升级至上级单位督办") % _label(ticket))


def _dispatchers(ticket: Ticket):
    return users_with_role_over(Role.HOTLINE_OPERATOR, ticket.place_path)


def return_requested(ticket: Ticket) -> None:
    _send(ticket, _dispatchers(ticket), "hotline.return",
          _("工单 %(number)s（%(category)s）被申请退单，请审核") % _label(ticket))


def return_rejected(ticket: Ticket) -> None:
    _send(ticket, staff_of(ticket.owner), "hotline.return",
          _("工单 %(number)s（%(category)s）的退单被驳回，请继续办理") % _label(ticket))


def extension_requested(ticket: Ticket) -> None:
    parent = ticket.owner.parent if ticket.owner_id else None
    recipients = [*_dispatchers(ticket), *staff_of(parent, (Role.UNIT_MANAGER,))]
    _send(ticket, recipients, "hotline.extension",
          _("工单 %(number)s（%(category)s）申请延期，请审核") % _label(ticket))


def extension_decided(ticket: Ticket, *, approved: bool) -> None:
    title = (_("工单 %(number)s（%(category)s）的延期申请已同意") if approved
             else _("工单 %(number)s（%(category)s）的延期申请被驳回，请按原时限办结"))
    _send(ticket, staff_of(ticket.owner), "hotline.extension", title % _label(ticket))


def supervised(ticket: Ticket) -> None:
    _send(ticket, staff_of(ticket.owner), "hotline.supervised",
          _("工单 %(number)s（%(category)s）被督办，请加快办理") % _label(ticket))


def complaint_filed(ticket: Ticket) -> None:
    """The managers of the place's community (or above) check a complaint that names a cadre."""
    recipients = users_with_role_over(Role.UNIT_MANAGER, ticket.place_path)
    _send(ticket, recipients, "hotline.complaint",
          _("工单 %(number)s（%(category)s）指明了被投诉干部，请核实") % _label(ticket))
