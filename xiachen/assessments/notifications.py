from django.urls import reverse
from django.utils.translation import gettext as _

from xiachen.accounts.enums import Role
from xiachen.accounts.selectors import users_with_role_over
from xiachen.notices.services import notify


def appeal_filed(appeal) -> None:
    notify(
        recipients=users_with_role_over(Role.ORG_DEPARTMENT, appeal.score.agency_path),
        kind="assessment.appeal_filed",
        title=_("%(round)s：收到一条考核申诉") % {"round": appeal.score.round.name},
        link=reverse("assessments:appeals"),
    )


def appeal_answered(appeal) -> None:
    notify(
        recipients=[appeal.author],
        kind="assessment.appeal_answered",
        title=_("您的考核申诉已答复：%(status)s") % {"status": appeal.get_status_display()},
        body=appeal.answer,
        link=reverse("assessments:score_detail", args=[appeal.score.public_id]),
    )
