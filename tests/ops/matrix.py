"""Operations URLs × roles for tests/accounts/test_permission_matrix.py: the working calendar is kept by the
system administrator and the organization department; every other role gets 403."""

ROLES = ["org_department", "liaison1", "liaison2", "manager1", "manager2", "worker1", "cadre_user1", "hotline",
         "resident_user1", "auditor", "sysadmin"]
KEEPERS = ["org_department", "sysadmin"]


def only(status: int, allowed: list[str], others: int, anonymous: int = 302) -> dict[str, int]:
    return {role: status if role in allowed else others for role in ROLES} | {"anonymous": anonymous}


ARGS: dict = {}

MATRIX = {
    ("ops:calendar", None, "get"): only(200, KEEPERS, 403),
    ("ops:calendar_template", None, "get"): only(200, KEEPERS, 403),
}
