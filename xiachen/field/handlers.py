"""The kinds of change the phone app sends, each through its app's ordinary service (ADR 2001)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from xiachen.deployments.models import Demand
from xiachen.errands import quarantine
from xiachen.errands import services as errands
from xiachen.errands.enums import ErrandStatus, VisitStatus
from xiachen.errands.models import Errand, VisitTask
from xiachen.errands.selectors import errands_visible_to
from xiachen.rosters import attendance
from xiachen.rosters.geofence import Position
from xiachen.rosters.tokens import post_of_token
from xiachen.surveys.offline import submit_visit_change

from .sync import Applied, Change, Rejected, check_version, version_of

# An offline clock-in is taken at the time the phone recorded, if that is neither in the future nor
# older than this (a phone left offline for days cannot clock in for a shift long over).
MAX_OFFLINE_AGE = timedelta(hours=24)
CLOCK_TOLERANCE = timedelta(minutes=5)


def _errand_state(errand: Errand) -> dict:
    return {"status": errand.status, "status_label": str(ErrandStatus(errand.status).label),
            "version": version_of(errand.updated_at)}


def move_errand(*, by, change: Change) -> Applied:
    """errand.move {errand, to[, cost, payment_note]}: accept / start / deliver, through the errands service."""
    data = change.data
    # locked while the version is compared and the service moves it (of=self: the joins are outer joins)
    errand = errands_visible_to(by).select_for_update(of=("self",)).filter(public_id=_uuid(data.get("errand"))).first()
    if errand is None:
        raise Rejected(_("找不到这项代办，或它已不归您办理"))
    target = f"errand:{errand.public_id}"
    check_version(by=by, target=target, row_version=errand.updated_at, base=change.base,
                  current=lambda: _errand_state(errand),
                  message=_("这项代办在您离线期间已被他人修改（现为“%(status)s”），您的修改未保存")
                  % {"status": ErrandStatus(errand.status).label})
    to = data.get("to")
    if to == ErrandStatus.ACCEPTED:
        errands.accept_errand(by=by, errand=errand)
    elif to == ErrandStatus.IN_PROGRESS:
        errands.start_errand(by=by, errand=errand)
    elif to == ErrandStatus.DELIVERED:
        cost = _decimal(data.get("cost"), _("费用"))
        errands.deliver_errand(by=by, errand=errand, cost=cost, payment_note=str(data.get("payment_note") or ""))
    else:
        raise Rejected(_("无法识别的代办状态"))
    return Applied(target=target, version=errand.updated_at, data=_errand_state(errand))


def report_visit(*, by, change: Change) -> Applied:
    """visit.report {visit, temperature, symptoms, note}: the health report of the day and the visit done."""
    data = change.data
    task = VisitTask.objects.filter(public_id=_uuid(data.get("visit")), assignee=by).select_related(
        "episode__household__compound").first()
    if task is None:
        raise Rejected(_("找不到这项上门任务，或它已不归您"))
    target = f"visit:{task.public_id}"
    VisitTask.objects.select_for_update().filter(pk=task.pk).first()
    task.refresh_from_db()
    check_version(by=by, target=target, row_version=task.updated_at, base=change.base,
                  current=lambda: {"status": task.status, "version": version_of(task.updated_at)},
                  message=_("这次上门在您离线期间已由他人登记，您的记录未保存"))
    temperature = _decimal(data.get("temperature"), _("体温"))
    if temperature is None:
        raise Rejected(_("请填写体温"))
    quarantine.report_health(by=by, episode=task.episode, temperature=temperature,
                             symptoms=str(data.get("symptoms") or ""), by_resident=False, day=task.day)
    if task.status == VisitStatus.PENDING:
        quarantine.complete_visit(by=by, task=task, note=str(data.get("note") or ""))
    return Applied(target=target, version=task.updated_at, data={"status": task.status})


def clock_in(*, by, change: Change) -> Applied:
    """attendance.scan {token, latitude, longitude, accuracy}: the post's QR and the phone's position,
    at the time the phone recorded (change.at), checked against the post's radius now."""
    data = change.data
    post_id = post_of_token(str(data.get("token") or ""))
    post = Demand.objects.filter(public_id=post_id).select_related("unit").first() if post_id else None
    if post is None:
        raise Rejected(_("岗位二维码无效"))
    now = timezone.now()
    at = datetime.fromtimestamp(change.at, tz=UTC) if change.at else now
    if at > now + CLOCK_TOLERANCE or at < now - MAX_OFFLINE_AGE:
        raise Rejected(_("签到时间无效（手机时间不准，或离线超过一天）"))
    offline = now - at > timedelta(minutes=2)
    position = Position.of(data.get("latitude"), data.get("longitude"), data.get("accuracy"))
    record = attendance.scan(by=by, post=post, now=min(at, now), position=position, offline=offline)
    label = _("签退成功") if record.checked_out_at else _("签到成功")
    return Applied(target=f"attendance:{record.public_id}", version=record.updated_at,
                   data={"message": label, "distance_m": record.distance_m})


HANDLERS = {"errand.move": move_errand, "visit.report": report_visit, "attendance.scan": clock_in,
            "survey.visit": submit_visit_change}


def _uuid(value):
    from uuid import UUID

    try:
        return UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


def _decimal(value, label) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError) as error:
        raise ValidationError(_("%(field)s应为数字") % {"field": label}) from error
