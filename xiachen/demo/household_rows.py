"""The demo city's households and residents with vulnerability flags, unsaved and in batches."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import count

from xiachen.cadres.enums import Sex
from xiachen.households.enums import Relation
from xiachen.households.models import Household, Resident
from xiachen.org.models import Unit

from .generator import CityPlan, Context, region_index_of, split
from .places import REGION_CODES

HOUSEHOLD_SIZES, SIZE_WEIGHTS = (1, 2, 3, 4, 5), (18, 30, 28, 14, 10)
FLOORS = (6, 7, 9, 11, 18, 26, 33)
VulnerabilityLink = Resident.vulnerabilities.through


@dataclass(frozen=True)
class Member:
    relation: str
    age: int
    male: bool
    left_behind: bool = False  # a child living with grandparents only (留守)


@dataclass
class HouseholdBatch:
    households: list[Household] = field(default_factory=list)
    residents: list[Resident] = field(default_factory=list)
    vulnerabilities: list = field(default_factory=list)


def build_households(ctx: Context, plan: CityPlan, *, total: int, batch_size: int) -> Iterator[HouseholdBatch]:
    """Exactly `total` residents spread unevenly over the compounds, yielded in batches."""
    quotas = split(total, [ctx.rng.uniform(0.4, 1.6) for _ in plan.compounds])
    batch = HouseholdBatch()
    for compound, quota in zip(plan.compounds, quotas, strict=True):
        fill_compound(ctx, compound, quota, batch)
        if len(batch.residents) >= batch_size:
            yield batch
            batch = HouseholdBatch()
    if batch.residents:
        yield batch


def flats(ctx: Context) -> Iterator[tuple[str, str, str]]:
    """(building, entrance, room) of a compound's occupied flats; about one in five stands empty."""
    rng = ctx.rng
    floors, entrances, per_floor = rng.choice(FLOORS), rng.randint(1, 4), rng.randint(2, 4)
    for building in count(1):
        for entrance in range(1, entrances + 1):
            for floor in range(1, floors + 1):
                for door in range(1, per_floor + 1):
                    if rng.random() < 0.8:
                        yield str(building), str(entrance), f"{floor}{door:02d}"


def fill_compound(ctx: Context, compound: Unit, quota: int, batch: HouseholdBatch) -> None:
    addresses = flats(ctx)
    while quota > 0:
        size = min(quota, ctx.rng.choices(HOUSEHOLD_SIZES, weights=SIZE_WEIGHTS)[0])
        building, entrance, room = next(addresses)
        household = Household(
            public_id=ctx.people.public_id(),
            compound=compound,
            compound_path=compound.path,
            building=building,
            entrance=entrance,
            room=room,
        )
        batch.households.append(household)
        add_residents(ctx, household, household_members(ctx, size), batch)
        quota -= size


def household_members(ctx: Context, size: int) -> list[Member]:
    rng = ctx.rng
    if size == 1:
        age = rng.choices((rng.randint(22, 40), rng.randint(41, 64), rng.randint(65, 92)), weights=(3, 3, 4))[0]
        return [Member(Relation.HEAD, age, rng.random() < 0.45)]
    if size <= 3 and rng.random() < 0.05:
        return left_behind_household(ctx, size)
    head_age = rng.randint(26, 78)
    head_male = rng.random() < 0.7
    members = [
        Member(Relation.HEAD, head_age, head_male),
        Member(Relation.SPOUSE, max(20, head_age + rng.randint(-5, 3)), not head_male),
    ]
    for _ in range(size - 2):
        members.append(younger_or_older_member(ctx, head_age))
    return members


def younger_or_older_member(ctx: Context, head_age: int) -> Member:
    rng = ctx.rng
    male = rng.random() < 0.51
    if head_age >= 58 and rng.random() < 0.5:
        return Member(Relation.GRANDCHILD, rng.randint(0, 16), male)
    if head_age < 50 and rng.random() < 0.2:
        return Member(Relation.PARENT, min(96, head_age + rng.randint(22, 32)), male)
    return Member(Relation.CHILD, max(0, head_age - rng.randint(22, 38)), male)


def left_behind_household(ctx: Context, size: int) -> list[Member]:
    """Grandparent(s) raising grandchildren while the parents work elsewhere (留守儿童)."""
    rng = ctx.rng
    head_age = rng.randint(58, 80)
    members = [Member(Relation.HEAD, head_age, rng.random() < 0.5)]
    if size == 3:
        members.append(Member(Relation.SPOUSE, head_age + rng.randint(-4, 4), not members[0].male))
    members.append(Member(Relation.GRANDCHILD, rng.randint(3, 15), rng.random() < 0.5, left_behind=True))
    return members


def add_residents(ctx: Context, household: Household, members: list[Member], batch: HouseholdBatch) -> None:
    """Residents of one household; the head's children and grandchildren share the head's surname."""
    rng, people = ctx.rng, ctx.people
    surname = people.surname()
    home_region = region_index_of(household.compound)
    low_income = rng.random() < 0.03
    for member in members:
        shares_surname = member.relation in (Relation.HEAD, Relation.CHILD, Relation.GRANDCHILD)
        birth = people.birth_date(member.age)
        region = home_region if rng.random() < 0.7 else rng.randrange(len(REGION_CODES))
        resident = Resident(
            public_id=people.public_id(),
            household=household,
            compound_path=household.compound_path,
            name=people.name(member.male, surname if shares_surname else ""),
            relation=member.relation,
            sex=Sex.MALE if member.male else Sex.FEMALE,
            birth_date=birth,
            phone=people.mobile() if member.age >= 14 and rng.random() < 0.92 else "",
            id_number=people.id_number(region, birth, member.male),
        )
        batch.residents.append(resident)
        batch.vulnerabilities += [
            VulnerabilityLink(resident=resident, vulnerability=ctx.vocab.vulnerabilities[code])
            for code in vulnerabilities_of(ctx, member, household_size=len(members), low_income=low_income)
        ]


def vulnerabilities_of(ctx: Context, member: Member, *, household_size: int, low_income: bool) -> list[str]:
    """Flags at roughly the rates a Wuhan community's support list shows."""
    rng = ctx.rng
    elderly = member.age >= 60
    flags = {
        "elderly_alone": household_size == 1 and member.age >= 65 and rng.random() < 0.8,
        "low_income": low_income and member.relation == Relation.HEAD,
        "disabled": rng.random() < (0.07 if elderly else 0.02),
        "chronic_illness": member.age >= 18 and rng.random() < (0.25 if elderly else 0.04),
        "minors_alone": member.left_behind,
        "pregnant": (
            not member.male
            and 22 <= member.age <= 40
            and member.relation in (Relation.HEAD, Relation.SPOUSE)
            and rng.random() < 0.05
        ),
    }
    return [code for code, flagged in flags.items() if flagged]
