"""Who hears about rosters: cadres about publication and swap decisions, the receiving manager about
swap requests and unwell reports, manager and organization department about care alerts."""

from django.urls import reverse
from django.utils.translation import gettext as _

from xiachen.accounts.enums import Role
from xiachen.accounts.selectors import users_with_role_over
from xiachen.notices.services import notify


def _managers(roster):
    return users_with_role_over(Role.UNIT_MANAGER, roster.unit_path)


def roster_published(roster, cadres) -> None:
    notify(
        recipients=[c.user for c in cadres if c.user_id],
        kind="roster.published",
        title=_("排班已发布：%(post)s %(start)s 起") % {"post": roster.post.post_type.name_zh,
                                                       "start": roster.start.isoformat()},
        link=reverse("rosters:mine"),
    )


def swap_requested(swap) -> None:
    notify(recipients=_managers(swap.roster), kind="roster.swap_requested",
           title=_("换班申请：%(a)s 与 %(b)s（%(day)s）") % {"a": swap.requester.name, "b": swap.partner.name,
                                                          "day": swap.day.isoformat()},
           link=reverse("rosters:swaps"))


def swap_decided(swap) -> None:
    notify(recipients=[c.user for c in (swap.requester, swap.partner) if c.user_id], kind="roster.swap_decided",
           title=_("换班申请（%(day)s）：%(status)s") % {"day": swap.day.isoformat(),
                                                     "status": swap.get_status_display()},
           body=swap.note, link=reverse("rosters:mine"))


def care_alert(alert) -> None:
    recipients = [*users_with_role_over(Role.UNIT_MANAGER, alert.unit_path),
                  *users_with_role_over(Role.ORG_DEPARTMENT, alert.unit_path)]
    notify(recipients=recipients, kind="roster.care_alert",
           title=_("关怀提醒：%(name)s %(kind)s") % {"name": alert.cadre.name, "kind": alert.get_kind_display()},
           body=alert.detail, link=reverse("rosters:alerts"))


def replacement_requested(request) -> None:
    notify(recipients=_managers(request.roster), kind="roster.replacement",
           title=_("替班需求：%(name)s 身体不适") % {"name": request.cadre.name},
           body=request.note, link=reverse("rosters:alerts"))
