"""Who hears about an errand: the assignee when it is given to them, the household as it moves,
the community's managers when nobody is on duty to take it. Titles carry no personal data."""

from django.urls import reverse
from django.utils.translation import gettext as _

from xiachen.accounts.enums import Role
from xiachen.accounts.selectors import users_with_role_over
from xiachen.notices.services import notify

from .models import Errand


def errand_assigned(errand: Errand) -> None:
    notify(
        recipients=[errand.assignee],
        kind="errand.assigned",
        title=_("新代办：%(kind)s · %(address)s") % {"kind": errand.get_kind_display(), "address": errand.household},
        link=reverse("errands:detail", args=[errand.public_id]),
    )


def errand_progress(errand: Errand) -> None:
    recipients = [r.user for r in errand.household.residents.filter(user__isnull=False).select_related("user")]
    notify(
        recipients=recipients,
        kind="errand.progress",
        title=_("您的代办（%(kind)s）：%(status)s")
        % {"kind": errand.get_kind_display(), "status": errand.get_status_display()},
        link=reverse("resident:errand_detail", args=[errand.public_id]),
    )


def nobody_on_duty(errand: Errand) -> None:
    notify(
        recipients=users_with_role_over(Role.UNIT_MANAGER, errand.compound_path),
        kind="errand.unassigned",
        title=_("有代办无人值守可派：%(kind)s · %(address)s")
        % {"kind": errand.get_kind_display(), "address": errand.household},
        link=reverse("errands:detail", args=[errand.public_id]),
    )
