"""Writes of deployment rounds: lifecycle, matching, agency confirmation, publication, arrival, close.

Every service is keyword-only, atomic, permission-checked and audited. Round status moves only
through `move_round` and its table of allowed transitions.

Lock order (one order everywhere, so two writers never wait for each other in a cycle): the Round
row first, then its Match rows, then Deployment rows, then the task lease (xiachen.ops.leases).
A service about one match locks `match.round` before the match. Before this rule, a liaison
confirming (match → round) while the organization department re-ran matching (round → matches)
deadlocked on PostgreSQL.

Matching runs in the background (tasks.run_matching_task) under a lease on the round: a re-run keeps
the previous plan until the new one is stored in one transaction; a run that fails or whose worker
dies hands the round back (`matching_interrupted`) with the previous plan and a Chinese message.
"""

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiachen.accounts.permissions import has_permission, require_permission
from xiachen.audit import services as audit
from xiachen.cadres.models import ServiceRecord
from xiachen.interop.webhooks import emit
from xiachen.ops import leases
from xiachen.solver import matching as solver

from . import notifications
from .enums import ACTIVE_MATCH_STATUSES, DemandStatus, MatchStatus, RoundStatus
from .models import Demand, Deployment, Match, Round, RoundAgency, Unfilled
from .planning import (
    affinity_table,
    build_problem,
    cadre_facts,
    declined_in_round,
    demand_facts,
    ineligibility,
    score_arc,
)


class RoundError(ValueError):
    """A request the round's state or rules do not allow; the message is for the user."""


ALLOWED = {
    RoundStatus.DRAFT: {RoundStatus.MATCHING, RoundStatus.CANCELLED},
    RoundStatus.MATCHING: {RoundStatus.REVIEW, RoundStatus.DRAFT},
    RoundStatus.REVIEW: {RoundStatus.MATCHING, RoundStatus.PUBLISHED, RoundStatus.CANCELLED},
    RoundStatus.PUBLISHED: {RoundStatus.CLOSED},
}


def _lock(instance):
    """Lock the row and reload the caller's instance, so a stale object cannot drive a decision.
    A row deleted meanwhile (a proposal replaced by a re-run) is a RoundError, not a crash."""
    if type(instance).objects.select_for_update().filter(pk=instance.pk).first() is None:
        raise RoundError(_("该记录已被更新或删除，请刷新页面后重试"))
    instance.refresh_from_db()
    return instance


def check_move(*, round_: Round, to: RoundStatus) -> None:
    """Raise RoundError when the table does not allow moving the round to `to` (also asked before a
    publication or close is queued as a background job)."""
    if to not in ALLOWED.get(RoundStatus(round_.status), set()):
        raise RoundError(
            _("轮次不能从“%(current)s”变为“%(target)s”")
            % {"current": RoundStatus(round_.status).label, "target": RoundStatus(to).label}
        )


def move_round(*, round_: Round, to: RoundStatus, by) -> Round:
    """The one place a round changes status. Raises RoundError for a move the table does not allow."""
    check_move(round_=round_, to=to)
    previous = round_.status
    round_.status = to
    round_.save(update_fields=["status", "updated_at"])
    audit.record(actor=by, action="round.status_changed", target=round_, fields={"from": previous, "to": str(to)})
    return round_


@transaction.atomic
def create_round(
    *,
    by,
    name: str,
    kind: str,
    start,
    end,
    max_commute_km: int = 30,
    max_per_agency_per_post: int | None = None,
    rotation_window_days: int = 180,
) -> Round:
    """A draft round. Only the organization department runs rounds."""
    require_permission(by, "deployments.run_rounds")
    if end < start:
        raise RoundError(_("结束日期不能早于开始日期"))
    round_ = Round.objects.create(
        name=name,
        kind=kind,
        start=start,
        end=end,
        max_commute_km=max_commute_km,
        max_per_agency_per_post=max_per_agency_per_post,
        rotation_window_days=rotation_window_days,
        created_by=by,
    )
    audit.record(actor=by, action="round.created", target=round_)
    return round_


@transaction.atomic
def set_round_scope(*, by, round_: Round, demands: list[Demand], quotas: dict) -> Round:
    """Choose the demands and the agencies (agency → quota) of a draft round."""
    require_permission(by, "deployments.run_rounds")
    _lock(round_)
    if round_.status != RoundStatus.DRAFT:
        raise RoundError(_("只有草稿状态的轮次可以调整需求和参与单位"))
    before = set(round_.demands.values_list("pk", flat=True))
    problems = [*_unavailable_demands(round_, demands), *period_problems(round_, demands)]
    if problems:
        raise RoundError("；".join(problems))
    round_.demands.set(demands)
    round_.agencies.all().delete()
    RoundAgency.objects.bulk_create(
        RoundAgency(round=round_, agency=agency, quota=quota) for agency, quota in quotas.items()
    )
    refresh_demand_status(before | {d.pk for d in demands})
    audit.record(
        actor=by, action="round.scope_set", target=round_, fields={"demands": len(demands), "agencies": len(quotas)}
    )
    return round_


def _demand_name(demand: Demand) -> str:
    return f"{demand.unit.name}·{demand.post_type.label}"


def period_problems(round_: Round, demands) -> list[str]:
    """A sentence for each demand whose period does not overlap the round's (the notice would read
    "from 14 December to 9 December"), naming the demand and both periods."""
    return [
        _("岗位需求“%(demand)s”的期间（%(start)s 至 %(end)s）与轮次期间（%(round_start)s 至 %(round_end)s）没有重叠")
        % {"demand": _demand_name(d), "start": d.start, "end": d.end, "round_start": round_.start,
           "round_end": round_.end}
        for d in demands
        if d.start > round_.end or d.end < round_.start
    ]


def _unavailable_demands(round_: Round, demands) -> list[str]:
    """A sentence for each demand a round may not take: closed, or already deployed by another round."""
    problems = []
    for demand in demands:
        if demand.status == DemandStatus.CLOSED:
            problems.append(_("岗位需求“%(demand)s”已关闭") % {"demand": _demand_name(demand)})
            continue
        other = deployed_by_other_round(round_, demand)
        if other is not None:
            problems.append(_("岗位需求“%(demand)s”已在轮次“%(round)s”中派驻")
                            % {"demand": _demand_name(demand), "round": other.name})
    return problems


def deployed_by_other_round(round_: Round, demand: Demand) -> Round | None:
    return demand.rounds.exclude(pk=round_.pk).filter(
        status__in=[RoundStatus.PUBLISHED, RoundStatus.CLOSED]).order_by("-start").first()


def check_periods(round_: Round) -> None:
    """Raise RoundError naming every demand of the round whose period misses the round's."""
    problems = period_problems(round_, round_.demands.select_related("unit", "post_type"))
    if problems:
        raise RoundError("；".join(problems))


def refresh_demand_status(demand_ids) -> None:
    """Each demand's status from the rounds it is in: deployed (a published or closed round), in a
    round (a draft or running one), else open. A closed demand stays closed."""
    final = [RoundStatus.PUBLISHED, RoundStatus.CLOSED]
    live = [RoundStatus.DRAFT, RoundStatus.MATCHING, RoundStatus.REVIEW]
    demands = Demand.objects.filter(pk__in=list(demand_ids)).exclude(status=DemandStatus.CLOSED)
    demands.filter(rounds__status__in=final).update(status=DemandStatus.DEPLOYED)
    demands = demands.exclude(rounds__status__in=final)
    demands.filter(rounds__status__in=live).update(status=DemandStatus.IN_ROUND)
    demands.exclude(rounds__status__in=live).update(status=DemandStatus.OPEN)


@transaction.atomic
def start_matching(*, by, round_: Round, incremental: bool = False) -> Round:
    """Move the round to MATCHING and queue the solver after commit, under a lease on the round.
    A full re-run replaces the still-proposed matches, an incremental one keeps every active match
    fixed; either way the previous plan stays until the new one is stored."""
    require_permission(by, "deployments.run_rounds")
    leases.reclaim_stale(obj=round_)  # a run whose worker died no longer blocks this one
    _lock(round_)
    if not round_.demands.exists() or not round_.agencies.exists():
        raise RoundError(_("请先选择岗位需求和参与的派出单位"))
    check_periods(round_)
    move_round(round_=round_, to=RoundStatus.MATCHING, by=by)
    round_.progress, round_.progress_note, round_.run_error = 0, _("排队中"), ""
    round_.save(update_fields=["progress", "progress_note", "run_error"])
    lease = leases.grant(round_)
    from .tasks import run_matching_task

    def enqueue() -> None:
        queued = run_matching_task.enqueue(round_id=round_.pk, user_id=by.pk, lease=lease, incremental=incremental)
        leases.note_task(lease, queued.id)

    transaction.on_commit(enqueue)
    return round_


def report_progress(round_id: int, percent: int, note: str) -> None:
    Round.objects.filter(pk=round_id).update(progress=percent, progress_note=note[:200])


@transaction.atomic
def apply_matching(
    *, round_: Round, result: solver.MatchingResult, by, lease: str | None = None, incremental: bool = True
) -> Round:
    """Store the solver's plan in one transaction: a full run (`incremental=False`) first drops the
    still-proposed matches it replaces; then new matches with their explanation, unfilled places with
    reasons. An infeasible problem hands the round back with the solver's reasons, the previous plan
    untouched. Raises LeaseLost (storing nothing) when the run's lease was reclaimed meanwhile."""
    _lock(round_)
    if not leases.end(round_, lease) or round_.status != RoundStatus.MATCHING:
        raise leases.LeaseLost(round_.pk)
    if result.status == "infeasible":
        round_.result = {"status": "infeasible", "reasons": list(result.infeasibility)}
        round_.save(update_fields=["result"])
        move_round(round_=round_, to=_back_from_matching(round_), by=by)
        return round_
    if not incremental:
        round_.matches.filter(status=MatchStatus.PROPOSED).delete()
    _store_plan(round_, result)
    round_.progress, round_.progress_note, round_.run_error = 100, _("完成"), ""
    round_.save(update_fields=["result", "progress", "progress_note", "run_error"])
    move_round(round_=round_, to=RoundStatus.REVIEW, by=by)
    audit.record(actor=by, action="round.matched", target=round_, fields=round_.result)
    notifications.nominations_proposed(round_)
    return round_


def _store_plan(round_: Round, result: solver.MatchingResult) -> list[Match]:
    kept = set(round_.matches.filter(status__in=ACTIVE_MATCH_STATUSES).values_list("cadre_id", "demand_id"))
    paths = dict(_cadre_paths({cadre for cadre, _demand in result.assignments}))
    created = Match.objects.bulk_create(
        _match_from(round_, explanation, paths)
        for explanation in result.explanations
        if (explanation.cadre_id, explanation.post_id) not in kept
    )
    round_.unfilled.all().delete()
    Unfilled.objects.bulk_create(
        Unfilled(
            round=round_,
            demand_id=place.post_id,
            places=place.vacancies,
            reason=place.reason,
            detail=place.detail[:300],
        )
        for place in result.unfilled
    )
    round_.result = {
        "status": result.status,
        "objective": result.objective,
        "bound": result.bound,
        "optimal": result.optimal,
        "gap": result.gap,
        "method": result.method,
        "seconds": round(result.seconds, 3),
        "matches": len(result.assignments),
    }
    return created


def _cadre_paths(cadre_ids: set) -> list[tuple[int, str]]:
    from xiachen.cadres.models import Cadre

    return list(Cadre.objects.filter(pk__in=cadre_ids).values_list("pk", "agency_path"))


def _match_from(round_: Round, explanation: solver.MatchExplanation, paths: dict) -> Match:
    return Match(
        round=round_,
        demand_id=explanation.post_id,
        cadre_id=explanation.cadre_id,
        agency_path=paths[explanation.cadre_id],
        affinity=explanation.affinity,
        specialty_points=explanation.specialties_met,
        commute_km=explanation.commute_penalty,
        commute_penalty=explanation.commute_penalty,
        rotation_penalty=explanation.rotation_penalty,
        total=explanation.score,
    )


def run_matching(*, round_id: int, user_id: int, lease: str | None = None, incremental: bool = True) -> Round:
    """Build the problem, solve it with progress reports, store the plan. Called by the task; a full
    run (`incremental=False`) lets the still-proposed matches move, an incremental one keeps them."""
    from xiachen.accounts.models import User

    round_ = Round.objects.get(pk=round_id)
    by = User.objects.get(pk=user_id)
    report_progress(round_id, 10, _("正在整理候选干部和岗位"))
    problem = build_problem(round_, keep_proposed=incremental)
    report_progress(round_id, 40, _("正在求解最优匹配（%(arcs)d 个可行配对）") % {"arcs": len(problem.arcs)})
    result = solver.solve(
        problem,
        time_limit=60,
        seed=0,
        progress=lambda event: report_progress(round_id, 70, _("求解中：%(stage)s") % {"stage": event.stage}),
        unmet_medical="vacancy",
    )
    report_progress(round_id, 90, _("正在保存方案"))
    return apply_matching(round_=round_, result=result, by=by, lease=lease, incremental=incremental)


def _back_from_matching(round_: Round) -> RoundStatus:
    """Where a run that stored no new plan leaves the round: under review with the plan it had, or
    a draft when there was none."""
    return RoundStatus.REVIEW if round_.matches.exists() else RoundStatus.DRAFT


@transaction.atomic
def matching_interrupted(*, round_id: int, reason: str, take) -> None:
    """A matching run failed or its worker died (the lease hook, xiachen.ops.leases): if `take()`
    still gets the run's lease, the round leaves MATCHING with its previous plan and a message."""
    round_ = Round.objects.select_for_update().filter(pk=round_id).first()
    if round_ is None or not take() or round_.status != RoundStatus.MATCHING:
        return
    to = _back_from_matching(round_)
    if to == RoundStatus.REVIEW:
        message = _("匹配未完成（%(reason)s），原方案保留，可以重新运行匹配。") % {"reason": reason}
    else:
        message = _("匹配未完成（%(reason)s），可以重新运行匹配。") % {"reason": reason}
    round_.run_error, round_.progress, round_.progress_note = message[:300], 0, ""
    round_.save(update_fields=["run_error", "progress", "progress_note"])
    move_round(round_=round_, to=to, by=None)
    audit.record(actor=None, action="round.matching_interrupted", target=round_, fields={"to": str(to)})


@transaction.atomic
def decide_nomination(*, by, match: Match, confirm: bool, reason: str = "", other_posts: bool = False) -> Match:
    """The sending agency confirms or declines one nominated cadre (a reason is required to decline).
    A declined cadre is not proposed again anywhere in the round unless `other_posts` (the agency
    lets them take another post of it; see set_other_posts)."""
    require_permission(by, "deployments.confirm_nominations", match.cadre.agency)
    _lock(match.round)  # lock order: round, then match (module docstring)
    _lock(match)
    open_round = match.round.status in (RoundStatus.REVIEW, RoundStatus.PUBLISHED)
    if not open_round or match.status != MatchStatus.PROPOSED:
        raise RoundError(_("只能确认或婉拒待确认的拟派干部"))
    if not confirm and not reason.strip():
        raise RoundError(_("婉拒时请填写原因"))
    match.status = MatchStatus.CONFIRMED if confirm else MatchStatus.DECLINED
    match.decline_reason = "" if confirm else reason.strip()[:200]
    match.other_posts_allowed = not confirm and other_posts
    match.save(update_fields=["status", "decline_reason", "other_posts_allowed", "updated_at"])
    fields = {} if confirm else {"other_posts_allowed": match.other_posts_allowed}
    audit.record(actor=by, action="match.confirmed" if confirm else "match.declined", target=match, fields=fields)
    if not confirm:
        notifications.nomination_declined(match)
    elif match.round.status == RoundStatus.PUBLISHED:
        _deploy([match])  # a replacement confirmed after publication takes its place at once
        notifications.assignment_to_cadre(match)
    return match


@transaction.atomic
def set_other_posts(*, by, match: Match, allowed: bool) -> Match:
    """The sending agency says whether a cadre it declined may still be proposed for another post of
    the same round (never the declined post itself). Audited."""
    require_permission(by, "deployments.confirm_nominations", match.cadre.agency)
    _lock(match.round)
    _lock(match)
    if match.status != MatchStatus.DECLINED or match.round.status not in (RoundStatus.REVIEW, RoundStatus.PUBLISHED):
        raise RoundError(_("只能对本轮已婉拒的干部作此设定"))
    match.other_posts_allowed = allowed
    match.save(update_fields=["other_posts_allowed", "updated_at"])
    audit.record(actor=by, action="match.other_posts_set", target=match, fields={"allowed": allowed})
    return match


def check_manual_assignment(*, round_: Round, demand: Demand, cadre) -> list[str]:
    """Every rule a hand-made match would break (empty: allowed). Used live by the plan editor."""
    problems = []
    facts = next((f for f in demand_facts(round_) if f.demand.pk == demand.pk), None)
    candidate = next((c for c in cadre_facts(round_) if c.cadre_id == cadre.pk), None)
    if facts is None:
        return [_("该需求不在本轮次中")]
    if candidate is None:
        return [_("该干部不在参与单位中，或已在其他岗位派驻")]
    reason = ineligibility(candidate, facts, round_.max_commute_km)
    if reason:
        from .enums import reason_label

        problems.append(reason_label(reason))
    active = round_.matches.filter(status__in=ACTIVE_MATCH_STATUSES)
    if active.filter(cadre=cadre).exists():
        problems.append(_("该干部在本轮次已有岗位"))
    declined_pairs, declined_cadres = declined_in_round(round_)
    if (cadre.pk, demand.pk) in declined_pairs:
        problems.append(_("派出单位已婉拒该干部担任此岗位"))
    elif cadre.pk in declined_cadres:
        problems.append(_("派出单位已在本轮婉拒该干部"))
    if active.filter(demand=demand).count() >= demand.headcount:
        problems.append(_("该岗位人数已满"))
    quota = round_.agencies.filter(agency_id=cadre.agency_id).values_list("quota", flat=True).first()
    if quota is not None and active.filter(cadre__agency_id=cadre.agency_id).count() >= quota:
        problems.append(_("派出单位名额已用完"))
    cap = round_.max_per_agency_per_post
    if cap and active.filter(demand=demand, cadre__agency_id=cadre.agency_id).count() >= cap:
        problems.append(_("同一单位在该岗位的人数已达上限（%(cap)d）") % {"cap": cap})
    return problems


@transaction.atomic
def assign_by_hand(*, by, round_: Round, demand: Demand, cadre) -> Match:
    """Add a match by hand after the same rule checks as the matcher. Raises RoundError listing them."""
    require_permission(by, "deployments.run_rounds")
    _lock(round_)
    if round_.status != RoundStatus.REVIEW:
        raise RoundError(_("只能在待审核状态调整方案"))
    problems = check_manual_assignment(round_=round_, demand=demand, cadre=cadre)
    if problems:
        raise RoundError("；".join(problems))
    arc = score_arc(
        next(c for c in cadre_facts(round_) if c.cadre_id == cadre.pk),
        next(f for f in demand_facts(round_) if f.demand.pk == demand.pk),
        affinity_table(),
    )
    match = Match.objects.create(
        round=round_,
        demand=demand,
        cadre=cadre,
        agency_path=cadre.agency_path,
        affinity=arc.affinity,
        specialty_points=arc.specialties_met,
        commute_km=arc.commute_penalty,
        commute_penalty=arc.commute_penalty,
        rotation_penalty=arc.rotation_penalty,
        total=arc.score,
        is_manual=True,
    )
    audit.record(actor=by, action="match.assigned_by_hand", target=match)
    return match


@transaction.atomic
def remove_match(*, by, match: Match) -> None:
    require_permission(by, "deployments.run_rounds")
    _lock(match.round)
    _lock(match)
    if match.round.status != RoundStatus.REVIEW or match.status != MatchStatus.PROPOSED:
        raise RoundError(_("只能移除待审核轮次中的拟派干部"))
    audit.record(actor=by, action="match.removed", target=match)
    match.delete()


@transaction.atomic
def publish_round(*, by, round_: Round) -> Round:
    """Freeze the plan: every match must be confirmed by its agency; each becomes an active
    deployment. The database refuses a cadre with two active deployments, so two publications at
    once cannot place one cadre twice."""
    require_permission(by, "deployments.run_rounds")
    _lock(round_)
    waiting = round_.matches.filter(status=MatchStatus.PROPOSED).count()
    if waiting:
        raise RoundError(_("还有 %(count)d 名拟派干部等待派出单位确认") % {"count": waiting})
    demands = list(round_.demands.select_related("unit", "post_type"))
    problems = [*_unavailable_demands(round_, demands), *period_problems(round_, demands)]
    if problems:
        raise RoundError("；".join(problems))
    move_round(round_=round_, to=RoundStatus.PUBLISHED, by=by)
    confirmed = list(round_.matches.filter(status=MatchStatus.CONFIRMED))
    _deploy(confirmed)
    refresh_demand_status(d.pk for d in demands)
    audit.record(actor=by, action="round.published", target=round_, fields={"deployments": len(confirmed)})
    for demand in demands:  # one event per receiving unit's demand, so each endpoint hears of its own
        emit("round.published", path=demand.unit.path, data={
            "round": str(round_.public_id), "demand": str(demand.public_id), "unit": str(demand.unit.public_id),
            "deployments": sum(1 for match in confirmed if match.demand_id == demand.pk),
        })
    notifications.round_published(round_)
    return round_


def _deploy(matches: list[Match]) -> None:
    """Active deployments for `matches`; the partial unique index refuses a cadre deployed twice."""
    try:
        with transaction.atomic():
            Deployment.objects.bulk_create(Deployment(match=m, cadre_id=m.cadre_id) for m in matches)
    except IntegrityError:
        raise RoundError(_("有干部已在其他轮次派驻，请重新匹配后再发布")) from None


@transaction.atomic
def record_arrival(*, by, match: Match) -> Match:
    """报到: the cadre (scanning the unit's code) or the receiving manager confirms arrival."""
    is_cadre = match.cadre.user_id == by.pk
    if not is_cadre and not has_permission(by, "deployments.manage_demands", match.demand.unit):
        raise PermissionDenied("deployments.arrival")
    _lock(match.round)
    _lock(match)
    if match.round.status != RoundStatus.PUBLISHED or match.status not in (MatchStatus.CONFIRMED, MatchStatus.NO_SHOW):
        raise RoundError(_("该派驻不能报到"))
    match.status, match.arrived_at = MatchStatus.ARRIVED, timezone.now()
    match.save(update_fields=["status", "arrived_at", "updated_at"])
    audit.record(actor=by, action="match.arrived", target=match, fields={"by_cadre": is_cadre})
    return match


@transaction.atomic
def close_round(*, by, round_: Round) -> Round:
    """End the round: each arrived cadre's service goes into their history; deployments end."""
    require_permission(by, "deployments.run_rounds")
    _lock(round_)
    move_round(round_=round_, to=RoundStatus.CLOSED, by=by)
    arrived = round_.matches.filter(status=MatchStatus.ARRIVED).select_related("demand__post_type")
    ServiceRecord.objects.bulk_create(
        ServiceRecord(
            cadre_id=m.cadre_id,
            unit_id=m.demand.unit_id,
            post=m.demand.post_type.name_zh,
            start=m.demand.start,
            end=min(m.demand.end, round_.end),
            note=round_.name,
        )
        for m in arrived
    )
    Deployment.objects.filter(match__round=round_).update(is_active=False)
    audit.record(actor=by, action="round.closed", target=round_, fields={"service_records": len(arrived)})
    return round_


def arrivals_at(*, unit):
    """Published matches to this unit (and its subtree) with their arrival state, for the manager."""
    return (
        Match.objects.filter(demand__unit_path__startswith=unit.path, round__status=RoundStatus.PUBLISHED)
        .exclude(status__in=[MatchStatus.DECLINED, MatchStatus.REPLACED])
        .select_related("cadre", "cadre__agency", "demand__post_type")
        .order_by("status", "cadre__name")
    )


def send_start_reminders(*, now, days_ahead: int = 2) -> int:
    """Remind each confirmed cadre once, `days_ahead` days before their start date."""
    due = Match.objects.filter(
        round__status=RoundStatus.PUBLISHED,
        status=MatchStatus.CONFIRMED,
        reminded_at__isnull=True,
        demand__start__lte=timezone.localtime(now + timedelta(days=days_ahead)).date(),
        demand__start__gte=timezone.localtime(now).date(),
    ).select_related("cadre__user", "demand__unit")
    count = 0
    for match in due:
        with transaction.atomic():
            notifications.start_reminder(match)
            Match.objects.filter(pk=match.pk).update(reminded_at=now)
            count += 1
    return count


def flag_no_shows(*, now, grace_hours: int = 24) -> int:
    """Confirmed cadres who have not reported `grace_hours` after their start become no-shows."""
    # Late once the start day (from midnight, local time) plus the grace period has passed.
    cutoff = timezone.localtime(now - timedelta(hours=grace_hours)).date()
    late = Match.objects.filter(
        round__status=RoundStatus.PUBLISHED, status=MatchStatus.CONFIRMED, demand__start__lte=cutoff
    ).select_related("demand__unit", "round")
    count = 0
    for match in late:
        with transaction.atomic():
            Match.objects.filter(pk=match.pk).update(status=MatchStatus.NO_SHOW)
            audit.record(actor=None, action="match.no_show", target=match)
            notifications.no_show(match)
            count += 1
    return count


@transaction.atomic
def replace_no_show(*, by, match: Match) -> Match | None:
    """Release a no-show's place and propose the best eligible replacement for it (the agency then
    confirms as usual). Returns the proposed match, or None when nobody is eligible."""
    require_permission(by, "deployments.run_rounds")
    _lock(match.round)
    _lock(match)
    if match.status != MatchStatus.NO_SHOW:
        raise RoundError(_("只能替换未报到的干部"))
    match.status = MatchStatus.REPLACED
    match.save(update_fields=["status", "updated_at"])
    Deployment.objects.filter(match=match).update(is_active=False)
    result = solver.solve(build_problem(match.round), time_limit=30, seed=0, unmet_medical="vacancy")
    created = [m for m in _store_plan(match.round, result) if m.demand_id == match.demand_id]
    match.round.save(update_fields=["result"])
    audit.record(actor=by, action="match.replaced", target=match, fields={"replacements": len(created)})
    if created:
        notifications.nominations_proposed(match.round)
    return created[0] if created else None
