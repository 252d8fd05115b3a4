"""Excel import of demands (岗位需求), one row per demand, for receiving units within the importer's scope."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiachen.accounts.permissions import has_permission
from xiachen.cadres.models import Specialty
from xiachen.core import excel_cells as cells
from xiachen.core.excel import Column, SheetRow
from xiachen.core.excel_cells import CellInvalid
from xiachen.core.imports import register
from xiachen.core.table_import import TableImporter, add_error
from xiachen.org.importers import units_by_code
from xiachen.org.models import AgencyKind

from .enums import Hazard
from .models import Demand, PostType
from .selectors import RECEIVING_UNIT_KINDS

HAZARD_SHORT = {Hazard.LOW: "低", Hazard.MEDIUM: "中", Hazard.HIGH: "高"}
YES_NO = [(True, ["是", "需要", "yes", "y", "1"]), (False, ["否", "不需要", "no", "n", "0"])]
# The core reader skips a column headed 备注 (bookkeeping), so the notes column has its own header.
NOTES_HEADER = "备注"
RELATIONS = (("must_have", "must_have_any"), ("nice", "nice_to_have"), ("kinds", "preferred_agency_kinds"))


def whole_number(minimum: int, maximum: int) -> cells.Parser:
    def parse(value: object) -> int:
        text = str(value).strip()
        try:
            number = float(text)
        except ValueError:
            number = None
        if number is None or not number.is_integer() or not minimum <= number <= maximum:
            raise CellInvalid(_("应为 %(min)d 到 %(max)d 之间的整数") % {"min": minimum, "max": maximum})
        return int(number)

    return parse


class DemandImporter(TableImporter):
    kind = "demands"
    title = gettext_lazy("岗位需求")
    permission = "deployments.manage_demands"
    audit_action = "demand.imported"

    def columns(self) -> list[Column]:
        # Headers are the file format, identical in every UI language, hence not translated.
        posts = cells.vocabulary_options(PostType.objects.all())
        specialties = cells.vocabulary_options(Specialty.objects.all())
        kinds = cells.vocabulary_options(AgencyKind.objects.all())
        hazards = [(value, [HAZARD_SHORT[value], label, value]) for value, label in Hazard.choices]
        return [
            Column("接收单位代码", "unit_code", True, cells.code(32),
                   note=_("社区、小区、街道、车站、乡镇站所或卫生院的代码"), example="420102001001"),
            Column("岗位类型", "post_type", True, cells.choice(posts), str,
                   note="、".join(str(entry) for entry, _names in posts), example="卡口值守"),
            Column("人数", "headcount", True, whole_number(1, 999), example="2"),
            Column("开始日期", "start", True, cells.excel_date, cells.show_date, example="2026-12-01"),
            Column("结束日期", "end", True, cells.excel_date, cells.show_date, example="2026-12-31"),
            Column("每日时长", "daily_hours", False, cells.decimal_range(1, 24, 1),
                   note=_("小时，1 到 24，留空为 8"), example="8"),
            Column("必备专长", "must_have", False, cells.multi_choice(specialties), cells.show_list,
                   note=_("具备任一即可；留空按岗位类型默认。多个用、分隔"), example="审计、财务会计"),
            Column("优先专长", "nice", False, cells.multi_choice(specialties), cells.show_list,
                   note=_("留空按岗位类型默认。多个用、分隔"), example="数据分析"),
            Column("优先派出单位类型", "kinds", False, cells.multi_choice(kinds), cells.show_list,
                   note="、".join(str(entry) for entry, _names in kinds), example="审计局"),
            Column("风险等级", "hazard", False, cells.choice(hazards), cells.show_choice(Hazard),
                   note=_("低 / 中 / 高，留空按岗位类型默认"), example="中"),
            Column("需要医护", "needs_medical", False, cells.choice(YES_NO), _show_yes_no,
                   note=_("是 / 否，留空按岗位类型默认"), example="否"),
            Column(NOTES_HEADER, "notes", False, cells.text(500), note=_("请勿填写身份证号、手机号等个人信息")),
        ]

    def validate(self, *, by, rows: list[SheetRow], state: dict) -> None:
        units = units_by_code(row.values["unit_code"] for row in rows)
        for row in rows:
            self._check_unit(by, row, units)
            start, end = row.values["start"], row.values["end"]
            if start and end and end < start:
                add_error(row, "结束日期", _("结束日期不能早于开始日期"))

    def _check_unit(self, by, row: SheetRow, units: dict) -> None:
        code = row.values["unit_code"]
        if code is None:
            return
        unit = units.get(code)
        if unit is None:
            return add_error(row, "接收单位代码", _("接收单位代码不存在"))
        if unit.kind.code not in RECEIVING_UNIT_KINDS:
            return add_error(row, "接收单位代码", _("该单位不是接收单位（社区、小区、街道、车站、乡镇站所或卫生院）"))
        if not has_permission(by, self.permission, unit):
            return add_error(row, "接收单位代码", _("无权为该单位发布需求（只能发布本人负责的单位）"))
        row.values["unit"] = unit

    def build(self, *, by, rows: list[SheetRow], state: dict):
        demands = [_demand_from(row.values, by) for row in rows]
        yield from demands
        for key, relation in RELATIONS:
            field = Demand._meta.get_field(relation)
            source, target = field.m2m_field_name(), f"{field.m2m_reverse_field_name()}_id"
            for demand, row in zip(demands, rows, strict=True):
                for entry in row.values[key] or ():
                    yield field.remote_field.through(**{source: demand, target: entry.pk})


def _show_yes_no(value: bool) -> str:
    return "是" if value else "否"


def _demand_from(values: dict, by) -> Demand:
    unit, post_type = values["unit"], values["post_type"]
    needs_medical = values["needs_medical"]
    return Demand(
        unit=unit, unit_path=unit.path, post_type=post_type, headcount=values["headcount"],
        start=values["start"], end=values["end"], daily_hours=values["daily_hours"] or 8,
        hazard=values["hazard"] or post_type.hazard,
        needs_medical=post_type.needs_medical if needs_medical is None else needs_medical,
        notes=values["notes"] or "", created_by=by,
    )


DEMAND_IMPORTER = register(DemandImporter())
