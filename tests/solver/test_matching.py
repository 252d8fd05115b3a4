"""Function tests for the cadre-to-post matcher: brute-force equality on tiny instances plus properties."""

from __future__ import annotations

import itertools
from collections import Counter

import numpy as np
import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from tests.solver.pinned import pinned
from xiachen.solver.matching import (
    Arc,
    ArcTable,
    Cadre,
    Exclusion,
    MatchingProblem,
    MatchingResult,
    Post,
    greedy,
    greedy_table,
    solve,
    solve_table,
)

FAST = pinned(300)


@st.composite
def problems(draw: st.DrawFn, side_constraints: bool, medical_conflict: bool = False) -> MatchingProblem:
    """Tiny random instances (<= 5 cadres x 3 posts) so that brute force stays cheap.

    ``medical_conflict`` makes medically trained cadres the worst fit, so the medical rule binds.
    """
    n_cadres = draw(st.integers(1, 5))
    n_posts = draw(st.integers(1, 3))
    agencies = ["A", "B"][: draw(st.integers(1, 2))]
    cadres = tuple(
        Cadre(
            f"c{i}", draw(st.sampled_from(agencies)), medical=side_constraints and draw(st.integers(0, 2)) > 0
        )
        for i in range(n_cadres)
    )
    posts = tuple(
        Post(
            f"p{j}",
            draw(st.integers(0, 2)),
            requires_medical=side_constraints and draw(st.integers(0, 2)) == 0,
        )
        for j in range(n_posts)
    )
    arcs = tuple(
        Arc(
            c.cadre_id,
            p.post_id,
            draw(_affinity(c.medical, medical_conflict)),
            draw(st.integers(0, 3)),
            draw(st.integers(0, 4)),
            draw(st.integers(0, 2)),
        )
        for c in cadres
        for p in posts
        if draw(st.integers(0, 3)) > 0
    )
    if not side_constraints:
        return MatchingProblem(cadres, posts, arcs)
    quotas = {a: draw(st.integers(0, 3)) for a in agencies if draw(st.booleans())}
    k = draw(st.one_of(st.none(), st.integers(1, 2)))
    fixed = (
        ()
        if medical_conflict
        else tuple(
            (c.cadre_id, draw(st.sampled_from(own)).post_id)
            for c in cadres
            if (own := [a for a in arcs if a.cadre_id == c.cadre_id]) and draw(st.integers(0, 4)) == 0
        )
    )
    if (
        not medical_conflict and draw(st.integers(0, 9)) == 0
    ):  # occasionally an ineligible or conflicting fixed match
        fixed += ((draw(st.sampled_from(cadres)).cadre_id, draw(st.sampled_from(posts)).post_id),)
    return MatchingProblem(cadres, posts, arcs, agency_quotas=quotas, fixed=fixed, max_per_agency_per_post=k)


def _affinity(medical: bool, medical_conflict: bool) -> st.SearchStrategy[int]:
    if not medical_conflict:
        return st.integers(0, 9)
    return st.integers(0, 3) if medical else st.integers(6, 12)


def violations(problem: MatchingProblem, assignments: tuple[tuple[str, str], ...]) -> list[str]:
    """Every broken constraint of a plan; empty means the plan is feasible."""
    agency = {c.cadre_id: c.agency_id for c in problem.cadres}
    medical = {c.cadre_id for c in problem.cadres if c.medical}
    eligible = {(a.cadre_id, a.post_id) for a in problem.arcs}
    out = [f"ineligible {m}" for m in assignments if m not in eligible]
    cadre_count = Counter(c for c, _ in assignments)
    out += [f"cadre {c} twice" for c, n in cadre_count.items() if n > 1]
    per_post = Counter(p for _, p in assignments)
    out += [f"post {p.post_id} over" for p in problem.posts if per_post[p.post_id] > p.headcount]
    per_agency = Counter(agency[c] for c, _ in assignments)
    out += [f"quota {a}" for a, q in problem.agency_quotas.items() if per_agency[a] > q]
    if problem.max_per_agency_per_post is not None:
        pairs = Counter((agency[c], p) for c, p in assignments)
        out += [f"cap {k}" for k, n in pairs.items() if n > problem.max_per_agency_per_post]
    med_posts = {p for c, p in assignments if c in medical}
    out += [
        f"medical {p.post_id}" for p in problem.posts if p.requires_medical and p.post_id not in med_posts
    ]
    chosen = set(assignments)
    out += [f"fixed {m} dropped" for m in problem.fixed if m not in chosen]
    return out


def brute_force(problem: MatchingProblem) -> int | None:
    """Best objective over all plans, or None when no plan satisfies the constraints."""
    options = [[None] + [a for a in problem.arcs if a.cadre_id == c.cadre_id] for c in problem.cadres]
    best = None
    for combo in itertools.product(*options):
        chosen = [a for a in combo if a is not None]
        if not violations(problem, tuple((a.cadre_id, a.post_id) for a in chosen)):
            value = sum(a.score for a in chosen)
            best = value if best is None else max(best, value)
    return best


def assert_valid(problem: MatchingProblem, result: MatchingResult) -> None:
    assert violations(problem, result.assignments) == []
    assert result.objective == sum(e.score for e in result.explanations)
    assert result.bound is None or result.bound >= result.objective
    filled = Counter(p for _, p in result.assignments)
    vacancies = {u.post_id: u.vacancies for u in result.unfilled}
    for post in problem.posts:
        assert vacancies.get(post.post_id, 0) == post.headcount - filled[post.post_id]


@FAST
@given(problems(side_constraints=False))
def test_pure_matching_equals_brute_force(problem: MatchingProblem) -> None:
    result = solve(problem)
    assert result.status == "optimal" and result.method == "min_cost_flow"
    assert result.objective == brute_force(problem) == result.bound
    assert result.gap == 0.0
    assert_valid(problem, result)


@FAST
@given(st.one_of(problems(side_constraints=True), problems(side_constraints=True, medical_conflict=True)))
def test_side_constraints_equal_brute_force(problem: MatchingProblem) -> None:
    expected = brute_force(problem)
    result = solve(problem, time_limit=5)
    event(f"{result.method}:{result.status}")
    if expected is None:
        assert result.status == "infeasible" and result.infeasibility
        assert all(isinstance(reason, str) and reason for reason in result.infeasibility)
    else:
        assert result.status == "optimal", result
        assert result.objective == expected
        assert_valid(problem, result)


@pinned(40)
@given(problems(side_constraints=True))
def test_deterministic_and_greedy_is_valid_and_not_better(problem: MatchingProblem) -> None:
    first, second = solve(problem, seed=3), solve(problem, seed=3)
    assert (first.assignments, first.objective, first.unfilled) == (
        second.assignments,
        second.objective,
        second.unfilled,
    )
    base = greedy(problem)
    if base.status != "infeasible":
        relaxed = MatchingProblem(
            problem.cadres,
            tuple(Post(p.post_id, p.headcount) for p in problem.posts),
            problem.arcs,
            problem.agency_quotas,
            problem.fixed,
            problem.max_per_agency_per_post,
        )
        assert violations(relaxed, base.assignments) == []
        assert base.objective <= solve(relaxed).objective


@pinned(25)
@given(st.integers(0, 10_000))
def test_table_flow_matches_cp_sat_on_medium_instances(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_cadres, n_posts = 40, 12
    cadre = np.repeat(np.arange(n_cadres), 5)
    post = rng.integers(0, n_posts, len(cadre))
    keep = np.unique(cadre * n_posts + post, return_index=True)[1]
    cadre, post = cadre[keep], post[keep]
    score = rng.integers(-5, 30, len(cadre))
    agency = rng.integers(0, 3, n_cadres)
    pairs = np.unique(agency[cadre] * n_posts + post, return_inverse=True)[1]
    table = ArcTable(
        n_cadres,
        cadre,
        post,
        score,
        rng.integers(0, 5, n_posts),
        agency,
        np.array([9, 4, 20]),
        pairs,
        np.full(pairs.max() + 1, 2),
    )
    plan = solve_table(table)
    greedy_plan = greedy_table(table)
    assert score[plan].sum() >= score[greedy_plan].sum()
    assert score[plan].sum() == _cp_sat_optimum(table)


def _cp_sat_optimum(t: ArcTable) -> int:
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    x = [model.new_bool_var("") for _ in t.arc_score]
    groups = [
        (t.arc_cadre, np.ones(t.n_cadres, int)),
        (t.arc_post, t.post_cap),
        (t.cadre_agency[t.arc_cadre], t.agency_cap),
        (t.arc_pair, t.pair_cap),
    ]
    for keys, caps in groups:
        for g, cap in enumerate(caps.tolist()):
            model.add(sum(x[a] for a in np.flatnonzero(keys == g).tolist()) <= cap)
    model.maximize(cp_model.LinearExpr.weighted_sum(x, t.arc_score.tolist()))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.solve(model) == cp_model.OPTIMAL
    return round(solver.objective_value)


def _two_posts(**kwargs: object) -> MatchingProblem:
    cadres = (
        Cadre("doc", "health", medical=True),
        Cadre("clerk", "finance"),
        Cadre("nurse", "health", medical=True),
    )
    posts = (Post("clinic", 1, requires_medical=True), Post("station", 2, requires_medical=True))
    arcs = (
        Arc("doc", "clinic", 5),
        Arc("doc", "station", 9),
        Arc("clerk", "clinic", 20),
        Arc("clerk", "station", 3),
        Arc("nurse", "station", 4),
    )
    return MatchingProblem(cadres, posts, arcs, **kwargs)  # type: ignore[arg-type]


def test_medical_requirement_overrides_best_fit() -> None:
    expected = {("doc", "clinic"), ("nurse", "station"), ("clerk", "station")}
    result = solve(_two_posts())
    assert result.method == "min_cost_flow_lower_bounds" and result.optimal
    assert set(result.assignments) == expected and result.objective == 12
    capped = solve(_two_posts(max_per_agency_per_post=1))
    assert capped.optimal and capped.gap == 0.0
    assert set(capped.assignments) == expected


def test_infeasible_medical_requirement_is_explained() -> None:
    result = solve(_two_posts(agency_quotas={"health": 1}))
    assert result.status == "infeasible" and not result.assignments
    assert any("medically trained" in reason for reason in result.infeasibility)


def test_fixed_matches_kept_and_overbooking_explained() -> None:
    result = solve(_two_posts(fixed=(("clerk", "clinic"),)))
    assert result.status == "infeasible"
    assert "fixed matches fill all its places" in result.infeasibility[0]
    ok = solve(_two_posts(fixed=(("clerk", "station"),)))
    assert ("clerk", "station") in ok.assignments and ok.optimal
    assert [e.fixed for e in ok.explanations if e.cadre_id == "clerk"] == [True]
    bad = solve(_two_posts(fixed=(("nurse", "clinic"),)))
    assert "not an eligible pair" in bad.infeasibility[0]


def test_unfilled_places_have_reasons() -> None:
    cadres = (Cadre("a", "g", specialties=frozenset({"audit"})), Cadre("b", "g"))
    posts = (
        Post("far", 1),
        Post("vet", 1, required_specialties=frozenset({"veterinary"})),
        Post("open", 2),
        Post("bare", 1),
    )
    arcs = (Arc("a", "open", 3), Arc("b", "open", 1, commute_penalty=4))
    problem = MatchingProblem(cadres, posts, arcs, exclusions=(Exclusion("a", "far", "too far"),))
    reasons = {u.post_id: (u.reason, u.vacancies) for u in solve(problem).unfilled}
    assert reasons == {
        "far": ("too far", 1),
        "vet": ("specialty missing", 1),
        "open": ("no candidate with positive fit", 1),
        "bare": ("no eligible candidate", 1),
    }


def test_progress_callback_and_score_breakdown() -> None:
    events = []
    result = solve(_two_posts(), progress=events.append)
    assert events[-1].stage == "done" and events[-1].objective == result.objective
    e = result.explanations[0]
    assert e.score == e.affinity + e.specialties_met - e.commute_penalty - e.rotation_penalty


def test_malformed_input_raises_value_error() -> None:
    with pytest.raises(ValueError, match="duplicate cadre"):
        solve(MatchingProblem((Cadre("a", "g"), Cadre("a", "g")), (), ()))
    with pytest.raises(ValueError, match="unknown id"):
        solve(MatchingProblem((Cadre("a", "g"),), (), (Arc("a", "nowhere", 1),)))


def test_an_unmet_medical_requirement_can_leave_the_medical_place_vacant_instead():
    """unmet_medical="vacancy": the post keeps one place empty for the medical cadre it lacks, its
    other places are filled, and the other posts are solved as usual (issue #16 item 13)."""
    from xiachen.solver.matching import MEDICAL_NONE_ELIGIBLE, Arc, Cadre, MatchingProblem, Post, solve

    problem = MatchingProblem(
        cadres=(Cadre("a1", "A"), Cadre("a2", "A"), Cadre("a3", "A")),
        posts=(Post("clinic", 2, requires_medical=True), Post("office", 1)),
        arcs=(Arc("a1", "clinic", affinity=50), Arc("a2", "clinic", affinity=40), Arc("a3", "office", affinity=30)),
    )
    assert solve(problem).status == "infeasible"
    result = solve(problem, unmet_medical="vacancy")
    assert result.status == "optimal"
    assert sorted(result.assignments) == [("a1", "clinic"), ("a3", "office")]
    assert [(u.post_id, u.vacancies, u.reason) for u in result.unfilled] == [("clinic", 1, MEDICAL_NONE_ELIGIBLE)]
