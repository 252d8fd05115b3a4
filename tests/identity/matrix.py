"""Identity URLs × roles for tests/accounts/test_permission_matrix.py.

Single sign-on is not configured in the matrix run, so its two pages answer 404 to everyone (the
sign-in flows themselves are in test_oidc.py). The directory sync page is the system administrator's.
"""

ROLES = ["org_department", "liaison1", "liaison2", "manager1", "manager2", "worker1", "cadre_user1", "hotline",
         "resident_user1", "auditor", "sysadmin"]


def only(status: int, allowed: list[str], others: int, anonymous: int = 302) -> dict[str, int]:
    return {role: status if role in allowed else others for role in ROLES} | {"anonymous": anonymous}


MATRIX = {
    ("identity:oidc_login", None, "get"): only(404, ROLES, 404, anonymous=404),
    ("identity:oidc_callback", None, "get"): only(404, ROLES, 404, anonymous=404),
    ("identity:directory_sync", None, "get"): only(200, ["sysadmin"], 403),
    ("identity:directory_sync", None, "post"): only(200, ["sysadmin"], 403),
}
