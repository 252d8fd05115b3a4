"""Who a call-out invites: members ranked by fit through the rounds' matcher (xiachen.solver.matching).

This module never imports Django (like the solver): the service reads the members into frozen
`Candidate` facts and gets back the chosen members in rank order. The call-out is one post whose
headcount is the number of invitations (headcount × invite factor); each member is a "cadre" with an
eligible arc whose integer score is

    affinity        BASE + availability bonus (the member says they can serve at that time)
    specialties_met SKILL_POINTS per required skill the member has
    commute_penalty DISTANCE_POINTS per org-tree level between the member's home and the call-out's
                    place (same compound 0, same community 1, same street 2, same district 3 …)
    rotation_penalty LOAD_POINTS per service in the last 30 days (records and accepted call-outs)

BASE keeps every score positive (the matcher only makes a match that raises its objective), so the
matcher takes the best `slots` members; ties go to the lower member id (input order).
"""

from __future__ import annotations

from dataclasses import dataclass

from xiachen.solver import matching as solver

BASE = 1000
AVAILABLE_POINTS = 60
SKILL_POINTS = 100
DISTANCE_POINTS = 25
LOAD_POINTS = 15
MAX_LOAD = 10
POST = "call_out"


@dataclass(frozen=True)
class Candidate:
    member_id: int
    home_path: str  # the member's compound path (else their community's)
    skills: frozenset[int] = frozenset()
    available: bool = True
    recent_load: int = 0


@dataclass(frozen=True)
class Need:
    place_path: str  # the unit the call-out is for (its area, or the calling community)
    skills: frozenset[int]
    slots: int


@dataclass(frozen=True)
class Ranked:
    member_id: int
    score: int
    skills_met: int
    distance: int
    available: bool
    recent_load: int


def distance(home_path: str, place_path: str) -> int:
    """Org-tree levels between a member's home and the place: levels of `home` below the deepest
    unit the two paths share. 0 when the home lies inside the place."""
    home = [part for part in home_path.split("/") if part]
    place = [part for part in place_path.split("/") if part]
    shared = 0
    for mine, theirs in zip(home, place, strict=False):
        if mine != theirs:
            break
        shared += 1
    if shared == len(place):
        return 0
    return len(home) - shared


def arc_for(candidate: Candidate, need: Need) -> solver.Arc:
    return solver.Arc(
        cadre_id=candidate.member_id,
        post_id=POST,
        affinity=BASE + (AVAILABLE_POINTS if candidate.available else 0),
        specialties_met=SKILL_POINTS * len(candidate.skills & need.skills),
        commute_penalty=DISTANCE_POINTS * distance(candidate.home_path, need.place_path),
        rotation_penalty=LOAD_POINTS * min(candidate.recent_load, MAX_LOAD),
    )


def build_problem(candidates: list[Candidate], need: Need) -> solver.MatchingProblem:
    ordered = sorted(candidates, key=lambda c: c.member_id)
    return solver.MatchingProblem(
        cadres=tuple(solver.Cadre(cadre_id=c.member_id, agency_id=c.member_id) for c in ordered),
        posts=(solver.Post(post_id=POST, headcount=max(need.slots, 0)),),
        arcs=tuple(arc_for(c, need) for c in ordered),
    )


def rank(candidates: list[Candidate], need: Need) -> list[Ranked]:
    """The members to invite, best fit first (at most `need.slots`)."""
    if not candidates or need.slots <= 0:
        return []
    result = solver.solve(build_problem(candidates, need))
    by_id = {c.member_id: c for c in candidates}
    chosen = []
    for explanation in result.explanations:
        candidate = by_id[explanation.cadre_id]
        chosen.append(Ranked(
            member_id=candidate.member_id, score=explanation.score,
            skills_met=len(candidate.skills & need.skills),
            distance=distance(candidate.home_path, need.place_path),
            available=candidate.available, recent_load=candidate.recent_load,
        ))
    chosen.sort(key=lambda r: (-r.score, r.member_id))
    return chosen
