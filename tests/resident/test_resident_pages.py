"""Resident pages: asking for an errand, bad input (another household, double submission),
confirming and rating, return reports and daily health reports, query counts."""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from xiachen.errands.models import Errand, QuarantineEpisode, ReturnReport

from ..factories import HouseholdFactory


@pytest.fixture
def signed_in(client, people):
    client.force_login(people.resident_user1)
    return client


def post_errand(client, household_id, key=None, **data):
    return client.post(reverse("resident:errand_new"), {
        "kind": "groceries", "details": "大米一袋", "household": household_id,
        "submission_key": key or uuid.uuid4(), **data,
    })


def test_resident_asks_for_groceries(signed_in, resident1):
    response = post_errand(signed_in, resident1.household.public_id)
    errand = Errand.objects.get()
    assert response["Location"] == reverse("resident:errand_detail", args=[errand.public_id])
    assert (errand.household, errand.resident, errand.kind) == (resident1.household, resident1, "groceries")


def test_request_for_another_household_is_refused(signed_in, resident1, tree):
    other = HouseholdFactory(compound=tree.compound1)
    response = signed_in.post(reverse("resident:errand_new"), {
        "kind": "meal", "details": "午餐", "household": other.public_id, "submission_key": uuid.uuid4(),
    }, follow=True)
    assert "只能为本户申请代办服务" in response.content.decode()
    assert Errand.objects.count() == 0


def test_double_submission_creates_one_errand(signed_in, resident1):
    key = uuid.uuid4()
    post_errand(signed_in, resident1.household.public_id, key)
    response = post_errand(signed_in, resident1.household.public_id, key)
    assert Errand.objects.count() == 1
    assert "请勿重复提交" in signed_in.get(response["Location"]).content.decode()


def test_empty_details_get_a_chinese_message(signed_in, resident1):
    response = post_errand(signed_in, resident1.household.public_id, details="")
    assert "这个字段是必填项" in response.content.decode()
    assert Errand.objects.count() == 0


def test_confirm_and_rate_a_delivered_errand(signed_in, resident1):
    post_errand(signed_in, resident1.household.public_id)
    errand = Errand.objects.get()
    Errand.objects.filter(pk=errand.pk).update(status="delivered")
    signed_in.post(reverse("resident:errand_confirm", args=[errand.public_id]), {"rating": "5", "comment": "谢谢"})
    errand.refresh_from_db()
    assert (errand.status, errand.rating, errand.comment) == ("confirmed", 5, "谢谢")


def test_confirming_twice_changes_nothing(signed_in, resident1):
    post_errand(signed_in, resident1.household.public_id)
    errand = Errand.objects.get()
    Errand.objects.filter(pk=errand.pk).update(status="delivered")
    url = reverse("resident:errand_confirm", args=[errand.public_id])
    signed_in.post(url, {"rating": "4"})
    response = signed_in.post(url, {"rating": "1"}, follow=True)
    assert "代办不能从“居民已确认”变为“居民已确认”" in response.content.decode()
    errand.refresh_from_db()
    assert errand.rating == 4


def test_confirming_before_delivery_is_refused(signed_in, resident1):
    post_errand(signed_in, resident1.household.public_id)
    errand = Errand.objects.get()
    response = signed_in.post(reverse("resident:errand_confirm", args=[errand.public_id]), {"rating": "5"}, follow=True)
    assert "代办不能从“待接单”变为“居民已确认”" in response.content.decode()
    errand.refresh_from_db()
    assert (errand.status, errand.rating) == ("requested", None)


def test_another_households_errand_is_404(signed_in, people, tree):
    other = HouseholdFactory(compound=tree.compound1)
    errand = Errand.objects.create(household=other, kind="meal", details="午餐", requested_by=people.manager1,
                                   submission_key=uuid.uuid4())
    assert signed_in.get(reverse("resident:errand_detail", args=[errand.public_id])).status_code == 404
    assert signed_in.post(reverse("resident:errand_cancel", args=[errand.public_id])).status_code == 404


@pytest.mark.parametrize("count", [1, 3])
def test_resident_home_query_count(signed_in, resident1, count, django_assert_num_queries):
    for _ in range(count):
        post_errand(signed_in, resident1.household.public_id)
    # session, user, resident, episode + one query per home list (passes, errands, tickets, corrections,
    # surveys, notices), whatever the number of items
    with django_assert_num_queries(13):
        response = signed_in.get(reverse("resident:home"))
    assert len(response.context["work"].errands.items) == count


def test_return_report_opens_monitoring_once(signed_in, resident1):
    key = uuid.uuid4()
    data = {"origin": "湖北省孝感市", "arrived_on": timezone.localdate().isoformat(), "travel_mode": "train",
            "travel_detail": "G1234", "submission_key": key}
    signed_in.post(reverse("resident:return_new"), data)
    signed_in.post(reverse("resident:return_new"), data)
    assert ReturnReport.objects.count() == 1
    episode = QuarantineEpisode.objects.get()
    assert (episode.kind, episode.resident) == ("health_monitoring", resident1)


def test_return_in_the_future_is_refused(signed_in, resident1):
    response = signed_in.post(reverse("resident:return_new"), {
        "origin": "北京", "arrived_on": (timezone.localdate() + timedelta(days=2)).isoformat(),
        "travel_mode": "car", "submission_key": uuid.uuid4(),
    })
    assert "返回日期不能晚于今天" in response.content.decode()
    assert ReturnReport.objects.count() == 0


def test_daily_health_report_once_a_day(signed_in, people, resident1):
    from xiachen.errands.quarantine import open_episode

    today = timezone.localdate()
    open_episode(by=people.manager1, resident=resident1, kind="home_quarantine", start=today,
                 planned_end=today + timedelta(days=13))
    signed_in.post(reverse("resident:health_report"), {"temperature": "36.6"})
    response = signed_in.post(reverse("resident:health_report"), {"temperature": "36.8"})
    assert "今天已经上报过了" in response.content.decode()
    assert QuarantineEpisode.objects.get().reports.count() == 1


def test_health_report_without_episode_redirects(signed_in):
    assert signed_in.get(reverse("resident:health_report"))["Location"] == reverse("resident:home")
