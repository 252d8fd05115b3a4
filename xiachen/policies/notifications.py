"""Who hears about feedback: the issuing agency's liaisons when it is filed, the author when it is
answered or a new version cites it, the organization department when it is overdue."""

from django.urls import reverse
from django.utils.translation import gettext as _

from xiachen.accounts.enums import Role
from xiachen.accounts.selectors import users_with_role_over
from xiachen.notices.services import notify


def _link(item) -> str:
    return reverse("policies:feedback_detail", args=[item.public_id])


def feedback_filed(item) -> None:
    notify(
        recipients=users_with_role_over(Role.AGENCY_LIAISON, item.owner_path),
        kind="policy.feedback_filed",
        title=_("新的政策反馈：%(document)s，请于 %(due)s 前答复")
        % {"document": item.version.document.document_number, "due": item.due_date.isoformat()},
        link=_link(item),
    )


def feedback_answered(item) -> None:
    notify(
        recipients=[item.author],
        kind="policy.feedback_answered",
        title=_("您的政策反馈已答复：%(status)s") % {"status": item.get_status_display()},
        body=item.answer,
        link=_link(item),
    )


def feedback_overdue(item) -> None:
    notify(
        recipients=[*users_with_role_over(Role.ORG_DEPARTMENT, item.owner_path),
                    *users_with_role_over(Role.AGENCY_LIAISON, item.owner_path)],
        kind="policy.feedback_overdue",
        title=_("政策反馈逾期未答复：%(agency)s（期限 %(due)s）")
        % {"agency": item.owner_agency.name, "due": item.due_date.isoformat()},
        link=_link(item),
    )


def version_answers_feedback(version, items) -> None:
    for item in items:
        notify(
            recipients=[item.author],
            kind="policy.version_cites_feedback",
            title=_("%(document)s %(version)s 回应了您的反馈")
            % {"document": version.document.document_number, "version": version.label},
            link=reverse("policies:version_detail", args=[version.public_id]),
        )
