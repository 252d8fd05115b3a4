import io
import subprocess
from datetime import date

import openpyxl
import pytest
from django.urls import reverse

from xiachen.assessments import outputs
from xiachen.assessments.enums import AppealStatus
from xiachen.assessments.services import (
    AssessmentError,
    answer_appeal,
    approve_commendations,
    compute_scores,
    evaluate,
    file_appeal,
    propose_commendations,
)
from xiachen.notices.models import Notification

from .builders import ALL


def _pdftotext(content: bytes) -> str:
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
                          ).stdout.decode()


def test_appeal_flow(graded, people):
    appeal = file_appeal(by=people.cadre_user1, score=graded, reason="月度评价漏记了夜班")
    assert Notification.objects.filter(recipient=people.org_department, kind="assessment.appeal_filed").exists()
    with pytest.raises(AssessmentError, match="已有待答复的申诉"):
        file_appeal(by=people.cadre_user1, score=graded, reason="再次申诉")
    answer_appeal(by=people.org_department, appeal=appeal, upheld=False, answer="经核实，夜班已计入")
    appeal.refresh_from_db()
    assert (appeal.status, appeal.answer) == (AppealStatus.DISMISSED, "经核实，夜班已计入")
    assert Notification.objects.filter(recipient=people.cadre_user1, kind="assessment.appeal_answered").exists()


def test_only_the_cadre_may_appeal_their_score(graded, people):
    with pytest.raises(AssessmentError, match="只能对本人的考核结果提出申诉"):
        file_appeal(by=people.liaison1, score=graded, reason="代为申诉")


def test_cadre_sees_own_breakdown(client, graded, people):
    client.force_login(people.cadre_user1)
    page = client.get(reverse("assessments:score_detail", args=[graded.public_id])).content.decode()
    assert "95.00" in page and "无数据" in page and "出勤率" in page


def test_commendation_list_and_certificate_pdf(graded, people, cadre1):
    commendations = propose_commendations(by=people.org_department, round_=graded.round)
    assert [e.cadre for e in commendations.entries.all()] == [cadre1]
    approve_commendations(by=people.org_department, commendation_list=commendations)
    entry = commendations.entries.get()
    text = _pdftotext(outputs.certificate_pdf(by=people.org_department, entry=entry))
    assert "荣誉证书" in text.replace(" ", "") and cadre1.name in text and "优秀" in text


def test_round_report_pdf_has_extractable_chinese(graded, people, cadre1):
    text = _pdftotext(outputs.report_pdf(by=people.org_department, round_=graded.round))
    assert "考核报告（全市）" in text
    assert "等次分布" in text and "各维度平均分" in text
    assert cadre1.name in text and "武汉市审计局" in text


def test_report_xlsx_has_rows_and_charts(graded, people, tree, cadre1):
    content = outputs.report_xlsx(by=people.org_department, round_=graded.round, unit=tree.agency1)
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == ["得分排名", "等次分布", "维度均分"]
    assert [c.value for c in workbook["得分排名"][2]] == [1, 1, cadre1.name, "武汉市审计局", 95.33, "优秀", "第1版"]
    assert len(workbook["等次分布"]._charts) == 1


def test_unit_report_only_counts_cadres_who_served_there(graded, people, tree):
    assert outputs.report_data(graded.round, tree.community2)["rows"] == []
    assert len(outputs.report_data(graded.round, tree.community1)["rows"]) == 1


def test_agency_annual_export(client, graded, people, tree, cadre1):
    client.force_login(people.liaison1)
    response = client.get(reverse("assessments:agency_export", args=[tree.agency1.public_id]), {"year": 2026})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    row = [c.value for c in sheet[2]]
    assert row[0] == cadre1.name and row[3] == "车站路社区" and row[5] == f"{date(2026, 12, 1)} 至 {date(2026, 12, 31)}"
    assert row[6:8] == [95.33, "优秀"]  # 95 on every dimension, no confirmed complaint


@pytest.mark.parametrize("count", [1, 3])
def test_round_detail_query_count(client, tree, people, django_assert_num_queries, count):
    from .builders import more_cadres, served_round

    cadres = more_cadres(tree, count)
    round_ = served_round(tree, people, cadres_at_1=cadres)
    for cadre in cadres:
        evaluate(by=people.manager1, round_=round_, cadre=cadre, period="final", scores=ALL)
    compute_scores(by=people.org_department, round_=round_)
    client.force_login(people.manager1)
    # 9: the score table is paginated (its COUNT), issue #14 item 6
    with django_assert_num_queries(9):
        response = client.get(reverse("assessments:round_detail", args=[round_.public_id]))
    assert response.status_code == 200
