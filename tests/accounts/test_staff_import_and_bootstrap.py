"""Bulk import of staff accounts (shared Excel flow) and the `bootstrap-admin` command."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from xiachen.accounts.enums import Role
from xiachen.accounts.importers import STAFF_IMPORTER
from xiachen.accounts.models import Membership, User
from xiachen.audit.models import AuditEvent
from xiachen.core.imports import ImportRejected

from ..excel_helpers import xlsx

HEADERS = ["用户名", "姓名", "角色", "单位代码", "电子邮箱"]


def test_import_creates_accounts_with_roles_and_no_usable_password(tree, people):
    data = xlsx([HEADERS, ["wang01", "王一", "社区工作者", tree.community1.code, ""],
                 ["li02", "李二", "热线坐席", tree.district2.code, "li@example.cn"]])
    assert STAFF_IMPORTER.preview(by=people.sysadmin, data=data, filename="staff.xlsx").ok
    assert STAFF_IMPORTER.commit(by=people.sysadmin, data=data, filename="staff.xlsx") == 2
    wang = User.objects.get(username="wang01")
    assert not wang.has_usable_password() and wang.must_change_password
    assert Membership.objects.get(user=wang).role == Role.COMMUNITY_WORKER
    assert Membership.objects.get(user__username="li02").unit == tree.district2
    assert AuditEvent.objects.filter(action="user.created", fields__via="import").count() == 2
    assert AuditEvent.objects.get(action="user.imported").fields == {"rows": 2, "created": 2}


def test_import_names_each_bad_row_in_chinese_and_stores_nothing(tree, people):
    data = xlsx([HEADERS, ["wang01", "王一", "社区工作者", tree.community1.code, ""],
                 ["WANG01", "王一", "社区工作者", tree.community1.code, ""],
                 ["manager1", "重名", "社区工作者", tree.community1.code, ""],
                 ["zhao03", "赵三", "组织部", tree.city.code, ""],
                 ["qian04", "钱四", "社区工作者", "NOPE", ""]])
    preview = STAFF_IMPORTER.preview(by=people.sysadmin, data=data, filename="staff.xlsx")
    messages = {(error.row, error.column, error.message) for error in preview.errors}
    assert (3, "用户名", "用户名与第2行重复") in messages
    assert (4, "用户名", "用户名已被使用") in messages
    assert any(row == 5 and column == "角色" for row, column, _message in messages)
    assert (6, "单位代码", "单位代码不存在") in messages
    with pytest.raises(ImportRejected):
        STAFF_IMPORTER.commit(by=people.sysadmin, data=data, filename="staff.xlsx")
    assert not User.objects.filter(username__in=["wang01", "zhao03", "qian04"]).exists()


def test_import_page_and_template_for_the_administrator(client, people):
    client.force_login(people.sysadmin)
    page = client.get(reverse("accounts:user_import"))
    assert "导入工作人员账号" in page.content.decode()
    template = client.get(reverse("accounts:user_import_template"))
    assert template["Content-Type"].startswith("application/vnd.openxmlformats")


FIRST_PASSWORD = "first-admin-2026"


def _bootstrap(*args, password=FIRST_PASSWORD, stdin=True):
    import sys

    old = sys.stdin
    sys.stdin = io.StringIO(password + "\n")
    out = io.StringIO()
    try:
        call_command("bootstrap_admin", *args, *(["--password-stdin"] if stdin else []), stdout=out)
    finally:
        sys.stdin = old
    return out.getvalue()


def test_bootstrap_admin_creates_the_first_administrator_at_the_root(tree):
    output = _bootstrap("--username", "first", "--display-name", "首位管理员")
    user = User.objects.get(username="first")
    assert user.check_password("first-admin-2026") and not user.must_change_password
    assert Membership.objects.get(user=user).role == Role.SYSTEM_ADMIN
    assert Membership.objects.get(user=user).unit == tree.city
    assert "first-admin-2026" not in output
    event = AuditEvent.objects.get(action="user.bootstrapped")
    assert event.actor_id is None and "first-admin-2026" not in str(event.fields)


def test_bootstrap_admin_refuses_a_second_time_unless_forced(tree):
    _bootstrap("--username", "first")
    with pytest.raises(CommandError, match="already exists"):
        _bootstrap("--username", "second")
    _bootstrap("--username", "second", "--force")
    assert Membership.objects.filter(role=Role.SYSTEM_ADMIN).count() == 2


def test_bootstrap_admin_refuses_a_weak_password(tree):
    with pytest.raises(CommandError, match="password refused"):
        _bootstrap("--username", "first", password="123456")
    assert not User.objects.filter(username="first").exists()


def test_bootstrap_admin_creates_the_root_unit_of_an_empty_tree(db):
    from tests.factories import ensure_vocabularies
    from xiachen.org.models import Unit

    ensure_vocabularies()
    with pytest.raises(CommandError, match="--root-code"):
        _bootstrap("--username", "first")
    _bootstrap("--username", "first", "--root-code", "420100", "--root-name", "武汉市")
    assert Unit.objects.get(code="420100").parent is None
    assert Membership.objects.get(user__username="first").unit.code == "420100"


def test_xiachen_bootstrap_admin_reaches_the_command(monkeypatch, capsys):
    """`xiachen bootstrap-admin` (hyphenated, as in docs/deploy.md) runs the management command."""
    from xiachen import cli

    monkeypatch.setattr("sys.argv", ["xiachen", "bootstrap-admin", "--help"])
    with pytest.raises(SystemExit) as exit_info:
        cli.main()
    assert exit_info.value.code == 0
    assert "--password-stdin" in capsys.readouterr().out
