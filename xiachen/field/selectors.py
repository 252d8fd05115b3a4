"""What the phone app keeps for offline use: today's round, visits, the households behind them (masked)
and the user's shifts. One JSON document, cached by the app's service worker (network first)."""

from datetime import timedelta

from django.utils import timezone

from xiachen.core.masking import mask_name, mask_phone
from xiachen.errands.enums import EpisodeKind, EpisodeStatus, ErrandStatus
from xiachen.errands.models import HealthReport, QuarantineEpisode
from xiachen.errands.quarantine import visits_for
from xiachen.errands.selectors import my_round
from xiachen.rosters.selectors import my_assignments

from .sync import version_of

NEXT: dict[str, str] = {  # the moves the assignee makes on the round, in order
    ErrandStatus.REQUESTED: ErrandStatus.ACCEPTED,
    ErrandStatus.ACCEPTED: ErrandStatus.IN_PROGRESS,
    ErrandStatus.IN_PROGRESS: ErrandStatus.DELIVERED,
}
SHIFT_DAYS = 7


def _address(household) -> str:
    return f"{household.compound.name} {household.address_label}"


def app_data(user) -> dict:
    # Purged rows have no household; the round and the visits are open work, which is never purged.
    errands = [e for e in my_round(user) if e.household is not None]
    visits = [v for v in visits_for(user) if v.episode.household is not None]
    households = {e.household.pk: e.household for e in errands if e.household is not None}
    households.update({v.episode.household.pk: v.episode.household for v in visits if v.episode.household is not None})
    residents: dict[int | None, list] = {}
    if households:
        from xiachen.households.models import Resident

        for resident in Resident.objects.filter(household_id__in=households).order_by("household_id", "id"):
            residents.setdefault(resident.household_id, []).append(resident)
    held = dict(QuarantineEpisode.objects.filter(household_id__in=households, status=EpisodeStatus.ACTIVE)
                .values_list("household_id", "kind"))
    done = set(HealthReport.objects.filter(episode_id__in={v.episode_id for v in visits}, by_resident=False)
               .values_list("episode_id", "day"))
    reported = {v.pk for v in visits if (v.episode_id, v.day) in done}
    today = timezone.localdate()
    shifts = my_assignments(user).filter(day__gte=today, day__lt=today + timedelta(days=SHIFT_DAYS))
    return {
        "generated_at": timezone.now().isoformat(),
        "errands": [{
            "id": str(e.public_id), "version": version_of(e.updated_at), "status": e.status,
            "status_label": e.get_status_display(), "kind_label": e.get_kind_display(), "details": e.details,
            "building": e.household.building, "address": _address(e.household), "household": str(e.household.public_id),
            "next": ({"to": NEXT[e.status], "label": _move_label(NEXT[e.status])} if e.status in NEXT else None),
        } for e in errands if e.household is not None],
        "visits": [{
            "id": str(v.public_id), "version": version_of(v.updated_at), "day": v.day.isoformat(),
            "address": _address(v.episode.household), "household": str(v.episode.household.public_id),
            "resident": mask_name(v.episode.resident.name) if v.episode.resident else "", "reported": v.pk in reported,
        } for v in visits if v.episode.household is not None],
        "households": [{
            "id": str(h.public_id), "address": _address(h),
            "quarantine": str(EpisodeKind(held[pk]).label) if pk in held else "",
            "members": [{"name": mask_name(r.name), "phone": mask_phone(r.phone)} for r in residents.get(pk, [])],
        } for pk, h in sorted(households.items(), key=lambda item: (item[1].building, item[1].entrance,
                                                                    item[1].room))],
        "shifts": [{
            "day": a.day.isoformat(), "name": a.shift.name, "start": a.shift.start.strftime("%H:%M"),
            "end": a.shift.end_time.strftime("%H:%M"),
            "post": f"{a.roster.post.unit.name} · {a.roster.post.post_type.label}",
        } for a in shifts],
    }


def _move_label(to: str) -> str:
    from django.utils.translation import gettext as _

    labels: dict[str, str] = {ErrandStatus.ACCEPTED: _("接单"), ErrandStatus.IN_PROGRESS: _("开始办理"),
                              ErrandStatus.DELIVERED: _("已送达")}
    return labels[to]
