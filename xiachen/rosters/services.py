"""Writes of rosters: rules, shift templates, the roster lifecycle, generation, manual edits, cover,
unavailable days, wishes and swaps. Keyword-only, atomic, permission-checked, audited.

The roster's status moves only through `move_roster` and its table of allowed transitions; every
change to cells (an edit or an approved swap) first goes through the independent validator, on the
cadres' whole timeline (their shifts on other rosters are fixed work, ADR 1605). Writes of cells
lock the cadres concerned, so two rosters cannot book one cadre past the rules at the same moment.
"""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from xiachen.accounts.permissions import has_permission, require_permission
from xiachen.audit import services as audit
from xiachen.deployments.enums import RoundStatus
from xiachen.solver import rostering
from xiachen.solver.validate import validate

from . import notifications
from .enums import RosterStatus, SwapStatus
from .models import (
    Assignment,
    CoverOverride,
    Roster,
    RuleSet,
    ShiftTemplate,
    SwapRequest,
    Unavailability,
    Wish,
    defaults_for,
)
from .planning import Cells, RosterFrame, explain, explain_breach, frame_of, new_breaks, rules_for, stored_cells

GENERATION_SECONDS = 20.0
EDITABLE = (RosterStatus.DRAFT, RosterStatus.PUBLISHED)


class RosterError(ValueError):
    """A request the roster's state or rules do not allow; the message is for the user."""


class CellConflict(RosterError):
    """Someone else changed the cell since the editor was opened; `current` is its code now (None: off)."""

    def __init__(self, message: str, current: str | None) -> None:
        super().__init__(message)
        self.current = current


def _lock_cadres(cadre_ids) -> None:
    """Serialize writes that book these cadres (in key order, so two writers cannot deadlock)."""
    from xiachen.cadres.models import Cadre

    list(Cadre.objects.select_for_update().filter(pk__in=set(cadre_ids)).order_by("pk").values_list("pk", flat=True))

ALLOWED = {
    RosterStatus.DRAFT: {RosterStatus.GENERATING, RosterStatus.PUBLISHED},
    RosterStatus.GENERATING: {RosterStatus.DRAFT},
    RosterStatus.PUBLISHED: {RosterStatus.LOCKED, RosterStatus.DRAFT},
    RosterStatus.LOCKED: set(),
}


def _lock(instance):
    type(instance).objects.select_for_update().filter(pk=instance.pk).first()
    instance.refresh_from_db()
    return instance


def require_manager(user, post) -> None:
    require_permission(user, "rosters.manage", post.unit)


def move_roster(*, roster: Roster, to: RosterStatus, by) -> Roster:
    """The one place a roster changes status. Raises RosterError for a move the table does not allow."""
    if to not in ALLOWED[RosterStatus(roster.status)]:
        raise RosterError(_("排班表不能从“%(current)s”变为“%(target)s”")
                          % {"current": RosterStatus(roster.status).label, "target": RosterStatus(to).label})
    previous, roster.status = roster.status, to
    roster.save(update_fields=["status", "updated_at"])
    audit.record(actor=by, action="roster.status_changed", target=roster, fields={"from": previous, "to": str(to)})
    return roster


@transaction.atomic
def change_status(*, by, roster: Roster, to: RosterStatus) -> Roster:
    """Publish (cadres are told), lock (no more edits) or take a published roster back to draft."""
    require_manager(by, roster.post)
    _lock(roster)
    if to == RosterStatus.PUBLISHED:
        frame = frame_of(roster)
        breaks = validate(frame.problem, frame.rows(stored_cells(roster))).breaches
        if breaks:
            why = "；".join(explain_breach(frame, b) for b in breaks[:5])
            raise RosterError(_("排班表违反规则，不能发布：%(why)s") % {"why": why})
        move_roster(roster=roster, to=to, by=by)
        notifications.roster_published(roster, frame.cadres)
        return roster
    return move_roster(roster=roster, to=to, by=by)


@transaction.atomic
def update_rules(*, by, round_, **values) -> RuleSet:
    """Set the round's rules; the organization department owns them."""
    require_permission(by, "rosters.set_rules")
    rules = RuleSet.objects.filter(round=round_).first() or RuleSet(round=round_, **defaults_for(round_))
    for name, value in values.items():
        setattr(rules, name, value)
    rules.save()
    audit.record(actor=by, action="roster.rules_set", target=round_, fields={"fields": sorted(values)})
    return rules


@transaction.atomic
def add_shift_template(*, by, post, code: str, name: str, start, length_minutes: int, minimum: int,
                       preferred: int, in_gear: bool = False) -> ShiftTemplate:
    require_manager(by, post)
    if post.shift_templates.filter(code=code).exists():
        raise RosterError(_("班次代码“%(code)s”已存在") % {"code": code})
    if preferred < minimum:
        raise RosterError(_("理想人数不能少于最少人数"))
    round_ = published_round_of(post)
    gear_limit = rules_for(round_).max_gear_minutes if round_ is not None else None
    if in_gear and gear_limit is not None and length_minutes > gear_limit:
        raise RosterError(_("全程穿防护服的班次最长 %(limit)d 分钟（本轮规则），请缩短班次或分成两班")
                          % {"limit": gear_limit})
    shift = ShiftTemplate.objects.create(post=post, code=code, name=name, start=start, length_minutes=length_minutes,
                                         minimum=minimum, preferred=preferred, in_gear=in_gear)
    audit.record(actor=by, action="roster.shift_added", target=shift)
    return shift


def published_round_of(post):
    return post.rounds.filter(status=RoundStatus.PUBLISHED).order_by("-start").first()


@transaction.atomic
def create_roster(*, by, post, start: date, end: date) -> Roster:
    """A draft roster of a post for a period inside the post's published round."""
    require_manager(by, post)
    round_ = published_round_of(post)
    if round_ is None:
        raise RosterError(_("该岗位没有已发布的派驻轮次"))
    if end < start:
        raise RosterError(_("结束日期不能早于开始日期"))
    if (end - start).days > 62:
        raise RosterError(_("一张排班表最长 63 天"))
    roster = Roster.objects.create(post=post, round=round_, unit_path=post.unit_path, start=start, end=end,
                                   created_by=by)
    audit.record(actor=by, action="roster.created", target=roster)
    return roster


def start_generation(*, by, roster: Roster, time_limit: float = GENERATION_SECONDS) -> Roster:
    """Explain contradictions now, before queueing (kept on the roster, raised as RosterError);
    otherwise move to GENERATING and queue the optimizer after commit."""
    require_manager(by, roster.post)
    reasons = _contradictions(frame_of(roster))
    if reasons:
        roster.result = {"status": "INFEASIBLE", "reasons": reasons}
        Roster.objects.filter(pk=roster.pk).update(result=roster.result)
        raise RosterError(_("规则互相矛盾，无法排班：%(why)s") % {"why": "；".join(reasons)})
    return _queue_generation(by=by, roster=roster, time_limit=time_limit)


@transaction.atomic
def _queue_generation(*, by, roster: Roster, time_limit: float) -> Roster:
    _lock(roster)
    move_roster(roster=roster, to=RosterStatus.GENERATING, by=by)
    roster.progress, roster.progress_note, roster.result = 0, _("排队中"), {}
    roster.save(update_fields=["progress", "progress_note", "result"])
    from xiachen.ops import leases

    from .tasks import generate_roster_task

    # The lease is taken with the queueing, so a run that never starts (no worker) is reclaimed too.
    lease = leases.grant(roster)
    transaction.on_commit(lambda: generate_roster_task.enqueue(roster_id=roster.pk, user_id=by.pk,
                                                               time_limit=time_limit, lease=lease))
    return roster


def _contradictions(frame: RosterFrame) -> list[str]:
    if not frame.shifts:
        return [_("该岗位还没有班次")]
    if not frame.cadres:
        return [_("该岗位没有已到岗或已确认的派驻干部")]
    return [explain(frame, reason) for reason in rostering.precheck(frame.problem)]


def report_progress(roster_id: int, percent: int, note: str) -> None:
    Roster.objects.filter(pk=roster_id).update(progress=percent, progress_note=note[:200])


def run_generation(*, roster_id: int, user_id: int, time_limit: float = GENERATION_SECONDS) -> Roster:
    """Solve, re-check the roster with the independent validator, then store it. Called by the task."""
    from xiachen.accounts.models import User

    roster = Roster.objects.select_related("post__unit", "post__post_type", "round").get(pk=roster_id)
    by = User.objects.get(pk=user_id)
    frame = frame_of(roster)
    report_progress(roster_id, 10, _("正在求解（%(people)d 人，%(days)d 天）")
                    % {"people": len(frame.cadres), "days": frame.problem.horizon_days})
    # One worker and a fixed seed keep the search reproducible, but the user's limit is a wall-clock
    # promise: deterministic time alone ran a 20 s request for 61 s on a loaded machine.
    options = rostering.SolveOptions(time_limit_seconds=time_limit, wall_limit_seconds=time_limit, workers=1, seed=0,
                                     progress=lambda p: report_progress(roster_id, 10 + int(80 * p.time_fraction),
                                                                        _("求解中")))
    result = rostering.solve(frame.problem, options)
    return store_generated(roster=roster, frame=frame, result=result, by=by)


@transaction.atomic
def store_generated(*, roster: Roster, frame: RosterFrame, result: rostering.RosterResult, by) -> Roster:
    """Store the optimizer's roster after checking it again, under lock, on today's timeline: another
    roster may have booked the same cadres while this one was being solved."""
    _lock(roster)
    _lock_cadres(c.pk for c in frame.cadres)
    summary = {"status": result.status, "objective": result.objective, "bound": result.best_bound,
               "seconds": round(result.seconds, 2)}
    if not result.roster:
        summary["reasons"] = [explain(frame, r) for r in result.reasons] or [_("限定时间内没有找到满足全部规则的排班")]
    else:
        now = frame_of(roster)
        check = validate(now.problem, result.roster) if now.cadres == frame.cadres else None
        if check is None:
            summary["status"], summary["reasons"] = "REJECTED", [_("排班期间派驻干部名单有变化，请重新排班")]
        elif not check.is_valid:  # never store a roster that breaks a rule, whatever the optimizer says
            summary["status"] = "REJECTED"
            summary["reasons"] = [explain_breach(now, b) for b in check.breaches[:10]]
        else:
            _replace_cells(roster, frame, result.roster)
            summary["validated_objective"] = check.objective
            summary["shortfalls"] = [
                {"day": frame.day_of(s.day).isoformat(), "shift": _shift_name(frame, s.shift),
                 "preferred": s.preferred, "assigned": s.assigned, "missing": s.missing}
                for s in result.cover_shortfall
            ]
    roster.result, roster.progress, roster.progress_note = summary, 100, _("完成")
    roster.save(update_fields=["result", "progress", "progress_note", "updated_at"])
    move_roster(roster=roster, to=RosterStatus.DRAFT, by=by)
    audit.record(actor=by, action="roster.generated", target=roster, fields={"status": summary["status"]})
    return roster


def _shift_name(frame: RosterFrame, code: str) -> str:
    return next((s.name for s in frame.shifts if s.code == code), code)


def _replace_cells(roster: Roster, frame: RosterFrame, rows) -> None:
    shift_of = {s.code: s for s in frame.shifts}
    roster.assignments.all().delete()
    Assignment.objects.bulk_create(
        Assignment(roster=roster, cadre=cadre, day=frame.day_of(index), shift=shift_of[code])
        for cadre, row in zip(frame.cadres, rows, strict=True)
        for index, code in enumerate(row) if code is not None
    )


# --- manual edits ------------------------------------------------------------------------------------


def check_cells(*, roster: Roster, changes: Cells | dict) -> list[str]:
    """Every rule the change (cadre pk, day) → shift code or None would newly break; empty: allowed."""
    frame = frame_of(roster)
    on_roster = {c.pk for c in frame.cadres}
    codes = {s.code for s in frame.shifts}
    for (cadre_id, day), code in changes.items():
        if cadre_id not in on_roster:
            return [_("该干部不在本岗位的派驻名单中")]
        if not roster.start <= day <= roster.end:
            return [_("日期不在排班期内")]
        if code is not None and code not in codes:
            return [_("没有这个班次")]
    before = stored_cells(roster)
    after = dict(before)
    for key, code in changes.items():
        after.pop(key, None)
        if code is not None:
            after[key] = code
    return new_breaks(frame, before, after)


def _apply(roster: Roster, changes: dict) -> None:
    shifts = {s.code: s for s in roster.post.shift_templates.all()}
    for (cadre_id, day), code in changes.items():
        Assignment.objects.filter(roster=roster, cadre_id=cadre_id, day=day).delete()
        if code is not None:
            Assignment.objects.create(roster=roster, cadre_id=cadre_id, day=day, shift=shifts[code])


def cell_conflict(*, roster: Roster, cadre, day: date, seen: str | None) -> None:
    """Raise CellConflict, naming what the cell holds now, when it no longer holds `seen`."""
    cell = Assignment.objects.filter(roster=roster, cadre=cadre, day=day)
    current = cell.values_list("shift__code", flat=True).first()
    if (seen or None) != current:
        raise CellConflict(
            _("%(cadre)s %(day)s 这一格刚被其他人改为“%(current)s”，您的修改没有保存；请看清当前安排后再决定")
            % {"cadre": cadre.name, "day": day.strftime("%m-%d"), "current": _shift_label(roster, current)}, current)


def _shift_label(roster: Roster, code: str | None) -> str:
    if code is None:
        return _("休")
    shift = roster.post.shift_templates.filter(code=code).first()
    return shift.name if shift else code


def _require_editable(roster: Roster) -> None:
    if roster.status not in EDITABLE:
        raise RosterError(_("排班表“%(status)s”，不能修改") % {"status": roster.get_status_display()})


NOT_GIVEN = object()


@transaction.atomic
def set_cell(*, by, roster: Roster, cadre, day: date, code: str | None, seen=NOT_GIVEN) -> None:
    """Put a cadre on a shift (or give a day off) by hand, after the same rule checks as generation.

    `seen` is the cell's code (None: off) when the editor was opened; when the cell holds something
    else now, another manager changed it meanwhile and CellConflict says what it holds — nothing is
    overwritten unseen.
    """
    require_manager(by, roster.post)
    _lock(roster)
    _lock_cadres([cadre.pk])
    _require_editable(roster)
    if seen is not NOT_GIVEN:
        cell_conflict(roster=roster, cadre=cadre, day=day, seen=seen)
    reasons = check_cells(roster=roster, changes={(cadre.pk, day): code})
    if reasons:
        raise RosterError("；".join(reasons))
    _apply(roster, {(cadre.pk, day): code})
    audit.record(actor=by, action="roster.cell_set", target=roster, fields={"day": day.isoformat(), "shift": code})


@transaction.atomic
def set_cover(*, by, roster: Roster, day: date, shift: ShiftTemplate, minimum: int, preferred: int) -> CoverOverride:
    require_manager(by, roster.post)
    _require_editable(roster)
    if preferred < minimum:
        raise RosterError(_("理想人数不能少于最少人数"))
    cover, _created = CoverOverride.objects.update_or_create(
        roster=roster, day=day, shift=shift, defaults={"minimum": minimum, "preferred": preferred})
    audit.record(actor=by, action="roster.cover_set", target=roster, fields={"day": day.isoformat()})
    return cover


@transaction.atomic
def add_unavailability(*, by, roster: Roster, cadre, day: date, reason: str,
                       compensatory: bool = False) -> Unavailability:
    """The manager, or the cadre for themself, marks a day the cadre cannot work; `compensatory`
    (补休, only the manager grants it) is a rest day owed for a public holiday worked."""
    if cadre.user_id != by.pk or compensatory:
        require_manager(by, roster.post)
    if not reason.strip():
        if not compensatory:
            raise RosterError(_("请填写不可排班的原因"))
        reason = _("补休")
    item, _created = Unavailability.objects.update_or_create(
        cadre=cadre, day=day, defaults={"reason": reason.strip()[:100], "compensatory": compensatory})
    audit.record(actor=by, action="roster.unavailable_added", target=cadre,
                 fields={"day": day.isoformat(), "compensatory": compensatory})
    return item


@transaction.atomic
def add_wish(*, by, roster: Roster, cadre, day: date, shift: ShiftTemplate | None, wanted: bool,
             weight: int) -> Wish:
    if cadre.user_id != by.pk:
        require_manager(by, roster.post)
    if not 1 <= weight <= 10:
        raise RosterError(_("权重应在 1 到 10 之间"))
    wish = Wish.objects.create(roster=roster, cadre=cadre, day=day, shift=shift, wanted=wanted, weight=weight)
    audit.record(actor=by, action="roster.wish_added", target=roster)
    return wish


# --- swaps -------------------------------------------------------------------------------------------


def swap_changes(cells: Cells, day: date, first, second) -> dict:
    return {(first.pk, day): cells.get((second.pk, day)), (second.pk, day): cells.get((first.pk, day))}


def check_swap(*, roster: Roster, day: date, requester, partner) -> list[str]:
    if requester.pk == partner.pk:
        return [_("不能和自己换班")]
    cells = stored_cells(roster)
    changes = swap_changes(cells, day, requester, partner)
    if changes[(requester.pk, day)] == changes[(partner.pk, day)]:
        return [_("两人当天的班次相同，无需换班")]
    return check_cells(roster=roster, changes=changes)


@transaction.atomic
def request_swap(*, by, roster: Roster, day: date, partner) -> SwapRequest:
    """A cadre asks to exchange their day with a colleague; refused at once when a rule would break."""
    requester = getattr(by, "cadre", None)
    if requester is None:
        raise PermissionDenied("rosters.swap")
    if roster.status != RosterStatus.PUBLISHED:
        raise RosterError(_("只能在已发布的排班表上申请换班"))
    reasons = check_swap(roster=roster, day=day, requester=requester, partner=partner)
    if reasons:
        raise RosterError(_("不能换班：%(why)s") % {"why": "；".join(reasons)})
    swap = SwapRequest.objects.create(roster=roster, day=day, requester=requester, partner=partner)
    audit.record(actor=by, action="roster.swap_requested", target=swap)
    notifications.swap_requested(swap)
    return swap


@transaction.atomic
def decide_swap(*, by, swap: SwapRequest, approve: bool, note: str = "") -> SwapRequest:
    """The receiving manager approves (after checking the rules again on today's roster) or refuses."""
    require_manager(by, swap.roster.post)
    _lock(swap)
    _lock(swap.roster)
    _lock_cadres([swap.requester_id, swap.partner_id])
    if swap.status != SwapStatus.PENDING:
        raise RosterError(_("该申请已处理"))
    if approve:
        _require_editable(swap.roster)
        reasons = check_swap(roster=swap.roster, day=swap.day, requester=swap.requester, partner=swap.partner)
        if reasons:
            raise RosterError(_("不能批准：%(why)s") % {"why": "；".join(reasons)})
        _apply(swap.roster, swap_changes(stored_cells(swap.roster), swap.day, swap.requester, swap.partner))
    swap.status = SwapStatus.APPROVED if approve else SwapStatus.REFUSED
    swap.note, swap.decided_by = note.strip()[:300], by
    swap.save(update_fields=["status", "note", "decided_by", "updated_at"])
    audit.record(actor=by, action="roster.swap_decided", target=swap, fields={"approved": approve})
    notifications.swap_decided(swap)
    return swap


def can_manage(user, post) -> bool:
    return has_permission(user, "rosters.manage", post.unit)


@transaction.atomic
def reset_calendar_feed(*, by, cadre) -> int:
    """Invalidate every calendar subscription link of `cadre` (only the cadre themself may); returns
    the new feed version. Audited, without the link."""
    if cadre.user_id != by.pk:
        raise PermissionDenied("only the cadre resets their own calendar link")
    type(cadre).objects.filter(pk=cadre.pk).update(calendar_feed_version=F("calendar_feed_version") + 1)
    cadre.refresh_from_db(fields=["calendar_feed_version"])
    audit.record(actor=by, action="roster.calendar_feed_reset", target=cadre)
    return cadre.calendar_feed_version
