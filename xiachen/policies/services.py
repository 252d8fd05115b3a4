"""Writes of the policy feedback loop: documents, versions, feedback, answers, escalation, holidays.

Every service is keyword-only, atomic, permission-checked and audited. A feedback item changes status
only through `move_feedback` and its table of allowed moves.
"""

import re
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiachen.accounts.permissions import ROLE_PERMISSIONS, active_memberships, has_permission, require_permission
from xiachen.audit import services as audit
from xiachen.core import calendar
from xiachen.core.models import Holiday
from xiachen.core.workdays import Calendar, CalendarMissing, add_working_days

from . import notifications
from .enums import FeedbackStatus
from .models import FeedbackItem, FeedbackPhoto, PolicyDocument, PolicyVersion, VersionAttachment


class PolicyError(ValueError):
    """A request the rules of the feedback loop do not allow; the message is for the user."""


ALLOWED = {
    FeedbackStatus.OPEN: {FeedbackStatus.ACCEPTED, FeedbackStatus.EXPLAINED, FeedbackStatus.DECLINED},
}
DEFAULT_ANSWER_DAYS = 10
MAX_PHOTOS = 5
# 〔2020〕12号 with an optional issuer prefix (武防指〔2020〕12号); [2020] and （2020） are normalized.
DOCUMENT_NUMBER = re.compile(r"^[\u4e00-\u9fffA-Za-z]{0,20}〔(19|20)\d{2}〕\d{1,4}号$")
BRACKETS = str.maketrans({"[": "〔", "]": "〕", "［": "〔", "］": "〕", "(": "〔", ")": "〕", "（": "〔", "）": "〕",
                          "【": "〔", "】": "〕"})


def _lock(instance):
    type(instance).objects.select_for_update().filter(pk=instance.pk).first()
    instance.refresh_from_db()
    return instance


def normalize_document_number(value: str) -> str:
    """'武防指[2020]12号' → '武防指〔2020〕12号'. Raises PolicyError when it is not a document number."""
    number = re.sub(r"\s+", "", value or "").translate(BRACKETS)
    if not DOCUMENT_NUMBER.match(number):
        raise PolicyError(_("文号格式不正确：应形如“〔2020〕12号”或“武防指〔2020〕12号”"))
    return number


def answer_days() -> int:
    return getattr(settings, "XIACHEN_POLICY_FEEDBACK_DAYS", DEFAULT_ANSWER_DAYS)


def working_calendar() -> Calendar:
    """Weekdays and the platform's holiday calendar, trusted for the years whose notice is loaded."""
    days_off, makeup_days = calendar.holiday_days()
    return Calendar(holidays=days_off, extra_workdays=makeup_days, known_years=calendar.known_years())


def due_date_for(filed_on: date, working: Calendar | None = None) -> tuple[date, bool]:
    """(answer deadline, provisional): provisional when it reaches a year without a loaded holiday notice,
    computed then by the weekday rule (ADR 1601)."""
    working = working or working_calendar()
    try:
        return add_working_days(filed_on, answer_days(), working), False
    except CalendarMissing:
        return add_working_days(filed_on, answer_days(), working.by_weekday_rule()), True


def finalize_provisional_due_dates(year: int) -> int:
    """After `year`'s holidays are loaded: recompute the open items' provisional deadlines; return how many."""
    working = working_calendar()
    items = list(FeedbackItem.objects.filter(due_date_provisional=True, status=FeedbackStatus.OPEN))
    for item in items:
        filed_on = item.filed_on or timezone.localdate(item.created_at)
        item.due_date, item.due_date_provisional = due_date_for(filed_on, working)
    FeedbackItem.objects.bulk_update(items, ["due_date", "due_date_provisional"])
    return len(items)


# --- documents and versions ---------------------------------------------------------------------------


@transaction.atomic
def create_document(*, by, title: str, issuing_agency, document_number: str, summary: str = "") -> PolicyDocument:
    """A policy document of `issuing_agency`. Raises PolicyError for a malformed or duplicate number."""
    require_permission(by, "policies.manage_documents", issuing_agency)
    if issuing_agency.kind.code != "agency":
        raise PolicyError(_("发文单位必须是机关单位"))
    number = normalize_document_number(document_number)
    if PolicyDocument.objects.filter(document_number=number).exists():
        raise PolicyError(_("文号 %(number)s 已存在") % {"number": number})
    document = PolicyDocument.objects.create(
        title=title.strip(), issuing_agency=issuing_agency, document_number=number, summary=summary, created_by=by
    )
    audit.record(actor=by, action="policy.document_created", target=document)
    return document


@transaction.atomic
def add_version(
    *,
    by,
    document: PolicyDocument,
    effective_from: date,
    text: str,
    change_note: str = "",
    answers: Sequence[FeedbackItem] = (),
    attachments: Sequence[tuple[str, Any]] = (),
    pass_policy_version_id: str = "",
    pass_policy_version_label: str = "",
) -> PolicyVersion:
    """The next version of `document`; the previous one ends the day before. Each cited feedback item
    must be on this document; its author is told. `attachments` are (title, file) pairs."""
    require_permission(by, "policies.manage_documents", document.issuing_agency)
    _lock(document)
    previous = document.versions.order_by("-number").first()
    if previous is not None and effective_from <= previous.effective_from:
        raise PolicyError(_("新版本的生效日期必须晚于上一版（%(day)s）") % {"day": previous.effective_from})
    foreign = [item for item in answers if item.version.document_id != document.pk]
    if foreign:
        raise PolicyError(_("只能引用针对本文件的反馈意见"))
    version = PolicyVersion.objects.create(
        document=document,
        number=(previous.number + 1) if previous else 1,
        effective_from=effective_from,
        text=text,
        change_note=change_note,
        pass_policy_version_id=pass_policy_version_id.strip(),
        pass_policy_version_label=pass_policy_version_label.strip(),
        created_by=by,
    )
    if previous is not None:
        previous.effective_until = effective_from - timedelta(days=1)
        previous.save(update_fields=["effective_until", "updated_at"])
    version.answers.set(answers)
    for title, file in attachments:
        VersionAttachment.objects.create(version=version, title=title[:120], file=file)
    audit.record(actor=by, action="policy.version_added", target=version,
                 fields={"answers": len(answers), "attachments": len(attachments)})
    notifications.version_answers_feedback(version, list(answers))
    return version


# --- feedback -------------------------------------------------------------------------------------------


def _filing_role(user) -> str:
    for membership in active_memberships(user):
        if "policies.file_feedback" in ROLE_PERMISSIONS[membership.role]:
            return membership.role
    raise PermissionDenied("policies.file_feedback")


@transaction.atomic
def file_feedback(
    *, by, version: PolicyVersion, problem: str, where_seen: str, suggestion: str = "", photos: Sequence = (),
    today: date | None = None,
) -> FeedbackItem:
    """A cadre or community worker reports a problem with `version`. The issuing agency owns it and
    must answer within the configured number of working days."""
    role = _filing_role(by)
    if not problem.strip() or not where_seen.strip():
        raise PolicyError(_("请填写问题和发现地点"))
    if len(photos) > MAX_PHOTOS:
        raise PolicyError(_("最多上传 %(count)d 张照片") % {"count": MAX_PHOTOS})
    filed_on = today or timezone.localdate()
    due_date, provisional = due_date_for(filed_on)
    item = FeedbackItem.objects.create(
        version=version, author=by, author_role=role, owner_agency=version.document.issuing_agency,
        problem=problem.strip(), where_seen=where_seen.strip(), suggestion=suggestion.strip(),
        filed_on=filed_on, due_date=due_date, due_date_provisional=provisional,
    )
    FeedbackPhoto.objects.bulk_create(FeedbackPhoto(item=item, image=photo) for photo in photos)
    audit.record(actor=by, action="policy.feedback_filed", target=item, fields={"photos": len(photos)})
    notifications.feedback_filed(item)
    return item


def move_feedback(*, item: FeedbackItem, to: FeedbackStatus, by) -> FeedbackItem:
    """The one place a feedback item changes status."""
    if to not in ALLOWED.get(FeedbackStatus(item.status), set()):
        raise PolicyError(_("该反馈已答复（%(status)s），不能再次答复") % {"status": item.get_status_display()})
    previous, item.status = item.status, to
    audit.record(actor=by, action="policy.feedback_status", target=item, fields={"from": previous, "to": str(to)})
    return item


@transaction.atomic
def answer_feedback(*, by, item: FeedbackItem, status: str, answer: str, planned_version: str = "") -> FeedbackItem:
    """The issuing agency's liaison answers: accepted (naming the version that will change),
    explained, or declined with a reason. Anyone else is refused with PolicyError."""
    if not has_permission(by, "policies.answer_feedback", item.owner_agency):
        raise PolicyError(
            _("只有发文单位（%(agency)s）的联络员可以答复这条反馈") % {"agency": item.owner_agency.name}
        )
    _lock(item)
    if status not in FeedbackStatus.values or status == FeedbackStatus.OPEN:
        raise PolicyError(_("请选择答复结果：采纳、解释说明或不予采纳"))
    if not answer.strip():
        raise PolicyError(_("请填写答复内容（不予采纳时请说明理由）"))
    if status == FeedbackStatus.ACCEPTED and not planned_version.strip():
        raise PolicyError(_("采纳时请写明将修订的版本"))
    move_feedback(item=item, to=FeedbackStatus(status), by=by)
    item.answer, item.answered_by, item.answered_at = answer.strip(), by, timezone.now()
    item.planned_version = planned_version.strip() if status == FeedbackStatus.ACCEPTED else ""
    item.save(update_fields=["status", "answer", "answered_by", "answered_at", "planned_version", "updated_at"])
    notifications.feedback_answered(item)
    return item


def escalate_overdue(*, now=None) -> int:
    """Open items past their deadline go to the organization department, once each (idempotent)."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    overdue = FeedbackItem.objects.filter(status=FeedbackStatus.OPEN, due_date__lt=today, escalated_at__isnull=True)
    count = 0
    for item in overdue.select_related("owner_agency", "version__document"):
        with transaction.atomic():
            if not FeedbackItem.objects.filter(pk=item.pk, escalated_at__isnull=True).update(escalated_at=now):
                continue  # a concurrent run escalated it first
            audit.record(actor=None, action="policy.feedback_escalated", target=item)
            notifications.feedback_overdue(item)
            count += 1
    return count


# --- holidays -------------------------------------------------------------------------------------------


@transaction.atomic
def save_holiday(*, by, day: date, name: str, is_workday: bool = False) -> Holiday:
    require_permission(by, "policies.oversee")
    if not name.strip():
        raise PolicyError(_("请填写节假日名称"))
    holiday, _created = Holiday.objects.update_or_create(
        date=day, defaults={"name": name.strip()[:40], "is_workday": is_workday}
    )
    audit.record(actor=by, action="policy.holiday_saved", target=("core.Holiday", day.isoformat()))
    return holiday


@transaction.atomic
def delete_holiday(*, by, holiday: Holiday) -> None:
    require_permission(by, "policies.oversee")
    audit.record(actor=by, action="policy.holiday_deleted", target=("core.Holiday", holiday.date.isoformat()))
    holiday.delete()
