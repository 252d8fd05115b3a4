"""Who hears about what in a round: agencies about nominations, the organization department about
declines and no-shows, cadres and receiving units about publication and the start date."""

from collections import defaultdict

from django.urls import reverse
from django.utils.translation import gettext as _

from xiachen.accounts.enums import Role
from xiachen.accounts.selectors import users_with_role_over
from xiachen.notices.services import notify

from .enums import MatchStatus
from .models import Match, Round


def _org_department(unit_path: str):
    return users_with_role_over(Role.ORG_DEPARTMENT, unit_path)


def nominations_proposed(round_: Round) -> None:
    """Each agency's liaisons learn how many of their cadres await confirmation."""
    by_agency = defaultdict(int)
    for path in round_.matches.filter(status=MatchStatus.PROPOSED).values_list("agency_path", flat=True):
        by_agency[path] += 1
    for agency_path, count in by_agency.items():
        notify(
            recipients=users_with_role_over(Role.AGENCY_LIAISON, agency_path),
            kind="round.nominations",
            title=_("%(round)s：%(count)d 名干部待确认") % {"round": round_.name, "count": count},
            link=reverse("deployments:nominations"),
        )


def nomination_declined(match: Match) -> None:
    notify(
        recipients=_org_department(match.demand.unit_path),
        kind="match.declined",
        title=_("%(round)s：派出单位婉拒了一名拟派干部") % {"round": match.round.name},
        body=match.decline_reason,
        link=reverse("deployments:round_detail", args=[match.round.public_id]),
    )


def round_published(round_: Round) -> None:
    matches = round_.matches.filter(status=MatchStatus.CONFIRMED).select_related(
        "cadre__user", "demand__unit", "demand__post_type"
    )
    units = {}
    for match in matches:
        units[match.demand.unit_path] = match.demand.unit
        assignment_to_cadre(match)
    for path, unit in units.items():
        notify(
            recipients=users_with_role_over(Role.UNIT_MANAGER, path),
            kind="round.published",
            title=_("%(round)s 已发布：请查看到岗干部") % {"round": round_.name},
            link=reverse("deployments:checkin_code", args=[unit.public_id]),
        )


def assignment_to_cadre(match: Match) -> None:
    if match.cadre.user_id is None:
        return
    notify(
        recipients=[match.cadre.user],
        kind="match.assigned",
        title=_("派驻通知：%(unit)s · %(post)s")
        % {"unit": match.demand.unit.name, "post": match.demand.post_type.name_zh},
        body=_("请于 %(start)s 到岗报到。") % {"start": match.demand.start.isoformat()},
        link=reverse("deployments:mine"),
    )


def start_reminder(match: Match) -> None:
    notify(
        recipients=[match.cadre.user] if match.cadre.user_id else [],
        kind="match.reminder",
        title=_("提醒：%(start)s 到 %(unit)s 报到")
        % {"start": match.demand.start.isoformat(), "unit": match.demand.unit.name},
        link=reverse("deployments:mine"),
    )


def no_show(match: Match) -> None:
    recipients = [
        *users_with_role_over(Role.UNIT_MANAGER, match.demand.unit_path),
        *_org_department(match.demand.unit_path),
    ]
    notify(
        recipients=recipients,
        kind="match.no_show",
        title=_("%(unit)s：有派驻干部未按时报到") % {"unit": match.demand.unit.name},
        link=reverse("deployments:round_detail", args=[match.round.public_id]),
    )
