"""Issue #16 item 12 (ADR 1603): the 优秀 quota per sending agency (configurable), the appeal window,
an upheld appeal regrading, commendations waiting for appeals, the liaison's way to the annual
summary, and residents' complaints naming a cadre, checked by the manager."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from xiachen.assessments.enums import AppealStatus
from xiachen.assessments.models import DimensionScore, Grading, Score
from xiachen.assessments.services import (
    AssessmentError,
    answer_appeal,
    approve_commendations,
    assign_grades,
    compute_scores,
    evaluate,
    file_appeal,
    propose_commendations,
)
from xiachen.audit.models import AuditEvent
from xiachen.hotline import services as hotline
from xiachen.hotline.models import Category, ComplaintSubject
from xiachen.hotline.vocabulary import load_defaults

from .builders import ALL, more_cadres, served_round


def _graded_round(tree, people, scope):
    """Five cadres of agency1 scoring 99–95 and five of agency2 scoring 94–90, all above 90."""
    audit, health = more_cadres(tree, 5), more_cadres(tree, 5, agency=tree.agency2)
    round_ = served_round(tree, people, cadres_at_1=audit + health)
    for cadre, value in zip(audit + health, range(99, 89, -1), strict=True):
        evaluate(by=people.manager1, round_=round_, cadre=cadre, period="final", scores=dict.fromkeys(ALL, value))
    compute_scores(by=people.org_department, round_=round_)
    assign_grades(by=people.org_department, round_=round_, scope=scope)
    return round_


def _excellent_by_agency(round_) -> dict[str, int]:
    counts: dict[str, int] = {}
    for name in Score.objects.filter(round=round_, grade__code="excellent").values_list("cadre__agency__name",
                                                                                        flat=True):
        counts[name] = counts.get(name, 0) + 1
    return counts


def test_excellent_quota_is_capped_within_each_agency_by_default(tree, people):
    round_ = _graded_round(tree, people, "agency")
    assert _excellent_by_agency(round_) == {"武汉市审计局": 1, "武汉市卫生健康委员会": 1}
    assert Grading.objects.get(round=round_).scope == "agency"


def test_city_wide_scope_stays_available(tree, people):
    round_ = _graded_round(tree, people, "city")
    assert _excellent_by_agency(round_) == {"武汉市审计局": 2}  # 40 % of one agency, 0 % of the other


def test_grade_form_chooses_the_scope_and_appeal_window(client, tree, people, cadre1,
                                                        django_capture_on_commit_callbacks):
    round_ = served_round(tree, people, cadres_at_1=[cadre1])
    evaluate(by=people.manager1, round_=round_, cadre=cadre1, period="final", scores=dict.fromkeys(ALL, 95))
    compute_scores(by=people.org_department, round_=round_)
    client.force_login(people.org_department)
    page = client.get(reverse("assessments:round_detail", args=[round_.public_id])).content.decode()
    assert 'name="scope"' in page and 'name="appeal_days"' in page
    with django_capture_on_commit_callbacks(execute=True):  # the background job runs at once in tests
        client.post(reverse("assessments:grade", args=[round_.public_id]),
                    {"scope": "city", "appeal_days": "10", "max-excellent": "100"})
    grading = Grading.objects.get(round=round_)
    assert (grading.scope, grading.appeal_until) == ("city", timezone.localdate() + timedelta(days=10))


def test_appeals_have_a_filing_deadline(graded, people):
    deadline = Grading.objects.get(round=graded.round).appeal_until
    with pytest.raises(AssessmentError, match="申诉期限已过"):
        file_appeal(by=people.cadre_user1, score=graded, reason="迟到的申诉", today=deadline + timedelta(days=1))
    file_appeal(by=people.cadre_user1, score=graded, reason="最后一天申诉", today=deadline)


def test_no_appeal_before_grading(served, people, cadre1):
    evaluate(by=people.manager1, round_=served, cadre=cadre1, period="final", scores=dict.fromkeys(ALL, 95))
    compute_scores(by=people.org_department, round_=served)
    with pytest.raises(AssessmentError, match="尚未评定等次"):
        file_appeal(by=people.cadre_user1, score=served.scores.get(), reason="先申诉")


def test_an_upheld_appeal_recomputes_the_score_and_the_grade(graded, people):
    assert graded.grade.code == "excellent"
    appeal = file_appeal(by=people.cadre_user1, score=graded, reason="评价分录入错误")
    DimensionScore.objects.filter(evaluation__cadre=graded.cadre).update(score=75)  # the corrected evaluation
    answer_appeal(by=people.org_department, appeal=appeal, upheld=True, answer="已更正评价分")
    graded.refresh_from_db()
    # 德能勤绩廉 75 (70 %) and no confirmed complaint (5 %, full points): (70·75 + 5·100) / 75 = 76.67
    assert (graded.total, graded.grade.code) == (Decimal("76.67"), "competent")
    assert AuditEvent.objects.filter(action="assessment.regraded").count() == 1


def test_commendations_wait_for_open_appeals(graded, people):
    commendations = propose_commendations(by=people.org_department, round_=graded.round)
    appeal = file_appeal(by=people.cadre_user1, score=graded, reason="复核")
    with pytest.raises(AssessmentError, match="1 件申诉待答复"):
        approve_commendations(by=people.org_department, commendation_list=commendations)
    with pytest.raises(AssessmentError, match="1 件申诉待答复"):
        propose_commendations(by=people.org_department, round_=graded.round)
    answer_appeal(by=people.org_department, appeal=appeal, upheld=False, answer="维持")
    assert appeal.status == AppealStatus.DISMISSED
    approve_commendations(by=people.org_department, commendation_list=commendations)


def test_a_list_proposed_before_an_upheld_appeal_must_be_proposed_again(graded, people):
    commendations = propose_commendations(by=people.org_department, round_=graded.round)
    appeal = file_appeal(by=people.cadre_user1, score=graded, reason="复核")
    DimensionScore.objects.filter(evaluation__cadre=graded.cadre).update(score=75)
    answer_appeal(by=people.org_department, appeal=appeal, upheld=True, answer="更正")
    with pytest.raises(AssessmentError, match="请重新生成表彰名单"):
        approve_commendations(by=people.org_department, commendation_list=commendations)


def test_round_page_links_the_commendation_lists_and_open_appeals(client, graded, people):
    commendations = propose_commendations(by=people.org_department, round_=graded.round)
    file_appeal(by=people.cadre_user1, score=graded, reason="复核")
    client.force_login(people.org_department)
    page = client.get(reverse("assessments:round_detail", args=[graded.round.public_id])).content.decode()
    assert reverse("assessments:commendation_detail", args=[commendations.public_id]) in page
    assert 'id="open-appeals"' in page


def test_liaison_reaches_the_annual_summary_from_home_and_the_round(client, graded, people, tree):
    client.force_login(people.liaison1)
    home = client.get(reverse("accounts:home")).content.decode()
    assert reverse("assessments:index") in home
    page = client.get(reverse("assessments:round_detail", args=[graded.round.public_id])).content.decode()
    assert reverse("assessments:agency_export", args=[tree.agency1.public_id]) in page


# ---- complaints naming a cadre ------------------------------------------------------------------------


@pytest.fixture
def serving_now(tree, people, cadre1):
    """cadre1 serves at community1 in a published round around today (the resident's choices are recent)."""
    today = timezone.localdate()
    return served_round(tree, people, cadres_at_1=[cadre1], start=today - timedelta(days=10),
                        end=today + timedelta(days=10))


def test_resident_names_a_cadre_and_the_manager_confirms(client, serving_now, people, resident1, cadre1):
    load_defaults()
    client.force_login(people.resident_user1)
    form = client.get(reverse("hotline:resident_file")).content.decode()
    assert 'name="cadre"' in form and cadre1.agency.name in form
    assert cadre1.name not in form  # masked for the resident
    response = client.post(reverse("hotline:resident_file"), {
        "category": "staff_complaint", "urgency": "normal", "description": "值守时态度恶劣",
        "cadre": str(cadre1.public_id)})
    assert response.status_code == 302
    subject = ComplaintSubject.objects.get()
    assert (subject.cadre, subject.status) == (cadre1, "pending")
    client.force_login(people.manager1)
    page = client.get(reverse("hotline:ticket_detail", args=[subject.ticket.public_id])).content.decode()
    assert 'id="complaint-form"' in page
    client.post(reverse("hotline:ticket_complaint_review", args=[subject.ticket.public_id]),
                {"decision": "confirmed", "note": "经查看监控属实"})
    subject.refresh_from_db()
    assert (subject.status, subject.reviewed_by) == ("confirmed", people.manager1)


def test_a_cadre_can_only_be_named_in_a_staff_complaint_about_someone_who_served_there(serving_now, tree, resident1,
                                                                                       people):
    load_defaults()
    with pytest.raises(hotline.TicketError, match="工作人员投诉"):
        hotline.file_ticket_from_resident(resident=resident1, category=Category.objects.get(code="general"),
                                          description="路灯坏了", cadre=serving_now.matches.get().cadre)
    stranger = more_cadres(tree, 1)[0]
    with pytest.raises(hotline.TicketError, match="未在您所在社区服务"):
        hotline.file_ticket_from_resident(resident=resident1, category=Category.objects.get(code="staff_complaint"),
                                          description="态度差", cadre=stranger)
    assert not ComplaintSubject.objects.exists()


def test_only_the_manager_of_the_place_reviews_a_complaint(serving_now, people, resident1, cadre1):
    load_defaults()
    ticket = hotline.file_ticket_from_resident(resident=resident1, description="态度差", cadre=cadre1,
                                               category=Category.objects.get(code="staff_complaint"))
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        hotline.review_complaint(by=people.manager2, ticket=ticket, confirmed=True, note="属实")
    with pytest.raises(hotline.TicketError, match="核实说明"):
        hotline.review_complaint(by=people.manager1, ticket=ticket, confirmed=True, note="")
