"""The demo city's cadres with specialties, certifications, availability and past service, unsaved."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from xiachen.cadres.enums import AvailabilityKind, Rank, Sex
from xiachen.cadres.models import AvailabilityPeriod, Cadre, Certification, ServiceRecord
from xiachen.org.models import Unit
from xiachen.org.vocabulary import AGENCY_SPECIALTIES

from .generator import (
    CityPlan,
    Context,
    coordinate,
    district_of,
    jitter,
    region_index_of,
    split,
    street_address,
)
from .places import CERTIFICATIONS, HEALTH_RESTRICTIONS, POSITIONS, POSTS_2020, UNAVAILABLE_NOTES

RANK_WEIGHTS = {
    Rank.CLERK: 50,
    Rank.DEPUTY_SECTION: 26,
    Rank.SECTION: 17,
    Rank.DEPUTY_DIVISION: 5,
    Rank.DIVISION: 2,
}
# Big front-line agencies send more people than the small party and data offices.
KIND_WEIGHTS = {"public_security": 3.0, "health": 2.5, "education": 2.0, "civil_affairs": 1.5}
LOCKDOWN_START, LOCKDOWN_END = date(2020, 1, 23), date(2020, 4, 8)
SpecialtyLink = Cadre.specialties.through


@dataclass
class CadreBatch:
    cadres: list[Cadre] = field(default_factory=list)
    specialties: list = field(default_factory=list)
    certifications: list[Certification] = field(default_factory=list)
    availability: list[AvailabilityPeriod] = field(default_factory=list)
    service_records: list[ServiceRecord] = field(default_factory=list)


def agency_weight(agency: Unit) -> float:
    city_level = 1.5 if agency.depth == 1 else 1.0
    return city_level * KIND_WEIGHTS.get(agency.agency_kind.code, 1.0)


def build_cadres(ctx: Context, plan: CityPlan, *, total: int, batch_size: int) -> Iterator[CadreBatch]:
    """`total` cadres shared among the agencies by size, yielded in batches for bulk_create."""
    counts = split(total, [agency_weight(agency) for agency in plan.agencies])
    batch = CadreBatch()
    for agency, count in zip(plan.agencies, counts, strict=True):
        for _ in range(count):
            add_cadre(ctx, plan, agency, batch)
            if len(batch.cadres) >= batch_size:
                yield batch
                batch = CadreBatch()
    if batch.cadres:
        yield batch


def add_cadre(ctx: Context, plan: CityPlan, agency: Unit, batch: CadreBatch) -> None:
    rng, people = ctx.rng, ctx.people
    male = rng.random() < 0.56
    age = rng.randint(23, 58)
    rank = Rank.CLERK if age < 28 else rng.choices(list(RANK_WEIGHTS), weights=list(RANK_WEIGHTS.values()))[0]
    home = rng.choice(plan.communities)
    birth = people.birth_date(age)
    departments = plan.departments[agency.code]
    latitude, longitude = jitter(ctx, home, 0.006)
    cadre = Cadre(
        public_id=people.public_id(),
        name=people.name(male),
        sex=Sex.MALE if male else Sex.FEMALE,
        agency=agency,
        agency_path=agency.path,
        rank=rank,
        position=rng.choice(POSITIONS[rank]),
        department=rng.choice(departments) if rng.random() < 0.92 else None,
        phone=people.mobile(),
        id_number=people.id_number(region_index_of(home), birth, male),
        home_address=home_address(ctx, home),
        home_latitude=coordinate(latitude),
        home_longitude=coordinate(longitude),
        health_restrictions=health_restriction(ctx, male),
    )
    batch.cadres.append(cadre)
    codes = specialties_for(ctx, agency.agency_kind.code)
    batch.specialties += [SpecialtyLink(cadre=cadre, specialty=ctx.vocab.specialties[code]) for code in codes]
    batch.certifications += certifications_for(ctx, cadre, codes)
    batch.availability += availability_for(ctx, cadre)
    batch.service_records += service_records_for(ctx, plan, cadre)


def home_address(ctx: Context, community: Unit) -> str:
    rng = ctx.rng
    flat = f"{rng.randint(1, 30)}栋{rng.randint(1, 4)}单元{rng.randint(1, 28)}{rng.randint(1, 4):02d}室"
    return street_address(ctx, district_of(community).name) + flat


def health_restriction(ctx: Context, male: bool) -> str:
    if ctx.rng.random() >= 0.07:
        return ""
    choices = [text for text in HEALTH_RESTRICTIONS if not (male and text.startswith("孕期"))]
    return ctx.rng.choice(choices)


def specialties_for(ctx: Context, kind: str) -> list[str]:
    """One or two of the agency's typical specialties, sometimes one more from anywhere.

    Veterans are all ex-military; a fifth were military medics.
    """
    rng = ctx.rng
    typical = AGENCY_SPECIALTIES[kind]
    if kind == "veterans":
        codes = ["ex_military", *(["medicine"] if rng.random() < 0.2 else [])]
    else:
        codes = rng.sample(typical, k=min(len(typical), rng.choice((1, 1, 2))))
    if rng.random() < 0.15:
        extra = rng.choice(sorted(ctx.vocab.specialties))
        codes += [extra] if extra not in codes else []
    return codes


def certifications_for(ctx: Context, cadre: Cadre, codes: list[str]) -> list[Certification]:
    anchor = ctx.people.anchor
    return [
        Certification(
            public_id=ctx.people.public_id(),
            cadre=cadre,
            name=CERTIFICATIONS[code][0],
            issuer=CERTIFICATIONS[code][1],
            valid_until=anchor + timedelta(days=ctx.rng.randint(200, 2000)) if code != "law" else None,
        )
        for code in codes
        if code in CERTIFICATIONS and ctx.rng.random() < 0.7
    ]


def availability_for(ctx: Context, cadre: Cadre) -> list[AvailabilityPeriod]:
    """An available window from near the anchor date; some cadres are away for part of it."""
    rng, people = ctx.rng, ctx.people
    start = people.anchor + timedelta(days=rng.randint(0, 14))
    periods = [
        AvailabilityPeriod(
            public_id=people.public_id(),
            cadre=cadre,
            kind=AvailabilityKind.AVAILABLE,
            start=start,
            end=start + timedelta(days=rng.randint(60, 180)),
        )
    ]
    if rng.random() < 0.12:
        away = start + timedelta(days=rng.randint(5, 40))
        periods.append(
            AvailabilityPeriod(
                public_id=people.public_id(),
                cadre=cadre,
                kind=AvailabilityKind.UNAVAILABLE,
                start=away,
                end=away + timedelta(days=rng.randint(3, 20)),
                note=rng.choice(UNAVAILABLE_NOTES),
            )
        )
    return periods


def service_records_for(ctx: Context, plan: CityPlan, cadre: Cadre) -> list[ServiceRecord]:
    """Some served in the 2020 lockdown, some more recently: the history that rotation reads."""
    rng, people = ctx.rng, ctx.people
    records = []
    if rng.random() < 0.35:
        start = LOCKDOWN_START + timedelta(days=rng.randint(0, 30))
        records.append(
            ServiceRecord(
                public_id=people.public_id(),
                cadre=cadre,
                unit=rng.choice(plan.communities),
                post=rng.choice(POSTS_2020),
                start=start,
                end=LOCKDOWN_END - timedelta(days=rng.randint(0, 20)),
                note="2020年疫情防控下沉",
            )
        )
    if rng.random() < 0.2:
        start = people.anchor - timedelta(days=rng.randint(90, 600))
        records.append(
            ServiceRecord(
                public_id=people.public_id(),
                cadre=cadre,
                unit=rng.choice(plan.communities + plan.sites),
                post=rng.choice(POSTS_2020),
                start=start,
                end=start + timedelta(days=rng.randint(14, 60)),
            )
        )
    return records
