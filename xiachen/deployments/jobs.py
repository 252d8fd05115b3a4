"""Long actions on rounds run as background jobs (xiachen.ops.jobs, ADR 1411).

Publishing creates one deployment and one notification (with its outbox message) per confirmed
cadre; closing writes one service record per arrived cadre. A city round has tens of thousands of
each, far more than a request should hold. Both run in one transaction in the worker: a failure or a
killed worker leaves the round exactly as it was.
"""

from django.utils.translation import gettext_lazy as _

from xiachen.ops.jobs import JobKind, register

from . import services
from .enums import RoundStatus

PUBLISH, CLOSE = "deployments.publish_round", "deployments.close_round"


def _check(to: RoundStatus):
    def check(*, subject, by, params) -> None:
        services.check_move(round_=subject, to=to)

    return check


def _publish(*, subject, by, params, progress) -> None:
    services.publish_round(by=by, round_=subject)


def _close(*, subject, by, params, progress) -> None:
    services.close_round(by=by, round_=subject)


register(JobKind(code=PUBLISH, label=_("发布轮次"), model="deployments.round", permission="deployments.run_rounds",
                 run=_publish, check=_check(RoundStatus.PUBLISHED), refusals=(services.RoundError,)))
register(JobKind(code=CLOSE, label=_("结束轮次"), model="deployments.round", permission="deployments.run_rounds",
                 run=_close, check=_check(RoundStatus.CLOSED), refusals=(services.RoundError,)))
