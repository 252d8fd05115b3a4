"""Field-form submissions through the shared offline engine (ADR 2001 and 2021): the `survey.visit`
kind of change, queued on the phone when there is no signal and applied at sync by the same service
as online (`fieldwork.submit_visit`), keyed by the same client UUID, so a submission that reached the
server directly and is replayed from the queue is stored once."""

from datetime import UTC, datetime
from uuid import UUID

from django.urls import reverse
from django.utils.translation import gettext as _

from xiachen.field.sync import Applied, Change, Conflict, Rejected

from . import fieldwork


def submit_visit_change(*, by, change: Change) -> Applied:
    """survey.visit {survey, household, answers, members}: one household's field form."""
    data = change.data
    try:
        survey_id = UUID(str(data.get("survey")))
    except (TypeError, ValueError):
        raise Rejected(_("找不到这份入户摸排问卷")) from None
    survey = fieldwork.field_surveys_visible_to(by).filter(public_id=survey_id).first()
    if survey is None:
        raise Rejected(_("找不到这份入户摸排问卷"))
    filled_at = datetime.fromtimestamp(change.at, tz=UTC).isoformat() if change.at else None
    answers, members = data.get("answers"), data.get("members")
    outcome = fieldwork.submit_visit(
        by=by, survey=survey, household_id=str(data.get("household") or ""), client_uuid=UUID(change.client_uuid),
        answers=answers if isinstance(answers, dict) else {}, members=members if isinstance(members, dict) else {},
        filled_at=filled_at,
    )
    if outcome.status == "conflict":
        raise Conflict(outcome.message, {"visit": reverse("surveys:visit_detail", args=[outcome.visit.public_id])})
    if outcome.status == "invalid":
        raise Rejected("；".join([outcome.message, *(error["message"] for error in outcome.errors)]))
    return Applied(target=f"survey_visit:{outcome.visit.public_id}", version=outcome.visit.updated_at,
                   data={"status": outcome.status, "progress": fieldwork.completion_summary(survey)})
