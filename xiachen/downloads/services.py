"""The life of a background export: requested → running → done (or failed) → expired.

`request_download` checks the permission, records a queued job and enqueues the task after commit;
the task calls `run_download_job`, which reports progress on the job (the page polls it), keeps
the file encrypted, and tells the requester by notice when it is ready. `fetch_download` hands the
file to its requester only, audited. `purge_expired_downloads` deletes files after a day.
"""

import base64
import json
import logging
from datetime import timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xiachen.accounts.permissions import require_permission
from xiachen.audit import services as audit

from .enums import DownloadStatus
from .models import DownloadJob
from .registry import get_kind

logger = logging.getLogger(__name__)
RETENTION = timedelta(days=1)


class DownloadError(Exception):
    """A refused request, with a Chinese message for the user."""


@transaction.atomic
def request_download(*, by, kind: str, params: dict, full: bool) -> DownloadJob:
    """Queue the export `kind` of the rows `params` select. Raises PermissionDenied without the
    kind's permission (its full permission for `full`), DownloadError for an unknown kind."""
    declared = get_kind(kind)
    if declared is None:
        raise DownloadError(_("不支持的导出类型"))
    require_permission(by, declared.full_permission if full else declared.permission)
    clean = {key: str(value)[:200] for key, value in params.items()}
    job = DownloadJob.objects.create(
        kind=kind, full=full, params=json.dumps(clean, ensure_ascii=False), requested_by=by,
        rows=declared.count(by, clean),
        filename=declared.filename, progress_note=_("排队中"), heartbeat_at=timezone.now(),
    )
    audit.record(actor=by, action="download.requested", target=job, fields={"kind": kind, "full": full})
    from .tasks import build_download_task

    transaction.on_commit(lambda: build_download_task.enqueue(job_id=job.pk))
    return job


def run_download_job(*, job_id: int) -> DownloadJob | None:
    """Build the file (called by the task). A failure is kept on the job for the page to show; a job
    that is no longer queued or running (done, failed, reclaimed) is left alone."""
    claimed = DownloadJob.objects.filter(
        pk=job_id, status__in=(DownloadStatus.QUEUED, DownloadStatus.RUNNING)
    ).update(status=DownloadStatus.RUNNING, progress=5, progress_note=_("正在读取数据"), heartbeat_at=timezone.now())
    job = DownloadJob.objects.select_related("requested_by").filter(pk=job_id).first()
    if not claimed or job is None:
        return job
    declared = get_kind(job.kind)

    def progress(percent: int, note: str) -> None:
        DownloadJob.objects.filter(pk=job_id, status=DownloadStatus.RUNNING).update(
            progress=max(5, min(percent, 99)), progress_note=str(note)[:200], heartbeat_at=timezone.now())

    try:
        if declared is None:  # a kind no longer registered: fails like any other error of the build
            raise LookupError(f"download kind {job.kind!r} is not registered")
        content = declared.build(by=job.requested_by, params=json.loads(job.params or "{}"), full=job.full,
                                 progress=progress)
    except Exception:
        logger.exception("download job %s (%s) failed", job.pk, job.kind)
        _finish(job, status=DownloadStatus.FAILED, note=_("生成失败，请重新导出；仍失败请联系系统管理员"))
    else:
        _finish(job, status=DownloadStatus.DONE, note=_("已完成"), content=content)
    job.refresh_from_db()
    return job


def _finish(job: DownloadJob, *, status: str, note: str, content: bytes | None = None) -> None:
    now = timezone.now()
    job.status, job.progress, job.progress_note, job.finished_at, job.heartbeat_at = status, 100, note, now, now
    job.expires_at = now + RETENTION if content is not None else None
    # Saved through the model (not update()) so the encrypted field binds the file to this row.
    job.content = base64.b64encode(content).decode() if content is not None else ""
    job.save(update_fields=["status", "progress", "progress_note", "finished_at", "heartbeat_at", "expires_at",
                            "content", "updated_at"])
    from xiachen.notices.services import notify

    link = reverse("downloads:detail", args=[job.public_id])
    title = _("导出文件已生成，可以下载") if status == DownloadStatus.DONE else _("导出文件生成失败，请重新导出")
    notify(recipients=[job.requested_by], kind="download_ready", title=title, link=link)


def reclaim_if_stale(job: DownloadJob) -> DownloadJob:
    """A job whose worker died (no progress for STALE_AFTER) becomes failed, so the user can ask again."""
    if job.is_running and job.heartbeat_at and timezone.now() - job.heartbeat_at > DownloadJob.STALE_AFTER:
        DownloadJob.objects.filter(pk=job.pk, status=job.status).update(
            status=DownloadStatus.FAILED, progress=100, finished_at=timezone.now(),
            progress_note=_("后台任务中断（服务重启），请重新导出"))
        job.refresh_from_db()
    return job


def fetch_download(*, by, job: DownloadJob) -> bytes:
    """The file, for its requester only (the selector checked that); audited."""
    if job.status != DownloadStatus.DONE or not job.content:
        raise DownloadError(_("文件尚未生成或已过期删除，请重新导出"))
    audit.record(actor=by, action="download.fetched", target=job, fields={"kind": job.kind, "full": job.full})
    return base64.b64decode(job.content)


def purge_expired_downloads(*, now=None) -> int:
    """Delete the files of jobs past their expiry (the job row stays, marked expired, for the list)."""
    now = now or timezone.now()
    return DownloadJob.objects.filter(status=DownloadStatus.DONE, expires_at__lte=now).update(
        status=DownloadStatus.EXPIRED, content="", progress_note=_("已过期删除"))
