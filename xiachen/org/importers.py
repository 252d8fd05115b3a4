"""Excel import of units: each row names its parent, an existing unit or an earlier row of the file."""

from collections.abc import Iterable

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiachen.accounts.permissions import has_permission
from xiachen.core import excel_cells as cells
from xiachen.core.excel import Column, SheetRow
from xiachen.core.imports import register
from xiachen.core.table_import import TableImporter, add_error, chunked

from .models import AgencyKind, Unit, UnitKind

MAX_PATH = Unit._meta.get_field("path").max_length


def units_by_code(codes: Iterable[str | None]) -> dict[str, Unit]:
    """Existing units by code (kind loaded), fetched in chunks; blank codes are skipped."""
    wanted = sorted({code for code in codes if code})
    units: dict[str, Unit] = {}
    for chunk in chunked(wanted):
        units.update({unit.code: unit for unit in Unit.objects.filter(code__in=chunk).select_related("kind")})
    return units


class UnitImporter(TableImporter):
    kind = "units"
    # Read as one chunk: a parent may be any earlier row and a misplaced one is named by its row
    # below ("须列在本行之前"); a city's unit tree is thousands of rows, far below the row limit.
    chunk_rows = 10**9
    title = gettext_lazy("单位")
    permission = "units.import"
    audit_action = "unit.imported"

    def columns(self) -> list[Column]:
        # Headers are the file format, identical in every UI language, hence not translated.
        kinds = cells.vocabulary_options(UnitKind.objects.all())
        agency_kinds = cells.vocabulary_options(AgencyKind.objects.all())
        return [
            Column("代码", "code", True, cells.code(32),
                   note=_("唯一，只含字母、数字、- 和 _"), example="420102001002"),
            Column("名称", "name", True, cells.text(100), example="大智街道二社区"),
            Column("类型", "kind", True, cells.choice(kinds), str,
                   note="、".join(str(entry) for entry, _names in kinds), example="社区"),
            Column("上级代码", "parent_code", True, cells.code(32),
                   note=_("已有单位的代码，或本文件中更靠前一行的代码"), example="420102001"),
            Column("地址", "address", False, cells.text(200)),
            Column("纬度", "latitude", False, cells.decimal_range(-90, 90), example="30.593100"),
            Column("经度", "longitude", False, cells.decimal_range(-180, 180), example="114.305300"),
            Column("机关类型", "agency_kind", False, cells.choice(agency_kinds), str,
                   note=_("仅机关单位填写：") + "、".join(str(entry) for entry, _names in agency_kinds)),
        ]

    def validate(self, *, by, rows: list[SheetRow], state: dict) -> None:
        existing = units_by_code([row.values[key] for row in rows for key in ("code", "parent_code")])
        later = {row.values["code"]: row.number for row in rows}
        earlier: dict[str, SheetRow] = {}
        for row in rows:
            self._check_code(row, existing, earlier)
            self._check_parent(by, row, existing, earlier, later)
            _check_agency_kind(row)
            earlier.setdefault(row.values["code"], row)

    def _check_code(self, row: SheetRow, existing: dict, earlier: dict) -> None:
        code = row.values["code"]
        if code in earlier:
            add_error(row, "代码", _("单位代码与第%(row)d行重复") % {"row": earlier[code].number})
        elif code in existing:
            add_error(row, "代码", _("单位代码已存在"))

    def _check_parent(self, by, row: SheetRow, existing: dict, earlier: dict, later: dict) -> None:
        parent_code, code = row.values["parent_code"], row.values["code"]
        if parent_code is None or code is None:
            return
        if parent_code in earlier:
            parent_path = earlier[parent_code].values.get("path") or ""
        elif parent_code in existing:
            parent = existing[parent_code]
            if not has_permission(by, self.permission, parent):
                return add_error(row, "上级代码", _("无权在该上级单位下导入"))
            parent_path = parent.path
        elif parent_code in later:
            message = _("上级单位须列在本行之前（第%(row)d行）") % {"row": later[parent_code]}
            return add_error(row, "上级代码", message)
        else:
            return add_error(row, "上级代码", _("上级单位代码不存在"))
        row.values["path"] = f"{parent_path}{code}/"
        if MAX_PATH is not None and len(row.values["path"]) > MAX_PATH:
            add_error(row, "代码", _("单位层级过深"))

    def build(self, *, by, rows: list[SheetRow], state: dict):
        """In file order: validation made every parent an existing unit or a row above its children."""
        parents = units_by_code(row.values["parent_code"] for row in rows)
        for row in rows:
            unit = _unit_from(row.values, parents[row.values["parent_code"]])
            parents[unit.code] = unit
            yield unit


def _check_agency_kind(row: SheetRow) -> None:
    kind, agency_kind = row.values["kind"], row.values["agency_kind"]
    if agency_kind is not None and kind is not None and kind.code != "agency":
        add_error(row, "机关类型", _("只有机关单位可填写机关类型"))


def _unit_from(values: dict, parent: Unit) -> Unit:
    unit = Unit(
        code=values["code"], name=values["name"], kind=values["kind"], agency_kind=values["agency_kind"],
        parent=parent, address=values["address"] or "",
        latitude=values["latitude"], longitude=values["longitude"],
    )
    unit.path = f"{parent.path}{unit.code}/"  # not build_path(): a parent staged in the same import has no pk
    unit.depth = unit.path.count("/") - 2
    return unit


UNIT_IMPORTER = register(UnitImporter())
