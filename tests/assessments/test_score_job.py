"""Scores are computed in the background with a progress bar (issue #14 item 7), and a job whose
worker died ends in a clean failed state instead of a bar that never moves."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from xiachen.assessments import services
from xiachen.assessments.enums import ScoreJobStatus
from xiachen.assessments.models import Score, ScoreJob
from xiachen.assessments.services import compute_scores, evaluate, run_score_job, start_score_job
from xiachen.audit.models import AuditEvent

from .builders import ALL, more_cadres, served_round


@pytest.fixture
def round_with_cadres(tree, people, cadre1):
    cadres = [cadre1, *more_cadres(tree, 3)]
    round_ = served_round(tree, people, cadres_at_1=cadres)
    for cadre in cadres:
        evaluate(by=people.manager1, round_=round_, cadre=cadre, period="final", scores=dict.fromkeys(ALL, 90))
    return round_


def test_compute_button_queues_a_job_that_the_worker_finishes(client, people, round_with_cadres,
                                                               django_capture_on_commit_callbacks):
    client.force_login(people.org_department)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("assessments:compute", args=[round_with_cadres.public_id]))
    assert response.status_code == 302
    job = ScoreJob.objects.get(round=round_with_cadres)
    assert (job.status, job.progress, job.progress_note) == (ScoreJobStatus.DONE, 100, "完成")
    assert job.finished_at is not None
    assert Score.objects.filter(round=round_with_cadres).count() == 4
    assert AuditEvent.objects.filter(action="assessment.scores_requested").count() == 1
    assert AuditEvent.objects.filter(action="assessment.scores_computed").count() == 1
    page = client.get(response["Location"]).content.decode()
    assert 'id="score-progress"' in page and "计算完成" in page
    assert "hx-trigger" not in page.split('id="score-progress"')[1].split("</div>")[0]  # no more polling


def test_the_request_only_queues_and_the_page_polls_the_running_job(client, people, round_with_cadres):
    client.force_login(people.org_department)
    client.post(reverse("assessments:compute", args=[round_with_cadres.public_id]))  # on_commit not run: queued
    job = ScoreJob.objects.get(round=round_with_cadres)
    assert job.status == ScoreJobStatus.QUEUED
    assert not Score.objects.filter(round=round_with_cadres).exists()
    ScoreJob.objects.filter(pk=job.pk).update(status=ScoreJobStatus.RUNNING, progress=40, progress_note="第 1 / 4 名")
    page = client.get(reverse("assessments:round_detail", args=[round_with_cadres.public_id])).content.decode()
    assert '<progress max="100" value="40">' in page and 'hx-trigger="every 1s"' in page
    assert 'id="compute" disabled' in page
    partial = client.get(reverse("assessments:score_progress", args=[job.public_id]), HTTP_HX_REQUEST="true")
    assert "40% · 计算中 · 第 1 / 4 名" in partial.content.decode()
    assert "HX-Refresh" not in partial
    again = start_score_job(by=people.org_department, round_=round_with_cadres)
    assert again.pk == job.pk  # one live job per round


def test_finished_job_asks_the_page_to_reload(client, people, round_with_cadres):
    job = ScoreJob.objects.create(round=round_with_cadres, requested_by=people.org_department,
                                  status=ScoreJobStatus.DONE, progress=100, finished_at=timezone.now())
    client.force_login(people.org_department)
    response = client.get(reverse("assessments:score_progress", args=[job.public_id]), HTTP_HX_REQUEST="true")
    assert response["HX-Refresh"] == "true"


def test_a_job_whose_worker_died_shows_failed_and_a_new_start_replaces_it(client, people, round_with_cadres):
    dead = ScoreJob.objects.create(round=round_with_cadres, requested_by=people.org_department,
                                   status=ScoreJobStatus.RUNNING, progress=30)
    ScoreJob.objects.filter(pk=dead.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=6))
    client.force_login(people.org_department)
    page = client.get(reverse("assessments:round_detail", args=[round_with_cadres.public_id])).content.decode()
    assert "得分计算中断" in page and "hx-trigger" not in page.split('id="score-progress"')[1].split("</div>")[0]
    assert 'id="compute" disabled' not in page
    fresh = start_score_job(by=people.org_department, round_=round_with_cadres)
    dead.refresh_from_db()
    assert fresh.pk != dead.pk and fresh.status == ScoreJobStatus.QUEUED
    assert (dead.status, dead.progress_note) == (ScoreJobStatus.FAILED, "后台任务中断，已停止")


def test_an_error_in_the_computation_fails_the_job_with_a_message(people, round_with_cadres, monkeypatch):
    job = ScoreJob.objects.create(round=round_with_cadres, requested_by=people.org_department)

    def broken(**kwargs):
        raise RuntimeError("metrics provider down")

    monkeypatch.setattr(services, "breakdown_for", broken)
    run_score_job(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.progress_note) == (ScoreJobStatus.FAILED, "计算失败，请重试或联系管理员")
    assert not Score.objects.filter(round=round_with_cadres).exists()


def test_compute_scores_reports_progress_and_writes_after_the_read(people, round_with_cadres):
    reports = []
    scores = compute_scores(by=people.org_department, round_=round_with_cadres,
                            progress=lambda percent, note: reports.append((percent, note)))
    assert len(scores) == 4
    assert reports[0] == (5, "正在计算第 1 / 4 名干部的得分")
    assert reports[-1] == (90, "正在保存得分和排名")
