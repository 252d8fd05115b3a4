from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.urls import reverse

from xiachen.audit.models import AuditEvent
from xiachen.core.models import Holiday
from xiachen.core.workdays import Calendar, add_working_days
from xiachen.notices.models import Notification
from xiachen.policies.enums import FeedbackStatus
from xiachen.policies.models import FeedbackItem
from xiachen.policies.selectors import ledger_counts
from xiachen.policies.services import (
    PolicyError,
    add_version,
    answer_feedback,
    create_document,
    escalate_overdue,
    normalize_document_number,
)

from .builders import make_feedback

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_ten_working_days_skip_weekends():
    # Monday 2026-01-05 + 10 working days = Monday 2026-01-19
    assert add_working_days(date(2026, 1, 5), 10, Calendar()) == date(2026, 1, 19)


def test_holidays_and_makeup_days_move_the_deadline():
    holidays = Calendar(
        holidays=frozenset({date(2026, 1, 6), date(2026, 1, 7)}), extra_workdays=frozenset({date(2026, 1, 10)})
    )
    # two holidays (+2 days) and one Saturday worked (−1): Friday 2026-01-16 becomes Tuesday 2026-01-20
    assert add_working_days(date(2026, 1, 5), 10, holidays) == date(2026, 1, 20)


def test_feedback_deadline_uses_configured_holidays(policy, people):
    Holiday.objects.create(date=date(2026, 1, 12), name="测试假日")
    item = make_feedback(policy[1], people.cadre_user1, today=date(2026, 1, 5))
    assert item.due_date == date(2026, 1, 20)
    assert item.owner_agency == policy[0].issuing_agency
    assert item.author_role == "cadre"


def test_filing_notifies_the_issuing_agency_liaison(feedback, people):
    assert Notification.objects.filter(recipient=people.liaison1, kind="policy.feedback_filed").count() == 1
    assert not Notification.objects.filter(recipient=people.liaison2, kind="policy.feedback_filed").exists()


def test_document_number_is_normalized_and_validated():
    assert normalize_document_number("武防指 [2020] 12号") == "武防指〔2020〕12号"
    with pytest.raises(PolicyError, match="文号格式不正确"):
        normalize_document_number("2020-12")


def test_duplicate_document_number_is_refused(policy, tree, people):
    with pytest.raises(PolicyError, match="已存在"):
        create_document(
            by=people.liaison1, title="重复", issuing_agency=tree.agency1, document_number="武审〔2020〕12号"
        )


def test_answer_accepted_requires_the_version_that_will_change(feedback, people):
    with pytest.raises(PolicyError, match="将修订的版本"):
        answer_feedback(by=people.liaison1, item=feedback, status="accepted", answer="采纳")
    answer_feedback(by=people.liaison1, item=feedback, status="accepted", answer="采纳", planned_version="第2版")
    feedback.refresh_from_db()
    assert (feedback.status, feedback.planned_version) == (FeedbackStatus.ACCEPTED, "第2版")
    assert Notification.objects.filter(recipient=people.cadre_user1, kind="policy.feedback_answered").count() == 1


def test_declining_needs_a_reason(feedback, people):
    with pytest.raises(PolicyError, match="理由"):
        answer_feedback(by=people.liaison1, item=feedback, status="declined", answer=" ")


def test_answering_someone_elses_feedback_is_refused(feedback, people):
    with pytest.raises(PolicyError, match="只有发文单位（武汉市审计局）的联络员可以答复"):
        answer_feedback(by=people.liaison2, item=feedback, status="explained", answer="不归我们管")
    feedback.refresh_from_db()
    assert feedback.status == FeedbackStatus.OPEN


def test_answering_twice_is_refused(feedback, people):
    answer_feedback(by=people.liaison1, item=feedback, status="explained", answer="已有规定")
    with pytest.raises(PolicyError, match="不能再次答复"):
        answer_feedback(by=people.liaison1, item=feedback, status="declined", answer="再答")


def test_other_liaison_answer_via_page_gets_a_clear_message(client, feedback, people):
    client.force_login(people.liaison2)
    url = reverse("policies:feedback_answer", args=[feedback.public_id])
    response = client.post(url, {"status": "explained", "answer": "x"}, follow=True)
    assert "只有发文单位（武汉市审计局）的联络员可以答复这条反馈" in response.content.decode()


def test_escalation_is_idempotent(feedback, people):
    before = datetime(2026, 1, 19, 12, tzinfo=SHANGHAI)  # the due day itself: not yet overdue
    assert escalate_overdue(now=before) == 0
    after = datetime(2026, 1, 20, 9, tzinfo=SHANGHAI)
    assert escalate_overdue(now=after) == 1
    assert escalate_overdue(now=after) == 0
    feedback.refresh_from_db()
    assert feedback.escalated_at == after
    assert Notification.objects.filter(recipient=people.org_department, kind="policy.feedback_overdue").count() == 1
    assert AuditEvent.objects.filter(action="policy.feedback_escalated").count() == 1


def test_escalation_command_runs_twice_without_duplicates(feedback, people):
    FeedbackItem.objects.filter(pk=feedback.pk).update(due_date=date(2020, 1, 1))
    call_command("escalate_policy_feedback")
    call_command("escalate_policy_feedback")
    assert Notification.objects.filter(recipient=people.org_department, kind="policy.feedback_overdue").count() == 1


def test_answered_items_are_not_escalated(feedback, people):
    answer_feedback(by=people.liaison1, item=feedback, status="explained", answer="已说明")
    assert escalate_overdue(now=datetime(2026, 3, 1, tzinfo=SHANGHAI)) == 0


def test_new_version_cites_feedback_and_tells_the_author(policy, feedback, people):
    version = add_version(by=people.liaison1, document=policy[0], effective_from=date(2026, 2, 1),
                          text="第一条 凭二维码通行。", answers=[feedback])
    assert version.number == 2
    assert list(feedback.answered_by_versions.all()) == [version]
    policy[1].refresh_from_db()
    assert policy[1].effective_until == date(2026, 1, 31)
    assert Notification.objects.filter(recipient=people.cadre_user1, kind="policy.version_cites_feedback").count() == 1


def test_version_cannot_cite_feedback_on_another_document(policy, feedback, tree, people):
    other = create_document(by=people.liaison1, title="另一文件", issuing_agency=tree.agency1,
                            document_number="〔2020〕13号")
    with pytest.raises(PolicyError, match="只能引用针对本文件的反馈意见"):
        add_version(by=people.liaison1, document=other, effective_from=date(2026, 2, 1), text="x", answers=[feedback])


def test_ledger_counts_open_answered_overdue(policy, people):
    first = make_feedback(policy[1], people.cadre_user1, today=date(2026, 1, 5))
    make_feedback(policy[1], people.worker1, today=date(2026, 1, 5))
    answer_feedback(by=people.liaison1, item=first, status="explained", answer="已说明")
    [row] = ledger_counts(people.hotline, today=date(2026, 1, 30))
    assert (row["owner_agency__name"], row["open"], row["answered"], row["overdue"]) == ("武汉市审计局", 1, 1, 1)


def test_resident_cannot_see_the_ledger(client, people):
    client.force_login(people.resident_user1)
    assert client.get(reverse("policies:ledger")).status_code == 403


def test_author_name_hidden_from_other_staff(client, feedback, people):
    client.force_login(people.hotline)
    page = client.get(reverse("policies:feedback_detail", args=[feedback.public_id])).content.decode()
    assert "cadre1" not in page
    assert "夜间卡口无法核验工作证" in page


@pytest.mark.parametrize("count", [1, 3])
def test_ledger_query_count(client, policy, people, django_assert_num_queries, count):
    for _index in range(count):
        make_feedback(policy[1], people.cadre_user1)
    client.force_login(people.hotline)
    with django_assert_num_queries(6):
        response = client.get(reverse("policies:ledger"))
    assert response.status_code == 200


@pytest.mark.parametrize("count", [1, 3])
def test_my_feedback_query_count(client, policy, people, django_assert_num_queries, count):
    for _index in range(count):
        make_feedback(policy[1], people.cadre_user1)
    client.force_login(people.cadre_user1)
    with django_assert_num_queries(5):
        response = client.get(reverse("policies:my_feedback"))
    assert response.status_code == 200
