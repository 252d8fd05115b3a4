"""Policy list pages: constant query counts and pagination; feedback's personal data is registered."""

import pytest
from django.urls import reverse

from xiachen.core.personal_data import LegalBasis, registered
from xiachen.policies.models import FeedbackItem

from .builders import make_document, make_feedback

QUERIES = {"inbox": 5, "documents": 5, "version": 8}  # the same for 1 and 3 items


@pytest.mark.parametrize("count", [1, 3])
def test_inbox_query_count(client, policy, people, django_assert_num_queries, count):
    for _index in range(count):
        make_feedback(policy[1], people.cadre_user1)
    client.force_login(people.liaison1)
    with django_assert_num_queries(QUERIES["inbox"]):
        response = client.get(reverse("policies:inbox"))
    assert response.status_code == 200
    assert response.content.decode().count("夜间卡口无法核验工作证") == count


@pytest.mark.parametrize("count", [1, 3])
def test_documents_query_count(client, tree, people, django_assert_num_queries, count):
    for index in range(count):
        make_document(tree, people, number=f"武审〔2020〕{index + 1}号")
    client.force_login(people.hotline)
    with django_assert_num_queries(QUERIES["documents"]):
        response = client.get(reverse("policies:documents"))
    assert response.status_code == 200
    assert response.content.decode().count("下沉干部通行管理办法") == count


@pytest.mark.parametrize("count", [1, 3])
def test_version_detail_query_count(client, policy, people, django_assert_num_queries, count):
    for _index in range(count):
        make_feedback(policy[1], people.cadre_user1)
    client.force_login(people.hotline)
    with django_assert_num_queries(QUERIES["version"]):
        response = client.get(reverse("policies:version_detail", args=[policy[1].public_id]))
    assert response.status_code == 200


def test_version_feedback_list_is_paginated(client, policy, people):
    item = make_feedback(policy[1], people.cadre_user1)
    FeedbackItem.objects.bulk_create(
        FeedbackItem(version=item.version, author=item.author, author_role=item.author_role,
                     owner_agency=item.owner_agency, owner_path=item.owner_path, problem=f"旧问题{index:02d}",
                     where_seen="东门", due_date=item.due_date)
        for index in range(50)
    )
    client.force_login(people.hotline)
    url = reverse("policies:version_detail", args=[policy[1].public_id])
    first = client.get(url).content.decode()
    assert "第 1 / 2 页，共 51 条" in first
    second = client.get(url, {"page": 2}).content.decode()
    assert "夜间卡口无法核验工作证" in second and "旧问题" not in second  # newest first: the oldest is last


def test_feedback_text_and_photos_are_registered_personal_data():
    item, photo = registered("policies.FeedbackItem"), registered("policies.FeedbackPhoto")
    assert {"problem", "where_seen", "suggestion", "answer", "author"} <= set(item)
    assert item["problem"].legal_basis == LegalBasis.DUTY and item["problem"].retention_days == 3 * 365
    assert photo["image"].retention_days == 365 and photo["image"].purpose

