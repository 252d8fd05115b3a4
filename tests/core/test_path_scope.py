"""`path_within` (the scope of every read) selects exactly a subtree whichever form it takes: an
index range on SQLite, LIKE on PostgreSQL or for a broad scope (issue #14 item 6)."""

import pytest

from xiachen.org.models import Unit, is_broad_scope, path_within

from ..factories import make_unit


@pytest.fixture
def lookalikes(tree):
    """Units whose codes extend a sibling's code: '/…/420102001/' must not fall in '/…/42010200/'."""
    street = make_unit("42010200", "相似街道", "street", tree.district1)
    make_unit("4201020011", "前缀社区", "community", street)
    return street


@pytest.mark.parametrize("indexed", [True, False])
def test_path_within_selects_exactly_the_subtree(tree, lookalikes, indexed):
    every = list(Unit.objects.all())
    for unit in every:
        expected = {u.pk for u in every if u.path.startswith(unit.path)}
        found = set(Unit.objects.filter(path_within([unit.path], indexed=indexed)).values_list("pk", flat=True))
        assert found == expected, unit.path
    both = set(Unit.objects.filter(path_within([tree.street1.path, lookalikes.path], indexed=indexed)).values_list(
        "pk", flat=True))
    assert both == {u.pk for u in every if u.path.startswith((tree.street1.path, lookalikes.path))}
    assert not Unit.objects.filter(path_within([], indexed=indexed)).exists()


def test_broad_scope_is_a_city_or_a_district(tree):
    assert is_broad_scope([tree.city.path]) and is_broad_scope([tree.community1.path, tree.district1.path])
    assert not is_broad_scope([tree.street1.path, tree.community2.path])
    assert not is_broad_scope([])
