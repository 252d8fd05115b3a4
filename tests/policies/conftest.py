import pytest

from .builders import make_document, make_feedback


@pytest.fixture
def policy(tree, people):
    return make_document(tree, people)


@pytest.fixture
def feedback(policy, people):
    return make_feedback(policy[1], people.cadre_user1)
