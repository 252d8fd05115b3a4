"""Audit URLs × roles for tests/accounts/test_permission_matrix.py: the security auditor only
(the system administrator included in the 403s: 三权分立). A finished chain check exists."""

from xiachen.audit.services import start_chain_check

ROLES = ["org_department", "liaison1", "liaison2", "manager1", "manager2", "worker1", "cadre_user1", "hotline",
         "resident_user1", "auditor", "sysadmin"]


def only(status: int, allowed: list[str], others: int, anonymous: int = 302) -> dict[str, int]:
    return {role: status if role in allowed else others for role in ROLES} | {"anonymous": anonymous}


def _check(request):
    people = request.getfixturevalue("people")
    return [start_chain_check(by=people.auditor).public_id]


ARGS = {"chain_check": _check}

MATRIX = {
    ("audit:export", None, "get"): only(200, ["auditor"], 403),
    ("audit:verify", None, "post"): only(302, ["auditor"], 403),
    ("audit:check", "chain_check", "get"): only(200, ["auditor"], 403),
}
