"""Excel import of an agency's in-service party member list (by its liaison): what members'
self-registration (个人报到) is verified against. All rows or none; errors name row and column."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiachen.accounts.permissions import has_permission
from xiachen.core import excel_cells as cells
from xiachen.core.crypto import blind_index
from xiachen.core.excel import Column, SheetRow
from xiachen.core.idnumbers import EXAMPLE_ID_NUMBER, EXAMPLE_MOBILE
from xiachen.core.imports import register
from xiachen.core.table_import import TableImporter, add_error, check_duplicate_id, chunked
from xiachen.org.importers import units_by_code

from .models import AgencyMemberListEntry

AGENCY_KINDS = {"agency", "department"}


class MemberListImporter(TableImporter):
    kind = "volunteers.member_list"
    title = gettext_lazy("单位党员名册")
    permission = "volunteers.import_members"
    audit_action = "volunteers.member_list_imported"

    def columns(self) -> list[Column]:
        # Headers are the file format, identical in every UI language, hence not translated.
        return [
            Column("姓名", "name", True, cells.person_name(60), example="张三"),
            Column("身份证号", "identity", True, cells.id_number, cells.show_id_number, as_text=True,
                   note=_("18位，末位可为X；请设为文本格式"), example=EXAMPLE_ID_NUMBER),
            Column("手机号", "phone", False, cells.mobile, cells.show_phone, as_text=True,
                   note=_("11位手机号"), example=EXAMPLE_MOBILE),
            Column("单位代码", "agency_code", True, cells.code(32),
                   note=_("本单位或其内设机构的代码"), example="A-AUDIT"),
            Column("所在党支部", "branch", False, cells.text(100), example="机关第一党支部"),
        ]

    def validate(self, *, by, rows: list[SheetRow], state: dict) -> None:
        agencies = units_by_code(row.values["agency_code"] for row in rows)
        for row in rows:
            self._check_agency(by, row, agencies)
        existing = _existing(rows)
        first_row_of: dict[str, int] = state.setdefault("first_row_of", {})
        for row in rows:
            check_duplicate_id(row, first_row_of, existing, _("该单位名册中已有此身份证号，不能重复导入"))

    def _check_agency(self, by, row: SheetRow, agencies: dict) -> None:
        code = row.values["agency_code"]
        identity = row.values["identity"]
        row.values["id_index"] = None
        if code is None:
            return
        agency = agencies.get(code)
        if agency is None:
            return add_error(row, "单位代码", _("单位代码不存在"))
        if agency.kind.code not in AGENCY_KINDS:
            return add_error(row, "单位代码", _("该代码不是机关单位或内设机构"))
        if not has_permission(by, self.permission, agency):
            return add_error(row, "单位代码", _("无权导入该单位的名册（只能导入本人负责的单位）"))
        row.values["agency"] = agency
        if identity:
            # Keyed per agency: the same person may be on the lists of two agencies (a secondment).
            row.values["id_index"] = f"{agency.pk}:{blind_index(identity.number, purpose='id_number')}"

    def build(self, *, by, rows: list[SheetRow], state: dict):
        for row in rows:
            values = row.values
            yield AgencyMemberListEntry(agency=values["agency"], name=values["name"],
                                        id_number=values["identity"].number, phone=values["phone"] or "",
                                        branch=values["branch"] or "", imported_by=by)


def _existing(rows: list[SheetRow]) -> set[str]:
    """The per-agency keys of the rows already on their agency's list."""
    keys = sorted({row.values["id_index"] for row in rows if row.values.get("id_index")})
    found: set[str] = set()
    for chunk in chunked(keys):
        indexes = [key.split(":", 1)[1] for key in chunk]
        found.update(f"{agency_id}:{index}" for agency_id, index in AgencyMemberListEntry.objects.filter(
            id_number_index__in=indexes).values_list("agency_id", "id_number_index"))
    return found


MEMBER_LIST_IMPORTER = register(MemberListImporter())
