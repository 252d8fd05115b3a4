"""The staff menu: entries grouped into the fixed menus, only those the user may open, each page once."""

import pytest
from django.urls import reverse

from xiachen.accounts.context_processors import GROUPS, SECTIONS, add_section, nav_groups

pytestmark = pytest.mark.django_db


def labels(groups) -> dict[str, list[str]]:
    return {group.key: [str(item["label"]) for item in group.items] for group in groups}


def test_every_entry_is_in_a_known_group_and_each_url_name_resolves():
    keys = {key for key, _label in GROUPS}
    for _permission, name, _label, group in SECTIONS:
        assert group in keys, name
        assert reverse(name)


def test_manager_menu_is_grouped_without_duplicates(people):
    groups = nav_groups(people.manager1)
    names = [item["name"] for group in groups for item in group.items]
    assert len(names) == len(set(names))
    assert [group.key for group in groups] == ["work", "people", "rounds", "rosters", "community", "volunteers",
                                               "passes", "hotline", "assessment"]
    assert labels(groups)["passes"][:4] == ["通行证", "扫码记录", "发热预警", "核验不一致"]
    assert len(groups) <= 9 and all(len(group.items) <= 10 for group in groups)


def test_organization_department_reaches_demands_and_the_affinity_matrix(people):
    rounds = labels(nav_groups(people.org_department))["rounds"]
    assert rounds == ["派驻轮次", "岗位需求", "单位与岗位匹配度"]


def test_cadre_finds_their_own_work_first(people):
    work = labels(nav_groups(people.cadre_user1))["work"]
    assert work == ["我的派驻与报到", "我的排班", "我的代办", "今日走访"]


def test_a_group_with_one_entry_is_a_plain_link(people):
    groups = {group.key: group for group in nav_groups(people.auditor)}
    assert str(groups["system"].single["label"]) == "审计日志"
    assert groups["assessment"].single is None  # 政策文件 and 反馈台账
    assert "community" not in groups


def test_an_unknown_group_is_refused():
    with pytest.raises(ValueError):
        add_section("audit.view", "audit:list", "x", group="misc")


def test_liaison_finds_the_agencys_annual_assessment_download_on_the_assessment_page(client, tree, people):
    client.force_login(people.liaison1)
    html = client.get(reverse("assessments:index")).content.decode()
    href = reverse("assessments:agency_export", args=[tree.agency1.public_id])
    assert f'href="{href}?year=' in html
    assert reverse("assessments:agency_export", args=[tree.agency2.public_id]) not in html
    response = client.get(href)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
