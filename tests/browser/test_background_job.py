"""The shared background-job component in the browser (ADR 1411): the organization department,
from its home page and only clicking, asks for a commendation list; the page shows the queued job
and polls it; when the worker has finished, the page reloads by itself and links the result."""

import pytest
from django.urls import reverse

from xiachen.assessments.services import assign_grades, compute_scores, evaluate
from xiachen.ops import jobs
from xiachen.ops.models import Job, TaskLease

from ..assessments.builders import ALL, served_round
from ..seeds import restore_seeded_rows
from .conftest import click_menu, sign_in
from .quality import PageWatch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_long_action_shows_its_progress_and_links_its_result(page, settings, tree, people, cadre1):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # queued, as in production
    restore_seeded_rows()  # the scoring scheme: an earlier transactional test's flush emptied it
    round_ = served_round(tree, people, cadres_at_1=[cadre1], name="表彰轮次")
    evaluate(by=people.manager1, round_=round_, cadre=cadre1, period="final", scores=dict.fromkeys(ALL, 95))
    compute_scores(by=people.org_department, round_=round_)
    assign_grades(by=people.org_department, round_=round_, quotas={"excellent": (0, 100)})
    reverse("accounts:home")  # import every URL module before the first page (slow on a cold, busy machine)
    watch = PageWatch(page)
    sign_in(page, "org")
    click_menu(page, "考核激励")
    page.get_by_role("link", name="表彰轮次").click()
    page.click("#commend")
    job_box = page.locator("#job-assessments-propose-commendations")
    assert "排队中" in job_box.inner_text()
    assert page.locator("#commend").is_disabled()

    job = Job.objects.get()
    jobs.run(job_id=job.pk, token=str(TaskLease.objects.get().token))  # what the worker does
    result = page.get_by_role("link", name="查看表彰名单")
    result.wait_for()  # the poll saw the job end and reloaded the page
    assert "生成表彰名单已于" in page.locator("#job-assessments-propose-commendations").inner_text()
    result.click()
    assert "表彰名单" in page.locator("h1").inner_text()
    assert cadre1.name in page.locator("body").inner_text()
    assert [p for p in watch.problems if "Applying inline style violates" not in p and "404" not in p] == []
