"""Account administration URLs × roles for tests/accounts/test_permission_matrix.py.

Only the system administrator manages accounts (403 for everyone else, the auditor included:
三权分立); the target is manager1's account. A pending grant of the organization department's role
was filed by a second administrator, so the matrix's administrator may decide it. Writes with an
empty form change nothing (a refusal redirects back or re-renders with 400).
"""

from xiachen.accounts.enums import Role
from xiachen.accounts.models import RoleGrant

from ..factories import user_with_role

ROLES = ["org_department", "liaison1", "liaison2", "manager1", "manager2", "worker1", "cadre_user1", "hotline",
         "resident_user1", "auditor", "sysadmin"]


def only(status: int, allowed: list[str], others: int, anonymous: int = 302) -> dict[str, int]:
    return {role: status if role in allowed else others for role in ROLES} | {"anonymous": anonymous}


ADMIN = ["sysadmin"]


def _grant(request):
    tree, people = request.getfixturevalue("tree"), request.getfixturevalue("people")
    second = user_with_role(Role.SYSTEM_ADMIN, tree.city, username="sysadmin2")
    grant = RoleGrant.objects.create(
        user=people.liaison2, role=Role.ORG_DEPARTMENT, unit=tree.city, requested_by=second
    )
    return [grant.public_id]


ARGS = {
    "account": lambda request: [request.getfixturevalue("people").manager1.public_id],
    "membership": lambda request: [request.getfixturevalue("people").manager1.memberships.get().public_id],
    "grant": _grant,
}

MATRIX = {
    ("accounts:password_change", None, "get"): only(200, ROLES, 200),
    ("accounts:user_new", None, "get"): only(200, ADMIN, 403),
    ("accounts:user_import", None, "get"): only(200, ADMIN, 403),
    ("accounts:user_import_template", None, "get"): only(200, ADMIN, 403),
    ("accounts:lockouts", None, "get"): only(200, ADMIN, 403),
    ("accounts:grants", None, "get"): only(200, ADMIN, 403),
    ("accounts:grant_decide", "grant", "post"): only(302, ADMIN, 403),
    ("accounts:unit_picker", None, "get"): only(200, ["sysadmin", "auditor"], 403),
    ("accounts:user_detail", "account", "get"): only(200, ADMIN, 403),
    ("accounts:user_edit", "account", "get"): only(200, ADMIN, 403),
    ("accounts:user_active", "account", "post"): only(302, ADMIN, 403),
    ("accounts:user_password_reset", "account", "post"): only(200, ADMIN, 403),
    ("accounts:user_totp_reset", "account", "post"): only(302, ADMIN, 403),
    ("accounts:user_unlock", "account", "post"): only(302, ADMIN, 403),
    ("accounts:role_assign", "account", "post"): only(400, ADMIN, 403),
    ("accounts:membership_withdraw", "membership", "post"): only(302, ADMIN, 403),
}
