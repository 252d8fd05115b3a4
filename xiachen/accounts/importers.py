"""Excel import of staff accounts: one row per account and its first role, all or nothing.

Imported accounts have no usable password: the administrator issues each person a temporary one
from the account's page when handing it over (shown once, changed at the first sign-in). The two
roles that need a second approver cannot be imported; they are granted one by one.
"""

import re

from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiachen.audit import services as audit
from xiachen.core import excel_cells as cells
from xiachen.core.excel import Column, SheetRow
from xiachen.core.imports import register
from xiachen.core.table_import import TableImporter, add_error, chunked
from xiachen.org.importers import units_by_code

from .administration import ASSIGNABLE_ROLES, PRIVILEGED_ROLES
from .enums import Role
from .models import Membership, User
from .permissions import has_permission

USERNAME = re.compile(r"[A-Za-z0-9_.@+-]{3,150}")


class StaffImporter(TableImporter):
    kind = "staff"
    title = gettext_lazy("工作人员账号")
    permission = "accounts.import"
    audit_action = "user.imported"
    # Each account is created and audited on its own (user.created), in one transaction with the rest.
    staged = False
    chunk_rows = 10**9

    def columns(self) -> list[Column]:
        # Headers are the file format, identical in every UI language, hence not translated.
        importable = [role for role in ASSIGNABLE_ROLES if role not in PRIVILEGED_ROLES]
        roles = [(role.value, [str(role.label), role.value]) for role in importable]
        return [
            Column("用户名", "username", True, cells.text(150),
                   note=_("3–150位字母、数字或 _ . @ + -，登录时使用"), example="zhangsan"),
            Column("姓名", "display_name", True, cells.person_name(60), example="张三"),
            Column("角色", "role", True, cells.choice(roles), lambda value: str(Role(value).label),
                   note="、".join(str(role.label) for role in importable), example=str(Role.COMMUNITY_WORKER.label)),
            Column("单位代码", "unit_code", True, cells.code(32),
                   note=_("角色所在单位的代码，如社区代码"), example="420102001001"),
            Column("电子邮箱", "email", False, cells.text(254)),
        ]

    def validate(self, *, by, rows: list[SheetRow], state: dict) -> None:
        units = units_by_code(row.values["unit_code"] for row in rows)
        taken = _taken_usernames(row.values["username"] for row in rows)
        first_row_of: dict[str, int] = {}
        for row in rows:
            self._check_username(row, taken, first_row_of)
            unit = units.get(row.values["unit_code"])
            if row.values["unit_code"] is not None and unit is None:
                add_error(row, "单位代码", _("单位代码不存在"))
            elif unit is not None and not has_permission(by, self.permission, unit):
                add_error(row, "单位代码", _("无权在该单位下导入账号"))
            row.values["unit"] = unit

    def _check_username(self, row: SheetRow, taken: set[str], first_row_of: dict[str, int]) -> None:
        username = row.values["username"]
        if username is None:
            return
        key = username.lower()
        if not USERNAME.fullmatch(username):
            add_error(row, "用户名", _("用户名只能包含字母、数字和 _ . @ + -，至少3位"))
        elif key in first_row_of:
            add_error(row, "用户名", _("用户名与第%(row)d行重复") % {"row": first_row_of[key]})
        elif key in taken:
            add_error(row, "用户名", _("用户名已被使用"))
        first_row_of.setdefault(key, row.number)

    def store(self, *, by, rows: list[SheetRow]) -> int:
        for row in rows:
            values = row.values
            user = User(username=values["username"], display_name=values["display_name"],
                        email=values["email"] or "", must_change_password=True)
            user.set_unusable_password()
            user.save()
            Membership.objects.create(user=user, role=values["role"], unit=values["unit"])
            audit.record(actor=by, action="user.created", target=user,
                         fields={"via": "import", "role": values["role"], "unit": values["unit"].code})
        return len(rows)


def _taken_usernames(usernames) -> set[str]:
    wanted = sorted({name.lower() for name in usernames if name})
    taken: set[str] = set()
    for chunk in chunked(wanted):
        lowered = User.objects.annotate(lowered=Lower("username")).filter(lowered__in=chunk)
        taken.update(lowered.values_list("lowered", flat=True))
    return taken


STAFF_IMPORTER = register(StaffImporter())
