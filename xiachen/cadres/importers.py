"""Excel import of cadre rosters, one row per cadre, into agencies within the importer's scope."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiachen.accounts.permissions import has_permission
from xiachen.core import excel_cells as cells
from xiachen.core.excel import Column, SheetRow
from xiachen.core.idnumbers import EXAMPLE_ID_NUMBER, EXAMPLE_MOBILE
from xiachen.core.imports import register
from xiachen.core.table_import import (
    TableImporter,
    add_error,
    check_duplicate_id,
    existing_id_indexes,
)
from xiachen.core.text import closest, fold_key
from xiachen.org.importers import units_by_code
from xiachen.org.models import Unit

from .enums import Rank, Sex
from .models import Cadre, Specialty

SEX_FROM_ID = {True: Sex.MALE, False: Sex.FEMALE}


class CadreImporter(TableImporter):
    kind = "cadres"
    title = gettext_lazy("干部名册")
    permission = "cadres.import"
    audit_action = "cadre.imported"

    def columns(self) -> list[Column]:
        # Headers are the file format, identical in every UI language, hence not translated.
        specialties = cells.vocabulary_options(Specialty.objects.all())
        return [
            Column("姓名", "name", True, cells.person_name(60), example="张三"),
            Column("性别", "sex", True, cells.choice(cells.choices_options(Sex)), cells.show_choice(Sex),
                   note=_("男 / 女，须与身份证号一致"), example="男"),
            Column("身份证号", "identity", True, cells.id_number, cells.show_id_number, as_text=True,
                   note=_("18位，末位可为X；请设为文本格式"), example=EXAMPLE_ID_NUMBER),
            Column("手机号", "phone", True, cells.mobile, cells.show_phone, as_text=True,
                   note=_("11位手机号"), example=EXAMPLE_MOBILE),
            Column("派出单位代码", "agency_code", True, cells.code(32),
                   note=_("机关单位的代码"), example="A-AUDIT"),
            Column("内设机构", "department_name", False, cells.text(100),
                   note=_("派出单位下内设机构的名称"), example="财政审计科"),
            Column("职级", "rank", True, cells.choice(cells.choices_options(Rank)), cells.show_choice(Rank),
                   note="、".join(str(label) for label in Rank.labels), example="科员"),
            Column("职务", "position", False, cells.text(60), example="科员"),
            Column("专长", "specialties", False, cells.multi_choice(specialties), cells.show_list,
                   note=_("多个用、分隔：") + "、".join(str(entry) for entry, _names in specialties),
                   example="审计、财务会计"),
            Column("家庭住址", "home_address", False, cells.text(200)),
            Column("住址纬度", "home_latitude", False, cells.decimal_range(-90, 90), example="30.593100"),
            Column("住址经度", "home_longitude", False, cells.decimal_range(-180, 180), example="114.305300"),
            Column("健康限制", "health_restrictions", False, cells.text(200), note=_("如不宜夜班、不宜久站")),
        ]

    def validate(self, *, by, rows: list[SheetRow], state: dict) -> None:
        agencies = units_by_code(row.values["agency_code"] for row in rows)
        departments = _departments_of(agencies.values())
        existing = existing_id_indexes(rows, Cadre)
        first_row_of: dict[str, int] = state.setdefault("first_row_of", {})  # ID index → row, whole file
        for row in rows:
            self._check_agency(by, row, agencies, departments)
            _check_sex(row)
            check_duplicate_id(row, first_row_of, existing, _("系统中已有该身份证号的干部，不能重复导入"))

    def _check_agency(self, by, row: SheetRow, agencies: dict, departments: dict) -> None:
        code = row.values["agency_code"]
        if code is None:
            return
        agency = agencies.get(code)
        if agency is None:
            return add_error(row, "派出单位代码", _("派出单位代码不存在"))
        if agency.kind.code != "agency":
            return add_error(row, "派出单位代码", _("该代码不是机关单位"))
        if not has_permission(by, self.permission, agency):
            return add_error(row, "派出单位代码", _("无权向该派出单位导入干部（只能导入本人负责的单位）"))
        row.values["agency"] = agency
        name = row.values["department_name"]
        own = departments.get(agency.pk, {})
        row.values["department"] = own.get(fold_key(name)) if name else None
        if name and row.values["department"] is None:
            message = _("派出单位下没有名为「%(name)s」的内设机构") % {"name": name[:30]}
            suggestion = closest(name, [unit.name for unit in own.values()])
            if suggestion:
                message += _("，是否为「%(name)s」？") % {"name": suggestion}
            add_error(row, "内设机构", message)

    def build(self, *, by, rows: list[SheetRow], state: dict):
        cadres = [_cadre_from(row.values) for row in rows]
        yield from cadres
        through = Cadre.specialties.through
        for cadre, row in zip(cadres, rows, strict=True):
            for specialty in row.values["specialties"] or ():
                yield through(cadre=cadre, specialty_id=specialty.pk)


def _departments_of(agencies) -> dict[int, dict[str, Unit]]:
    """Departments by agency pk, then by folded name (width, brackets and spaces do not matter)."""
    departments: dict[int, dict[str, Unit]] = {}
    for unit in Unit.objects.filter(parent__in=list(agencies), kind__code="department"):
        departments.setdefault(unit.parent_id, {})[fold_key(unit.name)] = unit
    return departments


def _check_sex(row: SheetRow) -> None:
    identity, sex = row.values["identity"], row.values["sex"]
    if identity and sex and SEX_FROM_ID[identity.is_male] != sex:
        expected = SEX_FROM_ID[identity.is_male].label
        add_error(row, "性别", _("性别与身份证号不符：按身份证号应为%(sex)s") % {"sex": expected})


def _cadre_from(values: dict) -> Cadre:
    agency = values["agency"]
    return Cadre(
        name=values["name"], sex=values["sex"], agency=agency, agency_path=agency.path,
        department=values["department"], rank=values["rank"], position=values["position"] or "",
        phone=values["phone"], id_number=values["identity"].number,
        home_address=values["home_address"] or "", home_latitude=values["home_latitude"],
        home_longitude=values["home_longitude"], health_restrictions=values["health_restrictions"] or "",
    )


CADRE_IMPORTER = register(CadreImporter())
