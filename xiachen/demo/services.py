"""Writing the demo city: units level by level, then cadres and households in bulk batches, then logins."""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.contrib.auth.hashers import make_password
from django.db import connection, reset_queries, transaction
from django.utils.translation import gettext as _

from xiachen.accounts.enums import Role
from xiachen.accounts.models import Membership, User
from xiachen.audit import services as audit
from xiachen.cadres.models import AvailabilityPeriod, Cadre, Certification, ServiceRecord, Specialty
from xiachen.households.models import Household, Resident, Vulnerability
from xiachen.org.models import AgencyKind, Unit, UnitKind

from .boundaries import save_boundaries
from .cadre_rows import SpecialtyLink, build_cadres
from .demands import create_demo_demands, delete_demo_deployments
from .generator import CityPlan, Context, Vocabularies, build_city, new_context
from .household_rows import VulnerabilityLink, build_households
from .places import CITY_CODE
from .scales import Scale

DEMO_PASSWORD = "xiachen-demo"  # noqa: S105 — printed by the command for every demo login
BATCH_SIZE = 5_000
# Content is dated relative to this day, never to the wall clock, so a seed reproduces the city.
DEFAULT_ANCHOR = date(2026, 11, 2)
Progress = Callable[[str], None]


class DemoCityExists(Exception):
    pass


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    unit: Unit
    display_name: str


@dataclass(frozen=True)
class DemoCity:
    city: Unit
    logins: list[DemoLogin]
    counts: dict[str, int]


# (username, role, where the membership sits) — the scope names are resolved against the plan.
DEMO_LOGINS = [
    ("zuzhibu", Role.ORG_DEPARTMENT, "city"),
    ("lianluo", Role.AGENCY_LIAISON, "audit_agency"),
    ("shequ", Role.UNIT_MANAGER, "community"),
    ("ganbu", Role.CADRE, "community"),
    ("shegong", Role.COMMUNITY_WORKER, "community"),
    ("rexian", Role.HOTLINE_OPERATOR, "city"),
    ("jumin", Role.RESIDENT, "compound"),
    ("shenji", Role.SECURITY_AUDITOR, "city"),
    ("xitong", Role.SYSTEM_ADMIN, "city"),
]
DEMO_USERNAMES = [username for username, _role, _scope in DEMO_LOGINS]


def generate_demo_city(
    *,
    scale: Scale,
    seed: int,
    anchor: date = DEFAULT_ANCHOR,
    reset: bool = False,
    progress: Progress = lambda message: None,
) -> DemoCity:
    """Build the synthetic city in one transaction and audit it as `demo.city_generated`.

    Raises DemoCityExists, before writing anything, when the database already holds units or demo
    logins and `reset` is false. With `reset`, the previous demo city and logins are deleted first.
    """
    with transaction.atomic():
        if reset:
            delete_demo_data(progress=progress)
        else:
            refuse_if_populated()
        tune_sqlite()
        ctx = new_context(seed=seed, vocab=load_vocabularies(), anchor=anchor)
        plan = build_city(ctx, scale)
        counts = save_units(plan)
        counts += save_cadres(ctx, plan, scale, progress)
        counts += save_households(ctx, plan, scale, progress)
        logins = create_demo_logins(ctx, plan)
        counts["users"] = len(logins)
        organizer = User.objects.get(username="zuzhibu")
        counts["demands"] = create_demo_demands(city=plan.city, by=organizer, anchor=anchor)
        counts["boundaries"] = save_boundaries(plan.city)
        audit.record(
            actor=None,
            action="demo.city_generated",
            target=plan.city,
            fields={"scale": scale.name, "seed": seed, "anchor": anchor.isoformat(), **counts},
        )
    return DemoCity(city=plan.city, logins=logins, counts=dict(counts))


def refuse_if_populated() -> None:
    units = Unit.objects.count()
    if units or User.objects.filter(username__in=DEMO_USERNAMES).exists():
        raise DemoCityExists(
            _("数据库中已有 %(units)d 个单位或演示账号，未做任何修改。如要删除旧的演示数据并重建，请加 --reset。")
            % {"units": units}
        )


def tune_sqlite() -> None:
    """A bigger page cache: the random-keyed indexes (UUIDs, blind indexes) thrash SQLite's default 2 MB."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -262144")


def load_vocabularies() -> Vocabularies:
    return Vocabularies(
        unit_kinds={kind.code: kind for kind in UnitKind.objects.all()},
        agency_kinds={kind.code: kind for kind in AgencyKind.objects.all()},
        specialties={specialty.code: specialty for specialty in Specialty.objects.all()},
        vulnerabilities={flag.code: flag for flag in Vulnerability.objects.all()},
    )


def save_units(plan: CityPlan) -> Counter:
    """Save parents before children so that each level's parent ids are known."""
    counts: Counter = Counter()
    for level in plan.units_by_depth():
        Unit.objects.bulk_create(level, batch_size=BATCH_SIZE)
        counts.update(f"units.{unit.kind.code}" for unit in level)
    return counts


def save_cadres(ctx: Context, plan: CityPlan, scale: Scale, progress: Progress) -> Counter:
    counts: Counter = Counter()
    for batch in build_cadres(ctx, plan, total=scale.cadres, batch_size=BATCH_SIZE):
        Cadre.objects.bulk_create(batch.cadres, batch_size=BATCH_SIZE)
        SpecialtyLink.objects.bulk_create(batch.specialties, batch_size=BATCH_SIZE)
        Certification.objects.bulk_create(batch.certifications, batch_size=BATCH_SIZE)
        AvailabilityPeriod.objects.bulk_create(batch.availability, batch_size=BATCH_SIZE)
        ServiceRecord.objects.bulk_create(batch.service_records, batch_size=BATCH_SIZE)
        counts.update(
            {
                "cadres": len(batch.cadres),
                "cadre_specialties": len(batch.specialties),
                "certifications": len(batch.certifications),
                "availability_periods": len(batch.availability),
                "service_records": len(batch.service_records),
            }
        )
        reset_queries()  # with DEBUG on, the logged INSERTs of a big city would hold hundreds of MB
        progress(_("干部 %(done)d / %(total)d") % {"done": counts["cadres"], "total": scale.cadres})
    return counts


def save_households(ctx: Context, plan: CityPlan, scale: Scale, progress: Progress) -> Counter:
    counts: Counter = Counter()
    for batch in build_households(ctx, plan, total=scale.residents, batch_size=BATCH_SIZE):
        Household.objects.bulk_create(batch.households, batch_size=BATCH_SIZE)
        Resident.objects.bulk_create(batch.residents, batch_size=BATCH_SIZE)
        VulnerabilityLink.objects.bulk_create(batch.vulnerabilities, batch_size=BATCH_SIZE)
        counts.update(
            {
                "households": len(batch.households),
                "residents": len(batch.residents),
                "resident_vulnerabilities": len(batch.vulnerabilities),
            }
        )
        reset_queries()
        progress(_("居民 %(done)d / %(total)d") % {"done": counts["residents"], "total": scale.residents})
    return counts


def demo_scopes(plan: CityPlan) -> dict[str, Unit]:
    """Where the demo logins sit: the city, its audit bureau, the first community and compound."""
    community = plan.communities[0]
    compound = next(unit for unit in plan.compounds if unit.path.startswith(community.path))
    audit_agency = next(unit for unit in plan.agencies if unit.depth == 1 and unit.agency_kind.code == "audit")
    return {"city": plan.city, "audit_agency": audit_agency, "community": community, "compound": compound}


def create_demo_logins(ctx: Context, plan: CityPlan) -> list[DemoLogin]:
    """One login per role, all with DEMO_PASSWORD; `ganbu` is an audit cadre, `jumin` a resident."""
    scopes = demo_scopes(plan)
    cadre = Cadre.objects.filter(agency=scopes["audit_agency"]).order_by("pk").first()
    resident = Resident.objects.filter(household__compound=scopes["compound"]).order_by("pk").first()
    password = make_password(DEMO_PASSWORD)  # hashed once: the default hasher is deliberately slow
    logins = []
    for username, role, scope in DEMO_LOGINS:
        person = {"ganbu": cadre, "jumin": resident}.get(username)
        display_name = person.name if person else ctx.people.name(ctx.rng.random() < 0.5)
        user = User.objects.create(username=username, display_name=display_name, password=password)
        Membership.objects.create(user=user, role=role, unit=scopes[scope])
        if person is not None:
            person.user = user
            person.save(update_fields=["user"])
        logins.append(DemoLogin(username=username, role=role, unit=scopes[scope], display_name=display_name))
    return logins


def delete_demo_data(*, progress: Progress = lambda message: None) -> None:
    """Delete the demo logins and the demo city's subtree, leaves first (the tree's keys are PROTECT).

    Raises ProtectedError when other data still refers to the demo city.
    """
    from .activity_reset import delete_demo_activity

    city = Unit.objects.filter(code=CITY_CODE).first()
    if city is not None:
        delete_demo_activity(progress=progress)
        delete_demo_deployments(city)
    User.objects.filter(username__in=DEMO_USERNAMES).delete()
    if city is None:
        return
    for district in Unit.objects.filter(parent=city, kind__code="district"):
        progress(_("删除 %(name)s 的居民") % {"name": district.name})
        # only("pk"): loading every row would decrypt every ID number just to delete it.
        Resident.objects.filter(compound_path__startswith=district.path).only("pk").delete()
        Household.objects.filter(compound_path__startswith=district.path).only("pk").delete()
    Cadre.objects.filter(agency_path__startswith=city.path).only("pk").delete()
    deepest = Unit.objects.subtree_of(city).order_by("-depth").values_list("depth", flat=True).first()
    for depth in range(deepest, -1, -1):
        Unit.objects.subtree_of(city).filter(depth=depth).delete()


def existing_demo_logins() -> list[DemoLogin]:
    """The demo logins already in the database, in DEMO_LOGINS order (for re-printing them)."""
    memberships = {
        m.user.username: m
        for m in Membership.objects.filter(user__username__in=DEMO_USERNAMES).select_related("user", "unit")
    }
    return [
        DemoLogin(username=name, role=m.role, unit=m.unit, display_name=m.user.display_name)
        for name in DEMO_USERNAMES
        if (m := memberships.get(name)) is not None
    ]
