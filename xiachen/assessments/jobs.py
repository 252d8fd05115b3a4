"""Long actions of an assessment round run as background jobs (xiachen.ops.jobs, ADR 1411).

Grading a city round updates tens of thousands of scores; a commendation list of its best fifth is
thousands of rows. Each runs in one transaction in the worker; the round page shows its progress.
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xiachen.ops.jobs import JobKind, Outcome, register

from . import services
from .enums import APPEAL_DAYS, QuotaScope

GRADE, COMMEND = "assessments.grade", "assessments.propose_commendations"


def grading_params(*, quotas: dict | None, scope: str, appeal_days: int) -> dict:
    """The grade form's settings as JSON (quotas: grade code → [least %, most % or null])."""
    return {"quotas": {code: list(bounds) for code, bounds in (quotas or {}).items()}, "scope": scope,
            "appeal_days": appeal_days}


def _settings(params: dict) -> dict:
    quotas = {code: (bounds[0], bounds[1]) for code, bounds in params.get("quotas", {}).items()}
    return {"quotas": quotas or None, "scope": params.get("scope", QuotaScope.AGENCY),
            "appeal_days": int(params.get("appeal_days", APPEAL_DAYS))}


def _check_grade(*, subject, by, params) -> None:
    settings = _settings(params)
    services.check_grading(round_=subject, scope=settings["scope"], appeal_days=settings["appeal_days"])


def _grade(*, subject, by, params, progress) -> None:
    services.assign_grades(by=by, round_=subject, **_settings(params))


def _check_commend(*, subject, by, params) -> None:
    services.check_commendations(round_=subject)


def _commend(*, subject, by, params, progress) -> Outcome:
    proposed = services.propose_commendations(by=by, round_=subject)
    return Outcome(url=reverse("assessments:commendation_detail", args=[proposed.public_id]),
                   label=_("查看表彰名单"))


register(JobKind(code=GRADE, label=_("评定等次"), model="deployments.round", permission="assessments.manage",
                 run=_grade, check=_check_grade, refusals=(services.AssessmentError,)))
register(JobKind(code=COMMEND, label=_("生成表彰名单"), model="deployments.round", permission="assessments.manage",
                 run=_commend, check=_check_commend, refusals=(services.AssessmentError,)))
