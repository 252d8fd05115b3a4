"""Round reports are generated in the background with a polled progress bar; the file is kept on the
job and only those who may generate the report can download it."""

import io

import openpyxl
import pytest
from django.urls import reverse

from xiachen.assessments import outputs
from xiachen.assessments.enums import ReportStatus
from xiachen.assessments.models import ReportJob
from xiachen.assessments.reports import request_report, run_report_job
from xiachen.assessments.services import AssessmentError
from xiachen.audit.models import AuditEvent

from .test_incentives import _pdftotext


def test_liaison_queues_their_agency_report_and_downloads_it(client, graded, people, tree, cadre1,
                                                              django_capture_on_commit_callbacks):
    client.force_login(people.liaison1)
    url = reverse("assessments:unit_report", args=[graded.round.public_id, tree.agency1.public_id, "xlsx"])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(url)
    assert len(callbacks) == 1  # enqueued after commit; the test backend runs it at once
    job = ReportJob.objects.get()
    assert response.url == reverse("assessments:report_job", args=[job.public_id])
    assert (job.status, job.progress, job.unit, job.requested_by) == ("done", 100, tree.agency1, people.liaison1)
    partial = client.get(reverse("assessments:report_progress", args=[job.public_id])).content.decode()
    assert "hx-trigger" not in partial and 'value="100"' in partial
    assert reverse("assessments:report_download", args=[job.public_id]) in partial
    download = client.get(reverse("assessments:report_download", args=[job.public_id]))
    assert download["Content-Disposition"] == 'attachment; filename="assessment-report.xlsx"'
    sheet = openpyxl.load_workbook(io.BytesIO(download.content))["得分排名"]
    assert [c.value for c in sheet[2]][2:4] == [cadre1.name, "武汉市审计局"]
    assert AuditEvent.objects.filter(action="assessment.report_requested").count() == 1
    assert AuditEvent.objects.filter(action="assessment.report_exported").count() == 1
    assert AuditEvent.objects.filter(action="assessment.report_downloaded").count() == 1


def test_the_job_page_polls_every_second_while_queued(client, graded, people):
    job = request_report(by=people.org_department, round_=graded.round, fmt="pdf")  # callbacks not run
    client.force_login(people.org_department)
    page = client.get(reverse("assessments:report_job", args=[job.public_id])).content.decode()
    progress_url = reverse("assessments:report_progress", args=[job.public_id])
    assert f'hx-get="{progress_url}" hx-trigger="every 1s"' in page
    assert 'value="0"' in page and "排队中" in page
    assert client.get(reverse("assessments:report_download", args=[job.public_id])).status_code == 404


def test_city_pdf_report_is_built_by_the_task_with_extractable_chinese(graded, people, cadre1):
    job = run_report_job(job_id=request_report(by=people.org_department, round_=graded.round, fmt="pdf").pk)
    assert job.status == ReportStatus.DONE and job.finished_at is not None
    text = _pdftotext(bytes(job.content))
    assert "考核报告（全市）" in text and cadre1.name in text


def test_progress_is_reported_in_steps(graded, people, monkeypatch):
    from xiachen.assessments import reports

    seen = []
    real = reports.report_progress
    monkeypatch.setattr(reports, "report_progress", lambda job_id, percent, note: (seen.append(percent),
                                                                                   real(job_id, percent, note)))
    job = request_report(by=people.org_department, round_=graded.round, fmt="xlsx")
    run_report_job(job_id=job.pk)
    assert seen == [40, 80]
    assert run_report_job(job_id=job.pk).status == "done"  # a finished job is not rebuilt
    assert seen == [40, 80]


def test_a_failed_report_says_so(client, graded, people, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(outputs, "report_xlsx", broken)
    job = run_report_job(job_id=request_report(by=people.org_department, round_=graded.round, fmt="xlsx").pk)
    assert (job.status, job.content) == ("failed", None)
    client.force_login(people.org_department)
    partial = client.get(reverse("assessments:report_progress", args=[job.public_id])).content.decode()
    assert "生成失败" in partial and "hx-trigger" not in partial


def test_only_those_who_may_generate_it_download_it(client, graded, people, tree):
    job = run_report_job(job_id=request_report(by=people.liaison1, round_=graded.round, unit=tree.agency1,
                                               fmt="xlsx").pk)
    url = reverse("assessments:report_download", args=[job.public_id])
    expected = {"org_department": 200, "liaison1": 200, "liaison2": 404, "manager1": 404, "cadre_user1": 403}
    actual = {}
    for role in expected:
        client.force_login(getattr(people, role))
        actual[role] = client.get(url).status_code
    assert actual == expected


def test_refusals(graded, people, tree):
    with pytest.raises(AssessmentError, match="不支持的报告格式"):
        request_report(by=people.org_department, round_=graded.round, fmt="docx")
    with pytest.raises(AssessmentError, match="无权生成该单位的考核报告"):
        request_report(by=people.liaison2, round_=graded.round, unit=tree.agency1, fmt="xlsx")
    assert not ReportJob.objects.exists()


def test_unknown_format_on_the_page_is_refused_with_a_message(client, graded, people):
    client.force_login(people.org_department)
    url = reverse("assessments:round_report", args=[graded.round.public_id, "doc"])
    response = client.post(url, follow=True)
    assert "不支持的报告格式：doc" in response.content.decode()
    assert not ReportJob.objects.exists()


@pytest.fixture
def two_agencies(tree, people, cadre1):
    """cadre1 (agency1) and 外单位干部 (agency2) both served at community1, scored and graded."""
    from xiachen.assessments.services import assign_grades, compute_scores, evaluate

    from ..factories import CadreFactory
    from .builders import ALL, served_round

    other = CadreFactory(agency=tree.agency2, name="外单位干部")
    round_ = served_round(tree, people, cadres_at_1=[cadre1, other])
    for cadre in (cadre1, other):
        evaluate(by=people.manager1, round_=round_, cadre=cadre, period="final", scores=dict.fromkeys(ALL, 92))
    compute_scores(by=people.org_department, round_=round_)
    assign_grades(by=people.org_department, round_=round_, quotas={"excellent": (0, 100)})
    return round_


def _agency_report(client, user, round_, agency, fmt, capture):
    client.force_login(user)
    with capture(execute=True):
        response = client.post(reverse("assessments:agency_report", args=[round_.public_id, agency.public_id, fmt]))
    return response


def test_agency_excel_has_that_agencys_cadres_only_with_a_chart(client, two_agencies, people, tree, cadre1,
                                                                 django_capture_on_commit_callbacks):
    response = _agency_report(client, people.org_department, two_agencies, tree.agency1, "xlsx",
                              django_capture_on_commit_callbacks)
    job = ReportJob.objects.get()
    assert response.url == reverse("assessments:report_job", args=[job.public_id])
    assert (job.status, job.unit, job.format) == ("done", tree.agency1, "xlsx")
    download = client.get(reverse("assessments:report_download", args=[job.public_id]))
    workbook = openpyxl.load_workbook(io.BytesIO(download.content))
    names = [row[2] for row in workbook["得分排名"].iter_rows(min_row=2, values_only=True)]
    assert names == [cadre1.name]
    assert {row[3] for row in workbook["得分排名"].iter_rows(min_row=2, values_only=True)} == {"武汉市审计局"}
    assert "外单位干部" not in names
    assert len(workbook["等次分布"]._charts) == 1


def test_agency_pdf_has_extractable_chinese_and_the_chart(client, two_agencies, people, tree, cadre1,
                                                          django_capture_on_commit_callbacks):
    _agency_report(client, people.liaison1, two_agencies, tree.agency1, "pdf", django_capture_on_commit_callbacks)
    job = ReportJob.objects.get()
    assert job.status == ReportStatus.DONE
    text = _pdftotext(bytes(job.content))
    assert "考核报告（武汉市审计局）" in text and cadre1.name in text
    assert "等次分布" in text and "各维度平均分" in text and "外单位干部" not in text


def test_agency_report_permissions(client, two_agencies, people, tree, django_capture_on_commit_callbacks):
    def status(user, agency):
        return _agency_report(client, user, two_agencies, agency, "xlsx",
                              django_capture_on_commit_callbacks).status_code

    assert status(people.liaison1, tree.agency2) == 404  # another agency
    assert status(people.liaison1, tree.community1) == 404  # not an agency
    assert status(people.org_department, tree.community1) == 404
    assert status(people.manager1, tree.agency1) == 404
    assert status(people.cadre_user1, tree.agency1) == 403
    assert not ReportJob.objects.exists()
    assert status(people.org_department, tree.agency2) == 302
    assert ReportJob.objects.get().unit == tree.agency2


def test_round_page_links_each_taking_part_agency(client, two_agencies, people, tree):
    def links(user):
        client.force_login(user)
        page = client.get(reverse("assessments:round_detail", args=[two_agencies.public_id])).content.decode()
        return {agency.code for agency in (tree.agency1, tree.agency2) if reverse(
            "assessments:agency_report", args=[two_agencies.public_id, agency.public_id, "pdf"]) in page}

    assert links(people.org_department) == {tree.agency1.code, tree.agency2.code}
    assert links(people.liaison1) == {tree.agency1.code}
    assert links(people.manager1) == set()
