import pytest

from xiachen.hotline.vocabulary import load_defaults

from .builders import make_ticket


@pytest.fixture
def defaults(db):
    load_defaults()


@pytest.fixture
def ticket(people, tree, defaults):
    """A general request from compound1, dispatched by address to community1."""
    return make_ticket(people, tree.compound1)
