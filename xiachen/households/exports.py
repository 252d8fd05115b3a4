"""Excel export of households, one row per resident: masked by default; the full export is audited."""

from django.db.models import QuerySet

from xiachen.accounts.permissions import require_permission, scope_paths
from xiachen.audit import services as audit
from xiachen.core.excel import build_workbook
from xiachen.core.masking import mask_id_number, mask_phone
from xiachen.org.models import path_within

from .models import Household, Resident

FULL_HEADERS = ["小区代码", "小区", "楼栋", "单元", "房号", "姓名", "与户主关系", "性别", "出生日期", "身份证号",
                "手机号", "困难类型"]
# The masked export leaves out what is derived from the ID number (sex, birth date): beside even a
# masked ID they narrow it down to a handful of people (core/masking.py).
DERIVED_FROM_ID = {"性别", "出生日期"}
MASKED_HEADERS = [header for header in FULL_HEADERS if header not in DERIVED_FROM_ID]
CHUNK = 2000


def export_households(*, by, households: QuerySet[Household], full: bool) -> bytes:
    """Workbook of the residents of `households` (already scoped by the caller's selector).

    ID numbers and phones are masked unless `full`; a full export requires `households.export_full`
    (raises PermissionDenied) and is narrowed to that permission's scope. Either kind is audited.
    """
    residents = Resident.objects.filter(household__in=households.order_by().values("pk"))
    if full:
        require_permission(by, "households.export_full")
        scope = scope_paths(by, "households.export_full")
        residents = residents.filter(path_within(scope, field="compound_path"))
    residents = (
        residents.select_related("household", "household__compound")
        .prefetch_related("vulnerabilities")
        .order_by("compound_path", "household__building", "household__entrance", "household__room", "id")
    )
    rows = [_row(resident, full) for resident in residents.iterator(chunk_size=CHUNK)]
    content = build_workbook(FULL_HEADERS if full else MASKED_HEADERS, rows, title="住户与居民")
    action = "household.exported_full" if full else "household.exported"
    audit.record(actor=by, action=action, fields={"rows": len(rows)})
    return content


def _row(resident: Resident, full: bool) -> list:
    household = resident.household
    where = [household.compound.code, household.compound.name, household.building, household.entrance, household.room]
    who = [resident.name, resident.get_relation_display()]
    vulnerabilities = "、".join(str(v) for v in resident.vulnerabilities.all())
    if full:
        return [*where, *who, resident.get_sex_display(), resident.birth_date, resident.id_number, resident.phone,
                vulnerabilities]
    return [*where, *who, mask_id_number(resident.id_number), mask_phone(resident.phone), vulnerabilities]
