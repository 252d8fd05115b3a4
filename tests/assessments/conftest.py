import pytest

from xiachen.assessments.services import assign_grades, compute_scores, evaluate

from .builders import ALL, served_round


@pytest.fixture
def served(tree, people, cadre1):
    """A published round in which cadre1 (agency1) served at community1."""
    return served_round(tree, people, cadres_at_1=[cadre1])


@pytest.fixture
def graded(served, people, cadre1):
    """cadre1 evaluated 95 on every dimension (no confirmed complaint: total 95.33), scored and graded
    优秀: their Score."""
    evaluate(by=people.manager1, round_=served, cadre=cadre1, period="final", scores=dict.fromkeys(ALL, 95))
    compute_scores(by=people.org_department, round_=served)
    assign_grades(by=people.org_department, round_=served, quotas={"excellent": (0, 100)})
    return served.scores.get()
