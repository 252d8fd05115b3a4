"""Attendance at a post and the care that follows from it.

A shift belongs to the day it starts, also when it crosses midnight: a scan at 00:30 on the 2nd
checks out of the 17:00–01:00 shift of the 1st, and that shift is only "absent" once 01:00 on the
2nd has passed without a check-in. Care alerts compare actual attendance with the round's rest rules.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiachen.audit import services as audit

from . import notifications
from .enums import AlertKind, AttendanceSource, RosterStatus
from .models import Assignment, Attendance, CareAlert, Roster
from .planning import rules_for
from .services import RosterError, require_manager

LIVE = (RosterStatus.PUBLISHED, RosterStatus.LOCKED)
# A cadre may scan in this long before the shift starts, and check out this long after it ends.
EARLY_MINUTES = 60
LATE_CHECKOUT_MINUTES = 180


def shift_window(assignment: Assignment) -> tuple[datetime, datetime]:
    """Aware start and end of the assignment's shift in the site's time zone."""
    start, end = assignment.shift.window(assignment.day)
    zone = timezone.get_current_timezone()
    return timezone.make_aware(start, zone), timezone.make_aware(end, zone)


def current_assignment(*, cadre, post, now: datetime) -> Assignment | None:
    """The cadre's shift at this post whose window (with margins) holds `now`; yesterday's night
    shift counts, so a scan after midnight finds the shift that started the day before."""
    today = timezone.localtime(now).date()
    candidates = Assignment.objects.filter(
        cadre=cadre, roster__post=post, roster__status__in=LIVE, day__in=[today - timedelta(days=1), today],
    ).select_related("shift", "roster").order_by("day")
    for assignment in candidates:
        start, end = shift_window(assignment)
        if start - timedelta(minutes=EARLY_MINUTES) <= now <= end + timedelta(minutes=LATE_CHECKOUT_MINUTES):
            return assignment
    return None


@transaction.atomic
def scan(*, by, post, now: datetime, position=None, offline: bool = False) -> Attendance:
    """The cadre's phone opened the post's QR code: check in, or check out when already in. When the
    post has a site (geofence.PostSite) the phone's position must be within its radius; `now` is when
    the code was scanned (for a scan made offline, the phone's time, checked at sync)."""
    from .geofence import check_position

    cadre = getattr(by, "cadre", None)
    if cadre is None:
        raise PermissionDenied("rosters.scan")
    distance = check_position(post, position)
    assignment = current_assignment(cadre=cadre, post=post, now=now)
    if assignment is None:
        raise RosterError(_("现在没有您在本岗位的班次"))
    record = Attendance.objects.select_for_update().filter(assignment=assignment).first()
    if record is None:
        return _check_in(assignment, now, by, AttendanceSource.SCAN, distance=distance, offline=offline)
    if record.checked_out_at is None:
        record.checked_out_at = now
        record.save(update_fields=["checked_out_at", "updated_at"])
        audit.record(actor=by, action="roster.checked_out", target=record)
        return record
    raise RosterError(_("本班次已签到并签退"))


def _check_in(assignment: Assignment, at: datetime, by, source: str, out: datetime | None = None,
              distance: int | None = None, offline: bool = False) -> Attendance:
    start, _end = shift_window(assignment)
    grace = rules_for(assignment.roster.round).late_grace_minutes
    record = Attendance.objects.create(
        assignment=assignment, checked_in_at=at, checked_out_at=out, source=source, distance_m=distance,
        checked_offline=offline,
        is_late=at > start + timedelta(minutes=grace), confirmed_by=by if source == AttendanceSource.MANAGER else None,
    )
    audit.record(actor=by, action="roster.checked_in", target=record, fields={"source": source})
    check_care(assignment=assignment, checked_in_at=at)
    return record


@transaction.atomic
def confirm_attendance(*, by, assignment: Assignment) -> Attendance:
    """The manager confirms a cadre worked the whole shift (no phone, or the scan failed)."""
    require_manager(by, assignment.roster.post)
    if assignment.roster.status not in LIVE:
        raise RosterError(_("只能确认已发布排班的出勤"))
    if Attendance.objects.filter(assignment=assignment).exists():
        raise RosterError(_("该班次已有出勤记录"))
    start, end = shift_window(assignment)
    return _check_in(assignment, start, by, AttendanceSource.MANAGER, out=end)


# --- care -------------------------------------------------------------------------------------------


def check_care(*, assignment: Assignment, checked_in_at: datetime) -> list[CareAlert]:
    """Alerts when what the cadre actually works breaks a rest rule: the (max+1)th day in a row, or
    less rest than the minimum since the previous shift's check-out."""
    rules = rules_for(assignment.roster.round)
    worked = Attendance.objects.filter(assignment__cadre=assignment.cadre, checked_in_at__isnull=False)
    days = set(worked.values_list("assignment__day", flat=True))
    run, day = 0, assignment.day
    while day in days:
        run, day = run + 1, day - timedelta(days=1)
    alerts = []
    if run > rules.max_consecutive_days:
        detail = _("已连续工作 %(n)d 天（上限 %(max)d 天）") % {"n": run, "max": rules.max_consecutive_days}
        alerts.append(_alert(assignment, AlertKind.SEVENTH_DAY, detail))
    previous = worked.exclude(assignment=assignment).filter(
        checked_in_at__lt=checked_in_at).select_related("assignment__shift").order_by("-checked_in_at").first()
    if previous is not None:
        ended = previous.checked_out_at or shift_window(previous.assignment)[1]
        rest = (checked_in_at - ended).total_seconds() / 60
        if rest < rules.min_rest_minutes:
            alerts.append(_alert(assignment, AlertKind.SHORT_REST,
                                 _("两班之间只休息了 %(h).1f 小时（至少 %(min).1f 小时）")
                                 % {"h": max(rest, 0) / 60, "min": rules.min_rest_minutes / 60}))
    return [a for a in alerts if a is not None]


def _alert(assignment: Assignment, kind: str, detail: str) -> CareAlert | None:
    alert, created = CareAlert.objects.get_or_create(
        cadre=assignment.cadre, day=assignment.day, kind=kind,
        defaults={"roster": assignment.roster, "unit_path": assignment.roster.unit_path, "detail": detail[:300]},
    )
    if not created:
        return None
    audit.record(actor=None, action="roster.care_alert", target=alert, fields={"kind": kind})
    notifications.care_alert(alert)
    return alert


# --- the attendance sheet, tallies and allowances ----------------------------------------------------


@dataclass
class AttendanceRow:
    assignment: Assignment
    record: Attendance | None
    state: str  # "present", "late", "absent", "in_progress", "upcoming"
    minutes: int


@dataclass
class Tally:
    cadre: object
    shifts: int = 0
    nights: int = 0
    minutes: int = 0
    late: int = 0
    absent: int = 0
    days: set = field(default_factory=set)

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)


STATE_LABELS = {"present": gettext_lazy("出勤"), "late": gettext_lazy("迟到"), "absent": gettext_lazy("缺勤"),
                "in_progress": gettext_lazy("在岗"), "upcoming": gettext_lazy("未到班")}


def attendance_sheet(roster: Roster, now: datetime) -> tuple[list[AttendanceRow], list[Tally]]:
    assignments = roster.assignments.select_related("cadre", "shift", "attendance").order_by("day", "shift__start",
                                                                                            "cadre__name")
    rows, tallies = [], {}
    for assignment in assignments:
        row = _row(assignment, now)
        rows.append(row)
        tally = tallies.setdefault(assignment.cadre_id, Tally(assignment.cadre))
        if row.record is not None:
            tally.shifts += 1
            tally.nights += assignment.shift.is_night
            tally.minutes += row.minutes
            tally.late += row.record.is_late
            tally.days.add(assignment.day)  # the day the shift starts, also across midnight
        tally.absent += row.state == "absent"
    return rows, sorted(tallies.values(), key=lambda t: t.cadre.name)


def _row(assignment: Assignment, now: datetime) -> AttendanceRow:
    record = getattr(assignment, "attendance", None)
    start, end = shift_window(assignment)
    if record is None:
        return AttendanceRow(assignment, None, "absent" if now > end else "upcoming", 0)
    if record.checked_out_at is None:
        state = "in_progress" if now <= end + timedelta(minutes=LATE_CHECKOUT_MINUTES) else "present"
        worked = min(now, end) - max(record.checked_in_at, start)
    else:
        state = "present"
        worked = min(record.checked_out_at, end) - max(record.checked_in_at, start)
    if record.is_late:
        state = "late" if state == "present" else state
    return AttendanceRow(assignment, record, state, max(0, int(worked.total_seconds() // 60)))


def allowance_rows(roster: Roster, now: datetime) -> list[list]:
    """Per cadre: attended shifts, nights, days, and meal + night meal + transport at the round's rates."""
    rules = rules_for(roster.round)
    _rows, tallies = attendance_sheet(roster, now)
    table = []
    for t in tallies:
        meal = rules.meal_rate * t.shifts + rules.night_meal_rate * t.nights
        transport = rules.transport_rate * len(t.days)
        table.append([t.cadre.name, t.shifts, t.nights, len(t.days), t.hours, _money(meal), _money(transport),
                      _money(meal + transport)])
    return table


def _money(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"))


ALLOWANCE_HEADERS = [
    "姓名", "出勤班次", "夜班", "出勤天数", "工时（小时）", "餐补（元）", "交通补贴（元）", "合计（元）",
]


def allowance_workbook(*, by, roster: Roster, now: datetime) -> bytes:
    from django.utils import translation

    from xiachen.core.excel import build_workbook

    require_manager(by, roster.post)
    with translation.override("zh-hans"):
        rows = allowance_rows(roster, now)
        content = build_workbook(ALLOWANCE_HEADERS, rows, title="补贴")
    audit.record(actor=by, action="roster.allowances_exported", target=roster, fields={"rows": len(rows)})
    return content
