"""Excel export of a filtered view of the audit trail; the export is itself audited."""

import json

from django.utils.translation import gettext as _

from xiachen.accounts.permissions import require_permission
from xiachen.core.excel import build_workbook

from . import services as audit
from .selectors import AuditFilters, audit_events_for, readable

EXPORT_LIMIT = 100_000
CHUNK = 2000


def export_events(*, by, filters: AuditFilters) -> tuple[bytes, int]:
    """The filtered events (newest first, at most EXPORT_LIMIT) as .xlsx bytes, and how many rows.

    Raises PermissionDenied unless `by` holds `audit.export`. Records `audit.exported` with the
    filters and the row count.
    """
    require_permission(by, "audit.export")
    events = audit_events_for(by, filters)
    headers = [_("编号"), _("时间"), _("操作人"), _("账号"), _("操作"), _("对象类型"), _("对象编号"),
               _("详情"), _("结果"), _("原始数据")]
    rows = list(_rows(events[:EXPORT_LIMIT]))
    audit.record(actor=by, action="audit.exported", fields={"filters": filters.describe(), "rows": len(rows)})
    return build_workbook(headers, rows, title=_("审计日志")), len(rows)


def _rows(events):
    batch = []
    for event in events.iterator(chunk_size=CHUNK):
        batch.append(event)
        if len(batch) == CHUNK:
            yield from _as_rows(batch)
            batch = []
    yield from _as_rows(batch)


def _as_rows(batch):
    from django.utils import timezone

    for row in readable(batch):
        event = row.event
        details = "；".join(f"{label}：{value}" for label, value in row.details)
        yield [event.pk, timezone.localtime(event.at).replace(tzinfo=None), row.actor, event.actor_label,
               row.action, row.target_type, event.target_id, details, row.result,
               json.dumps(event.fields, ensure_ascii=False, sort_keys=True)]
