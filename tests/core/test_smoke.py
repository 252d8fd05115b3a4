from xiachen.org.models import Unit


def test_tree_subtree_is_one_prefix_query(tree, django_assert_num_queries):
    with django_assert_num_queries(1):
        names = list(Unit.objects.subtree_of(tree.district1).values_list("name", flat=True))
    assert names == ["江岸区", "大智街道", "车站路社区", "车站路小区"]
