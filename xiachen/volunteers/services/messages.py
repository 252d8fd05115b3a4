"""Messages to members through the notification outbox (ADR 0007), sent after commit."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xiachen.notices.services import notify

from ..enums import RegistrationStatus

KIND_REGISTRATION = "volunteers.registration"
KIND_ACTIVITY = "volunteers.activity"


def _send(users, *, kind: str, title: str, body: str = "", link: str = "") -> None:
    users = [user for user in users if user is not None]
    if users:
        transaction.on_commit(lambda: notify(recipients=users, kind=kind, title=title, body=body, link=link))


def registration_reviewed(member) -> None:
    if member.status == RegistrationStatus.CONFIRMED:
        title = _("%(community)s已确认您的报到") % {"community": member.community.name}
    else:
        title = _("%(community)s退回了您的报到：%(reason)s") % {"community": member.community.name,
                                                        "reason": member.return_reason}
    _send([member.user], kind=KIND_REGISTRATION, title=title, link=reverse("resident:volunteer"))


def promoted_from_waitlist(signup) -> None:
    _send([signup.member.user], kind=KIND_ACTIVITY,
          title=_("候补成功：您已报名「%(title)s」") % {"title": signup.activity.title},
          link=reverse("resident:volunteer_activity", args=[signup.activity.public_id]))


def activity_reminder(activity, users) -> None:
    _send(users, kind=KIND_ACTIVITY,
          title=_("活动提醒：「%(title)s」将于%(time)s开始") % {
              "title": activity.title, "time": timezone.localtime(activity.starts_at).strftime("%m-%d %H:%M")},
          body=activity.place, link=reverse("resident:volunteer_activity", args=[activity.public_id]))


def activity_cancelled(activity, users) -> None:
    _send(users, kind=KIND_ACTIVITY, title=_("活动「%(title)s」已取消") % {"title": activity.title},
          link=reverse("resident:volunteer"))
