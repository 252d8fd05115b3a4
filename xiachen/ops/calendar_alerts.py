"""Alerts about the working calendar: next year's holiday notice missing, provisional deadlines (ADR 1601).

`calendar_problems(today)` says what is wrong; `alert_calendar_problems(today)` tells the system
administrators and the organization department through the notification outbox, at most once a day.
"""

from dataclasses import dataclass
from datetime import date, datetime, time

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xiachen.accounts.enums import Role
from xiachen.accounts.models import User
from xiachen.core.calendar import missing_next_year
from xiachen.hotline.models import Ticket
from xiachen.notices.models import Notification
from xiachen.notices.services import notify
from xiachen.policies.models import FeedbackItem

ALERT_KIND = "calendar.missing"


@dataclass(frozen=True)
class CalendarProblems:
    missing_year: int | None
    provisional_tickets: int
    provisional_feedback: int

    def __bool__(self) -> bool:
        return bool(self.missing_year or self.provisional_tickets or self.provisional_feedback)


def calendar_problems(today: date) -> CalendarProblems:
    from xiachen.hotline.enums import OPEN_STATUSES
    from xiachen.policies.enums import FeedbackStatus

    return CalendarProblems(
        missing_year=missing_next_year(today),
        provisional_tickets=Ticket.objects.filter(deadline_provisional=True, status__in=OPEN_STATUSES).count(),
        provisional_feedback=FeedbackItem.objects.filter(due_date_provisional=True,
                                                         status=FeedbackStatus.OPEN).count(),
    )


def describe(problems: CalendarProblems) -> str:
    parts = []
    if problems.missing_year:
        parts.append(_("尚未导入 %(year)s 年的节假日安排（国务院办公厅通知）") % {"year": problems.missing_year})
    if problems.provisional_tickets:
        parts.append(_("%(count)d 件热线工单的办理时限为暂定") % {"count": problems.provisional_tickets})
    if problems.provisional_feedback:
        parts.append(_("%(count)d 条政策反馈的答复期限为暂定") % {"count": problems.provisional_feedback})
    return "；".join(parts)


def alert_calendar_problems(today: date | None = None) -> int:
    """Notify administrators and the organization department of calendar problems, once a day; return
    the number of people notified (0 when nothing is wrong or they were told today)."""
    today = today or timezone.localdate()
    problems = calendar_problems(today)
    if not problems:
        return 0
    start = timezone.make_aware(datetime.combine(today, time.min))
    if Notification.objects.filter(kind=ALERT_KIND, created_at__gte=start).exists():
        return 0
    recipients = User.objects.filter(
        is_active=True, memberships__is_active=True,
        memberships__role__in=[Role.SYSTEM_ADMIN, Role.ORG_DEPARTMENT],
    ).distinct()
    sent = notify(recipients=recipients, kind=ALERT_KIND, title=_("工作日历需要更新"), body=describe(problems),
                  link=reverse("ops:calendar"))
    return len(sent)
