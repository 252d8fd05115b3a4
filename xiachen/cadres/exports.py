"""Excel export of cadre rosters: masked by default; the full export is a permitted, audited act."""

from django.db.models import QuerySet

from xiachen.accounts.permissions import require_permission, scope_paths
from xiachen.audit import services as audit
from xiachen.core.excel import build_workbook
from xiachen.core.masking import mask_id_number, mask_phone
from xiachen.org.models import path_within

from .models import Cadre

FULL_HEADERS = ["姓名", "性别", "身份证号", "手机号", "派出单位代码", "派出单位", "内设机构", "职级", "职务",
                "专长", "家庭住址", "健康限制"]
# Sex is derived from the ID number: the masked export leaves it out (xiachen/core/masking.py).
MASKED_HEADERS = [header for header in FULL_HEADERS if header != "性别"]
CHUNK = 2000


def export_cadres(*, by, cadres: QuerySet[Cadre], full: bool) -> bytes:
    """Workbook of `cadres` (already scoped by the caller's selector), one row per cadre.

    ID numbers and phones are masked unless `full`; a full export requires `cadres.export_full` (raises
    PermissionDenied) and is narrowed to that permission's scope. Either kind leaves one audit row.
    """
    if full:
        require_permission(by, "cadres.export_full")
        cadres = cadres.filter(path_within(scope_paths(by, "cadres.export_full"), field="agency_path"))
    cadres = cadres.select_related("agency", "department").prefetch_related("specialties")
    rows = [_row(cadre, full) for cadre in cadres.iterator(chunk_size=CHUNK)]
    content = build_workbook(FULL_HEADERS if full else MASKED_HEADERS, rows, title="干部名册")
    action = "cadre.exported_full" if full else "cadre.exported"
    audit.record(actor=by, action=action, fields={"rows": len(rows)})
    return content


def _row(cadre: Cadre, full: bool) -> list:
    identity = [cadre.name, cadre.get_sex_display(), cadre.id_number, cadre.phone] if full else [
        cadre.name, mask_id_number(cadre.id_number), mask_phone(cadre.phone)]
    return [
        *identity,
        cadre.agency.code, cadre.agency.name, cadre.department.name if cadre.department is not None else "",
        cadre.get_rank_display(), cadre.position, "、".join(str(s) for s in cadre.specialties.all()),
        cadre.home_address, cadre.health_restrictions,
    ]
