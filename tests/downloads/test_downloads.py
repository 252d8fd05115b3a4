"""Large exports run in the background: asked for from the list, built by the worker, fetched once
ready by their requester only (audited), failed cleanly when the worker dies, deleted after a day."""

import dataclasses
import io
from datetime import timedelta

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from xiachen.audit.models import AuditEvent
from xiachen.downloads import registry
from xiachen.downloads.enums import DownloadStatus
from xiachen.downloads.models import DownloadJob
from xiachen.downloads.services import purge_expired_downloads
from xiachen.households.exports import FULL_HEADERS, MASKED_HEADERS
from xiachen.notices.models import Notification


@pytest.fixture
def small_inline_limit(settings):
    settings.XIACHEN_EXPORT_INLINE_ROWS = -1  # every export goes to the background


def sheet_rows(content: bytes) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def ask_for_export(client, django_capture_on_commit_callbacks, **filters) -> DownloadJob:
    """What the list's export link and the confirmation page's button do."""
    page = client.get(reverse("households:export"), filters)
    assert page.status_code == 200 and "开始生成" in page.content.decode()
    form = {key: value for key, value in filters.items()}
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(reverse("downloads:new", args=["households"]), form)
    job = DownloadJob.objects.get()
    assert started.url == reverse("downloads:detail", args=[job.public_id])
    return job


def test_a_large_export_is_built_in_the_background_and_fetched_by_its_requester(
        client, people, resident1, small_inline_limit, django_capture_on_commit_callbacks):
    client.force_login(people.manager1)
    job = ask_for_export(client, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert (job.status, job.progress, job.rows) == (DownloadStatus.DONE, 100, 1)
    assert job.expires_at - job.finished_at == timedelta(days=1)
    detail = client.get(reverse("downloads:detail", args=[job.public_id])).content.decode()
    assert "下载 Excel 文件" in detail and "住户与居民" in detail
    rows = sheet_rows(client.get(reverse("downloads:file", args=[job.public_id])).content)
    assert rows[0] == MASKED_HEADERS
    assert rows[1][7:9] == [resident1.masked_id_number, resident1.masked_phone]
    assert list(AuditEvent.objects.filter(action__startswith="download.").values_list("action", flat=True)
                .order_by("id")) == ["download.requested", "download.fetched"]
    notice = Notification.objects.get(recipient=people.manager1, kind="download_ready")
    assert notice.link == reverse("downloads:detail", args=[job.public_id])
    # Listed under 我的导出, reached from the menu.
    assert "住户与居民" in client.get(reverse("downloads:list")).content.decode()


def test_the_file_is_encrypted_at_rest(client, people, resident1, small_inline_limit,
                                       django_capture_on_commit_callbacks):
    from django.db import connection

    client.force_login(people.manager1)
    job = ask_for_export(client, django_capture_on_commit_callbacks, full="1")
    with connection.cursor() as cursor:
        cursor.execute("SELECT content, params FROM downloads_downloadjob WHERE id = %s", [job.pk])
        stored, _params = cursor.fetchone()
    assert stored and "UEsDB" not in stored  # not the base64 of a zip (xlsx) in the clear
    rows = sheet_rows(client.get(reverse("downloads:file", args=[job.public_id])).content)
    assert rows[0] == FULL_HEADERS and rows[1][9:11] == [resident1.id_number, resident1.phone]
    assert AuditEvent.objects.filter(action="household.exported_full").count() == 1


def test_filters_carry_over_to_the_background_export(client, people, resident1, small_inline_limit,
                                                      django_capture_on_commit_callbacks):
    client.force_login(people.manager1)
    job = ask_for_export(client, django_capture_on_commit_callbacks, q="没有这个人")
    job.refresh_from_db()
    assert job.rows == 0 and sheet_rows(client.get(reverse("downloads:file", args=[job.public_id])).content) \
        == [MASKED_HEADERS]


def test_only_the_requester_reaches_the_job(client, people, resident1, small_inline_limit,
                                            django_capture_on_commit_callbacks):
    client.force_login(people.manager1)
    job = ask_for_export(client, django_capture_on_commit_callbacks)
    client.force_login(people.org_department)
    assert client.get(reverse("downloads:file", args=[job.public_id])).status_code == 404
    assert client.get(reverse("downloads:detail", args=[job.public_id])).status_code == 404


def test_a_full_export_needs_the_full_permission(client, people, small_inline_limit):
    client.force_login(people.worker1)
    assert client.get(reverse("households:export"), {"full": "1"}).status_code == 403
    assert client.post(reverse("downloads:new", args=["households"]), {"full": "1"}).status_code == 403
    assert not DownloadJob.objects.exists()


def test_small_exports_are_still_served_at_once(client, people, resident1):
    client.force_login(people.manager1)
    response = client.get(reverse("households:export"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert not DownloadJob.objects.exists()


def test_a_failed_build_is_shown_as_failed_and_can_be_asked_again(
        client, people, resident1, small_inline_limit, django_capture_on_commit_callbacks, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("disk full")

    declared = registry.KINDS["households"]
    monkeypatch.setitem(registry.KINDS, "households", dataclasses.replace(declared, build=broken))
    client.force_login(people.manager1)
    job = ask_for_export(client, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.status == DownloadStatus.FAILED and not job.content
    page = client.get(reverse("downloads:detail", args=[job.public_id])).content.decode()
    assert "生成失败" in page and "重新导出" in page
    assert Notification.objects.get(recipient=people.manager1).title == "导出文件生成失败，请重新导出"


def test_a_job_whose_worker_died_turns_failed(client, people):
    job = DownloadJob.objects.create(kind="households", requested_by=people.manager1, status=DownloadStatus.RUNNING,
                                     progress=40, heartbeat_at=timezone.now() - timedelta(minutes=11))
    client.force_login(people.manager1)
    page = client.get(reverse("downloads:detail", args=[job.public_id])).content.decode()
    job.refresh_from_db()
    assert job.status == DownloadStatus.FAILED
    assert "后台任务中断" in page and "every 1s" not in page  # no progress bar polling forever


def test_files_are_deleted_a_day_after_they_were_built(client, people, resident1, small_inline_limit,
                                                       django_capture_on_commit_callbacks):
    client.force_login(people.manager1)
    job = ask_for_export(client, django_capture_on_commit_callbacks)
    assert purge_expired_downloads(now=timezone.now() + timedelta(hours=23)) == 0
    assert purge_expired_downloads(now=timezone.now() + timedelta(days=1, minutes=1)) == 1
    job.refresh_from_db()
    assert job.status == DownloadStatus.EXPIRED and job.content == ""
    response = client.get(reverse("downloads:file", args=[job.public_id]))
    assert response.url == reverse("downloads:detail", args=[job.public_id])
