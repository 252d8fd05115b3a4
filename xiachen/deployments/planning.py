"""Build the matching problem of a round from the database, and explain scores.

Scoring (all integers, so the flow solver is exact):
  affinity        weight of (agency kind × post type), 0–100, default 30; +10 for a preferred kind
  specialties     +20 when a must-have is met, +15 for each nice-to-have the cadre has
  commute         −1 per km from home to the post
  rotation        −40 when the cadre served within the round's rotation window
Eligibility: active cadre, agency in the round, not deployed elsewhere, no unavailable period
overlapping the demand, no health restriction on a high-hazard post, a must-have specialty when
the demand names any, within the round's maximum commute.
"""

import math
from dataclasses import dataclass, field
from datetime import timedelta

from xiachen.solver import matching as solver

from .enums import ACTIVE_MATCH_STATUSES, Hazard, MatchStatus
from .models import AffinityWeight, Demand, Deployment, Match, Round

DEFAULT_AFFINITY = 30
PREFERRED_KIND_BONUS = 10
MUST_HAVE_POINTS = 20
NICE_TO_HAVE_POINTS = 15
ROTATION_PENALTY = 40
MEDICAL_SPECIALTIES = frozenset({"medicine", "nursing", "public_health"})


@dataclass
class DemandFacts:
    demand: Demand
    must_have: frozenset[str]
    nice_to_have: frozenset[str]
    preferred_kinds: frozenset[str]
    latitude: float | None
    longitude: float | None


@dataclass
class CadreFacts:
    cadre_id: int
    agency_id: int
    agency_kind: str
    specialties: frozenset[str]
    latitude: float | None
    longitude: float | None
    restricted: bool
    unavailable: list[tuple] = field(default_factory=list)
    served_recently: bool = False


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(a))


def commute_km(cadre: CadreFacts, demand: DemandFacts) -> float:
    if None in (cadre.latitude, cadre.longitude, demand.latitude, demand.longitude):
        return 0.0
    return haversine_km(cadre.latitude, cadre.longitude, demand.latitude, demand.longitude)


def ineligibility(cadre: CadreFacts, facts: DemandFacts, max_km: int) -> str | None:
    """The reason a cadre cannot take a demand, or None when eligible."""
    demand = facts.demand
    if any(start <= demand.end and end >= demand.start for start, end in cadre.unavailable):
        return "unavailable"
    if cadre.restricted and demand.hazard == Hazard.HIGH:
        return "health"
    if facts.must_have and not facts.must_have & cadre.specialties:
        return "specialty_missing"
    if commute_km(cadre, facts) > max_km:
        return "too_far"
    return None


def score_arc(cadre: CadreFacts, facts: DemandFacts, affinities: dict) -> solver.Arc:
    affinity = affinities.get((cadre.agency_kind, facts.demand.post_type_id), DEFAULT_AFFINITY)
    if cadre.agency_kind in facts.preferred_kinds:
        affinity += PREFERRED_KIND_BONUS
    points = MUST_HAVE_POINTS if facts.must_have else 0
    points += NICE_TO_HAVE_POINTS * len(facts.nice_to_have & cadre.specialties)
    return solver.Arc(
        cadre_id=cadre.cadre_id,
        post_id=facts.demand.pk,
        affinity=affinity,
        specialties_met=points,
        commute_penalty=round(commute_km(cadre, facts)),
        rotation_penalty=ROTATION_PENALTY if cadre.served_recently else 0,
    )


def demand_facts(round_: Round) -> list[DemandFacts]:
    demands = round_.demands.select_related("post_type", "unit").prefetch_related(
        "must_have_any",
        "nice_to_have",
        "preferred_agency_kinds",
        "post_type__must_have_any",
        "post_type__nice_to_have",
    )
    return [_facts_of(demand) for demand in demands.order_by("pk")]


def _facts_of(demand: Demand) -> DemandFacts:
    must = {s.code for s in demand.must_have_any.all()} or {s.code for s in demand.post_type.must_have_any.all()}
    nice = {s.code for s in demand.nice_to_have.all()} or {s.code for s in demand.post_type.nice_to_have.all()}
    lat = demand.latitude if demand.latitude is not None else demand.unit.latitude
    lon = demand.longitude if demand.longitude is not None else demand.unit.longitude
    return DemandFacts(
        demand=demand,
        must_have=frozenset(must),
        nice_to_have=frozenset(nice),
        preferred_kinds=frozenset(k.code for k in demand.preferred_agency_kinds.all()),
        latitude=float(lat) if lat is not None else None,
        longitude=float(lon) if lon is not None else None,
    )


def cadre_facts(round_: Round) -> list[CadreFacts]:
    """Active cadres of the round's agencies who are not deployed elsewhere right now."""
    from xiachen.cadres.enums import AvailabilityKind
    from xiachen.cadres.models import Cadre

    agency_ids = list(round_.agencies.values_list("agency_id", flat=True))
    deployed = Deployment.objects.filter(is_active=True).exclude(match__round=round_).values("cadre_id")
    cadres = (
        Cadre.objects.filter(agency_id__in=agency_ids, is_active=True)
        .exclude(pk__in=deployed)
        .select_related("agency__agency_kind")
        .prefetch_related("specialties", "availability", "service_records")
        .order_by("pk")
    )
    recent = round_.start - timedelta(days=round_.rotation_window_days)
    return [
        CadreFacts(
            cadre_id=c.pk,
            agency_id=c.agency_id,
            agency_kind=c.agency.agency_kind.code if c.agency.agency_kind_id else "",
            specialties=frozenset(s.code for s in c.specialties.all()),
            latitude=float(c.home_latitude) if c.home_latitude is not None else None,
            longitude=float(c.home_longitude) if c.home_longitude is not None else None,
            restricted=bool(c.health_restrictions.strip()),
            unavailable=[(p.start, p.end) for p in c.availability.all() if p.kind == AvailabilityKind.UNAVAILABLE],
            served_recently=any((r.end or round_.start) >= recent for r in c.service_records.all()),
        )
        for c in cadres
    ]


def affinity_table() -> dict[tuple[str, int], int]:
    return {
        (kind, post): weight
        for kind, post, weight in AffinityWeight.objects.values_list("agency_kind__code", "post_type_id", "weight")
    }


def declined_in_round(round_: Round) -> tuple[set[tuple[int, int]], set[int]]:
    """What earlier answers rule out: (cadre, demand) pairs released by a decline, a no-show or a
    replacement, and cadres declined for the whole round (a decline counts for every post of the
    round unless the agency allowed other posts)."""
    released = (MatchStatus.DECLINED, MatchStatus.NO_SHOW, MatchStatus.REPLACED)
    rows = round_.matches.filter(status__in=released).values_list("cadre_id", "demand_id", "status",
                                                                  "other_posts_allowed")
    pairs = {(cadre, demand) for cadre, demand, _status, _allowed in rows}
    cadres = {cadre for cadre, _demand, status, allowed in rows if status == MatchStatus.DECLINED and not allowed}
    return pairs, cadres


def build_problem(round_: Round, *, keep_proposed: bool = True) -> solver.MatchingProblem:
    """The round as a solver problem. Confirmed (and arrived) matches are always kept fixed; still-
    proposed ones too when `keep_proposed` (re-matching the places freed by a decline), so only the
    freed places move. A declined cadre is not proposed again in the round (see declined_in_round)."""
    demands, cadres, affinities = demand_facts(round_), cadre_facts(round_), affinity_table()
    declined, declined_cadres = declined_in_round(round_)
    arcs, exclusions = [], []
    for facts in demands:
        for cadre in cadres:
            if (cadre.cadre_id, facts.demand.pk) in declined:
                reason = "declined"
            elif cadre.cadre_id in declined_cadres:
                reason = "declined_in_round"
            else:
                reason = ineligibility(cadre, facts, round_.max_commute_km)
            if reason:
                exclusions.append(solver.Exclusion(cadre.cadre_id, facts.demand.pk, reason))
            else:
                arcs.append(score_arc(cadre, facts, affinities))
    kept = ACTIVE_MATCH_STATUSES if keep_proposed else (MatchStatus.CONFIRMED, MatchStatus.ARRIVED)
    fixed = tuple(round_.matches.filter(status__in=kept).values_list("cadre_id", "demand_id"))
    return solver.MatchingProblem(
        cadres=tuple(
            solver.Cadre(
                c.cadre_id, c.agency_id, medical=bool(c.specialties & MEDICAL_SPECIALTIES), specialties=c.specialties
            )
            for c in cadres
        ),
        posts=tuple(
            solver.Post(
                f.demand.pk,
                f.demand.headcount,
                requires_medical=f.demand.needs_medical,
                required_specialties=f.must_have,
            )
            for f in demands
        ),
        arcs=tuple(arcs),
        agency_quotas=dict(round_.agencies.values_list("agency_id", "quota")),
        fixed=tuple(sorted(fixed)),
        max_per_agency_per_post=round_.max_per_agency_per_post,
        exclusions=tuple(exclusions),
    )


def explain(match: Match) -> list[tuple[str, int]]:
    """The score of a match term by term, as stored."""
    return [
        ("affinity", match.affinity),
        ("specialties", match.specialty_points),
        ("commute", -match.commute_penalty),
        ("rotation", -match.rotation_penalty),
    ]
