"""The demo city's unit tree, built as unsaved rows: no database access here.

Every function draws from the context's seeded generators in a fixed order, so one seed always
yields the same city. Paths and depths are set here because `bulk_create` skips `Unit.save()`.
"""

import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from faker import Faker

from xiachen.cadres.models import Specialty
from xiachen.households.models import Vulnerability
from xiachen.org.models import AgencyKind, Unit, UnitKind
from xiachen.org.vocabulary import AGENCY_DEPARTMENTS, AGENCY_KINDS

from .identities import People
from .places import (
    CITY_CENTRE,
    CITY_CODE,
    CITY_HALL_ADDRESS,
    CITY_NAME,
    COMMUNITY_SUFFIXES,
    COMMUNITY_WORDS,
    COMPOUND_SUFFIXES,
    COMPOUND_WORDS,
    DIRECTIONS,
    DISTRICTS,
    PLACE_WORDS,
    REGION_CODES,
    ROAD_SUFFIXES,
    STATIONS,
    District,
)
from .scales import BRANCH_KINDS, Scale

AGENCY_LABELS = {code: zh for code, zh, _en in AGENCY_KINDS}
PARTY_DEPARTMENTS = {"organization", "propaganda"}  # named 中共…委组织部, not …局


@dataclass(frozen=True)
class Vocabularies:
    unit_kinds: dict[str, UnitKind]
    agency_kinds: dict[str, AgencyKind]
    specialties: dict[str, Specialty]
    vulnerabilities: dict[str, Vulnerability]


@dataclass
class Context:
    rng: random.Random
    people: People
    vocab: Vocabularies
    roads: list[str]
    place_names: Iterator[str]


@dataclass
class CityPlan:
    city: Unit
    districts: list[Unit] = field(default_factory=list)
    streets: list[Unit] = field(default_factory=list)
    communities: list[Unit] = field(default_factory=list)
    grids: list[Unit] = field(default_factory=list)
    compounds: list[Unit] = field(default_factory=list)
    sites: list[Unit] = field(default_factory=list)
    agencies: list[Unit] = field(default_factory=list)
    departments: dict[str, list[Unit]] = field(default_factory=dict)

    def units_by_depth(self) -> list[list[Unit]]:
        """All units grouped by depth, parents before children, for saving level by level."""
        units = [
            self.city,
            *self.districts,
            *self.streets,
            *self.communities,
            *self.grids,
            *self.compounds,
            *self.sites,
            *self.agencies,
            *(d for group in self.departments.values() for d in group),
        ]
        levels: dict[int, list[Unit]] = {}
        for unit in units:
            levels.setdefault(unit.depth, []).append(unit)
        return [levels[depth] for depth in sorted(levels)]


def new_context(*, seed: int, vocab: Vocabularies, anchor: date) -> Context:
    """Seed Python's and Faker's generators; Faker supplies name and road vocabularies."""
    rng = random.Random(seed)
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    return Context(
        rng=rng,
        people=People(rng, fake, anchor),
        vocab=vocab,
        roads=_roads(rng, fake),
        place_names=_place_names(rng),
    )


def _roads(rng: random.Random, fake: Faker) -> list[str]:
    """Roads named after places (as Wuhan's 香港路, 北京路) and after local place names."""
    borrowed = {name for name in (fake.street_name() for _ in range(120)) if len(name) >= 3}
    local = {word + rng.choice(ROAD_SUFFIXES) for word in PLACE_WORDS}
    return sorted(borrowed | local)


def _place_names(rng: random.Random) -> Iterator[str]:
    words = list(PLACE_WORDS)
    rng.shuffle(words)
    yield from words
    yield from (word + direction for direction in DIRECTIONS for word in words)


def split(total: int, weights: Sequence[float]) -> list[int]:
    """Share `total` in proportion to `weights` (largest remainder), so the parts sum exactly."""
    weight_sum = sum(weights)
    raw = [weight * total / weight_sum for weight in weights]
    counts = [int(part) for part in raw]
    by_remainder = sorted(range(len(raw)), key=lambda i: (counts[i] - raw[i], i))
    for index in by_remainder[: total - sum(counts)]:
        counts[index] += 1
    return counts


def coordinate(value: float) -> Decimal:
    return Decimal(f"{value:.6f}")


def jitter(ctx: Context, unit: Unit, spread: float) -> tuple[float, float]:
    """A point near `unit`; longitude degrees are shorter than latitude ones at 30°N."""
    lat, lon = float(unit.latitude), float(unit.longitude)
    return (
        lat + ctx.rng.gauss(0, spread / 2),
        lon + ctx.rng.gauss(0, spread / 2 / math.cos(math.radians(lat))),
    )


def street_address(ctx: Context, district_name: str) -> str:
    return f"湖北省武汉市{district_name}{ctx.rng.choice(ctx.roads)}{ctx.rng.randint(1, 399)}号"


def new_unit(
    ctx: Context,
    *,
    code: str,
    name: str,
    kind: str,
    parent: Unit | None,
    at: tuple[float, float],
    address: str = "",
    agency_kind: str | None = None,
) -> Unit:
    """An unsaved unit with its materialized path."""
    unit = Unit(
        public_id=ctx.people.public_id(),
        code=code,
        name=name,
        kind=ctx.vocab.unit_kinds[kind],
        parent=parent,
        address=address,
        latitude=coordinate(at[0]),
        longitude=coordinate(at[1]),
        agency_kind=ctx.vocab.agency_kinds[agency_kind] if agency_kind else None,
    )
    unit.path = f"{parent.path if parent else '/'}{code}/"
    unit.depth = unit.path.count("/") - 2
    return unit


def district_of(unit: Unit) -> District:
    """The district a unit below district level lies in, read from its path."""
    code = unit.path.split("/")[2]
    return next(district for district in DISTRICTS if district.code == code)


def region_index_of(unit: Unit) -> int:
    return REGION_CODES.index(district_of(unit).code)


def build_city(ctx: Context, scale: Scale) -> CityPlan:
    """The whole unit tree of the demo city at `scale`, unsaved."""
    plan = CityPlan(
        city=new_unit(
            ctx,
            code=CITY_CODE,
            name=CITY_NAME,
            kind="city",
            parent=None,
            at=CITY_CENTRE,
            address=CITY_HALL_ADDRESS,
        )
    )
    chosen = DISTRICTS[: scale.districts]
    for district, streets in zip(chosen, split(scale.streets, [d.streets for d in chosen]), strict=True):
        district_unit = _district(ctx, plan.city, district)
        plan.districts.append(district_unit)
        plan.streets += _streets(ctx, district_unit, district, streets)
    for street, count in zip(plan.streets, split(scale.communities, [1] * len(plan.streets)), strict=True):
        plan.communities += _communities(ctx, street, count)
    for community, count in zip(plan.communities, split(scale.compounds, [1] * len(plan.communities)), strict=True):
        plan.compounds += _compounds(ctx, community, count)
        plan.grids += _grids(ctx, community, scale.grids_per_community)
    plan.sites = _receiving_sites(ctx, plan)
    _add_agencies(ctx, scale, plan)
    return plan


def _district(ctx: Context, city: Unit, district: District) -> Unit:
    return new_unit(
        ctx,
        code=district.code,
        name=district.name,
        kind="district",
        parent=city,
        at=(district.latitude, district.longitude),
        address=street_address(ctx, district.name),
    )


def _streets(ctx: Context, parent: Unit, district: District, count: int) -> list[Unit]:
    """Streets (街道, codes 001…) and, in rural districts, townships (镇, codes 101…) for the second half."""
    streets = []
    for index in range(count):
        township = district.rural and index >= count // 2
        number = 101 + index - count // 2 if township else index + 1
        name = next(ctx.place_names) + ("镇" if township else "街道")
        streets.append(
            new_unit(
                ctx,
                code=f"{district.code}{number:03d}",
                name=name,
                kind="township" if township else "street",
                parent=parent,
                at=jitter(ctx, parent, district.spread),
                address=street_address(ctx, district.name),
            )
        )
    return streets


def _communities(ctx: Context, street: Unit, count: int) -> list[Unit]:
    names = ctx.rng.sample([w + s for w in COMMUNITY_WORDS for s in COMMUNITY_SUFFIXES], count)
    district = district_of(street)
    return [
        new_unit(
            ctx,
            code=f"{street.code}{index + 1:03d}",
            name=f"{name}社区",
            kind="community",
            parent=street,
            at=jitter(ctx, street, district.spread / 4),
            address=street_address(ctx, district.name),
        )
        for index, name in enumerate(names)
    ]


def _compounds(ctx: Context, community: Unit, count: int) -> list[Unit]:
    names = ctx.rng.sample([w + s for w in COMPOUND_WORDS for s in COMPOUND_SUFFIXES], count)
    district = district_of(community)
    return [
        new_unit(
            ctx,
            code=f"{community.code}{index + 1:03d}",
            name=name,
            kind="compound",
            parent=community,
            at=jitter(ctx, community, 0.004),
            address=street_address(ctx, district.name),
        )
        for index, name in enumerate(names)
    ]


def _grids(ctx: Context, community: Unit, count: int) -> list[Unit]:
    return [
        new_unit(
            ctx,
            code=f"{community.code}G{index + 1:02d}",
            name=f"{community.name}第{index + 1}网格",
            kind="grid",
            parent=community,
            at=jitter(ctx, community, 0.003),
        )
        for index in range(count)
    ]


def _receiving_sites(ctx: Context, plan: CityPlan) -> list[Unit]:
    """Railway stations in their districts; a finance office (财政所) and a health centre per street."""
    sites = []
    by_code = {district.code: district for district in plan.districts}
    for number, (district_code, name) in enumerate(STATIONS, start=1):
        district = by_code.get(district_code)
        if district is not None:
            sites.append(
                new_unit(
                    ctx,
                    code=f"{district_code}-ST{number:02d}",
                    name=name,
                    kind="station",
                    parent=district,
                    at=jitter(ctx, district, 0.01),
                    address=street_address(ctx, district.name),
                )
            )
    for street in plan.streets:
        district_name = district_of(street).name
        clinic = "卫生院" if street.name.endswith("镇") else "社区卫生服务中心"
        sites.append(
            new_unit(
                ctx,
                code=f"{street.code}-CZS",
                name=f"{street.name}财政所",
                kind="township_office",
                parent=street,
                at=jitter(ctx, street, 0.004),
                address=street_address(ctx, district_name),
            )
        )
        sites.append(
            new_unit(
                ctx,
                code=f"{street.code}-WSY",
                name=f"{street.name}{clinic}",
                kind="health_centre",
                parent=street,
                at=jitter(ctx, street, 0.004),
                address=street_address(ctx, district_name),
            )
        )
    return sites


def agency_name(kind: str, seat: str) -> str:
    """武汉市审计局, 江岸区教育局, 中共武汉市委组织部."""
    label = AGENCY_LABELS[kind]
    if kind in PARTY_DEPARTMENTS:
        return f"中共{seat.removesuffix('市').removesuffix('区')}{seat[-1]}委{label}"
    return f"{seat}{label}"


def _add_agencies(ctx: Context, scale: Scale, plan: CityPlan) -> None:
    """City agencies, then district branches kind by kind, each with its typical departments."""
    seats = [(plan.city, kind) for kind in scale.city_agency_kinds]
    branches = [(district, kind) for kind in BRANCH_KINDS for district in plan.districts]
    seats += branches[: scale.branch_agencies]
    for seat, kind in seats:
        agency = new_unit(
            ctx,
            code=f"{seat.code}-{kind.upper()}",
            name=agency_name(kind, seat.name),
            kind="agency",
            agency_kind=kind,
            parent=seat,
            at=jitter(ctx, seat, 0.01),
            address=street_address(ctx, district_of(seat).name if seat.depth else "江岸区"),
        )
        plan.agencies.append(agency)
        plan.departments[agency.code] = [
            new_unit(
                ctx,
                code=f"{agency.code}-{index + 1:02d}",
                name=name,
                kind="department",
                parent=agency,
                at=(float(agency.latitude), float(agency.longitude)),
                address=agency.address,
            )
            for index, name in enumerate(AGENCY_DEPARTMENTS[kind])
        ]
