"""Round reports (city-wide, per agency, per receiving unit; Excel or PDF) generated in the background.

`request_report` checks the permission, records a queued ReportJob and enqueues the task after
commit; the task calls `run_report_job`, which reports progress on the job (the page polls it) and
stores the finished file on the job. Only users who may request the same report can download it.
"""

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiachen.accounts.permissions import has_permission, require_permission, scope_paths
from xiachen.audit import services as audit
from xiachen.deployments.models import Round

from . import outputs
from .enums import ReportFormat, ReportStatus
from .models import ReportJob
from .services import AssessmentError

logger = logging.getLogger(__name__)

CONTENT_TYPES = {
    ReportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ReportFormat.PDF: "application/pdf",
}


def may_report(user, round_: Round, unit=None) -> bool:
    """The organization department any report; an agency liaison their agency's, a receiving-unit
    manager their unit's (the round must be visible to them, which the caller checks)."""
    if unit is None:
        return has_permission(user, "assessments.manage")
    paths = (scope_paths(user, "assessments.manage") + scope_paths(user, "assessments.view_agency")
             + scope_paths(user, "assessments.evaluate"))
    return any(unit.path.startswith(path) for path in paths)


@transaction.atomic
def request_report(*, by, round_: Round, unit=None, fmt: str) -> ReportJob:
    require_permission(by, "assessments.manage" if unit is None else "assessments.view")
    if fmt not in ReportFormat.values:
        raise AssessmentError(_("不支持的报告格式：%(fmt)s") % {"fmt": fmt})
    if not may_report(by, round_, unit):
        raise AssessmentError(_("无权生成该单位的考核报告"))
    job = ReportJob.objects.create(round=round_, unit=unit, format=fmt, requested_by=by,
                                   progress_note=_("排队中"), filename=f"assessment-report.{fmt}")
    audit.record(actor=by, action="assessment.report_requested", target=job,
                 fields={"format": fmt, "scope": unit.code if unit else "city"})
    from .tasks import generate_report_task

    transaction.on_commit(lambda: generate_report_task.enqueue(job_id=job.pk))
    return job


def report_progress(job_id: int, percent: int, note: str) -> None:
    ReportJob.objects.filter(pk=job_id).update(progress=percent, progress_note=str(note)[:200])


def run_report_job(*, job_id: int) -> ReportJob | None:
    """Build the file (called by the task). A failure is kept on the job for the page to show."""
    job = ReportJob.objects.select_related("round", "unit__kind", "requested_by").filter(pk=job_id).first()
    if job is None or job.status not in (ReportStatus.QUEUED, ReportStatus.RUNNING):
        return job
    ReportJob.objects.filter(pk=job.pk).update(status=ReportStatus.RUNNING, progress=5,
                                               progress_note=_("正在汇总得分"))

    def progress(percent: int, note: str) -> None:
        report_progress(job.pk, percent, note)

    build = outputs.report_xlsx if job.format == ReportFormat.XLSX else outputs.report_pdf
    try:
        content = build(by=job.requested_by, round_=job.round, unit=job.unit, progress=progress)
    except Exception:
        logger.exception("assessment report %s failed", job.pk)
        ReportJob.objects.filter(pk=job.pk).update(status=ReportStatus.FAILED, progress=100,
                                                   progress_note=_("生成失败，请重试或联系管理员"),
                                                   finished_at=timezone.now())
    else:
        ReportJob.objects.filter(pk=job.pk).update(status=ReportStatus.DONE, progress=100, content=content,
                                                   progress_note=_("完成"), finished_at=timezone.now())
    job.refresh_from_db()
    return job
