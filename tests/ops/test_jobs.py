"""Background jobs (xiachen.ops.jobs, ADR 1411): a long action is queued by the request, run by the
worker in one transaction, idempotent on double submission, and a killed worker leaves the job
failed, the object unchanged and a 重试 button that works."""

import subprocess
from datetime import date

import pytest
from django.urls import reverse

from xiachen.assessments.models import CommendationList
from xiachen.assessments.services import assign_grades, compute_scores, evaluate
from xiachen.audit.models import AuditEvent
from xiachen.deployments import notifications
from xiachen.deployments.enums import RoundStatus
from xiachen.deployments.models import Deployment, Match, Round
from xiachen.ops import jobs, leases
from xiachen.ops.models import Job, TaskLease

from ..assessments.builders import ALL, more_cadres, served_round

PUBLISH = "deployments.publish_round"


@pytest.fixture
def reviewed(tree, people, cadre1):
    """A round in review whose two matches its agency confirmed: ready to publish."""
    round_ = served_round(tree, people, cadres_at_1=[cadre1, *more_cadres(tree, 1)],
                          start=date(2026, 12, 1), end=date(2026, 12, 31))
    Round.objects.filter(pk=round_.pk).update(status=RoundStatus.REVIEW)
    Match.objects.filter(round=round_).update(status="confirmed")
    round_.refresh_from_db()
    return round_


def _publish(client, round_):
    return client.post(reverse("deployments:round_publish", args=[round_.public_id]))


def _dead_pid() -> int:
    """The pid of a process that has exited (what a worker killed with -9 leaves in its lease)."""
    finished = subprocess.Popen(["true"])
    finished.wait()
    return finished.pid


def test_publish_is_queued_by_the_request_and_done_by_the_worker(client, people, reviewed,
                                                                 django_capture_on_commit_callbacks):
    client.force_login(people.org_department)
    with django_capture_on_commit_callbacks(execute=True):
        response = _publish(client, reviewed)
    assert response.status_code == 302
    job = Job.objects.get(kind=PUBLISH)
    assert (job.status, job.progress, job.error) == (Job.DONE, 100, "")
    assert job.subject == f"deployments.round:{reviewed.pk}" and job.finished_at is not None
    reviewed.refresh_from_db()
    assert reviewed.status == RoundStatus.PUBLISHED
    assert Deployment.objects.filter(match__round=reviewed).count() == 2
    assert not TaskLease.objects.exists()
    assert list(AuditEvent.objects.filter(action__in=["job.requested", "round.published"])
                .values_list("action", flat=True).order_by("id")) == ["job.requested", "round.published"]


def test_publishing_twice_queues_one_job_and_publishes_once(client, people, reviewed,
                                                           django_capture_on_commit_callbacks):
    client.force_login(people.org_department)
    _publish(client, reviewed)  # on_commit not run: the job stays queued, as while the worker is busy
    _publish(client, reviewed)
    job = Job.objects.get()
    assert job.status == Job.QUEUED and TaskLease.objects.count() == 1
    page = client.get(reverse("deployments:round_detail", args=[reviewed.public_id])).content.decode()
    assert 'id="publish" disabled' in page and 'hx-get="/ops/jobs/' in page and "排队中" in page
    jobs.run(job_id=job.pk, token=str(TaskLease.objects.get().token))
    assert Deployment.objects.filter(match__round=reviewed).count() == 2
    response = client.post(reverse("deployments:round_publish", args=[reviewed.public_id]), follow=True)
    assert "轮次不能从“已发布”变为“已发布”" in response.content.decode()
    assert Job.objects.count() == 1 and Deployment.objects.count() == 2


def test_a_refusal_in_the_worker_fails_the_job_with_the_reason_and_changes_nothing(client, people, reviewed):
    client.force_login(people.org_department)
    _publish(client, reviewed)
    Match.objects.filter(round=reviewed).update(status="proposed")  # an agency withdrew meanwhile
    job = jobs.run(job_id=Job.objects.get().pk, token=str(TaskLease.objects.get().token))
    assert (job.status, job.error) == (Job.FAILED, "还有 2 名拟派干部等待派出单位确认")
    reviewed.refresh_from_db()
    assert reviewed.status == RoundStatus.REVIEW and not Deployment.objects.exists()
    assert not TaskLease.objects.exists()
    page = client.get(reverse("deployments:round_detail", args=[reviewed.public_id])).content.decode()
    assert "发布轮次失败：还有 2 名拟派干部等待派出单位确认" in page and "data-job-retry" in page


def test_an_error_in_the_action_rolls_it_back_and_fails_the_job(client, people, reviewed, monkeypatch,
                                                                django_capture_on_commit_callbacks):
    def broken(round_):
        raise RuntimeError("outbox down")

    monkeypatch.setattr(notifications, "round_published", broken)
    client.force_login(people.org_department)
    with django_capture_on_commit_callbacks(execute=True):
        _publish(client, reviewed)
    job = Job.objects.get()
    assert (job.status, job.error) == (Job.FAILED, "后台任务中断（后台任务出错），没有做任何更改，可以重试。")
    reviewed.refresh_from_db()
    assert reviewed.status == RoundStatus.REVIEW and not Deployment.objects.exists()


def test_a_killed_worker_leaves_the_job_failed_and_retry_runs_it_again(client, people, reviewed,
                                                                      django_capture_on_commit_callbacks):
    client.force_login(people.org_department)
    _publish(client, reviewed)
    job = Job.objects.get()
    # The worker took the job and was killed with -9 before its transaction committed.
    TaskLease.objects.update(state=TaskLease.RUNNING, holder=f"{leases.this_holder().rpartition(':')[0]}:{_dead_pid()}")
    Job.objects.filter(pk=job.pk).update(status=Job.RUNNING, progress=5)
    partial = client.get(reverse("ops:job_progress", args=[job.public_id]), HTTP_HX_REQUEST="true")
    assert partial["HX-Refresh"] == "true"
    job.refresh_from_db()
    assert (job.status, job.error) == (Job.FAILED, "后台任务中断（后台处理进程已停止），没有做任何更改，可以重试。")
    assert not TaskLease.objects.exists()
    page = client.get(reverse("deployments:round_detail", args=[reviewed.public_id])).content.decode()
    assert "data-job-retry" in page and 'id="publish" disabled' not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("ops:job_retry", args=[job.public_id]),
                               HTTP_REFERER=f"http://testserver/deployments/rounds/{reviewed.public_id}/")
    assert response["Location"] == f"http://testserver/deployments/rounds/{reviewed.public_id}/"
    assert Job.objects.filter(status=Job.DONE).count() == 1
    reviewed.refresh_from_db()
    assert reviewed.status == RoundStatus.PUBLISHED and Deployment.objects.count() == 2


def test_a_late_result_of_a_reclaimed_job_is_not_stored(people, reviewed):
    job = jobs.start(by=people.org_department, kind=PUBLISH, subject=reviewed)
    token = str(TaskLease.objects.get().token)
    TaskLease.objects.update(state=TaskLease.RUNNING, holder=f"{leases.this_holder().rpartition(':')[0]}:{_dead_pid()}")
    assert leases.reclaim_stale() == [f"ops.job:{job.pk}"]
    assert jobs.run(job_id=job.pk, token=token) is None  # the worker wakes up after all: nothing done
    reviewed.refresh_from_db()
    assert reviewed.status == RoundStatus.REVIEW and not Deployment.objects.exists()


def test_only_the_kinds_permission_may_watch_or_retry_a_job(client, people, reviewed):
    job = jobs.start(by=people.org_department, kind=PUBLISH, subject=reviewed)
    client.force_login(people.manager1)
    assert client.get(reverse("ops:job_progress", args=[job.public_id])).status_code == 404
    assert client.post(reverse("ops:job_retry", args=[job.public_id])).status_code == 404


def test_commendation_list_is_built_in_the_background_and_linked_when_done(client, tree, people, cadre1,
                                                                          django_capture_on_commit_callbacks):
    round_ = served_round(tree, people, cadres_at_1=[cadre1])
    evaluate(by=people.manager1, round_=round_, cadre=cadre1, period="final", scores=dict.fromkeys(ALL, 95))
    compute_scores(by=people.org_department, round_=round_)
    assign_grades(by=people.org_department, round_=round_, quotas={"excellent": (0, 100)})
    client.force_login(people.org_department)
    url = reverse("assessments:commendation_propose", args=[round_.public_id])
    client.post(url)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)  # the second click finds the first still queued
    assert Job.objects.count() == 1
    jobs.run(job_id=Job.objects.get().pk, token=str(TaskLease.objects.get().token))
    commendation = CommendationList.objects.get()
    page = client.get(reverse("assessments:round_detail", args=[round_.public_id])).content.decode()
    link = reverse("assessments:commendation_detail", args=[commendation.public_id])
    assert f'href="{link}"' in page and "查看表彰名单" in page and "生成表彰名单已于" in page
