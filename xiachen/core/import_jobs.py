"""Large imports in the background (ADR 1711): preview and commit by the worker, with progress.

A file is large when it is over XIACHEN_IMPORT_INLINE_BYTES or has more than
XIACHEN_IMPORT_INLINE_ROWS data rows (found by the request's own preview, which stops reading
there). Its upload (`PendingImport`) then goes PREVIEWING → READY (preview kept in `summary`) and,
once confirmed, COMMITTING → DONE; the import page polls its progress and the user may leave and come
back. The worker holds a lease on the upload (xiachen.ops.leases, ADR 1606): a worker that dies or a
task that raises leaves it FAILED with the reason, staged rows dropped, nothing stored, and the page
offers to try again (the file is still kept) or to upload another.
"""

import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from xiachen.ops import leases

from . import staging
from .imports import ImportRejected, commit_pending, importer_for, unstash_upload
from .models import ImportStatus, PendingImport
from .spreadsheets import ExcelRejected

logger = logging.getLogger(__name__)
LABEL = "core.pendingimport"


def inline_rows() -> int:
    return settings.XIACHEN_IMPORT_INLINE_ROWS


def is_large(*, size: int = 0, rows: int = 0) -> bool:
    return size > settings.XIACHEN_IMPORT_INLINE_BYTES or rows > settings.XIACHEN_IMPORT_INLINE_ROWS


@transaction.atomic
def start(*, by, pending: PendingImport, phase: str) -> PendingImport:
    """Queue the preview (phase "preview") or the commit ("commit") of `pending` for the worker."""
    pending = PendingImport.objects.select_for_update().get(pk=pending.pk, uploaded_by=by)
    if pending.is_running:
        return pending
    if phase == "commit" and pending.status != ImportStatus.READY:
        raise ValueError("only a previewed upload without errors can be committed")
    pending.status = ImportStatus.PREVIEWING if phase == "preview" else ImportStatus.COMMITTING
    pending.progress, pending.progress_note = 0, _("排队中")
    pending.save(update_fields=["status", "progress", "progress_note", "updated_at"])
    lease = leases.grant(pending)
    from .tasks import run_import_task

    def enqueue() -> None:
        queued = run_import_task.enqueue(pending_id=pending.pk, phase=phase, lease=lease)
        leases.note_task(lease, queued.id)

    transaction.on_commit(enqueue)
    return pending


def run(*, pending_id: int, phase: str, lease: str) -> None:
    """The task's body: preview or commit with progress on the upload; refusals are kept on it."""
    pending = PendingImport.objects.select_related("uploaded_by").filter(pk=pending_id).first()
    if pending is None:
        return
    importer = importer_for(pending.kind)

    def progress(percent: int, note: str) -> None:
        PendingImport.objects.filter(pk=pending_id, status=pending.status).update(
            progress=max(1, min(int(percent), 99)), progress_note=str(note)[:200])

    if phase == "preview":
        _preview(pending, importer, lease, progress)
    else:
        _commit(pending, importer, lease, progress)


def _preview(pending: PendingImport, importer, lease: str, progress) -> None:
    try:
        preview = importer.preview(by=pending.uploaded_by, data=unstash_upload(pending), filename=pending.filename,
                                   sheet=pending.sheet or None, progress=progress)
    except ExcelRejected as rejected:
        return _finish(pending, lease, status=ImportStatus.FAILED, note=str(rejected), keep_file=False)
    _finish(pending, lease, status=ImportStatus.READY, summary=preview.summary(), total_rows=preview.total_rows)


def _commit(pending: PendingImport, importer, lease: str, progress) -> None:
    def fenced() -> None:  # in the final transaction: the upload's row, then the lease (ADR 1606 lock order)
        PendingImport.objects.select_for_update().filter(pk=pending.pk).exists()
        if not leases.end(pending, lease):
            raise leases.LeaseLost(pending.pk)

    try:
        commit_pending(by=pending.uploaded_by, importer=importer, pending=pending, progress=progress, check=fenced)
    except ImportRejected as rejected:  # the data changed since the preview: show the new errors
        _finish(pending, lease, status=ImportStatus.READY, summary=rejected.preview.summary(),
                total_rows=rejected.preview.total_rows)
    except ExcelRejected as rejected:
        _finish(pending, lease, status=ImportStatus.FAILED, note=str(rejected), keep_file=False)
    except IntegrityError:
        logger.warning("import %s: a conflicting row was stored during the commit; nothing stored", pending.pk)
        _finish(pending, lease, status=ImportStatus.FAILED,
                note=_("导入期间系统中已保存了相同的数据（如相同的身份证号），本次未导入任何数据，请重新上传预览"))


def _finish(pending: PendingImport, lease: str, *, status: str, note: str = "", summary: str = "",
            total_rows: int | None = None, keep_file: bool = True) -> None:
    """Store the outcome under the upload's row lock if the lease is still this task's (fencing)."""
    with transaction.atomic():
        locked = PendingImport.objects.select_for_update().filter(pk=pending.pk).first()
        if locked is None or not leases.end(locked, lease):
            raise leases.LeaseLost(locked.pk if locked else 0)
        pending = locked
        pending.status, pending.progress, pending.progress_note = status, 100, note[:200]
        pending.summary = summary
        if total_rows is not None:
            pending.total_rows = total_rows
        if not keep_file:
            pending.content = ""
        pending.save()


def interrupted(*, pending_id: int, reason: str, take) -> None:
    """The lease hook: the worker died or the task raised. Nothing was stored (the final transaction
    either committed, ending the lease, or rolled back); drop staged rows, keep the file for a retry."""
    pending = PendingImport.objects.select_for_update().filter(pk=pending_id).first()
    if not take() or pending is None or not pending.is_running:
        return
    staging.discard_staged(pending)
    pending.status, pending.progress = ImportStatus.FAILED, 100
    pending.progress_note = _("%(reason)s，未导入任何数据，可以重试") % {"reason": reason}
    pending.save(update_fields=["status", "progress", "progress_note", "updated_at"])


def retry(*, by, pending: PendingImport) -> PendingImport:
    """Run again what failed: the commit if the preview had passed, else the preview."""
    phase = "commit" if pending.summary and pending.total_rows and _preview_ok(pending) else "preview"
    if phase == "commit":
        PendingImport.objects.filter(pk=pending.pk).update(status=ImportStatus.READY)
        pending.status = ImportStatus.READY
    return start(by=by, pending=pending, phase=phase)


def _preview_ok(pending: PendingImport) -> bool:
    from .imports import ImportPreview

    return ImportPreview.from_summary(pending.summary).ok
