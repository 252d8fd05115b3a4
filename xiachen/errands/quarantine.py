"""Quarantine episodes (居家隔离 / 健康监测): open, extend with history, end; daily health reports
by the resident or the visiting cadre; 返回报备 by residents; daily visit tasks generated per
active episode and given round-robin to the compound's on-duty staff; overdue visits flagged.

Ending (ADR 1602): an episode is opened with a planned end (by default its community's length for
the kind, `default_days`). It does not end by itself on that day: from the day after, it is *due*
and shows in the manager's to-do, where the manager confirms the end (or extends it). An episode
still due AUTO_END_GRACE_DAYS after its planned end is ended by the daily job, marked as ended
automatically. Until it ends, the person stays held at the gate (passes.selectors.held_pass_ids).
"""

from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from xiachen.accounts.enums import Role
from xiachen.accounts.permissions import has_permission, scope_paths
from xiachen.accounts.selectors import users_with_role_over
from xiachen.audit import services as audit
from xiachen.notices.services import notify
from xiachen.org.models import path_within

from .duty import on_duty_users
from .enums import EpisodeKind, EpisodeStatus, VisitStatus
from .models import EpisodeExtension, EpisodeLength, HealthReport, QuarantineEpisode, ReturnReport, VisitTask

FEVER = Decimal("37.3")
# Lengths in days (the start day counted) where a community has set none; its manager may change them.
DEFAULT_DAYS: dict[str, int] = {EpisodeKind.HOME_QUARANTINE: 14, EpisodeKind.HEALTH_MONITORING: 14}
RETURN_MONITORING_DAYS = DEFAULT_DAYS[EpisodeKind.HEALTH_MONITORING]
MAX_DAYS = 60
AUTO_END_GRACE_DAYS = 3  # days after the planned end before the daily job ends an unconfirmed episode


class QuarantineError(ValueError):
    """A request the episode's state or rules do not allow; the message is for the user."""


def _today() -> date:
    return timezone.localdate()


# --- reads -------------------------------------------------------------------------------------


def episodes_visible_to(user) -> QuerySet[QuarantineEpisode]:
    return QuarantineEpisode.objects.filter(
        path_within(scope_paths(user, "errands.quarantine"), field="compound_path"), purged_at__isnull=True
    ).select_related("resident", "household", "household__compound")


def access_episode(user, public_id: UUID) -> QuarantineEpisode:
    return get_object_or_404(episodes_visible_to(user), public_id=public_id)


def active_episode_of(resident) -> QuarantineEpisode | None:
    return resident.episodes.filter(status=EpisodeStatus.ACTIVE).order_by("-start").first()


def visits_for(user) -> QuerySet[VisitTask]:
    """The user's visit tasks (today's and overdue), ordered by building for walking the round."""
    return (
        VisitTask.objects.filter(assignee=user, status=VisitStatus.PENDING, day__lte=_today())
        .select_related("episode__resident", "episode__household", "episode__household__compound")
        .order_by("episode__household__building", "episode__household__entrance", "episode__household__room", "day")
    )


def overdue_visits(user, *, today: date | None = None) -> QuerySet[VisitTask]:
    """Pending visits of earlier days in the manager's communities."""
    return (
        VisitTask.objects.filter(
            path_within(scope_paths(user, "errands.dispatch"), field="compound_path"),
            status=VisitStatus.PENDING,
            day__lt=today or _today(),
        )
        .select_related("episode__resident", "episode__household", "assignee")
        .order_by("day", "id")
    )


def access_visit(user, public_id: UUID) -> VisitTask:
    condition = path_within(scope_paths(user, "errands.quarantine"), field="compound_path")
    tasks = VisitTask.objects.filter(condition) | VisitTask.objects.filter(assignee=user)
    return get_object_or_404(tasks.select_related("episode__resident"), public_id=public_id)


# --- writes ------------------------------------------------------------------------------------


def _require_over(user, resident) -> None:
    if not has_permission(user, "errands.quarantine", resident.household.compound):
        raise PermissionDenied("errands.quarantine")


def _prefixes(path: str) -> list[str]:
    parts = path.strip("/").split("/")
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def default_days(compound_path: str, kind: str) -> int:
    """The length of a new episode of `kind` under the community of `compound_path` (ADR 1602)."""
    row = EpisodeLength.objects.filter(community_path__in=_prefixes(compound_path), kind=kind).first()
    return row.days if row else DEFAULT_DAYS[kind]


def default_lengths(community) -> dict[str, int]:
    """{kind: days} in force for `community`, for the settings page."""
    return {kind: default_days(community.path, kind) for kind in EpisodeKind.values}


@transaction.atomic
def set_default_length(*, by, community, kind: str, days: int) -> EpisodeLength:
    """The community manager sets the default length of an episode kind (1–60 days)."""
    if not has_permission(by, "errands.dispatch", community):
        raise PermissionDenied("errands.dispatch")
    if kind not in EpisodeKind.values:
        raise QuarantineError(_("请选择类型"))
    if not 1 <= days <= MAX_DAYS:
        raise QuarantineError(_("默认天数应为 1–%(max)d 天") % {"max": MAX_DAYS})
    length, _created = EpisodeLength.objects.update_or_create(
        community=community, kind=kind, defaults={"days": days, "updated_by": by}
    )
    audit.record(actor=by, action="episode_length.set", target=community, fields={"kind": kind, "days": days})
    return length


@transaction.atomic
def open_episode(
    *, by, resident, kind: str, start: date, planned_end: date | None = None, reason: str = ""
) -> QuarantineEpisode:
    """Start an episode for a resident. One active episode per resident: extend it instead. Without a
    planned end, the community's default length for the kind applies."""
    if by is not None:
        _require_over(by, resident)
    if kind not in EpisodeKind.values:
        raise QuarantineError(_("请选择类型"))
    if planned_end is None:
        planned_end = start + timedelta(days=default_days(resident.compound_path, kind) - 1)
    if planned_end < start:
        raise QuarantineError(_("计划结束日期不能早于开始日期"))
    if active_episode_of(resident) is not None:
        raise QuarantineError(_("该居民已有进行中的隔离或健康监测，请延长或结束后再新建"))
    episode = QuarantineEpisode.objects.create(
        resident=resident, kind=kind, start=start, planned_end=planned_end, reason=reason[:200],
        created_by=by or resident.user,
    )
    audit.record(actor=by, action="episode.opened", target=episode, fields={"kind": kind})
    return episode


@transaction.atomic
def change_end(*, by, episode: QuarantineEpisode, new_end: date, reason: str) -> QuarantineEpisode:
    """Extend or shorten an active episode; the change and its reason are kept in the history."""
    _require_over(by, episode.resident)
    QuarantineEpisode.objects.select_for_update().filter(pk=episode.pk).first()
    episode.refresh_from_db()
    if episode.status != EpisodeStatus.ACTIVE:
        raise QuarantineError(_("已结束的隔离不能调整"))
    if not reason.strip():
        raise QuarantineError(_("调整结束日期时请填写原因"))
    if new_end < episode.start:
        raise QuarantineError(_("结束日期不能早于开始日期"))
    EpisodeExtension.objects.create(
        episode=episode, previous_end=episode.planned_end, new_end=new_end, reason=reason.strip()[:200], by=by
    )
    episode.planned_end = new_end
    episode.save(update_fields=["planned_end", "updated_at"])
    audit.record(actor=by, action="episode.end_changed", target=episode)
    return episode


def _end(episode: QuarantineEpisode, *, by, automatically: bool = False) -> None:
    episode.status, episode.ended_at, episode.ended_automatically = EpisodeStatus.ENDED, timezone.now(), automatically
    episode.save(update_fields=["status", "ended_at", "ended_automatically", "updated_at"])
    episode.visits.filter(status=VisitStatus.PENDING, day__gt=_today()).delete()
    action = "episode.ended_automatically" if automatically else "episode.ended"
    audit.record(actor=by, action=action, target=episode)


@transaction.atomic
def end_episode(*, by, episode: QuarantineEpisode) -> QuarantineEpisode:
    _require_over(by, episode.resident)
    episode = QuarantineEpisode.objects.select_for_update().get(pk=episode.pk)
    if episode.status != EpisodeStatus.ACTIVE:
        raise QuarantineError(_("该隔离已经结束"))
    _end(episode, by=by)
    return episode


def episodes_due(user, *, today: date | None = None) -> QuerySet[QuarantineEpisode]:
    """Active episodes past their planned end in the manager's communities: to confirm or extend."""
    return QuarantineEpisode.objects.filter(
        path_within(scope_paths(user, "errands.dispatch"), field="compound_path"),
        status=EpisodeStatus.ACTIVE, planned_end__lt=today or _today(), purged_at__isnull=True,
    ).select_related("resident", "household").order_by("planned_end", "compound_path", "id")


@transaction.atomic
def confirm_ends(*, by, public_ids: list) -> int:
    """The manager confirms the end of due episodes (several at once); returns how many ended.
    Only due episodes in the manager's communities are ended; anything else is left untouched."""
    ended = 0
    for episode in episodes_due(by).filter(public_id__in=public_ids).select_for_update(of=("self",)):
        _end(episode, by=by)
        ended += 1
    return ended


def end_overdue_episodes(*, today: date) -> int:
    """The daily job: episodes still active AUTO_END_GRACE_DAYS after their planned end are ended
    automatically (audited without an actor); returns how many."""
    cutoff = today - timedelta(days=AUTO_END_GRACE_DAYS)
    ended = 0
    for pk in QuarantineEpisode.objects.filter(status=EpisodeStatus.ACTIVE, planned_end__lt=cutoff).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            episode = QuarantineEpisode.objects.select_for_update().get(pk=pk)
            if episode.status == EpisodeStatus.ACTIVE:
                _end(episode, by=None, automatically=True)
                ended += 1
    return ended


@transaction.atomic
def report_health(
    *, by, episode: QuarantineEpisode, temperature: Decimal, symptoms: str = "", by_resident: bool, day=None
) -> HealthReport:
    """Today's temperature and symptoms, from the resident or the visiting cadre. A fever alerts
    the community's managers. Once a day per source: a second report the same day is refused."""
    own = getattr(by, "resident", None) is not None and by.resident.household_id == episode.household_id
    if by_resident and not own:
        raise PermissionDenied("episode.report")
    if not by_resident and not (has_permission(by, "errands.quarantine", _compound_of(episode))
                                or episode.visits.filter(assignee=by).exists()):
        raise PermissionDenied("episode.report")
    if episode.status != EpisodeStatus.ACTIVE:
        raise QuarantineError(_("该隔离已经结束，无需上报"))
    if not Decimal("34") <= temperature <= Decimal("43"):
        raise QuarantineError(_("体温应在 34 到 43 ℃ 之间"))
    try:
        with transaction.atomic():
            report = HealthReport.objects.create(
                episode=episode, day=day or _today(), temperature=temperature, symptoms=symptoms.strip()[:200],
                by_resident=by_resident, reported_by=by,
            )
    except IntegrityError:
        raise QuarantineError(_("今天已经上报过了")) from None
    audit.record(actor=by, action="episode.health_reported", target=episode)
    if temperature >= FEVER:
        notify(
            recipients=users_with_role_over(Role.UNIT_MANAGER, episode.compound_path),
            kind="episode.fever",
            title=_("发热提醒：%(address)s 有隔离人员体温异常") % {"address": episode.household},
        )
    return report


@transaction.atomic
def report_return(
    *, by, resident, origin: str, arrived_on: date, travel_mode: str, travel_detail: str = "", submission_key
) -> tuple[ReturnReport, bool]:
    """返回报备 by the resident. Opens a health-monitoring episode from the arrival day unless one is
    active. Submitting the same form twice returns the first report unchanged."""
    if getattr(by, "resident", None) is None or by.resident.pk != resident.pk:
        raise PermissionDenied("return.report")
    if arrived_on > _today():
        raise QuarantineError(_("返回日期不能晚于今天"))
    existing = ReturnReport.objects.filter(resident=resident, submission_key=submission_key).first()
    if existing is not None:
        return existing, False
    report = ReturnReport.objects.create(
        resident=resident, origin=origin.strip()[:100], arrived_on=arrived_on, travel_mode=travel_mode,
        travel_detail=travel_detail.strip()[:100], submission_key=submission_key,
    )
    if active_episode_of(resident) is None:
        report.episode = QuarantineEpisode.objects.create(
            resident=resident, kind=EpisodeKind.HEALTH_MONITORING, start=arrived_on,
            planned_end=max(
                arrived_on + timedelta(days=default_days(resident.compound_path, EpisodeKind.HEALTH_MONITORING) - 1),
                _today(),
            ),
            reason=_("返回报备"), created_by=by,
        )
        report.save(update_fields=["episode", "updated_at"])
    audit.record(actor=by, action="return.reported", target=report)
    notify(
        recipients=users_with_role_over(Role.UNIT_MANAGER, resident.compound_path),
        kind="return.reported",
        title=_("返回报备：%(address)s") % {"address": resident.household},
    )
    return report, True


def generate_visit_tasks(*, day: date) -> int:
    """One visit per active episode covering `day`, round-robin over each compound's on-duty staff.
    Idempotent: existing tasks are kept, so re-running the job creates nothing new."""
    episodes = QuarantineEpisode.objects.filter(status=EpisodeStatus.ACTIVE, start__lte=day, planned_end__gte=day)
    episodes = episodes.exclude(visits__day=day).order_by("compound_path", "id")
    created = 0
    staff_by_compound: dict[str, list] = {}
    turn: dict[str, int] = {}
    for episode in episodes:
        staff = staff_by_compound.setdefault(episode.compound_path, list(on_duty_users(episode.compound_path)))
        index = turn.get(episode.compound_path, _start_turn(episode.compound_path, day, staff))
        assignee = staff[index % len(staff)] if staff else None
        turn[episode.compound_path] = index + 1
        with transaction.atomic():
            _task, was_created = VisitTask.objects.get_or_create(
                episode=episode, day=day, defaults={"assignee": assignee}
            )
        created += was_created
    return created


def _start_turn(compound_path: str, day: date, staff: list) -> int:
    """Continue the rotation where earlier tasks of the day left it (a re-run after new episodes)."""
    return VisitTask.objects.filter(compound_path=compound_path, day=day).count()


def _compound_of(episode: QuarantineEpisode):
    """The compound an episode's household lives in; a purged episode (no household) takes no reports."""
    if episode.household is None:
        raise PermissionDenied("episode.purged")
    return episode.household.compound


@transaction.atomic
def complete_visit(*, by, task: VisitTask, note: str = "") -> VisitTask:
    if task.assignee_id != by.pk and not has_permission(by, "errands.quarantine", _compound_of(task.episode)):
        raise PermissionDenied("visit.complete")
    if task.status == VisitStatus.DONE:
        raise QuarantineError(_("该走访已经完成"))
    task.status, task.done_at, task.note = VisitStatus.DONE, timezone.now(), note.strip()[:300]
    task.save(update_fields=["status", "done_at", "note", "updated_at"])
    audit.record(actor=by, action="visit.done", target=task)
    return task


def flag_overdue_visits(*, today: date) -> int:
    """Tell each community's managers how many visits of earlier days are still pending."""
    counts: dict[str, int] = {}
    for path in VisitTask.objects.filter(status=VisitStatus.PENDING, day__lt=today).values_list(
        "compound_path", flat=True
    ):
        counts[path] = counts.get(path, 0) + 1
    for path, count in counts.items():
        notify(
            recipients=users_with_role_over(Role.UNIT_MANAGER, path),
            kind="visit.overdue",
            title=_("有 %(count)d 次隔离走访逾期未完成") % {"count": count},
        )
    return len(counts)
