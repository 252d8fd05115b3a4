"""Writes of assessments: evaluations, weighting schemes, scores, grades, appeals, commendations.

Keyword-only, atomic, permission-checked, audited. Refusals raise AssessmentError with a Chinese
message for the user.
"""

import logging
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiachen.accounts.permissions import has_permission, require_permission, scope_paths
from xiachen.audit import services as audit
from xiachen.deployments.enums import MatchStatus, RoundStatus
from xiachen.deployments.models import Match, Round

from . import metrics, scoring
from .enums import APPEAL_DAYS, FINAL_PERIOD, AppealStatus, CommendationStatus, QuotaScope, ScoreJobStatus
from .models import (
    Appeal,
    CommendationEntry,
    CommendationList,
    Dimension,
    DimensionScore,
    Evaluation,
    Grade,
    Grading,
    Scheme,
    Score,
    ScoreJob,
    Weight,
)

logger = logging.getLogger(__name__)
LIVE_JOB_STATUSES = (ScoreJobStatus.QUEUED, ScoreJobStatus.RUNNING)

SERVED_ROUND_STATUSES = (RoundStatus.PUBLISHED, RoundStatus.CLOSED)
HUNDRED = Decimal(100)


class AssessmentError(ValueError):
    """A request the assessment rules do not allow; the message is for the user."""


def _lock(instance):
    type(instance).objects.select_for_update().filter(pk=instance.pk).first()
    instance.refresh_from_db()
    return instance


# --- evaluations --------------------------------------------------------------------------------------


def served_matches(*, round_: Round, cadre) -> list[Match]:
    """The cadre's arrivals in a published or closed round: the places they actually served."""
    if round_.status not in SERVED_ROUND_STATUSES:
        return []
    return list(
        Match.objects.filter(round=round_, cadre=cadre, status=MatchStatus.ARRIVED).select_related("demand__unit")
    )


@transaction.atomic
def evaluate(*, by, round_: Round, cadre, period: str, scores: dict[str, int], comments: str = "") -> Evaluation:
    """The receiving unit rates a cadre who served there, on every dimension (0–100), at the end of
    the deployment (period "final") or for a month ("YYYY-MM") inside it."""
    require_permission(by, "assessments.evaluate")
    paths = scope_paths(by, "assessments.evaluate")
    match = next((m for m in served_matches(round_=round_, cadre=cadre)
                  if any(m.demand.unit_path.startswith(p) for p in paths)), None)
    if match is None:
        raise AssessmentError(
            _("%(name)s 未在贵单位服务（本轮次没有其在贵单位的报到记录），不能评价") % {"name": cadre.name}
        )
    _check_period(period, match, round_)
    dimensions = list(Dimension.objects.all())
    missing = [d.label for d in dimensions if d.code not in scores]
    if missing:
        raise AssessmentError(_("请为每个维度打分：缺少 %(names)s") % {"names": "、".join(missing)})
    if any(not 0 <= int(scores[d.code]) <= 100 for d in dimensions):
        raise AssessmentError(_("各维度得分必须在 0–100 之间"))
    if Evaluation.objects.filter(match=match, period=period).exists():
        raise AssessmentError(_("该评价期已评价过"))
    evaluation = Evaluation.objects.create(
        match=match, cadre=cadre, unit=match.demand.unit, period=period, comments=comments.strip(), evaluator=by
    )
    DimensionScore.objects.bulk_create(
        DimensionScore(evaluation=evaluation, dimension=d, score=int(scores[d.code])) for d in dimensions
    )
    audit.record(actor=by, action="assessment.evaluated", target=evaluation, fields={"period": period})
    return evaluation


def _check_period(period: str, match: Match, round_: Round) -> None:
    if period == FINAL_PERIOD:
        return
    try:
        month = date.fromisoformat(f"{period}-01")
    except ValueError:
        raise AssessmentError(_("评价期应为“期末”或 YYYY-MM 格式的月份")) from None
    start, end = max(match.demand.start, round_.start), min(match.demand.end, round_.end)
    if not (start.replace(day=1) <= month <= end.replace(day=1)):
        raise AssessmentError(
            _("月度评价的月份必须在派驻期间内（%(start)s 至 %(end)s）") % {"start": start, "end": end}
        )


# --- schemes ------------------------------------------------------------------------------------------


def components() -> list[tuple[str, str]]:
    """Every component a scheme can weigh: the dimensions, then the metric providers."""
    return [(f"dim:{d.code}", d.label) for d in Dimension.objects.all()] + [
        (f"metric:{code}", str(provider.label)) for code, provider in metrics.PROVIDERS.items()
    ]


@transaction.atomic
def create_scheme(*, by, name: str, weights: dict[str, Decimal], targets: dict[str, Decimal] | None = None,
                  note: str = "", activate: bool = True) -> Scheme:
    """A new scheme version. Weights are percentages that must sum to exactly 100."""
    require_permission(by, "assessments.manage")
    known = dict(components())
    unknown = [c for c in weights if c not in known]
    if unknown:
        raise AssessmentError(_("未知的计分项目：%(items)s") % {"items": "、".join(unknown)})
    try:
        parsed = {c: Decimal(str(w)) for c, w in weights.items() if Decimal(str(w)) != 0}
    except InvalidOperation:
        raise AssessmentError(_("权重必须是数字")) from None
    if any(w < 0 for w in parsed.values()):
        raise AssessmentError(_("权重不能为负数"))
    total = sum(parsed.values(), Decimal(0))
    if total != HUNDRED:
        raise AssessmentError(_("各项权重之和必须为 100%%，当前为 %(total)s%%") % {"total": f"{total.normalize():f}"})
    version = (Scheme.objects.order_by("-version").values_list("version", flat=True).first() or 0) + 1
    if activate:
        Scheme.objects.filter(is_active=True).update(is_active=False)
    scheme = Scheme.objects.create(version=version, name=name.strip() or _("计分方案"), note=note, is_active=activate,
                                   created_by=by)
    targets = targets or {}
    Weight.objects.bulk_create(
        Weight(scheme=scheme, component=c, weight=w, target=targets.get(c)) for c, w in parsed.items()
    )
    audit.record(actor=by, action="assessment.scheme_created", target=scheme, fields={"version": version})
    return scheme


def active_scheme() -> Scheme:
    scheme = Scheme.objects.filter(is_active=True).first()
    if scheme is None:
        raise AssessmentError(_("尚未设置计分方案"))
    return scheme


# --- scores -------------------------------------------------------------------------------------------


def breakdown_for(*, scheme: Scheme, round_: Round, cadre, matches: list[Match]) -> tuple[Decimal | None, list]:
    """The composite and, per component, the points, weight and whether data exists."""
    dimension_points = _dimension_points(matches)
    starts = [max(m.demand.start, round_.start) for m in matches]
    ends = [min(m.demand.end, round_.end) for m in matches]
    service = metrics.Service(cadre.pk, round_.pk, tuple(m.pk for m in matches), min(starts), max(ends))
    labels = dict(components())
    rows, parts = [], []
    for weight in scheme.weights.all():
        kind, code = weight.component.split(":", 1)
        if kind == "dim":
            raw = points = dimension_points.get(code)
        else:
            value = metrics.PROVIDERS[code].value(service, weight.target) if code in metrics.PROVIDERS else None
            raw, points = (value.raw, value.points) if value else (None, None)
        parts.append((weight.weight, points))
        rows.append({"component": weight.component, "label": labels.get(weight.component, weight.component),
                     "weight": str(weight.weight), "raw": _text(raw), "points": _text(points)})
    return scoring.composite(parts), rows


def _text(value) -> str | None:
    return None if value is None else str(Decimal(value).quantize(scoring.CENT))


def _dimension_points(matches: list[Match]) -> dict[str, Decimal]:
    totals: dict[str, list[int]] = {}
    for code, score in DimensionScore.objects.filter(evaluation__match__in=matches).values_list(
        "dimension__code", "score"
    ):
        totals.setdefault(code, []).append(score)
    return {code: Decimal(sum(values)) / Decimal(len(values)) for code, values in totals.items()}


def compute_scores(*, by, round_: Round, scheme: Scheme | None = None, progress=None) -> list[Score]:
    """(Re)compute every served cadre's score in the round with `scheme` (default: the active one),
    then the ranks. Grades are cleared: they must be assigned again for the new totals.

    The per-cadre breakdowns (the long part: metrics per cadre, > 30 s for a city round) are read
    outside any transaction, reporting `progress(percent, note)` when given; the scores are then
    written, ranked and audited in one short transaction under the round's lock, so a progress
    bar can be read meanwhile and no writer waits on the computation. Raises AssessmentError when
    the round is not published or closed.
    """
    require_permission(by, "assessments.manage")
    if round_.status not in SERVED_ROUND_STATUSES:
        raise AssessmentError(_("只有已发布或已结束的轮次可以计算考核得分"))
    scheme = scheme or active_scheme()
    report = progress or (lambda percent, note: None)
    served: dict[int, list[Match]] = {}
    for match in Match.objects.filter(round=round_, status=MatchStatus.ARRIVED).select_related("cadre", "demand"):
        served.setdefault(match.cadre_id, []).append(match)
    computed = {}
    for index, matches in enumerate(served.values()):
        if index % 50 == 0:
            report(5 + 85 * index // max(len(served), 1),
                   _("正在计算第 %(done)d / %(total)d 名干部的得分") % {"done": index + 1, "total": len(served)})
        computed[matches[0].cadre_id] = (matches, *breakdown_for(
            scheme=scheme, round_=round_, cadre=matches[0].cadre, matches=matches))
    report(90, _("正在保存得分和排名"))
    return _store_scores(by=by, round_=round_, scheme=scheme, computed=computed)


@transaction.atomic
def _store_scores(*, by, round_: Round, scheme: Scheme, computed: dict) -> list[Score]:
    _lock(round_)
    if round_.status not in SERVED_ROUND_STATUSES:
        raise AssessmentError(_("只有已发布或已结束的轮次可以计算考核得分"))
    now = timezone.now()
    scores = []
    for matches, total, rows in computed.values():
        cadre = matches[0].cadre
        score, _created = Score.objects.update_or_create(round=round_, cadre=cadre, defaults={
            "scheme": scheme, "total": total, "breakdown": rows, "grade": None, "computed_at": now,
            "agency_path": cadre.agency_path, "unit_paths": sorted({m.demand.unit_path for m in matches}),
        })
        scores.append(score)
    Score.objects.filter(round=round_).exclude(cadre_id__in=computed).delete()
    _rank(scores)
    audit.record(actor=by, action="assessment.scores_computed", target=round_,
                 fields={"scheme": scheme.version, "scores": len(scores)})
    return scores


# --- background computation (issue #14 item 7) ----------------------------------------------------------


@transaction.atomic
def start_score_job(*, by, round_: Round) -> ScoreJob:
    """Queue the computation of the round's scores; the round page shows its progress.

    One job at a time per round: a live one is returned as it is; a job whose worker died is
    marked failed first. Raises AssessmentError when the round is not published or closed.
    """
    require_permission(by, "assessments.manage")
    _lock(round_)
    if round_.status not in SERVED_ROUND_STATUSES:
        raise AssessmentError(_("只有已发布或已结束的轮次可以计算考核得分"))
    for job in ScoreJob.objects.filter(round=round_, status__in=LIVE_JOB_STATUSES):
        if not job.is_stale:
            return job
        _fail(job.pk, _("后台任务中断，已停止"))
    job = ScoreJob.objects.create(round=round_, requested_by=by, progress_note=_("排队中"))
    audit.record(actor=by, action="assessment.scores_requested", target=round_, fields={"job": str(job.public_id)})
    transaction.on_commit(lambda: _enqueue_score_job(job.pk))
    return job


def _enqueue_score_job(job_id: int) -> None:
    from .tasks import compute_scores_task

    compute_scores_task.enqueue(job_id=job_id)


def run_score_job(*, job_id: int) -> ScoreJob | None:
    """Compute the scores of the job's round (called by the task); the outcome stays on the job."""
    job = ScoreJob.objects.select_related("round", "requested_by").filter(pk=job_id).first()
    if job is None or job.status not in LIVE_JOB_STATUSES:
        return job
    _beat(job.pk, 2, _("开始计算"), status=ScoreJobStatus.RUNNING)
    try:
        compute_scores(by=job.requested_by, round_=job.round,
                       progress=lambda percent, note: _beat(job.pk, percent, note))
    except AssessmentError as refusal:
        _fail(job.pk, str(refusal))
    except Exception:
        logger.exception("score job %s failed", job.pk)
        _fail(job.pk, _("计算失败，请重试或联系管理员"))
    else:
        ScoreJob.objects.filter(pk=job.pk).update(status=ScoreJobStatus.DONE, progress=100, progress_note=_("完成"),
                                                  heartbeat_at=timezone.now(), finished_at=timezone.now())
    job.refresh_from_db()
    return job


def _beat(job_id: int, percent: int, note: str, **fields) -> None:
    ScoreJob.objects.filter(pk=job_id).update(progress=min(percent, 100), progress_note=note[:200],
                                              heartbeat_at=timezone.now(), **fields)


def _fail(job_id: int, note: str) -> None:
    ScoreJob.objects.filter(pk=job_id).update(status=ScoreJobStatus.FAILED, progress=100, progress_note=note[:200],
                                              finished_at=timezone.now())


def _rank(scores: list[Score]) -> None:
    graded = [s for s in scores if s.total is not None]
    for score, rank in zip(graded, scoring.competition_ranks([s.total for s in graded]), strict=True):
        score.rank_city = rank
    by_agency: dict[int, list[Score]] = {}
    for score in graded:
        by_agency.setdefault(score.cadre.agency_id, []).append(score)
    for group in by_agency.values():
        for score, rank in zip(group, scoring.competition_ranks([s.total for s in group]), strict=True):
            score.rank_agency = rank
    for score in scores:
        if score.total is None:
            score.rank_city = score.rank_agency = None
    Score.objects.bulk_update(scores, ["rank_city", "rank_agency"])


def grade_rules(overrides: dict[str, tuple[int, int | None]] | None = None) -> list[scoring.GradeRule]:
    """The grades best first with their default quotas; `overrides` maps a grade code to (min %, max %)."""
    overrides = overrides or {}
    rules = []
    for grade in Grade.objects.order_by("-min_score", "sort_order"):
        least, most = overrides.get(grade.code, (grade.min_share, grade.max_share))
        rules.append(scoring.GradeRule(grade.code, grade.label, grade.min_score, least, most))
    return rules


@transaction.atomic
def assign_grades(*, by, round_: Round, quotas: dict[str, tuple[int, int | None]] | None = None,
                  scope: str = QuotaScope.AGENCY, appeal_days: int = APPEAL_DAYS) -> list[Score]:
    """Grade the round's scored cadres under the quotas (default: each grade's, e.g. 优秀 ≤ 20 %),
    applied within each sending agency (`scope` agency, the civil-servant rules) or across the round
    (`city`). Records the settings and opens the appeal window of `appeal_days` days. Raises
    AssessmentError explaining a quota that cannot be met (naming the agency); nothing is saved then."""
    require_permission(by, "assessments.manage")
    _lock(round_)
    check_grading(round_=round_, scope=scope, appeal_days=appeal_days)
    scores = _grade(round_=round_, quotas=quotas, scope=scope)
    today = timezone.localdate()
    Grading.objects.update_or_create(round=round_, defaults={
        "scope": scope, "quotas": {code: list(bounds) for code, bounds in (quotas or {}).items()},
        "appeal_days": appeal_days, "appeal_until": today + timedelta(days=appeal_days),
        "graded_by": by, "graded_at": timezone.now(),
    })
    audit.record(actor=by, action="assessment.graded", target=round_,
                 fields={"scores": len(scores), "scope": scope, "appeal_days": appeal_days})
    return scores


def check_grading(*, round_: Round, scope: str, appeal_days: int) -> None:
    """The settings and the scores grading needs (also asked before grading is queued as a
    background job). Raises AssessmentError."""
    if scope not in QuotaScope.values:
        raise AssessmentError(_("请选择名额范围"))
    if not 1 <= appeal_days <= 90:
        raise AssessmentError(_("申诉期限应为 1–90 天"))
    if not Score.objects.filter(round=round_, total__isnull=False).exists():
        raise AssessmentError(_("本轮次还没有可评定等次的得分，请先计算得分"))


def check_commendations(*, round_: Round) -> None:
    """No open appeal (also asked before the list is queued as a background job)."""
    _wait_for_appeals(round_)


def _grade(*, round_: Round, quotas: dict | None, scope: str) -> list[Score]:
    """Assign and store the grades of the round's scored cadres, one quota group at a time."""
    scores = list(Score.objects.filter(round=round_, total__isnull=False).select_related("cadre__agency")
                  .order_by("pk"))
    if not scores:
        raise AssessmentError(_("本轮次还没有可评定等次的得分，请先计算得分"))
    groups: dict[str, list[Score]] = {}
    for score in scores:
        groups.setdefault(score.agency_path if scope == QuotaScope.AGENCY else "", []).append(score)
    rules, grades = grade_rules(quotas), {g.code: g for g in Grade.objects.all()}
    for group in groups.values():
        try:
            codes = scoring.assign_grades(rules, [s.total for s in group])
        except scoring.QuotaError as error:
            if scope == QuotaScope.AGENCY:
                raise AssessmentError(_("“%(agency)s”等次名额无法满足：%(reason)s")
                                      % {"agency": group[0].cadre.agency.name, "reason": error}) from None
            raise AssessmentError(_("等次名额无法满足：%(reason)s") % {"reason": error}) from None
        for score, code in zip(group, codes, strict=True):
            score.grade = grades[code]
    Score.objects.bulk_update(scores, ["grade"])
    return scores


def regrade_after_appeal(*, by, score: Score) -> Score:
    """An upheld appeal: recompute the cadre's score from the sources (corrected since) with the
    scheme that produced it, re-rank the round and grade it again with the settings it was graded
    with. Raises AssessmentError when the quotas can no longer be met (nothing is saved then)."""
    round_ = score.round
    matches = served_matches(round_=round_, cadre=score.cadre)
    if not matches:
        raise AssessmentError(_("%(name)s 在本轮次没有报到记录，无法重新计算") % {"name": score.cadre.name})
    total, rows = breakdown_for(scheme=score.scheme, round_=round_, cadre=score.cadre, matches=matches)
    score.total, score.breakdown, score.computed_at = total, rows, timezone.now()
    score.save(update_fields=["total", "breakdown", "computed_at", "updated_at"])
    _rank(list(Score.objects.filter(round=round_).select_related("cadre")))
    grading = Grading.objects.filter(round=round_).first()
    if grading is not None:
        quotas = {code: (bounds[0], bounds[1]) for code, bounds in grading.quotas.items()}
        _grade(round_=round_, quotas=quotas or None, scope=grading.scope)
    score.refresh_from_db()
    audit.record(actor=by, action="assessment.regraded", target=round_,
                 fields={"score": str(score.public_id), "grade": score.grade.code if score.grade_id else ""})
    return score


# --- appeals ------------------------------------------------------------------------------------------


def appeal_deadline(score: Score):
    """The last day the cadre may appeal: the grading's window; None before the round is graded."""
    grading = Grading.objects.filter(round_id=score.round_id).first()
    return grading.appeal_until if grading else None


@transaction.atomic
def file_appeal(*, by, score: Score, reason: str, today=None) -> Appeal:
    """A cadre appeals their own graded result with a reason, within the appeal window (15 days by
    default from the grading); one open appeal at a time."""
    if score.cadre.user_id != by.pk:
        raise AssessmentError(_("只能对本人的考核结果提出申诉"))
    if not reason.strip():
        raise AssessmentError(_("请填写申诉理由"))
    deadline = appeal_deadline(score)
    if deadline is None:
        raise AssessmentError(_("本轮次尚未评定等次，评定后可在申诉期限内提出申诉"))
    if (today or timezone.localdate()) > deadline:
        raise AssessmentError(_("申诉期限已过（截至 %(date)s）") % {"date": deadline.isoformat()})
    if score.appeals.filter(status=AppealStatus.OPEN).exists():
        raise AssessmentError(_("已有待答复的申诉"))
    appeal = Appeal.objects.create(score=score, author=by, reason=reason.strip())
    audit.record(actor=by, action="assessment.appeal_filed", target=appeal)
    from . import notifications

    notifications.appeal_filed(appeal)
    return appeal


@transaction.atomic
def answer_appeal(*, by, appeal: Appeal, upheld: bool, answer: str) -> Appeal:
    """The organization department answers: dismissed, or upheld — the cadre's score is recomputed
    from the (corrected) sources and the round regraded with its grading settings."""
    require_permission(by, "assessments.manage")
    _lock(appeal)
    if appeal.status != AppealStatus.OPEN:
        raise AssessmentError(_("该申诉已答复"))
    if not answer.strip():
        raise AssessmentError(_("请填写答复内容"))
    appeal.status = AppealStatus.UPHELD if upheld else AppealStatus.DISMISSED
    appeal.answer, appeal.answered_by, appeal.answered_at = answer.strip(), by, timezone.now()
    appeal.save(update_fields=["status", "answer", "answered_by", "answered_at", "updated_at"])
    audit.record(actor=by, action="assessment.appeal_answered", target=appeal, fields={"status": appeal.status})
    if upheld:
        regrade_after_appeal(by=by, score=appeal.score)
    from . import notifications

    notifications.appeal_answered(appeal)
    return appeal


def open_appeals(round_: Round) -> int:
    return Appeal.objects.filter(score__round=round_, status=AppealStatus.OPEN).count()


def _wait_for_appeals(round_: Round) -> None:
    """Commendations wait until every appeal of the round is answered (an upheld one may change grades)."""
    waiting = open_appeals(round_)
    if waiting:
        raise AssessmentError(_("本轮次还有 %(count)d 件申诉待答复，答复后才能生成或批准表彰名单")
                              % {"count": waiting})


# --- commendations ------------------------------------------------------------------------------------


@transaction.atomic
def propose_commendations(*, by, round_: Round, title: str = "") -> CommendationList:
    """A list of the round's cadres graded 优秀 (excellent), best first, for approval."""
    require_permission(by, "assessments.manage")
    _wait_for_appeals(round_)
    best = Grade.objects.order_by("-min_score", "sort_order").first()
    scores = list(Score.objects.filter(round=round_, grade=best).select_related("cadre").order_by("rank_city", "pk"))
    if not scores:
        label = best.label if best else ""
        raise AssessmentError(_("本轮次没有评为“%(grade)s”的干部，无法生成表彰名单") % {"grade": label})
    commendation_list = CommendationList.objects.create(
        round=round_, title=title.strip() or _("%(round)s 表彰名单") % {"round": round_.name}, proposed_by=by
    )
    CommendationEntry.objects.bulk_create(
        CommendationEntry(commendation_list=commendation_list, score=s, cadre=s.cadre) for s in scores
    )
    audit.record(actor=by, action="assessment.commendations_proposed", target=commendation_list,
                 fields={"entries": len(scores)})
    return commendation_list


@transaction.atomic
def approve_commendations(*, by, commendation_list: CommendationList) -> CommendationList:
    require_permission(by, "assessments.manage")
    _lock(commendation_list)
    if commendation_list.status != CommendationStatus.PROPOSED:
        raise AssessmentError(_("该表彰名单已批准"))
    _wait_for_appeals(commendation_list.round)
    best = Grade.objects.order_by("-min_score", "sort_order").first()
    current = set(Score.objects.filter(round=commendation_list.round, grade=best).values_list("cadre_id", flat=True))
    if current != set(commendation_list.entries.values_list("cadre_id", flat=True)):
        raise AssessmentError(_("名单生成后等次已有变化（如申诉成立后重新评定），请重新生成表彰名单"))
    commendation_list.status = CommendationStatus.APPROVED
    commendation_list.approved_by, commendation_list.approved_at = by, timezone.now()
    commendation_list.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    audit.record(actor=by, action="assessment.commendations_approved", target=commendation_list)
    return commendation_list


def can_view_score(user, score: Score) -> bool:
    return (
        score.cadre.user_id == user.pk
        or has_permission(user, "assessments.manage")
        or any(score.agency_path.startswith(p) for p in scope_paths(user, "assessments.view_agency"))
    )
