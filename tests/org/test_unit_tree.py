import pytest
from django.urls import reverse

from xiachen.cadres.models import Cadre
from xiachen.org.models import Unit, UnitKind
from xiachen.org.services import UnitError, create_unit, move_unit


def test_unit_paths_follow_codes(tree):
    assert tree.compound1.path == "/420100/420102/420102001/420102001001/420102001001001/"
    assert tree.compound1.depth == 4


def test_create_unit_is_audited_and_scoped(people, tree):
    unit = create_unit(
        by=people.org_department,
        code="420102001002",
        name="新社区",
        kind=UnitKind.objects.get(code="community"),
        parent=tree.street1,
    )
    assert unit.path == "/420100/420102/420102001/420102001002/"
    with pytest.raises(UnitError, match="单位代码 420102001002 已被使用"):
        create_unit(
            by=people.org_department,
            code="420102001002",
            name="重复",
            kind=UnitKind.objects.get(code="community"),
            parent=tree.street1,
        )


def test_move_unit_rewrites_the_whole_subtree_and_denormalized_paths(people, tree, resident1):
    move_unit(by=people.org_department, unit=tree.community1, new_parent=tree.street2)
    compound = Unit.objects.get(pk=tree.compound1.pk)
    assert compound.path == "/420100/420103/420103002/420102001001/420102001001001/"
    resident1.refresh_from_db()
    assert resident1.compound_path == compound.path


def test_unit_cannot_move_under_itself(people, tree):
    with pytest.raises(UnitError, match="不能把单位移到它自己的下级单位之下"):
        move_unit(by=people.org_department, unit=tree.district1, new_parent=tree.community1)


def test_agency_path_of_cadres_is_kept(cadre1, tree):
    assert Cadre.objects.get(pk=cadre1.pk).agency_path == tree.agency1.path


@pytest.mark.parametrize("count", [1, 3])
def test_unit_list_query_count_is_independent_of_size(client, people, tree, count, django_assert_num_queries):
    client.force_login(people.manager2)
    for index in range(count - 1):
        Unit.objects.create(
            code=f"42010300200100{index + 2}",
            name=f"小区{index}",
            kind=tree.compound2.kind,
            parent=tree.community2,
            path=f"{tree.community2.path}c{index}/",
        )
    with django_assert_num_queries(6):
        response = client.get(reverse("org:list"), {"kind": "compound"})
    assert len(response.context["page"].object_list) == count


def test_english_is_available(client, people):
    client.force_login(people.org_department)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert 'lang="en"' in client.get(reverse("accounts:home")).content.decode()
