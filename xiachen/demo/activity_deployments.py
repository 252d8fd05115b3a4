"""The month's deployment round (demands, matches, deployments, a login per deployed cadre) and its
rosters (shift templates, assignments, attendance, care alerts)."""

import math
from collections import Counter, defaultdict
from datetime import datetime, time, timedelta

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils.translation import gettext as _

from xiachen.accounts.enums import Role
from xiachen.accounts.models import Membership, User
from xiachen.cadres.models import Cadre
from xiachen.deployments.enums import DemandStatus, MatchStatus, RoundKind, RoundStatus
from xiachen.deployments.models import AffinityWeight, Demand, Deployment, Match, PostType, Round, RoundAgency, Unfilled
from xiachen.deployments.planning import DEFAULT_AFFINITY
from xiachen.org.models import Unit
from xiachen.rosters.enums import AlertKind, AttendanceSource, RosterStatus
from xiachen.rosters.models import Assignment, Attendance, CareAlert, Roster, RuleSet, ShiftTemplate

from .activity import ROUND_PREFIX, Context
from .bulk import insert_rows, next_id, reset_sequences, utc_text

COMMUNITY_POSTS = (("temperature_check", 3), ("quarantine_service", 2), ("elderly_support", 2))
GATE_PER_COMPOUND = 2
SITE_POSTS = {
    "station": ("station_control", 6),
    "township_office": ("finance_audit_support", 2),
    "health_centre": ("temperature_check", 3),
}
# (code, name, start, minutes): gate duty round the clock in three shifts, other posts by day.
GATE_SHIFTS = (
    ("morning", "早班", time(6), 480),
    ("afternoon", "中班", time(14), 480),
    ("night", "夜班", time(22), 480),
)
DAY_SHIFTS = (("day", "白班", time(8, 30), 480),)
STATUS_WEIGHTS = {MatchStatus.ARRIVED: 95, MatchStatus.CONFIRMED: 2, MatchStatus.NO_SHOW: 1, MatchStatus.DECLINED: 2}
MAX_CONSECUTIVE_DAYS = 6  # RuleSet's default, which the month's round keeps
UNFILLED_SHARE = 0.04  # places the plan leaves open ("too few eligible candidates")
MATCH_FIELDS = [
    "id",
    "public_id",
    "created_at",
    "updated_at",
    "round_id",
    "demand_id",
    "cadre_id",
    "agency_path",
    "status",
    "affinity",
    "specialty_points",
    "specialties_met",
    "commute_km",
    "commute_penalty",
    "rotation_penalty",
    "total",
    "is_manual",
    "decline_reason",
    "arrived_at",
]


def write_deployments(ctx: Context) -> Counter:
    with transaction.atomic():
        organizer = ctx.city.users["zuzhibu"]
        round_ = Round.objects.create(
            name=f"{ROUND_PREFIX}下沉轮次 {ctx.month.first_day:%Y-%m-%d}",
            kind=RoundKind.NORMALIZED,
            start=ctx.month.first_day,
            end=ctx.month.last_day + timedelta(days=30),
            status=RoundStatus.PUBLISHED,
            created_by_id=organizer,
            progress=100,
        )
        RuleSet.objects.create(round=round_)
        demands = create_demands(ctx, round_, organizer)
        matches = plan_matches(ctx, demands)
        counts = save_matches(ctx, round_, demands, matches)
        counts.update(create_cadre_logins(ctx, demands, matches))
    ctx.round = round_
    ctx.demands, ctx.matches = demands, matches
    return counts


def create_demands(ctx: Context, round_: Round, organizer: int) -> list[Demand]:
    posts = {p.code: p for p in PostType.objects.all()}
    places = (
        Unit.objects.subtree_of(ctx.city.city)
        .filter(kind__code__in=["community", *SITE_POSTS])
        .select_related("kind")
        .order_by("path")
    )
    gates = Counter(ctx.city.compound_community.values())
    demands = []
    for unit in places:
        if unit.kind.code == "community":
            wanted = [("gate_duty", GATE_PER_COMPOUND * max(1, gates[unit.pk])), *COMMUNITY_POSTS]
        else:
            wanted = [SITE_POSTS[unit.kind.code]]
        for code, headcount in wanted:
            post = posts[code]
            demands.append(
                Demand(
                    unit=unit,
                    unit_path=unit.path,
                    post_type=post,
                    headcount=headcount,
                    start=round_.start,
                    end=round_.end,
                    latitude=unit.latitude,
                    longitude=unit.longitude,
                    hazard=post.hazard,
                    needs_medical=post.needs_medical,
                    status=DemandStatus.DEPLOYED,  # the month's round is published
                    created_by_id=organizer,
                    notes="演示月度需求",
                )
            )
    Demand.objects.bulk_create(demands, batch_size=2000)
    Round.demands.through.objects.bulk_create(
        [Round.demands.through(round_id=round_.pk, demand_id=d.pk) for d in demands], batch_size=5000
    )
    return demands


def commute_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    dy = (lat2 - lat1) * 111.0
    dx = (lon2 - lon1) * 111.0 * math.cos(math.radians(lat1))
    return math.hypot(dx, dy)


def plan_matches(ctx: Context, demands: list[Demand]) -> list[tuple]:
    """(demand index, cadre row, status) for each place filled: cadres from the nearest district first."""
    rng = ctx.rng
    cadres = list(
        Cadre.objects.filter(agency_path__startswith=ctx.city.city.path)
        .order_by("id")
        .values_list(
            "id",
            "agency_id",
            "agency__agency_kind__code",
            "agency_path",
            "home_latitude",
            "home_longitude",
            "name",
            "user_id",
        )
    )
    rng.shuffle(cadres)
    districts = list(Unit.objects.filter(pk__in=ctx.city.districts).values_list("path", "latitude", "longitude"))
    pools = defaultdict(list)
    for cadre in cadres:
        home = (float(cadre[4] or 0), float(cadre[5] or 0))
        nearest = min(districts, key=lambda d: commute_km(*home, float(d[1]), float(d[2])))
        pools[nearest[0]].append(cadre)
    leftovers: list = []
    planned = []
    order = list(range(len(demands)))
    rng.shuffle(order)
    for index in order:
        demand = demands[index]
        pool = pools["/".join(demand.unit_path.split("/")[:3]) + "/"]
        for _place in range(demand.headcount):
            if rng.random() < UNFILLED_SHARE:
                continue
            source = pool or leftovers
            if not source:
                break
            status = rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0]
            planned.append((index, source.pop(), status))
        if len(pool) > 200:  # spare cadres of this district may serve elsewhere
            leftovers += pool[200:]
            del pool[200:]
    return planned


def save_matches(ctx: Context, round_: Round, demands: list[Demand], planned: list[tuple]) -> Counter:
    weights = {
        (w.agency_kind.code, w.post_type_id): w.weight for w in AffinityWeight.objects.select_related("agency_kind")
    }
    created = utc_text(ctx.month.start - timedelta(days=5))
    first_id = next_id(Match)
    rows, deployments, agencies = [], [], Counter()
    for offset, (index, cadre, status) in enumerate(planned):
        demand = demands[index]
        affinity = weights.get((cadre[2], demand.post_type_id), DEFAULT_AFFINITY)
        km = commute_km(float(cadre[4] or 0), float(cadre[5] or 0), float(demand.latitude), float(demand.longitude))
        points, penalty = ctx.rng.choice((0, 10, 20)), int(km)
        arrived = None
        if status == MatchStatus.ARRIVED:
            arrived = utc_text(ctx.month.start + timedelta(hours=8 + ctx.rng.random() * 30))
        rows.append(
            (
                first_id + offset,
                ctx.public_id(),
                created,
                created,
                round_.pk,
                demand.pk,
                cadre[0],
                cadre[3],
                status,
                affinity,
                points,
                "[]",
                f"{km:.1f}",
                penalty,
                0,
                affinity + points - penalty,
                False,
                _("本单位人手紧张") if status == MatchStatus.DECLINED else "",
                arrived,
            )
        )
        if status in (MatchStatus.ARRIVED, MatchStatus.CONFIRMED):
            deployments.append((ctx.public_id(), created, created, first_id + offset, cadre[0], True))
            agencies[cadre[1]] += 1
    insert_rows(Match, MATCH_FIELDS, rows)
    insert_rows(Deployment, ["public_id", "created_at", "updated_at", "match_id", "cadre_id", "is_active"], deployments)
    reset_sequences(Match, Deployment)
    RoundAgency.objects.bulk_create(
        [RoundAgency(round=round_, agency_id=agency, quota=count) for agency, count in sorted(agencies.items())]
    )
    filled = Counter(index for index, _cadre, status in planned if status != MatchStatus.DECLINED)
    Unfilled.objects.bulk_create(
        [
            Unfilled(
                round=round_,
                demand=demand,
                places=demand.headcount - filled[index],
                reason="too few eligible candidates",
            )
            for index, demand in enumerate(demands)
            if filled[index] < demand.headcount
        ],
        batch_size=5000,
    )
    ctx.match_ids = [first_id + offset for offset in range(len(planned))]
    return Counter({"demands": len(demands), "matches": len(rows), "deployments": len(deployments)})


def create_cadre_logins(ctx: Context, demands: list[Demand], planned: list[tuple]) -> Counter:
    """A login (no usable password) and a cadre membership at the post for every deployed cadre."""
    on_post = [
        (index, cadre) for index, cadre, status in planned if status in (MatchStatus.ARRIVED, MatchStatus.CONFIRMED)
    ]
    new_users = [
        User(username=f"demo-cadre-{cadre[0]}", display_name=cadre[6], password=make_password(None))
        for _index, cadre in on_post
        if cadre[7] is None
    ]
    User.objects.bulk_create(new_users, batch_size=5000)
    user_of = {user.username: user.pk for user in new_users}
    user_ids = {cadre[0]: cadre[7] or user_of[f"demo-cadre-{cadre[0]}"] for _index, cadre in on_post}
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {Cadre._meta.db_table} SET user_id = %s WHERE id = %s",  # noqa: S608 — table from _meta
            [(user_ids[cadre[0]], cadre[0]) for _index, cadre in on_post if cadre[7] is None],
        )
    Membership.objects.bulk_create(
        [
            Membership(user_id=user_ids[cadre[0]], role=Role.CADRE, unit_id=demands[index].unit_id)
            for index, cadre in on_post
        ],
        batch_size=5000,
        ignore_conflicts=True,
    )
    remember_staff(ctx, demands, on_post, user_ids)
    ctx.user_of_cadre = user_ids
    return Counter({"cadre_logins": len(new_users)})


def remember_staff(ctx: Context, demands: list[Demand], on_post: list, user_ids: dict[int, int]) -> None:
    """Who is on duty in each community (any post there) and at its gates (gate duty)."""
    for index, cadre in on_post:
        demand = demands[index]
        if demand.unit.kind.code == "community":
            user = user_ids[cadre[0]]
            ctx.city.community_staff.setdefault(demand.unit_id, []).append(user)
            if demand.post_type.code == "gate_duty":
                ctx.city.gate_staff.setdefault(demand.unit_id, []).append(user)
    for staff in (*ctx.city.community_staff.values(), *ctx.city.gate_staff.values()):
        staff.sort()


# --- rosters ----------------------------------------------------------------------------------------


def write_rosters(ctx: Context) -> Counter:
    with transaction.atomic():
        templates, rosters = create_rosters(ctx)
        counts = write_assignments(ctx, templates, rosters)
    return counts


def create_rosters(ctx: Context) -> tuple[dict[int, list[ShiftTemplate]], dict[int, Roster]]:
    templates: dict[int, list[ShiftTemplate]] = {}
    for demand in ctx.demands:
        shifts = GATE_SHIFTS if demand.post_type.code == "gate_duty" else DAY_SHIFTS
        people = max(1, demand.headcount // len(shifts))
        templates[demand.pk] = [
            ShiftTemplate(
                post=demand,
                code=code,
                name=name,
                start=start,
                length_minutes=minutes,
                minimum=max(1, people - 1),
                preferred=people,
            )
            for code, name, start, minutes in shifts
        ]
    ShiftTemplate.objects.bulk_create([t for group in templates.values() for t in group], batch_size=5000)
    rosters = {
        demand.pk: Roster(
            post=demand,
            round=ctx.round,
            unit_path=demand.unit_path,
            start=ctx.month.first_day,
            end=ctx.month.last_day,
            status=RosterStatus.LOCKED,
            progress=100,
            created_by_id=ctx.city.users["zuzhibu"],
        )
        for demand in ctx.demands
    }
    Roster.objects.bulk_create(list(rosters.values()), batch_size=5000)
    return templates, rosters


def write_assignments(ctx: Context, templates: dict, rosters: dict) -> Counter:
    """Five days on, two off, the shift changing after the days off; one cadre in a hundred works
    twelve days in a row (care alerts); three shifts in a hundred are missed (no attendance)."""
    rng, month = ctx.rng, ctx.month
    assignment_id = next_id(Assignment)
    assignments, attendance, alerts = [], [], []
    manager = ctx.city.users["shequ"]
    for index, cadre, status in ctx.matches:
        if status != MatchStatus.ARRIVED:
            continue
        demand = ctx.demands[index]
        shifts, roster = templates[demand.pk], rosters[demand.pk]
        phase, overworked = rng.randrange(7), rng.random() < 0.01
        run = 0
        for day_index in range(1 + rng.randrange(2), month.days):
            block, position = divmod(day_index + phase, 7)
            if position >= 5 and not (overworked and block == 1):
                run = 0
                continue
            run += 1
            shift = shifts[block % len(shifts)]
            day = month.first_day + timedelta(days=day_index)
            created = utc_text(month.start - timedelta(days=2))
            assignments.append(
                (assignment_id, ctx.public_id(), created, created, roster.pk, cadre[0], day.isoformat(), shift.pk)
            )
            if rng.random() >= 0.03:
                attendance.append(attendance_row(ctx, assignment_id, day, shift, manager))
            if run > MAX_CONSECUTIVE_DAYS:
                alerts.append(care_alert_row(ctx, cadre[0], roster, day, run=run))
            assignment_id += 1
    insert_rows(
        Assignment,
        ["id", "public_id", "created_at", "updated_at", "roster_id", "cadre_id", "day", "shift_id"],
        assignments,
    )
    insert_rows(
        Attendance,
        [
            "public_id",
            "created_at",
            "updated_at",
            "assignment_id",
            "checked_in_at",
            "checked_out_at",
            "source",
            "is_late",
            "confirmed_by_id",
        ],
        attendance,
    )
    insert_rows(
        CareAlert,
        ["public_id", "created_at", "updated_at", "cadre_id", "roster_id", "unit_path", "day", "kind", "detail"],
        alerts,
    )
    reset_sequences(Assignment, Attendance, CareAlert)
    return Counter({"assignments": len(assignments), "attendance": len(attendance), "care_alerts": len(alerts)})


def attendance_row(ctx: Context, assignment_id: int, day, shift: ShiftTemplate, manager: int) -> tuple:
    rng = ctx.rng
    start = datetime.combine(day, shift.start, tzinfo=ctx.month.start.tzinfo)
    late_minutes = rng.gauss(-6, 6)
    checked_in = start + timedelta(minutes=late_minutes)
    checked_out = start + timedelta(minutes=shift.length_minutes + rng.gauss(6, 8))
    by_manager = rng.random() < 0.1
    stamp = utc_text(checked_out)
    return (
        ctx.public_id(),
        utc_text(checked_in),
        stamp,
        assignment_id,
        utc_text(checked_in),
        stamp,
        AttendanceSource.MANAGER if by_manager else AttendanceSource.SCAN,
        late_minutes > 10,
        manager if by_manager else None,
    )


def care_alert_row(ctx: Context, cadre: int, roster: Roster, day, run: int) -> tuple:
    """The words are the rosters app's own (`rosters.attendance.check_care`)."""
    detail = _("已连续工作 %(n)d 天（上限 %(max)d 天）") % {"n": run, "max": MAX_CONSECUTIVE_DAYS}
    stamp = utc_text(datetime.combine(day, time(9), tzinfo=ctx.month.start.tzinfo))
    return (
        ctx.public_id(),
        stamp,
        stamp,
        cadre,
        roster.pk,
        roster.unit_path,
        day.isoformat(),
        AlertKind.SEVENTH_DAY,
        detail,
    )
