"""Delivering a community notice runs as a background job (xiachen.ops.jobs, ADR 1411): one receipt
per resident (a Wuhan community has ~7,000) and the notifications, in one transaction, once."""

from django.utils.translation import gettext_lazy as _

from xiachen.ops.jobs import JobKind, register

from . import community

DELIVER = "notices.deliver_notice"


def _check(*, subject, by, params) -> None:
    community.check_undelivered(notice=subject)


def _deliver(*, subject, by, params, progress) -> None:
    community.deliver_notice(by=by, notice=subject)


register(JobKind(code=DELIVER, label=_("发送通知"), model="notices.communitynotice", permission="notices.publish",
                 run=_deliver, check=_check, refusals=(community.NoticeError,)))
