"""Excel import of residents, one row per person; rows sharing an address form one household."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiachen.accounts.permissions import has_permission
from xiachen.cadres.enums import Sex
from xiachen.core import excel_cells as cells
from xiachen.core.excel import Column, SheetRow
from xiachen.core.idnumbers import EXAMPLE_ID_NUMBER, EXAMPLE_MOBILE
from xiachen.core.imports import register
from xiachen.core.table_import import (
    TableImporter,
    add_error,
    check_duplicate_id,
    chunked,
    existing_id_indexes,
)
from xiachen.org.importers import units_by_code

from .enums import Relation
from .models import Household, Resident, Vulnerability

SEX_FROM_ID = {True: Sex.MALE, False: Sex.FEMALE}
Address = tuple[int, str, str, str]  # compound pk, building, entrance, room


class HouseholdImporter(TableImporter):
    kind = "households"
    title = gettext_lazy("住户与居民")
    permission = "households.import"
    audit_action = "household.imported"

    def columns(self) -> list[Column]:
        # Headers are the file format, identical in every UI language, hence not translated.
        vulnerabilities = cells.vocabulary_options(Vulnerability.objects.all())
        return [
            Column("小区代码", "compound_code", True, cells.code(32),
                   note=_("小区的单位代码"), example="420102001001001"),
            Column("楼栋", "building", True, cells.text(20), example="3"),
            Column("单元", "entrance", False, cells.text(20), example="1"),
            Column("房号", "room", True, cells.text(20), example="502"),
            Column("姓名", "name", True, cells.person_name(60), example="李四"),
            Column("与户主关系", "relation", True, cells.choice(cells.choices_options(Relation)),
                   cells.show_choice(Relation), note="、".join(str(label) for label in Relation.labels),
                   example="户主"),
            Column("性别", "sex", True, cells.choice(cells.choices_options(Sex)), cells.show_choice(Sex),
                   note=_("男 / 女，须与身份证号一致"), example="女"),
            Column("出生日期", "birth_date", True, cells.excel_date, cells.show_date,
                   note=_("须与身份证号一致，如 1960-05-01"), example="1960-05-01"),
            Column("身份证号", "identity", True, cells.id_number, cells.show_id_number, as_text=True,
                   note=_("18位，末位可为X；请设为文本格式"), example=EXAMPLE_ID_NUMBER),
            Column("手机号", "phone", False, cells.mobile, cells.show_phone, as_text=True,
                   example=EXAMPLE_MOBILE),
            Column("困难类型", "vulnerabilities", False, cells.multi_choice(vulnerabilities), cells.show_list,
                   note=_("多个用、分隔：") + "、".join(str(entry) for entry, _names in vulnerabilities)),
        ]

    def validate(self, *, by, rows: list[SheetRow], state: dict) -> None:
        compounds = units_by_code(row.values["compound_code"] for row in rows)
        existing = existing_id_indexes(rows, Resident)
        first_row_of: dict[str, int] = state.setdefault("first_row_of", {})  # whole file
        head_row_of: dict[tuple, int] = state.setdefault("head_row_of", {})
        for row in rows:
            self._check_compound(by, row, compounds)
            _check_identity(row)
            check_duplicate_id(row, first_row_of, existing, _("系统中已有该身份证号的居民，不能重复导入"))
        stored_heads = _addresses_with_a_head(rows)
        for row in rows:
            _check_single_head(row, head_row_of, stored_heads)

    def _check_compound(self, by, row: SheetRow, compounds: dict) -> None:
        code = row.values["compound_code"]
        if code is None:
            return
        compound = compounds.get(code)
        if compound is None:
            return add_error(row, "小区代码", _("小区代码不存在"))
        if compound.kind.code != "compound":
            return add_error(row, "小区代码", _("该代码不是小区"))
        if not has_permission(by, self.permission, compound):
            return add_error(row, "小区代码", _("无权导入该小区的住户"))
        row.values["compound"] = compound

    def build(self, *, by, rows: list[SheetRow], state: dict):
        known: dict[Address, tuple] = state.setdefault("households", {})  # (pk or None, public_id, path)
        new = _households_for(rows, known)
        yield from new
        residents = []
        for row in rows:
            pk, public_id, compound_path = known[_address(row.values)]
            household = Household(pk=pk, public_id=public_id, compound_path=compound_path)
            residents.append(_resident_from(row.values, household))
        yield from residents
        through = Resident.vulnerabilities.through
        for resident, row in zip(residents, rows, strict=True):
            for vulnerability in row.values["vulnerabilities"] or ():
                yield through(resident=resident, vulnerability_id=vulnerability.pk)


def _address(values: dict) -> Address:
    return (values["compound"].pk, values["building"], values["entrance"] or "", values["room"])


def _households_for(rows: list[SheetRow], known: dict[Address, tuple]) -> list[Household]:
    """Note the existing households at the chunk's new addresses in `known`, and return new ones
    (unsaved) for the rest; `known` keeps every address of the file so a household is made once."""
    compounds = {row.values["compound"].pk: row.values["compound"] for row in rows}
    wanted = {_address(row.values) for row in rows} - known.keys()
    buildings = sorted({address[1] for address in wanted})
    for chunk in chunked(buildings):
        found = Household.objects.filter(compound_id__in=list(compounds), building__in=chunk)
        for household in found.only("pk", "public_id", "compound_path", "compound_id", "building", "entrance",
                                    "room"):
            address = (household.compound_id, household.building, household.entrance, household.room)
            if address in wanted:
                known[address] = (household.pk, household.public_id, household.compound_path)
    new = [
        Household(compound=compounds[pk], compound_path=compounds[pk].path, building=building,
                  entrance=entrance, room=room)
        for pk, building, entrance, room in sorted(wanted - known.keys())
    ]
    known.update({(h.compound_id, h.building, h.entrance, h.room): (None, h.public_id, h.compound_path) for h in new})
    return new


def _check_identity(row: SheetRow) -> None:
    identity, sex, birth = row.values["identity"], row.values["sex"], row.values["birth_date"]
    if identity and sex and SEX_FROM_ID[identity.is_male] != sex:
        expected = SEX_FROM_ID[identity.is_male].label
        add_error(row, "性别", _("性别与身份证号不符：按身份证号应为%(sex)s") % {"sex": expected})
    if identity and birth and identity.birth_date != birth:
        add_error(row, "出生日期", _("出生日期与身份证号不符"))


def _addresses_with_a_head(rows: list[SheetRow]) -> set[Address]:
    """The file's addresses whose household already has a head in the database."""
    heads = [row for row in rows if row.values["relation"] == Relation.HEAD and "compound" in row.values]
    compounds = sorted({row.values["compound"].pk for row in heads})
    buildings = sorted({row.values["building"] for row in heads})
    found: set[Address] = set()
    for chunk in chunked(buildings):
        households = Resident.objects.filter(relation=Relation.HEAD, household__compound_id__in=compounds,
                                             household__building__in=chunk)
        found.update(households.values_list("household__compound_id", "household__building",
                                            "household__entrance", "household__room"))
    return found


def _check_single_head(row: SheetRow, head_row_of: dict[tuple, int], stored_heads: set[Address]) -> None:
    if row.values["relation"] != Relation.HEAD or "compound" not in row.values:
        return
    address = _address(row.values)
    if address in stored_heads:
        add_error(row, "与户主关系", _("该住户在系统中已有户主，同一住户只能有一位户主"))
    elif address in head_row_of:
        message = _("同一住户只能有一位户主（第%(row)d行已是户主）") % {"row": head_row_of[address]}
        add_error(row, "与户主关系", message)
    head_row_of.setdefault(address, row.number)


def _resident_from(values: dict, household: Household) -> Resident:
    return Resident(
        household=household, compound_path=household.compound_path, name=values["name"],
        relation=values["relation"], sex=values["sex"], birth_date=values["birth_date"],
        phone=values["phone"] or "", id_number=values["identity"].number,
    )


HOUSEHOLD_IMPORTER = register(HouseholdImporter())
