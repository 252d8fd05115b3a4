"""A published round in which cadres arrived at community1 (and one at community2)."""

from datetime import date

from xiachen.deployments.models import Demand, Match, PostType, Round
from xiachen.deployments.services import create_round

from ..factories import CadreFactory

ALL = {"integrity": 90, "ability": 90, "diligence": 90, "results": 90, "probity": 90}


def served_round(tree, people, *, cadres_at_1=(), cadres_at_2=(), name="2026年12月常态化下沉",
                 start=date(2026, 12, 1), end=date(2026, 12, 31)):
    """A published round; each cadre in `cadres_at_1` arrived at community1, `cadres_at_2` at community2."""
    by = people.org_department
    round_ = create_round(by=by, name=name, kind="normalized", start=start, end=end)
    Round.objects.filter(pk=round_.pk).update(status="published")
    round_.refresh_from_db()
    for unit, cadres in ((tree.community1, cadres_at_1), (tree.community2, cadres_at_2)):
        demand = Demand.objects.create(
            unit=unit, post_type=PostType.objects.get(code="gate_duty"), headcount=max(len(cadres), 1),
            start=start, end=end, created_by=by,
        )
        round_.demands.add(demand)
        for cadre in cadres:
            Match.objects.create(round=round_, demand=demand, cadre=cadre, agency_path=cadre.agency_path,
                                 status="arrived")
    return round_


def more_cadres(tree, count, agency=None):
    return [CadreFactory(agency=agency or tree.agency1, name=f"干部乙{i}") for i in range(count)]


def rostered(round_, unit, manager, cadre, days):
    """A published roster of `round_`'s demand at `unit` with an 08:00–16:00 shift; `days` maps each
    rostered day to None (absent) or (check-in "HH:MM", check-out "HH:MM" or None, late)."""
    from datetime import datetime, time

    from django.utils import timezone

    from xiachen.rosters.models import Assignment, Attendance, Roster, ShiftTemplate
    from xiachen.rosters.services import create_roster

    post = round_.demands.get(unit=unit)
    shift, _created = ShiftTemplate.objects.get_or_create(post=post, code="day",
                                                         defaults={"name": "白班", "start": time(8),
                                                                   "length_minutes": 480})
    roster = create_roster(by=manager, post=post, start=min(days), end=max(days))
    Roster.objects.filter(pk=roster.pk).update(status="published")

    def at(day, hhmm):
        hour, minute = map(int, hhmm.split(":"))
        return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))

    for day, record in days.items():
        assignment = Assignment.objects.create(roster=roster, cadre=cadre, day=day, shift=shift)
        if record is not None:
            checked_in, checked_out, late = record
            Attendance.objects.create(assignment=assignment, checked_in_at=at(day, checked_in), is_late=late,
                                      checked_out_at=at(day, checked_out) if checked_out else None, source="scan")
    return roster
