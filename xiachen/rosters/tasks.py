"""Background work of rosters: primitive ids in, fetch, call a service.

Generation holds a lease on its roster (xiachen.ops.leases, ADR 1606), taken when it is queued:
if its worker dies or the run fails, `generation_lost` returns the roster to draft — its cells as
they were — with the reason.
"""

from django.db import transaction
from django.utils.translation import gettext as _
from django_tasks import task

from xiachen.ops import leases


@task(takes_context=True)
def generate_roster_task(context, *, roster_id: int, user_id: int, time_limit: float, lease: str | None = None) -> None:
    from .models import Roster
    from .services import run_generation

    lease = lease or leases.grant(Roster(pk=roster_id))  # queued without one: take it as the run starts
    with leases.holding("rosters.roster", roster_id, lease, task_id=context.task_result.id) as held:
        if held is not None:
            run_generation(roster_id=roster_id, user_id=user_id, time_limit=time_limit)


@leases.on_lost("rosters.roster")
def generation_lost(roster_id: int, reason: str, take) -> None:
    from .enums import RosterStatus
    from .models import Roster
    from .services import move_roster

    with transaction.atomic():
        roster = Roster.objects.select_for_update().filter(pk=roster_id).first()
        if roster is None or not take() or roster.status != RosterStatus.GENERATING:
            return
        message = _("排班未完成（%(reason)s），原排班保留，可以重新生成。") % {"reason": reason}
        roster.result, roster.progress, roster.progress_note = {"status": "INTERRUPTED", "reasons": [message]}, 0, ""
        roster.save(update_fields=["result", "progress", "progress_note", "updated_at"])
        move_roster(roster=roster, to=RosterStatus.DRAFT, by=None)
