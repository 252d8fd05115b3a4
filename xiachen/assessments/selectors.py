"""Reads of assessments, scoped: the organization department sees every score, an agency liaison
their agency's cadres, a receiving-unit manager the cadres who served at their units, a cadre their own."""

from uuid import UUID

from django.db.models import Case, Exists, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404

from xiachen.accounts.permissions import has_permission, require_permission, scope_paths
from xiachen.deployments.enums import MatchStatus
from xiachen.deployments.models import Match, Round
from xiachen.deployments.round_selectors import rounds_visible_to
from xiachen.org.models import Unit, path_within

from .enums import AppealStatus
from .models import Appeal, CommendationEntry, CommendationList, Evaluation, ReportJob, Score
from .services import SERVED_ROUND_STATUSES


def assessment_rounds(user) -> QuerySet[Round]:
    return rounds_visible_to(user).filter(status__in=SERVED_ROUND_STATUSES).order_by("-start", "-id")


def access_assessment_round(user, public_id: UUID) -> Round:
    return get_object_or_404(assessment_rounds(user), public_id=public_id)


def access_evaluable_cadre(user, round_: Round, public_id: UUID):
    """The cadre with this id if they served (arrived) in `round_` at a unit the user evaluates for;
    404 otherwise — the same answer for "no such cadre" and "not yours", so names do not leak."""
    from xiachen.cadres.models import Cadre

    paths = scope_paths(user, "assessments.evaluate")
    if not paths:
        raise Http404
    served_here = Match.objects.filter(
        path_within(paths, field="demand__unit_path"), round=round_, cadre=OuterRef("pk"), status=MatchStatus.ARRIVED,
    )
    return get_object_or_404(Cadre.objects.filter(Exists(served_here)), public_id=public_id)


def scores_visible_to(user) -> QuerySet[Score]:
    scores = Score.objects.select_related("cadre__agency", "grade", "round", "scheme")
    if has_permission(user, "assessments.manage"):
        return scores
    condition = path_within(scope_paths(user, "assessments.view_agency"), field="agency_path")
    unit_paths = scope_paths(user, "assessments.evaluate")
    if unit_paths:
        served_here = Match.objects.filter(
            path_within(unit_paths, field="demand__unit_path"), round=OuterRef("round"), cadre=OuterRef("cadre"),
            status=MatchStatus.ARRIVED,
        )
        condition |= Q(Exists(served_here))
    if user.is_authenticated:
        condition |= Q(cadre__user=user)
    return scores.filter(condition)


def access_score(user, public_id: UUID) -> Score:
    return get_object_or_404(scores_visible_to(user), public_id=public_id)


def round_scores(user, round_: Round) -> QuerySet[Score]:
    return scores_visible_to(user).filter(round=round_).order_by("rank_city", "cadre__name", "pk")


def my_scores(user) -> QuerySet[Score]:
    return scores_visible_to(user).filter(cadre__user=user).order_by("-round__start", "-pk")


def to_evaluate(user, round_: Round) -> QuerySet[Match]:
    """Cadres who served (arrived) at the manager's units in the round, with their evaluations."""
    paths = scope_paths(user, "assessments.evaluate")
    return (
        Match.objects.filter(path_within(paths, field="demand__unit_path"), round=round_, status=MatchStatus.ARRIVED)
        .select_related("cadre__agency", "demand__unit", "demand__post_type")
        .prefetch_related(Prefetch("evaluations", queryset=Evaluation.objects.order_by("period")))
        .order_by("demand__unit_path", "cadre__name")
    )


def open_appeals() -> QuerySet[Appeal]:
    """Every appeal, open ones first (so they lead the first page), newest first within each group."""
    still_open = Case(When(status=AppealStatus.OPEN, then=Value(0)), default=Value(1))
    return Appeal.objects.select_related("score__cadre__agency", "score__round", "score__grade").order_by(
        still_open, "-created_at", "-id"
    )


def appeals_answerable(user) -> QuerySet[Appeal]:
    return open_appeals() if has_permission(user, "assessments.manage") else Appeal.objects.none()


def access_appeal(user, public_id: UUID) -> Appeal:
    return get_object_or_404(appeals_answerable(user), public_id=public_id, status=AppealStatus.OPEN)


def commendation_lists(user) -> QuerySet[CommendationList]:
    if has_permission(user, "assessments.manage"):
        return CommendationList.objects.select_related("round")
    return CommendationList.objects.none()


def access_commendation_list(user, public_id: UUID) -> CommendationList:
    return get_object_or_404(commendation_lists(user), public_id=public_id)


def access_certificate(user, public_id: UUID) -> CommendationEntry:
    """A certificate of an approved list: the organization department, the cadre's liaison, the cadre."""
    condition = path_within(
        scope_paths(user, "assessments.manage") + scope_paths(user, "assessments.view_agency"),
        field="cadre__agency_path",
    )
    if user.is_authenticated:
        condition |= Q(cadre__user=user)
    entries = CommendationEntry.objects.filter(condition, commendation_list__status="approved").select_related(
        "cadre__agency", "score__grade", "commendation_list__round"
    )
    return get_object_or_404(entries, public_id=public_id)


def access_report_unit(user, public_id: UUID) -> Unit:
    """An agency (liaison) or receiving unit (manager) the user may report on; any for the organization department."""
    paths = (scope_paths(user, "assessments.manage") + scope_paths(user, "assessments.view_agency")
             + scope_paths(user, "assessments.evaluate"))
    return get_object_or_404(Unit.objects.filter(path_within(paths)), public_id=public_id)


def _agency_report_paths(user) -> list[str]:
    return scope_paths(user, "assessments.manage") + scope_paths(user, "assessments.view_agency")


def access_report_agency(user, public_id: UUID) -> Unit:
    """A sending agency the user may report on: any for the organization department, a liaison's own
    (or one under their scope); a receiving unit or an agency out of scope is 404."""
    agencies = Unit.objects.filter(path_within(_agency_report_paths(user)), kind__code="agency")
    return get_object_or_404(agencies, public_id=public_id)


def report_agencies(user, round_: Round) -> QuerySet[Unit]:
    """The agencies taking part in the round (a cadre of theirs arrived) that the user may report on."""
    taking_part = Match.objects.filter(round=round_, status=MatchStatus.ARRIVED).values("cadre__agency_id")
    return Unit.objects.filter(path_within(_agency_report_paths(user)), kind__code="agency",
                               pk__in=taking_part).order_by("path")


def access_report_job(user, public_id: UUID, *, with_content: bool = False) -> ReportJob:
    """A report job of a round the user sees, of a scope they may report on (city-wide: the
    organization department only); anyone else 404 (403 without assessments.view)."""
    from .reports import may_report

    require_permission(user, "assessments.view")
    jobs = ReportJob.objects.select_related("round", "unit")
    if not with_content:
        jobs = jobs.defer("content")
    job = get_object_or_404(jobs, public_id=public_id, round__in=assessment_rounds(user))
    if not may_report(user, job.round, job.unit):
        raise Http404
    return job
